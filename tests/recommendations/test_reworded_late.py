"""A result stored before a reason's wording was mended says it as it is now, once its ranking is what it was.

A review read a stored "Sie bringen mehr mit, als diese Rolle verlangt" beside a requirement missed by two levels, a
wording new results no longer use; the stored reasons stayed until the result was computed again.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment.services import start_assessment
from recommendations import results as results_module
from recommendations.models import RoleRequirement, StoredResult
from tests.conftest import answer_all, at_level_one

pytestmark = pytest.mark.django_db

OLD = "Ein alter Wortlaut."


def stored_in_old_words(person) -> dict:
    """The person's stored result as a result stored before the reasons' wording version: every reason old."""
    row = StoredResult.objects.get(assessment=person)
    document = {k: v for k, v in row.document.items() if k != "reasons_version"}
    for role in document["roles"]:
        role["reasons"] = {language: [OLD] for language in role["reasons"]}
    row.document = document
    row.save()
    return document


def reasons_shown(client, url) -> list[str]:
    return [reason for _role, fit in client.get(url).context["fits"] for reason in fit.reasons]


def test_a_new_result_stores_the_wording_of_its_reasons(client):
    person = answer_all(start_assessment(), at_level_one)
    client.get(reverse("results", args=[person.token]))
    assert StoredResult.objects.get(assessment=person).document["reasons_version"] == results_module.REASONS_VERSION


def test_the_owners_view_words_the_reasons_of_an_older_result_anew_once(client, monkeypatch):
    person = answer_all(start_assessment(), at_level_one)
    url = reverse("results", args=[person.token])
    now = reasons_shown(client, url)
    before = StoredResult.objects.get(assessment=person).document
    stored_in_old_words(person)
    assert reasons_shown(client, url) == now  # in the wording new results have, on the very view
    document = StoredResult.objects.get(assessment=person).document
    assert document["reasons_version"] == results_module.REASONS_VERSION
    assert [r["reasons"] for r in document["roles"]] == [r["reasons"] for r in before["roles"]]  # both languages
    assert {k: v for k, v in document.items() if k != "roles"} == {k: v for k, v in before.items() if k != "roles"}

    def never(*args, **kwargs):
        raise AssertionError("scored again")

    monkeypatch.setattr(results_module, "scored_attempt", never)
    assert reasons_shown(client, url) == now  # read as stored from now on


def test_a_shared_view_leaves_the_stored_reasons_as_they_are(client):
    person = answer_all(start_assessment(), at_level_one)
    client.get(reverse("results", args=[person.token]))
    old = stored_in_old_words(person)
    page = client.get(reverse("shared-results", args=[person.share()]))
    assert page.status_code == 200
    assert StoredResult.objects.get(assessment=person).document == old


def test_reasons_of_a_ranking_that_would_come_out_otherwise_stay_until_it_is_computed_again(client, monkeypatch):
    """A role's requirement changed since: new reasons beside the stored matches would speak of other requirements
    than the numbers beside them. They stay, and the check is not repeated at every view."""
    person = answer_all(start_assessment(), at_level_one)
    url = reverse("results", args=[person.token])
    first = client.get(url).context["top_fits"][0][0]
    stored_in_old_words(person)
    requirement = RoleRequirement.objects.filter(role=first).order_by("-level").first()
    competency, level = requirement.competency, requirement.level
    requirement.delete()
    RoleRequirement.objects.create(role=first, competency=competency, level=level - 1)  # as the admin's inline does
    assert OLD in reasons_shown(client, url)
    document = StoredResult.objects.get(assessment=person).document
    assert "reasons_version" not in document and document["reasons_kept"] == results_module.REASONS_VERSION

    def never(*args, **kwargs):
        raise AssertionError("scored again")

    monkeypatch.setattr(results_module, "scored_attempt", never)
    assert OLD in reasons_shown(client, url)
