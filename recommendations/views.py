from __future__ import annotations

import json

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from assessment.models import Assessment
from assessment.services import answers_by_slug
from assessment.translation import current_language
from assessment.views import profile_context
from recommendations.catalogue import snapshot
from recommendations.charts import gap_chart, radar
from recommendations.documents import result_document
from recommendations.models import Course, Role
from recommendations.services import recommend


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _finished_or_redirect(token: str) -> tuple[Assessment, HttpResponse | None]:
    assessment = get_object_or_404(Assessment, token=token)
    if not assessment.is_finished:
        return assessment, redirect(assessment.resume_url())
    return assessment, None


def results_context(assessment: Assessment, target: str | None) -> tuple[dict, int]:
    """Everything the results page (and its PDF) shows, and 400 when the chosen role is unknown."""
    context = profile_context(assessment)
    roles = {r.slug: r for r in Role.objects.active()}
    status = 200
    if target is not None and target not in roles:
        context["role_error"] = _("There is no such role to choose. Showing the best-fitting role instead.")
        target, status = None, 400
    recommendation = recommend([context["profile"]], [target], current_language())[0]
    steps = recommendation.path.steps
    courses = Course.objects.select_related("provider").in_bulk([s.course.slug for s in steps], field_name="slug")
    context.update(
        {
            "recommendation": recommendation,
            "model_version": recommendation.model_version,
            "fits": [(roles[f.slug], f) for f in recommendation.roles if f.slug in roles],
            "top_fits": [(roles[f.slug], f) for f in recommendation.roles[:3] if f.slug in roles],
            "target_role": roles.get(recommendation.path.target_role),
            "path": recommendation.path,
            "path_steps": [
                (step, courses[step.course.slug], context_names(context, step.closes)) for step in steps
            ],
            "open_gaps": context_names(context, recommendation.path.open_gaps),
        }
    )
    context.update(target_charts(context, recommendation.path.target_role))
    return context, status


@require_GET
@vary_on_headers("HX-Request")
def results(request: HtmxHttpRequest, token: str) -> HttpResponse:
    assessment, elsewhere = _finished_or_redirect(token)
    if elsewhere:
        return elsewhere
    context, status = results_context(assessment, request.GET.get("role") or None)
    template = "recommendations/results.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#learning-path"
    return render(request, template, context, status=status)


@require_GET
def results_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The result as a PDF document with the charts (WeasyPrint renders the print template)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    assessment, elsewhere = _finished_or_redirect(token)
    if elsewhere:
        return elsewhere
    context, status = results_context(assessment, request.GET.get("role") or None)
    stylesheet = finders.find("css/app.css")
    context["stylesheet"] = open(stylesheet, encoding="utf-8").read() if stylesheet else ""
    html = render_to_string("recommendations/result_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf", status=status)
    response["Content-Disposition"] = 'attachment; filename="revierpfad-ergebnis.pdf"'
    return response


@require_GET
def results_json(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own data: their answers and the result, as JSON."""
    assessment, elsewhere = _finished_or_redirect(token)
    if elsewhere:
        return elsewhere
    context, _status = results_context(assessment, None)
    language = current_language()
    document = result_document(context["profile"], context["recommendation"], language)
    document["answers"] = answers_by_slug(assessment)
    document["started_at"] = assessment.created_at.isoformat()
    document["finished_at"] = assessment.finished_at.isoformat()
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="revierpfad-daten.json"'
    return response


def context_names(context: dict, slugs: tuple[str, ...]) -> list[str]:
    """Competency names, in the active language, for slugs (from the profile already loaded)."""
    names = {row.competency.slug: row.competency.name for group in context["sections"] for row in group.competencies}
    return [names.get(slug, slug) for slug in slugs]


def target_charts(context: dict, role_slug: str) -> dict:
    """The profile against the target role's requirements, as a radar and a gap chart."""
    current = snapshot()
    spec = next((r for r in current.roles if r.slug == role_slug), None)
    if spec is None:
        return {}
    names = {row.competency.slug: row.competency.name for group in context["sections"] for row in group.competencies}
    scores = context["profile"].competencies
    rows = [
        (names.get(slug, slug), scores[slug].level, required)
        for slug, required in zip(current.competencies, spec.requirements)
        if slug in scores
    ]
    return {"radar": radar(rows), "gaps": gap_chart(rows)}
