"""The staff dashboard: anonymous counts over finished assessments and over the catalogue."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.services import profile_for, start_assessment
from recommendations.dashboard import bars, finished_per_week, profiles_for, steering, uncovered_requirements
from recommendations.models import ConfirmedOutcome, Course, CourseCompetency, Role, RoleRequirement, StoredResult
from recommendations.services import recommend
from tests.conftest import answer_all, strongest, weakest

pytestmark = pytest.mark.django_db
URL = reverse("admin_dashboard")


def finish(count: int) -> list:
    return [answer_all(start_assessment(), weakest if i % 2 else strongest) for i in range(count)]


def test_the_dashboard_counts_finished_assessments_roles_and_courses(admin_client):
    done = finish(2)
    start_assessment()  # unfinished: not counted
    response = admin_client.get(URL)
    assert response.status_code == 200
    context = response.context
    assert context["weeks"][-1].finished == 2
    assert sum(count for _, count, _ in context["top_roles"]) == 2
    best = recommend([profile_for(a) for a in done])
    assert {role.slug: count for role, count, _ in context["top_roles"]} == Counter(r.roles[0].slug for r in best)
    firsts = {r.path.steps[0].course.slug for r in best if r.path.steps}
    assert {slug for _, slug, _ in context["first_courses"]} == firsts
    text = response.content.decode()
    assert "Abgeschlossene Selbsteinschätzungen pro Woche" in text
    assert re.search(r"<svg[^>]*role=\"img\"", text)
    assert '<title id="weekly-title">' in text
    assert text.count("<rect ") == 12


def test_the_dashboard_page_uses_no_inline_styles_or_scripts(admin_client):
    finish(1)
    text = admin_client.get(URL).content.decode()
    start = text.index('<div id="content-main">')
    content = text[start : text.index("<!-- END Content -->") if "<!-- END Content -->" in text else None]
    assert "style=" not in content
    assert "<script" not in content


def test_the_dashboard_runs_the_same_queries_for_few_and_more_assessments(admin_client):
    finish(2)  # a strong and a weak profile: one path without courses, one with
    admin_client.get(URL)  # loads the model and the catalogue into this process's caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(URL)
    finish(3)
    with CaptureQueriesContext(connection) as more:
        admin_client.get(URL)
    assert len(more) == len(few)
    assert len(few) <= 30


def test_batch_profiles_are_the_profiles_of_each_assessment():
    done = finish(3)
    assert profiles_for(done) == [profile_for(a) for a in done]


def test_steering_looks_at_the_latest_assessments_only():
    finish(3)
    assert steering(limit=2).assessments == 2


def skipped_everything():
    """An assessment whose results page says there is no reliable result yet (every question skipped)."""
    return answer_all(start_assessment(), lambda item, options: None)


def test_steering_leaves_out_results_people_were_told_are_unreliable(admin_client):
    finish(2)
    skipped_everything()
    summary = steering()
    assert (summary.assessments, summary.unreliable) == (2, 1)
    assert sum(count for _, count in summary.top_roles) == 2
    text = admin_client.get(URL).content.decode()
    assert "Nicht mitgezählt: 1 Ergebnis, das der Person als nicht verlässlich angezeigt wurde" in text


def test_open_gaps_counts_only_gaps_no_course_closes_not_those_beyond_a_paths_twelve_courses():
    """A beginner's path of 12 courses leaves gaps for later that the catalogue closes: counted as "left open",
    they sent an admin to add courses that exist."""
    beginner = answer_all(start_assessment(), weakest)
    # the entry role asks more of its holders here, so that a beginner's best path needs more than 12 courses
    # whichever role comes first (the shipped catalogue closes the entry role's gaps within 12)
    entry = Role.objects.get(slug="it_coordinator")
    RoleRequirement.objects.filter(role=entry).update(level=3)
    entry.save()  # the catalogue sees the change
    path = recommend([profile_for(beginner)])[0].path
    assert len(path.steps) == 12 and path.open_gaps and path.unreachable == ()
    assert steering().open_gaps == []
    for link in CourseCompetency.objects.filter(competency__slug="communication"):
        link.delete()  # now no course teaches communication at all
    unreachable = recommend([profile_for(beginner)])[0].path.unreachable
    assert unreachable == ("communication",)
    assert steering().open_gaps == [("communication", 1)]


def test_a_dashboard_with_only_unreliable_results_does_not_say_none_is_finished(admin_client):
    skipped_everything()
    text = admin_client.get(URL).content.decode()
    assert "Noch ist keine Selbsteinschätzung abgeschlossen" not in text
    assert "Noch kein verlässliches Ergebnis" in text and "Nicht mitgezählt: 1 Ergebnis" in text


def test_steering_goes_by_what_the_stored_result_told_the_person(client):
    shown = finish(1)[0]
    assert client.get(reverse("results", args=[shown.token])).status_code == 200
    stored = StoredResult.objects.get(assessment=shown)
    assert steering().assessments == 1
    stored.document["profile"]["reliability"] = "inconsistent"  # as an older measurement judged and said it
    stored.save()
    assert (steering().assessments, steering().unreliable) == (0, 1)


def test_weeks_without_assessments_count_zero_and_the_oldest_comes_first():
    weeks = finished_per_week(weeks=12, today=timezone.localdate())
    assert len(weeks) == 12
    assert weeks == sorted(weeks, key=lambda w: w.start)
    assert all(w.start.weekday() == 0 for w in weeks)
    assert all(b.height >= 1 and b.y + b.height == 160 for b in bars(weeks))


def test_a_required_level_no_active_course_leads_to_is_listed():
    requirement = RoleRequirement.objects.filter(level__gte=2, role__active=True).select_related("competency").first()
    Course.objects.filter(competencies__competency=requirement.competency).update(active=False)
    uncovered = {(u.competency, u.level): u.roles for u in uncovered_requirements()}
    assert requirement.role.slug in uncovered[(requirement.competency.slug, requirement.level)]


@pytest.mark.parametrize(("weight", "closes"), [(1.0, True), (0.3, False)])
def test_a_course_that_leads_to_the_level_closes_the_gap_and_a_side_topic_does_not(weight, closes):
    """A course that teaches the competency only as a side topic (weight 0.3) narrows the step, as the paths count
    it: a level only such courses led to went unwarned while the paths said no course closes it (a review)."""
    requirement = RoleRequirement.objects.filter(level__gte=2, role__active=True).select_related("competency").first()
    links = CourseCompetency.objects.filter(competency=requirement.competency)
    Course.objects.filter(competencies__in=links).update(active=False)
    course = Course.objects.filter(competencies__in=links).first()
    course.active = True
    course.save()
    CourseCompetency.objects.filter(course=course, competency=requirement.competency).update(
        from_level=requirement.level - 1, to_level=requirement.level, weight=weight
    )
    gaps = {(u.competency, u.level) for u in uncovered_requirements()}
    assert ((requirement.competency.slug, requirement.level) not in gaps) == closes


def test_the_dashboard_shows_how_often_people_say_the_best_roles_fit(admin_client):
    role = Role.objects.first()
    for answer in ("yes", "yes", "partly", ""):
        ConfirmedOutcome.objects.create(role=role, levels={}, work_style=0.0, top_role=role.slug, top_role_fits=answer)
    rows = admin_client.get(URL).context["fit_feedback"]
    fits = ConfirmedOutcome.Fits
    assert [(str(label), count, share) for label, count, share in rows] == [
        (str(fits.YES.label), 2, 67),
        (str(fits.PARTLY.label), 1, 33),
        (str(fits.NO.label), 0, 0),
    ]


def test_the_dashboard_says_what_the_model_learned_from_and_whether_it_was_judged(admin_client):
    text = admin_client.get(URL).content.decode()
    assert 'id="model-judgement"' in text
    assert "Weniger als 300 bestätigte Ergebnisse" in text


def test_a_model_trained_without_confirmed_outcomes_says_it_learned_only_from_generated_people(admin_client):
    text = admin_client.get(URL).content.decode()
    assert "nur mit erzeugten Personen trainiert" in text
    assert "und mit bestätigten Ergebnissen" not in text  # it had none


def test_one_finished_assessment_is_told_in_the_singular(admin_client):
    finish(1)
    text = admin_client.get(URL).content.decode()
    assert "berechnet für die letzte abgeschlossene Selbsteinschätzung (höchstens" in text  # not „die letzte 1“


def test_the_dashboards_shares_are_written_as_every_share_is():
    """199 of 200 read "100 %" beside a role one person did not get, and 1 of 300 "0 %" beside a count of one."""
    from recommendations.admin_views import _share

    assert (_share(199, 200), _share(200, 200), _share(1, 300), _share(0, 300), _share(0, 0)) == (99, 100, 1, 0, 0)
