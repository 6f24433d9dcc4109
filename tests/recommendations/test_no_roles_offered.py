"""Every target role withdrawn (the admin's "deactivate selected" on all of them): every page of a result answered
500 (the ranking's arrays lost their shape), and the path said "you meet every requirement of the role"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment.services import start_assessment
from recommendations import catalogue
from recommendations.models import Role
from tests.conftest import answer_all, weakest

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_roles():
    active = list(Role.objects.filter(active=True).values_list("pk", flat=True))
    Role.objects.filter(pk__in=active).update(active=False)  # update(): as a shell or data fix does, no stamp moved
    catalogue._cached.clear()
    yield active
    catalogue._cached.clear()


def test_a_result_without_any_role_offered_says_so_and_every_page_of_it_works(client, admin_client, no_roles):
    person = answer_all(start_assessment(), weakest)
    page = client.get(reverse("results", args=[person.token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Im Moment werden keine Zielrollen angeboten" in text
    assert "kein Kurs nötig" not in text
    assert "Ein Lernpfad führt zu einer Zielrolle, und im Moment wird keine angeboten." in text
    for url in (reverse("results-pdf", args=[person.token]), reverse("admin_dashboard")):
        assert (admin_client if "admin" in url else client).get(url).status_code == 200


def test_when_roles_are_offered_again_the_result_offers_to_be_computed_anew(client, no_roles):
    person = answer_all(start_assessment(), weakest)
    client.get(reverse("results", args=[person.token]))
    Role.objects.filter(pk__in=no_roles).update(active=True)
    catalogue._cached.clear()
    text = client.get(reverse("results", args=[person.token])).content.decode()
    assert "werden wieder Zielrollen angeboten" in text
    assert reverse("results-recompute", args=[person.token]) in text
    client.post(reverse("results-recompute", args=[person.token]))
    text = client.get(reverse("results", args=[person.token])).content.decode()
    assert "Im Moment werden keine Zielrollen angeboten" not in text and "wieder Zielrollen" not in text


def test_the_pages_active_roles_are_the_managers(db):
    """`active_roles` writes `Role.objects.active()` as SQL once (`core.rows`): the same roles in the same order."""
    from recommendations.presentation import active_roles

    withdrawn = Role.objects.order_by("slug")[1]
    Role.objects.filter(pk=withdrawn.pk).update(active=False)
    for position, role in enumerate(Role.objects.order_by("-slug")):  # an order unlike the slugs'
        Role.objects.filter(pk=role.pk).update(order=position)
    assert list(active_roles()) == list(Role.objects.active().values_list("slug", flat=True))
    assert withdrawn.slug not in active_roles()
