"""What the admin's accessibility fixes put in the page, in English and in German (tests/browser/test_admin_axe.py has
axe check the pages in a browser): the tabular inlines' boxes are named as their columns, their header rows have no
empty column heading, the date and time boxes have labels, the login page has a heading and the import preview a
heading for its first column."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.models import Course
from tests.admin.helpers import admin_url, calibration_with_one_item

pytestmark = pytest.mark.django_db
LANGUAGES = [("en", "Competency", "Delete", "Date:", "Time:"), ("de", "Kompetenz", "Löschen", "Datum:", "Zeit:")]


@pytest.fixture
def in_language(admin_client, settings):
    def choose(language: str):
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return admin_client

    return choose


@pytest.mark.parametrize(("language", "competency", "delete", "date", "time"), LANGUAGES)
def test_every_box_of_a_courses_competency_rows_is_named_as_its_column(
    in_language, language, competency, delete, date, time
):
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


@pytest.mark.parametrize(("language", "competency", "delete", "date", "time"), LANGUAGES)
def test_the_date_and_the_time_of_a_users_last_login_have_labels(in_language, language, competency, delete, date, time):
    user = User.objects.get(username="admin")
    page = in_language(language).get(admin_url(user)).content.decode()
    assert f'<label for="id_last_login_0">{date}</label>' in page
    assert f'<label for="id_last_login_1">{time}</label>' in page


@pytest.mark.parametrize(("language", "heading"), [("en", "Log in"), ("de", "Anmelden")])
def test_the_login_page_has_its_title_as_heading(client, settings, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert f"<h1>{heading}</h1>" in client.get(reverse("admin:login")).content.decode()


@pytest.mark.parametrize(("language", "heading"), [("en", "Kind of change"), ("de", "Art der Änderung")])
def test_the_import_previews_first_column_has_a_heading(in_language, language, heading):
    course = Course.objects.order_by("pk").first()
    upload = SimpleUploadedFile("kurse.csv", f"slug,hours\n{course.slug},{course.hours + 7}\n".encode())
    response = in_language(language).post(
        reverse("admin:recommendations_course_import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    assert response.context["result"].totals["update"] == 1
    assert f"<th>{heading}</th>" in response.content.decode()
