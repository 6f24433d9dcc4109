"""The dashboard and `manage.py assess` (`services.recommend`) and the results pages (`results.compute_document`)
pick the path's target role and build the path one way (`Snapshot.goal`, `services.path_for`): they picked and
built it each their own way, so the two could drift apart."""

from __future__ import annotations

import pytest

from assessment.services import profile_for, start_assessment
from recommendations import catalogue
from recommendations.models import CompletedCourse, Course, Role
from recommendations.results import compute_document
from recommendations.services import PathLimits, recommend
from tests.conftest import answer_all, at_level_one

pytestmark = pytest.mark.django_db


def _both(person, chosen: str = "", limits: PathLimits | None = None) -> tuple[dict, object]:
    options = {k: v for k, v in vars(limits or PathLimits()).items() if v is not None}
    page = compute_document(person, chosen, options)["path"]
    done = set(CompletedCourse.objects.filter(assessment=person).values_list("course__slug", flat=True))
    (batch,) = recommend([profile_for(person)], [chosen or None], done=[done], limits=[limits])
    return page, batch.path


def _same(page: dict, path) -> bool:
    return (
        page["target_role"] == path.target_role
        and [step["course"]["slug"] for step in page["steps"]] == [step.course.slug for step in path.steps]
        and page["open_gaps"] == list(path.open_gaps)
    )


def test_the_dashboard_and_the_page_build_the_same_path_for_the_same_person():
    person = answer_all(start_assessment(), at_level_one)
    page, path = _both(person)
    assert page["steps"] and _same(page, path)
    second = compute_document(person)["roles"][1]["slug"]
    page, path = _both(person, second, PathLimits(max_hours=40))
    assert path.target_role == second and _same(page, path)
    first_course = Course.objects.get(slug=page["steps"][0]["course"]["slug"])
    CompletedCourse.objects.create(assessment=person, course=first_course)
    page, path = _both(person, second)
    assert first_course.slug not in [step.course.slug for step in path.steps] and _same(page, path)


def test_a_chosen_role_withdrawn_since_leads_both_to_the_best_ranked_role_offered():
    person = answer_all(start_assessment(), at_level_one)
    ranked = [role["slug"] for role in compute_document(person)["roles"]]
    Role.objects.filter(slug=ranked[0]).update(active=False)
    catalogue._cached.clear()
    try:
        current = catalogue.snapshot()
        assert current.goal(ranked[0], ranked) == ranked[1]
        assert current.goal("", ranked) == ranked[1]
        assert current.goal(ranked[2], ranked) == ranked[2]
        assert current.requirements(ranked[0]) == {}
        now = compute_document(person, ranked[0])  # ranked again, among the roles still offered
        assert now["chosen_role"] == ranked[0] and now["path"]["target_role"] == now["roles"][0]["slug"]
        (batch,) = recommend([profile_for(person)])
        assert batch.path.target_role == now["roles"][0]["slug"]
    finally:
        catalogue._cached.clear()
