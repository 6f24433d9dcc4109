"""An inactive prerequisite is left out of learning paths (and people are told it is no longer offered): the
admin sees which courses are inactive when choosing prerequisites, and is told when an active course comes
to require an inactive one, by a save or by deactivating the course it requires."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recommendations.models import Course
from tests.admin.helpers import admin_url, form_data, messages_shown

pytestmark = pytest.mark.django_db


def a_required_course() -> tuple[Course, Course]:
    link = (
        Course.prerequisites.through.objects.filter(from_course__active=True, to_course__active=True)
        .select_related("from_course", "to_course")
        .order_by("pk")
        .first()
    )
    assert link is not None
    return link.to_course, link.from_course


def test_the_prerequisite_choices_name_the_inactive_courses_and_list_them_last(admin_client):
    course = Course.objects.filter(active=True).order_by("slug").first()
    field = admin_client.get(admin_url(course)).context["adminform"].form.fields["prerequisites"]
    labels = [label for _value, label in field.choices]
    inactive = list(Course.objects.filter(active=False).order_by("title_de"))
    assert inactive
    assert labels[-len(inactive) :] == [f"{c.title_de} (inaktiv)" for c in inactive]
    assert not any(label.endswith("(inaktiv)") for label in labels[: -len(inactive)])
    assert course.pk not in {int(str(value)) for value, _label in field.choices}  # never the course itself
    assert len(labels) == Course.objects.count() - 1


def test_the_two_lists_of_prerequisites_are_headed_in_the_admins_language(admin_client):
    """The German course form headed its lists "Verfügbare prerequisites": the widget took the field's untranslated
    name."""
    course = Course.objects.filter(active=True).order_by("slug").first()
    text = admin_client.get(admin_url(course), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'data-field-name="Voraussetzungen"' in text
    assert 'data-field-name="prerequisites"' not in text
    add = admin_client.get(reverse("admin:recommendations_course_add"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'data-field-name="Voraussetzungen"' in add


def test_saving_a_course_that_requires_an_inactive_one_warns(admin_client):
    course = Course.objects.filter(active=True).order_by("slug").first()
    inactive = Course.objects.filter(active=False).order_by("slug").first()
    data = form_data(admin_client.get(admin_url(course)))
    data["prerequisites"] = [*data.get("prerequisites", []), str(inactive.pk)]
    response = admin_client.post(admin_url(course), data, follow=True)
    assert f"Inaktive Voraussetzungen: „{course.title_de}“ setzt „{inactive.title_de}“ voraus." in messages_shown(
        response
    )
    unchanged = admin_client.post(admin_url(course), form_data(admin_client.get(admin_url(course))), follow=True)
    assert "Inaktive Voraussetzungen" in messages_shown(unchanged)  # it stays said while it stays so
    Course.objects.get(pk=course.pk).prerequisites.remove(inactive)
    data = form_data(admin_client.get(admin_url(course)))
    assert "Inaktive Voraussetzungen" not in messages_shown(admin_client.post(admin_url(course), data, follow=True))


def test_deactivating_a_course_others_require_names_them(admin_client):
    required, dependent = a_required_course()
    response = admin_client.post(
        reverse("admin:recommendations_course_changelist"),
        {"action": "deactivate_selected", "_selected_action": [required.pk], "index": 0},
        follow=True,
    )
    assert f"„{dependent.title_de}“ setzt „{required.title_de}“ voraus" in messages_shown(response)


def test_deactivating_it_in_its_form_names_them_too(admin_client):
    required, dependent = a_required_course()
    data = form_data(admin_client.get(admin_url(required)))
    data.pop("active")
    response = admin_client.post(admin_url(required), data, follow=True)
    assert not Course.objects.get(pk=required.pk).active
    assert f"„{dependent.title_de}“ setzt „{required.title_de}“ voraus" in messages_shown(response)
