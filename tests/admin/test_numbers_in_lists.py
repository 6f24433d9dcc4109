"""The admin's lists show numbers as people in the admin's language write them, thousands grouped: "5.300" in
German, "5,300" in English (they showed "5300", and a role's salary band even "5300–6800" in either language). The
forms keep their numbers ungrouped, as typed and read back (tests/admin/test_whole_numbers.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.models import CalibrationVersion
from recommendations.models import Course, Role
from tests.admin.helpers import admin_url

pytestmark = pytest.mark.django_db


def cell(page, entry, column: str) -> str:
    """The text of `column`'s cell in the list row of `entry`."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.content.decode(), re.S):
        if f'href="{admin_url(entry)}' in row:
            found = re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', row, re.S)
            assert found is not None, column
            return re.sub(r"<[^>]+>", "", found[1]).strip()
    raise AssertionError(entry)


@pytest.mark.parametrize(
    ("language", "hours", "price", "salary", "answers"),
    [
        ("de", "1.200,5", "12.900,50", "5.300–16.800", "12.000"),
        ("en", "1,200.5", "12,900.50", "5,300–16,800", "12,000"),
    ],
)
def test_the_lists_group_thousands_as_the_admins_language_writes_them(
    admin_client, settings, language, hours, price, salary, answers
):
    settings.LANGUAGE_CODE = language
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    course = Course.objects.order_by("slug").first()
    Course.objects.filter(pk=course.pk).update(hours=Decimal("1200.5"), price_eur=Decimal("12900.50"))
    role = Role.objects.order_by("slug").first()
    Role.objects.filter(pk=role.pk).update(salary_min_eur=5300, salary_max_eur=16800)
    version = CalibrationVersion.objects.create(answers=12000, assessments=900, min_answers=500)

    courses = admin_client.get(reverse("admin:recommendations_course_changelist"), {"q": course.slug})
    assert cell(courses, course, "hours") == hours
    assert cell(courses, course, "price") == price
    roles = admin_client.get(reverse("admin:recommendations_role_changelist"))
    assert cell(roles, role, "salary_band") == salary
    versions = admin_client.get(reverse("admin:assessment_calibrationversion_changelist"))
    assert cell(versions, version, "answers") == answers

    # the form still shows the number as it is typed and read back, ungrouped
    form = admin_client.get(admin_url(course)).content.decode()
    assert ('value="12900,50"' if language == "de" else 'value="12900.50"') in form


def test_the_lists_number_columns_stay_sortable(admin_client):
    """Each list asks for its columns twice (to show them and to tell which sort): a column made anew each time was
    not recognised as sortable: the courses' hours (and, before, "Aktiv" and "Anbieter") could not be sorted."""
    page = admin_client.get(reverse("admin:recommendations_course_changelist")).content.decode()
    headers = re.findall(r'<th scope="col" class="([^"]*)"', page)
    for column in ("hours", "price", "active", "provider"):
        assert any("sortable" in h and f"column-{column}" in h for h in headers), column
    sorted_page = admin_client.get(reverse("admin:recommendations_course_changelist"), {"o": "5"})
    assert sorted_page.status_code == 200


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (-0.4, "de", "\u22120,4"),
        (-0.0, "de", "0,0"),
        (-1234.5, "en", "\u22121,234.5"),
        (Decimal("-0.00"), "de", "0,00"),
    ],
)
def test_a_negative_number_in_a_list_has_a_real_minus_and_a_zero_no_sign(value, language, text):
    """A role's work style of -0.4 read "-0,4" (a hyphen), and -0.0 "-0,0"."""
    from django.utils.translation import override

    from assessment.admin import grouped

    with override(language):
        assert grouped(value) == text


def test_a_list_column_rounds_its_decimals_instead_of_cutting_them_off():
    """`number_format` cuts digits off: a training of 12.96 seconds read "12,9" in the model versions' list while the
    training's page said 13."""
    from django.utils import translation

    from assessment.admin import grouped

    with translation.override("de"):
        assert (grouped(12.96, 1), grouped(0.35, 1), grouped(-0.04, 1), grouped(1290.5, 2)) == (
            "13,0",
            "0,4",
            "0,0",
            "1.290,50",
        )
