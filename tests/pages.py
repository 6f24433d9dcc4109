"""The pages a person reads, rendered through the test client in one language, for checks that hold on all of them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessment
from assessment.services import start_assessment
from tests.conftest import answer_all, at_level_one, keep_in, weakest

LONGEST_ROLE = "security_officer"  # "Informationssicherheitsbeauftragte/r (ISMS)"


def public_pages(client, language: str) -> dict[str, bytes]:
    """Every public page (and the fragment htmx swaps into the results page) as `language` shows it, by name.

    The results pages are those of a person at level 1 (three roles, a learning path of several courses), with
    the longest role name as the target; the account's pages show two kept attempts and one begun in it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    user = get_user_model().objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    earlier = answer_all(start_assessment(), weakest)
    later = answer_all(start_assessment(), at_level_one)
    keep_in(user, earlier, later)
    Assessment.objects.filter(pk=earlier.pk).update(finished_at=timezone.now() - timedelta(days=90))
    later.refresh_from_db()
    later.share()
    anonymous = answer_all(start_assessment(), weakest)  # deleted by its link alone: a kept one asks for the login
    results = reverse("results", args=[later.token])
    urls = {
        "start": reverse("assessment:home"),
        "question": start_assessment().step_url(1),
        "results": results,
        "results, longest role": f"{results}?role={LONGEST_ROLE}",
        "review": reverse("results-review", args=[later.token]),
        "shared": reverse("shared-results", args=[later.share_token]),
        "delete": reverse("delete-results", args=[anonymous.token]),
        "login": reverse("login"),
        "signup": reverse("signup"),
        "legal notice": reverse("legal-notice"),
        "privacy notice": reverse("privacy-notice"),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content
    pages["learning path (htmx)"] = client.get(f"{results}?role={LONGEST_ROLE}", HTTP_HX_REQUEST="true").content
    client.force_login(user)
    start_assessment(user=user)  # begun logged in: the account's, listed as not finished yet
    pages["my results"] = client.get(reverse("my-results")).content
    compare = client.get(reverse("compare"), {"vorher": earlier.token, "nachher": later.token})
    assert compare.status_code == 200
    pages["compare"] = compare.content
    return pages
