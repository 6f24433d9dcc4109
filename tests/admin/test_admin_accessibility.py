"""What the admin's accessibility fixes put in the page, in English and in German: the tabular inlines' boxes are
named as their columns, their header rows have no empty column heading, and the import preview has a heading for its
first column."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.models import Course
from tests.admin.helpers import admin_url, calibration_with_one_item

pytestmark = pytest.mark.django_db
LANGUAGES = [("en", "Competency", "Delete"), ("de", "Kompetenz", "Löschen")]


@pytest.fixture
def in_language(admin_client, settings):
    def choose(language: str):
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return admin_client

    return choose


@pytest.mark.parametrize(("language", "competency", "delete"), LANGUAGES)
def test_every_box_of_a_courses_competency_rows_is_named_as_its_column(in_language, language, competency, delete):
    course = Course.objects.filter(competencies__isnull=False).order_by("pk").first()
    page = in_language(language).get(admin_url(course)).content.decode()
    rows = re.findall(r"<(?:select|input)[^>]*name=\"competencies-0-[^\"]+\"[^>]*>", page)
    named = {
        re.search(r'name="competencies-0-(\w+)"', row).group(1): re.search(r'aria-label="([^"]*)"', row) for row in rows
    }
    assert named["competency"] and named["competency"].group(1) == competency
    assert named["DELETE"] and named["DELETE"].group(1) == delete
    assert named["id"] is None and named["course"] is None  # hidden, nothing to name
    assert all(named[name] for name in ("from_level", "to_level", "weight"))


def test_no_tabular_inline_has_an_empty_column_heading(admin_client):
    """Above the saved rows' names, and where a read-only inline (an item calibration's values) has no delete box."""
    version = calibration_with_one_item()
    course = Course.objects.filter(competencies__isnull=False).order_by("pk").first()
    for url in (admin_url(course), admin_url(version), admin_url(Course, "add")):
        page = admin_client.get(url).content.decode()
        assert "<thead>" in page
        assert not re.search(r"<th[^>]*>\s*</th>", page), url


@pytest.mark.parametrize(("language", "heading"), [("en", "Kind of change"), ("de", "Art der Änderung")])
def test_the_import_previews_first_column_has_a_heading(in_language, language, heading):
    course = Course.objects.order_by("pk").first()
    upload = SimpleUploadedFile("kurse.csv", f"slug,hours\n{course.slug},{course.hours + 7}\n".encode())
    response = in_language(language).post(
        reverse("admin:recommendations_course_import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    assert response.context["result"].totals["update"] == 1
    assert f"<th>{heading}</th>" in response.content.decode()
