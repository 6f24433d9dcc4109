from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Competency
from recommendations.models import Course, CourseCompetency, Provider, Role, RoleRequirement
from tests.conftest import answer_all, weakest

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def results_url(assessment, role=None):
    url = reverse("results", args=[assessment.token])
    return f"{url}?role={role}" if role else url


def test_the_results_page_shows_profile_roles_with_reasons_and_a_learning_path(client, finished_assessment):
    response = client.get(results_url(finished_assessment))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('class="role-card"') == 3
    assert 'class="reasons"' in text
    assert text.count('class="score-row"') == 10
    assert "Lernpfad" in text
    assert "Schätzung" in text  # pay shown as an estimate


def test_a_beginner_gets_a_learning_path_with_real_courses(client, db):
    from assessment.services import start_assessment

    beginner = answer_all(start_assessment(), weakest)
    response = client.get(results_url(beginner))
    steps = response.context["path_steps"]
    assert steps
    assert all(course.active for _, course, _ in steps)
    assert response.context["target_role"].slug == "it_coordinator"


def test_picking_another_role_updates_the_path(client, finished_assessment):
    response = client.get(results_url(finished_assessment, "agile_coach"))
    assert response.context["target_role"].slug == "agile_coach"
    assert Role.objects.get(slug="agile_coach").name_de in response.content.decode()


def test_with_htmx_only_the_learning_path_is_sent(client, finished_assessment):
    response = client.get(results_url(finished_assessment, "it_architect"), **HTMX)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="learning-path"' in text
    assert "<html" not in text
    assert 'class="role-card"' not in text


def test_an_unknown_role_is_a_400_with_the_best_role_shown(client, finished_assessment):
    response = client.get(results_url(finished_assessment, "astronaut"))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert response.context["target_role"] is not None


def test_an_unfinished_assessment_goes_back_to_its_questions(client, assessment):
    response = client.get(results_url(assessment))
    assert response.status_code == 302
    assert response["Location"] == assessment.resume_url()


def test_an_unknown_token_is_a_404(client, db):
    assert client.get("/a/nope/ergebnis/").status_code == 404


def grow_catalogue(courses: int, roles: int) -> None:
    provider = Provider.objects.create(slug="bulk", name="Bulk", is_example=True)
    competencies = list(Competency.objects.all())
    made = Course.objects.bulk_create(
        Course(
            slug=f"bulk-{i}",
            title_de=f"Kurs {i}",
            title_en=f"Course {i}",
            provider=provider,
            format="online",
            hours=Decimal(8),
            price_eur=Decimal(100),
        )
        for i in range(courses)
    )
    CourseCompetency.objects.bulk_create(
        CourseCompetency(course=c, competency=competencies[i % 10], weight=1, from_level=0, to_level=2 + i % 3)
        for i, c in enumerate(made)
    )
    for i in range(roles):
        role = Role.objects.create(
            slug=f"extra-{i}", name_de=f"Rolle {i}", name_en=f"Role {i}", description_de="x", description_en="x"
        )
        RoleRequirement.objects.bulk_create(RoleRequirement(role=role, competency=c, level=2) for c in competencies)


def count_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_results_page_query_count_does_not_grow_with_courses_or_roles(client, finished_assessment):
    before = count_queries(client, results_url(finished_assessment))
    grow_catalogue(courses=200, roles=5)
    after = count_queries(client, results_url(finished_assessment))
    assert after == before
    assert before <= 25


def test_the_result_downloads_as_a_real_pdf_with_the_charts(client, finished_assessment):
    response = client.get(reverse("results-pdf", args=[finished_assessment.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 10_000
    assert "attachment" in response["Content-Disposition"]


def test_the_persons_own_data_download_as_json(client, finished_assessment):
    response = client.get(reverse("results-json", args=[finished_assessment.token]))
    data = response.json()
    assert response.status_code == 200
    assert len(data["answers"]) == finished_assessment.total_steps
    assert data["roles"] and data["learning_path"]["target_role"]


def test_downloads_of_an_unfinished_assessment_lead_back_to_its_questions(client, assessment):
    assert client.get(reverse("results-pdf", args=[assessment.token])).status_code == 302
    assert client.get(reverse("results-json", args=[assessment.token])).status_code == 302


def test_the_results_page_draws_the_charts_with_a_table_of_the_numbers(client, finished_assessment):
    text = client.get(results_url(finished_assessment, "it_architect")).content.decode()
    assert text.count('role="img"') >= 3  # radar, gap chart, work-style axis
    assert "radar-person" in text and "gap-required" in text
    assert text.count("<tr>") >= 11  # header + ten competencies


def test_without_a_pdf_renderer_the_download_says_so_with_a_503(client, finished_assessment, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if WeasyPrint or Pango were missing
    response = client.get(reverse("results-pdf", args=[finished_assessment.token]))
    assert response.status_code == 503
    assert "PDF" in response.content.decode()


def test_dates_follow_the_language_and_english_puts_the_day_first(client):
    import datetime

    from assessment.services import start_assessment
    from recommendations.models import Course
    from tests.conftest import answer_all, weakest

    beginner = answer_all(start_assessment(), weakest)  # a path with courses, each with its check date
    Course.objects.update(last_checked=datetime.date(2026, 11, 20))
    german = client.get(results_url(beginner)).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(results_url(beginner)).content.decode()
    assert "20.11.2026" in german
    assert "20 Nov 2026" in english and "11/20/2026" not in english
