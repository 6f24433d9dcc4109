"""Ids sent to the admin that no row can have ("abc", a 24-digit number) get a message, never a 500: a tampered
changelist selection and a course's prerequisites crashed in the database driver."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from assessment.admin import CheckedIdsMixin
from recommendations.models import Course
from tests.admin.test_course_admin import post_edited

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


@pytest.mark.parametrize("selected", ["abc", HUGE, "-1", "1.5"])
def test_a_changelist_action_on_a_selection_that_is_no_ids_changes_nothing_and_says_so(admin_client, selected):
    active = Course.objects.filter(active=True).count()
    changelist = reverse("admin:recommendations_course_changelist")
    response = admin_client.post(
        changelist, {"action": "deactivate_selected", "_selected_action": [selected], "index": 0}, follow=True
    )
    assert response.status_code == 200
    assert any("nicht verstanden" in str(m) for m in get_messages(response.wsgi_request))
    assert Course.objects.filter(active=True).count() == active


@pytest.mark.parametrize("field", ["prerequisites", "provider"])
@pytest.mark.parametrize("value", [HUGE, "abc"])
def test_a_related_course_or_provider_that_is_no_id_is_not_a_valid_choice(admin_client, field, value):
    course = Course.objects.order_by("slug").first()
    response, _data = post_edited(admin_client, course, **{field: value})
    assert response.status_code == 400
    assert response.context["adminform"].form.errors[field]


def test_every_admin_with_a_changelist_checks_the_ids_it_is_sent():
    unchecked = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if type(model_admin).__module__.startswith(("assessment", "recommendations"))
        and not isinstance(model_admin, CheckedIdsMixin)
    ]
    assert unchecked == []


def object_pages():
    """Every admin page of one object, for every registered model: change, delete, history and a version."""
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        for name in ("change", "delete", "history"):
            yield f"admin:{info[0]}_{info[1]}_{name}", ()
        if hasattr(model_admin, "history_form_view"):
            yield f"admin:{info[0]}_{info[1]}_simple_history", ("1",)


@pytest.mark.parametrize("key", ["abc", "1.5", "1e3", HUGE, "-1"])
def test_no_admin_page_of_an_object_answers_an_address_that_is_no_key_with_a_500(admin_client, key):
    """django-simple-history read a course's history address with int(): /admin/recommendations/course/abc/history/
    answered a 500 (a review), where the change and delete pages say there is no such entry."""
    from django.urls import NoReverseMatch

    failed = []
    for name, more in object_pages():
        try:
            address = reverse(name, args=[key, *more])
        except NoReverseMatch:
            continue
        status = admin_client.get(address).status_code
        if not (status == 302 or 400 <= status < 500):  # "no such entry" and back to the start, or refused
            failed.append((address, status))
    assert failed == []
