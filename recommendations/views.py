from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from assessment.models import Assessment
from assessment.translation import current_language
from assessment.views import profile_context
from recommendations.models import Course, Role
from recommendations.services import recommend


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
@vary_on_headers("HX-Request")
def results(request: HtmxHttpRequest, token: str) -> HttpResponse:
    assessment = get_object_or_404(Assessment, token=token)
    if not assessment.is_finished:
        return redirect(assessment.resume_url())
    context = profile_context(assessment)
    roles = {r.slug: r for r in Role.objects.active()}
    target = request.GET.get("role") or None
    status = 200
    if target is not None and target not in roles:
        context["role_error"] = _("There is no such role to choose. Showing the best-fitting role instead.")
        target, status = None, 400
    recommendation = recommend([context["profile"]], [target], current_language())[0]
    steps = recommendation.path.steps
    courses = Course.objects.select_related("provider").in_bulk([s.course.slug for s in steps], field_name="slug")
    context.update(
        {
            "model_version": recommendation.model_version,
            "fits": [(roles[f.slug], f) for f in recommendation.roles if f.slug in roles],
            "top_fits": [(roles[f.slug], f) for f in recommendation.roles[:3] if f.slug in roles],
            "target_role": roles.get(recommendation.path.target_role),
            "path": recommendation.path,
            "path_steps": [(step, courses[step.course.slug]) for step in steps],
            "open_gaps": context_names(context, recommendation.path.open_gaps),
        }
    )
    template = "recommendations/results.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#learning-path"
    return render(request, template, context, status=status)


def context_names(context: dict, slugs: tuple[str, ...]) -> list[str]:
    names = {row.competency.slug: row.competency.name for group in context["sections"] for row in group.competencies}
    return [names.get(slug, slug) for slug in slugs]
