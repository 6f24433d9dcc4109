"""An entry's history list names the changes of its own fields as the admin's form does, in the admin's language:
the field's label, yes/no, a choice's label, numbers as the language writes them, chosen entries by name. It showed
"Active: True → False", "Sprache: de → de_en" and "Prerequisites: [] → [PRINCE2 7 Foundation]"."""

from __future__ import annotations

import pytest
from django.utils.text import capfirst

from recommendations.models import Course, Provider
from tests.admin.helpers import admin_url, form_data

pytestmark = pytest.mark.django_db


def changes_listed(client, entry: Course | Provider) -> list[dict[str, str]]:
    page = client.get(admin_url(entry, "history"))
    assert page.status_code == 200
    return [
        {key: str(value) for key, value in change.items()}
        for record in page.context["page_obj"]
        for change in getattr(record, "history_delta_changes", [])
    ]


@pytest.mark.parametrize(
    ("language", "hours", "expected"),
    [
        (
            "de",
            "20,5",
            [
                {"field": "Aktiv", "old": "Ja", "new": "Nein"},
                {"field": "Geprüft", "old": "Nein", "new": "Ja"},
                {"field": "Sprache", "old": "Deutsch", "new": "Deutsch oder Englisch"},
                {"field": "Stunden", "old": "16,5", "new": "20,5"},
                {"field": "Webadresse", "old": "https://example.org/alt", "new": "https://example.org/neu"},
            ],
        ),
        (
            "en",
            "20.5",
            [
                {"field": "Active", "old": "yes", "new": "no"},
                {"field": "Verified", "old": "no", "new": "yes"},
                {"field": "Language", "old": "German", "new": "German or English"},
                {"field": "Hours", "old": "16.5", "new": "20.5"},
                {"field": "Web address", "old": "https://example.org/alt", "new": "https://example.org/neu"},
            ],
        ),
    ],
)
def test_a_courses_history_names_its_own_changes_in_the_admins_language(
    admin_client, settings, language, hours, expected
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    course, first, second = Course.objects.filter(prerequisites__isnull=True, leads_to__isnull=True).order_by("slug")[
        :3
    ]
    Course.objects.filter(pk=course.pk).update(
        active=True, verified=False, language=Course.Language.GERMAN, hours="16.5", url="https://example.org/alt"
    )
    course.refresh_from_db()
    course.save()  # a version to compare with
    data = form_data(admin_client.get(admin_url(course)))
    data.pop("active")
    data.update(
        verified="on",
        language=Course.Language.BOTH,
        hours=hours,
        url="https://example.org/neu",
        prerequisites=[str(first.pk), str(second.pk)],
    )
    assert admin_client.post(admin_url(course), data).status_code == 302

    changes = changes_listed(admin_client, course)

    for change in expected:
        assert change in changes
    label = "Voraussetzungen" if language == "de" else "Prerequisites"
    names = [str(first), str(second)]
    assert {"field": label, "old": "–", "new": ", ".join(names)} in changes or {
        "field": label,
        "old": "–",
        "new": ", ".join(reversed(names)),
    } in changes


def test_a_providers_history_says_yes_and_no_too(admin_client):
    provider = Provider.objects.filter(in_house=False, is_example=False).order_by("slug").first()
    provider.save()  # a version to compare with
    data = form_data(admin_client.get(admin_url(provider)))
    data["is_example"] = "on"
    assert admin_client.post(admin_url(provider), data).status_code == 302

    label = capfirst(Provider._meta.get_field("is_example").verbose_name)
    assert {"field": label, "old": "Nein", "new": "Ja"} in changes_listed(admin_client, provider)
