"""Admin pages that belong to no single model: the staff dashboard for steering the catalogue."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assessment.models import Competency, Level
from core.numbers import whole_percent
from recommendations.dashboard import (
    LATEST_ASSESSMENTS,
    bars,
    courses_not_checked,
    courses_with_retired_exam,
    finished_per_week,
    fit_feedback,
    model_judgement,
    steering,
    uncovered_requirements,
)
from recommendations.models import ConfirmedOutcome, Course, Role


def _share(count: int, total: int) -> int:
    """A share in whole percent as every share is written (`whole_percent`): 199 of 200 is 99 %, not "100 %", and
    1 of 300 is 1 %, not "0 %"."""
    return whole_percent(100 * count / total) if total else 0


@require_safe
def dashboard(request: HttpRequest) -> TemplateResponse:
    """Anonymous aggregates only: counts over finished assessments and over the catalogue."""
    weeks = finished_per_week()
    summary = steering()
    uncovered = uncovered_requirements()
    roles = {r.slug: r for r in Role.objects.all()}
    competencies = {c.slug: c for c in Competency.objects.all()}
    course_slugs = {slug for slug, _count in summary.first_courses + summary.courses_in_paths}
    courses = Course.objects.select_related("provider").in_bulk(course_slugs, field_name="slug")
    total = summary.assessments
    feedback = fit_feedback()
    answered = sum(count for _value, count in feedback)
    context = {
        **admin.site.each_context(request),
        "title": _("Catalogue dashboard"),
        "weeks": weeks,
        "bars": bars(weeks),
        "finished_in_weeks": sum(w.finished for w in weeks),
        "summary": summary,
        "cap": LATEST_ASSESSMENTS,
        "top_roles": [(roles.get(slug, slug), count, _share(count, total)) for slug, count in summary.top_roles],
        "first_courses": [(courses.get(slug), slug, count) for slug, count in summary.first_courses],
        "courses_in_paths": [(courses.get(slug), slug, count) for slug, count in summary.courses_in_paths],
        "open_gaps": [(competencies.get(slug, slug), count, _share(count, total)) for slug, count in summary.open_gaps],
        "fit_feedback": [
            (ConfirmedOutcome.Fits(value).label, count, _share(count, answered)) for value, count in feedback
        ],
        "fit_answers": answered,
        "uncovered": [
            (
                competencies.get(u.competency, u.competency),
                u.level,
                Level(u.level).label,
                [roles.get(r, r) for r in u.roles],
            )
            for u in uncovered
        ],
        "model_judgement": model_judgement(),
        "courses_not_checked": courses_not_checked(),
        "courses_with_retired_exam": courses_with_retired_exam(),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
