"""An action on every row the changelist matches ("Alle 600 auswählen") confirms it as the changelist sent it, with
its filters, not as one posted field per row: deleting 600 imported courses was refused as too many fields
(DATA_UPLOAD_MAX_NUMBER_FIELDS is 200) and could be undone only a hundred at a time (an admin review)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from recommendations.models import Course, Provider

pytestmark = pytest.mark.django_db
COUNT = 250


@pytest.fixture
def many_courses():
    provider = Provider.objects.order_by("slug").first()
    Course.objects.bulk_create(
        Course(
            slug=f"massen-{n}",
            title_de=f"Massenkurs {n}",
            title_en=f"Bulk course {n}",
            provider=provider,
            hours=8,
            url="https://example.org/",
        )
        for n in range(COUNT)
    )
    assert COUNT > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_deleting_every_matching_row_is_confirmed_without_a_field_per_row(admin_client, many_courses):
    others = Course.objects.exclude(slug__startswith="massen-").count()
    url = reverse("admin:recommendations_course_changelist") + "?q=massenkurs"
    shown = list(Course.objects.filter(slug__startswith="massen-").values_list("pk", flat=True)[:100])
    page = admin_client.post(
        url, {"action": "delete_selected", "select_across": "1", "index": "0", "_selected_action": shown}
    )
    assert page.status_code == 200
    form = re.search(r'<form method="post">.*?</form>', page.content.decode(), re.S).group(0)
    assert 'name="select_across" value="1"' in form and form.count("_selected_action") == 1
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    confirmed = admin_client.post(url, fields)
    assert confirmed.status_code == 302
    assert not Course.objects.filter(slug__startswith="massen-").exists()
    assert Course.objects.count() == others  # only what the search matched


def test_rows_that_came_to_match_after_the_confirmation_page_are_not_deleted_unseen(admin_client, many_courses):
    """Django rebuilds "all matching" from the list's filters when the confirmation arrives: a course that came
    to match in between was deleted without being listed (a code review)."""
    from django.contrib.messages import get_messages

    url = reverse("admin:recommendations_course_changelist") + "?q=massenkurs"
    shown = list(Course.objects.filter(slug__startswith="massen-").values_list("pk", flat=True)[:100])
    page = admin_client.post(
        url, {"action": "delete_selected", "select_across": "1", "index": "0", "_selected_action": shown}
    )
    form = re.search(r'<form method="post">.*?</form>', page.content.decode(), re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    late = Course.objects.create(
        slug="massen-spaet",
        title_de="Massenkurs spät",
        title_en="Late bulk course",
        provider=Provider.objects.order_by("slug").first(),
        hours=8,
        url="https://example.org/",
    )
    response = admin_client.post(url, fields, follow=True)
    assert any("haben sich geändert" in str(m) for m in get_messages(response.wsgi_request))
    assert Course.objects.filter(slug__startswith="massen-").count() == COUNT + 1
    assert Course.objects.filter(pk=late.pk).exists()


def test_a_selection_of_rows_is_still_confirmed_row_by_row(admin_client, many_courses):
    url = reverse("admin:recommendations_course_changelist") + "?q=massenkurs"
    chosen = list(Course.objects.filter(slug__startswith="massen-").values_list("pk", flat=True)[:3])
    page = admin_client.post(url, {"action": "delete_selected", "index": "0", "_selected_action": chosen})
    form = re.search(r'<form method="post">.*?</form>', page.content.decode(), re.S).group(0)
    assert "select_across" not in form
    assert sorted(map(int, re.findall(r'name="_selected_action" value="(\d+)"', form))) == sorted(chosen)
    data = {"action": "delete_selected", "post": "yes", "_selected_action": chosen}
    assert admin_client.post(url, data).status_code == 302
    assert Course.objects.filter(slug__startswith="massen-").count() == COUNT - 3
