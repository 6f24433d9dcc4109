"""The inline rows a save needs can be filled in without JavaScript (only its "add another" adds rows): the page
brings blank rows, and a row left blank is not saved."""

from __future__ import annotations

import pytest

from assessment.models import Competency, Item, Option
from recommendations.models import Course, CourseCompetency
from tests.admin.helpers import admin_url, errors_of, form_data, inline_prefix, inline_rows, set_inline_row

pytestmark = pytest.mark.django_db


def test_a_new_knowledge_check_is_written_in_the_rows_the_add_page_brings(admin_client):
    page = admin_client.get(admin_url(Item, "add"))
    data = form_data(page)  # what the browser sends: the rows on the page, not the hidden template for more
    prefix = inline_prefix(page, Option)
    rows = inline_rows(data, prefix)
    assert len(rows) >= 4
    data.update(
        slug="k-ohne-js",
        kind=Item.Kind.KNOWLEDGE,
        competency=Competency.objects.order_by("pk").first().pk,
        difficulty="3",
        text_de="Welcher Port gehört zu HTTPS?",
        text_en="Which port belongs to HTTPS?",
    )
    for row, (value, label) in enumerate([("a", "443"), ("b", "80"), ("c", "22")]):
        set_inline_row(data, prefix, row, value=value, label_de=label, label_en=label, correct=value == "a")
    response = admin_client.post(admin_url(Item, "add"), data)
    assert response.status_code == 302, errors_of(response)
    assert int(data[f"{prefix}-TOTAL_FORMS"]) == len(rows)  # no row added beyond the page's
    item = Item.objects.get(slug="k-ohne-js")
    assert list(item.options.order_by("value").values_list("value", "correct")) == [
        ("a", True),
        ("b", False),
        ("c", False),
    ]


def test_a_saved_course_brings_a_blank_row_for_another_competency(admin_client):
    course = Course.objects.filter(active=True).order_by("slug").first()
    page = admin_client.get(admin_url(course))
    data = form_data(page)
    prefix = inline_prefix(page, CourseCompetency)
    rows = inline_rows(data, prefix)
    blank = rows[-1]
    assert data[f"{prefix}-{blank}-id"] == "" and data[f"{prefix}-{blank}-competency"] == ""
    assert admin_client.post(admin_url(course), data).status_code == 302  # left blank: saved as it was
    assert course.competencies.count() == len(rows) - 1
    developed = set(course.competencies.values_list("competency", flat=True))
    other = Competency.objects.exclude(pk__in=developed).order_by("pk").first()
    set_inline_row(data, prefix, blank, competency=other.pk, from_level=1, to_level=2)
    response = admin_client.post(admin_url(course), data)
    assert response.status_code == 302, errors_of(response)
    assert course.competencies.filter(competency=other, from_level=1, to_level=2).exists()
    assert int(data[f"{prefix}-TOTAL_FORMS"]) == len(rows)


def test_a_competencys_levels_are_described_in_the_rows_its_pages_bring(admin_client):
    """The level descriptors had no blank row: without JavaScript no level of a competency could be described."""
    from assessment.models import LevelDescriptor, Section

    page = admin_client.get(admin_url(Competency, "add"))
    data = form_data(page)
    prefix = inline_prefix(page, LevelDescriptor)
    assert len(inline_rows(data, prefix)) == 6  # one per level
    data.update(slug="ohne-js", section=Section.objects.order_by("pk").first().pk, name_de="Ohne JS", name_en="No JS")
    set_inline_row(data, prefix, 0, level=0, text_de="Noch nie gemacht.", text_en="Never done it.")
    response = admin_client.post(admin_url(Competency, "add"), data)
    assert response.status_code == 302, errors_of(response)
    competency = Competency.objects.get(slug="ohne-js")
    assert list(competency.levels.values_list("level", "text_en")) == [(0, "Never done it.")]  # the rest left blank

    page = admin_client.get(admin_url(competency))
    data = form_data(page)
    rows = inline_rows(data, prefix)
    assert len(rows) == 2 and data[f"{prefix}-1-id"] == ""  # the saved row and a blank one
    set_inline_row(data, prefix, 1, level=1, text_de="Davon gehört.", text_en="Heard of it.")
    assert admin_client.post(admin_url(competency), data).status_code == 302
    assert competency.levels.count() == 2
    assert len(inline_rows(form_data(admin_client.get(admin_url(competency))), prefix)) == 3
    described = Competency.objects.order_by("pk").first()  # shipped with all six levels described: no more rows
    assert described.levels.count() == 6
    assert len(inline_rows(form_data(admin_client.get(admin_url(described))), prefix)) == 6
