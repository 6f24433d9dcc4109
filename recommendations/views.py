from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from assessment.models import Assessment
from assessment.presentation import reliability_note
from assessment.services import answers_by_slug
from assessment.translation import current_language
from assessment.views import profile_context
from recommendations.catalogue import snapshot
from recommendations.charts import gap_chart, radar
from recommendations.documents import result_document
from recommendations.forms import OutcomeForm
from recommendations.models import CompletedCourse, ConfirmedOutcome, Course, Role
from recommendations.services import TRANSPARENT, recommend


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _finished_or_redirect(token: str) -> tuple[Assessment, HttpResponse | None]:
    assessment = get_object_or_404(Assessment, token=token)
    if not assessment.is_finished:
        return assessment, redirect(assessment.resume_url())
    return assessment, None


def completed_courses(assessment: Assessment) -> set[str]:
    """Courses marked done in this attempt, or in any attempt kept in the same account."""
    if assessment.user_id:
        rows = CompletedCourse.objects.filter(assessment__user_id=assessment.user_id)
    else:
        rows = CompletedCourse.objects.filter(assessment=assessment)
    return set(rows.values_list("course__slug", flat=True))


def results_context(assessment: Assessment, target: str | None) -> tuple[dict, int]:
    """Everything the results page (and its PDF) shows, and 400 when the chosen role is unknown."""
    context = profile_context(assessment)
    done = completed_courses(assessment)
    roles = {r.slug: r for r in Role.objects.active()}
    status = 200
    if target is not None and target not in roles:
        context["role_error"] = _("There is no such role to choose. Showing the best-fitting role instead.")
        target, status = None, 400
    recommendation = recommend([context["profile"]], [target], current_language(), done=[done])[0]
    steps = recommendation.path.steps
    courses = Course.objects.select_related("provider").in_bulk(
        [s.course.slug for s in steps] + sorted(done), field_name="slug"
    )
    context.update(
        {
            "recommendation": recommendation,
            "model_version": recommendation.model_version,
            "ranked_by_model": recommendation.model_version != TRANSPARENT,
            "reliable": context["profile"].reliable,
            "reliability_note": reliability_note(context["profile"]),
            "fits": [(roles[f.slug], f) for f in recommendation.roles if f.slug in roles],
            "top_fits": [(roles[f.slug], f) for f in recommendation.roles[:3] if f.slug in roles],
            "target_role": roles.get(recommendation.path.target_role),
            "path": recommendation.path,
            "path_steps": [
                (step, courses[step.course.slug], context_names(context, step.closes)) for step in steps
            ],
            "open_gaps": context_names(context, recommendation.path.open_gaps),
            "done_courses": [courses[slug] for slug in sorted(done) if slug in courses],
            "feedback_form": OutcomeForm(roles=roles.values()),
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
    context["picker_url"] = reverse("results", args=[token])
    template = "recommendations/results.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#learning-path"
    return render(request, template, context, status=status)


@require_GET
def results_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The result as a PDF document with the charts (WeasyPrint renders the print template)."""
    try:
        from weasyprint import HTML  # heavy import, only where a PDF is made
    except (OSError, ImportError):  # e.g. the system's Pango library is missing: say so, do not fail
        return HttpResponse(
            _("PDFs cannot be made on this server right now. Please use your browser's print function."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )

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
        (names.get(slug, slug), scores[slug].expected, required, scores[slug].level_high)
        for slug, required in zip(current.competencies, spec.requirements)
        if slug in scores
    ]
    return {"radar": radar(rows), "gaps": gap_chart(rows)}


@require_POST
def toggle_course_done(request: HtmxHttpRequest, token: str, course: str) -> HttpResponse:
    """Mark a course of the path as done (or not done again); the path then skips it."""
    assessment, elsewhere = _finished_or_redirect(token)
    if elsewhere:
        return elsewhere
    course_obj = get_object_or_404(Course, slug=course)
    completion = CompletedCourse.objects.filter(assessment=assessment, course=course_obj)
    if completion.exists():
        completion.delete()
    else:
        CompletedCourse.objects.get_or_create(assessment=assessment, course=course_obj)
    target = request.POST.get("role") or None
    if request.htmx:
        context, status = results_context(assessment, target)
        context["picker_url"] = reverse("results", args=[token])
        return render(request, "recommendations/results.html#learning-path", context, status=status)
    url = reverse("results", args=[token]) + (f"?role={target}" if target else "") + "#learning-path"
    return redirect(url)


@require_POST
def share(request: HttpRequest, token: str) -> HttpResponse:
    """Create or revoke the private, read-only share link."""
    assessment, elsewhere = _finished_or_redirect(token)
    if elsewhere:
        return elsewhere
    if request.POST.get("action") == "revoke":
        assessment.revoke_share()
        messages.success(request, _("The share link no longer works."))
    else:
        assessment.share()
        messages.success(request, _("Your read-only share link is ready. You can revoke it at any time."))
    return redirect(reverse("results", args=[token]) + "#keep-heading")


@require_GET
def shared_results(request: HttpRequest, share_token: str) -> HttpResponse:
    """The result as someone the person shared it with sees it: read-only, no answers, no links back."""
    assessment = Assessment.objects.filter(share_token=share_token, finished_at__isnull=False).first()
    if assessment is None:
        raise Http404("This share link does not exist or was revoked.")
    context, status = results_context(assessment, request.GET.get("role") or None)
    context["shared"] = True
    context["picker_url"] = reverse("shared-results", args=[share_token])
    template = "recommendations/results.html"
    if getattr(request, "htmx", False) and not request.htmx.history_restore_request:
        template += "#learning-path"
    return render(request, template, context, status=status)


@require_POST
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """Store, with consent and without the person's answers or token, whether the best roles fit."""
    assessment, elsewhere = _finished_or_redirect(token)
    if elsewhere:
        return elsewhere
    roles = {r.slug: r for r in Role.objects.active()}
    form = OutcomeForm(request.POST, roles=roles.values())
    if assessment.feedback_given_at:
        messages.info(request, _("Thank you, we already have your feedback on this result."))
        return redirect(reverse("results", args=[token]) + "#feedback-heading")
    if not form.is_valid():
        context, _status = results_context(assessment, None)
        context["feedback_form"] = form  # with its errors and what the person chose
        context["picker_url"] = reverse("results", args=[token])
        return render(request, "recommendations/results.html", context, status=400)
    context, _status = results_context(assessment, None)
    profile = context["profile"]
    try:
        # One outcome per assessment, enforced by the database: of parallel posts, one stores it.
        with transaction.atomic():
            ConfirmedOutcome.objects.create(
                assessment_key=ConfirmedOutcome.key_for(assessment.token),
                role=roles.get(form.cleaned_data["role"]) if form.cleaned_data["role"] else None,
                relation=form.cleaned_data["relation"] if form.cleaned_data["role"] else "",
                top_role=context["recommendation"].roles[0].slug if context["recommendation"].roles else "",
                top_role_fits=form.cleaned_data["fits"],
                levels={slug: round(level, 3) for slug, level in profile.levels().items()},
                work_style=profile.work_style,
                # A measurement the result itself calls unreliable is no label to learn from.
                reliable=bool(getattr(profile, "reliable", True)),
            )
    except IntegrityError:
        messages.info(request, _("Thank you, we already have your feedback on this result."))
        return redirect(reverse("results", args=[token]) + "#feedback-heading")
    Assessment.objects.filter(pk=assessment.pk, feedback_given_at__isnull=True).update(feedback_given_at=timezone.now())
    messages.success(request, _("Thank you! Your feedback helps the next person get a better recommendation."))
    return redirect(reverse("results", args=[token]) + "#feedback-heading")


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Compare two attempts kept in the same account: which competencies grew, how the role fit moved."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.get_full_path()}")
    attempts = request.user.assessments.filter(finished_at__isnull=False)
    earlier = attempts.filter(token=request.GET.get("vorher", "")).first()
    later = attempts.filter(token=request.GET.get("nachher", "")).first()
    if earlier is None or later is None:
        return render(
            request,
            "registration/compare.html",
            {"error": _("Choose two of your own attempts to compare."), "attempts": attempts},
            status=400,
        )
    if earlier.finished_at > later.finished_at:
        earlier, later = later, earlier
    before, _s1 = results_context(earlier, None)
    after, _s2 = results_context(later, None)
    rows = []
    for group in after["sections"]:
        for row in group.competencies:
            earlier_score = before["profile"].competencies[row.competency.slug].score
            rows.append((row.competency, earlier_score, row.score.score, round(row.score.score - earlier_score)))
    # The match (how much of a role's requirements are met) is monotone: it never falls when levels rise.
    match_before = {f.slug: f.match for f in before["recommendation"].roles}
    role_rows = [(role, match_before.get(role.slug), fit.match) for role, fit in after["fits"]]
    return render(
        request,
        "registration/compare.html",
        {"earlier": earlier, "later": later, "rows": rows, "role_rows": role_rows, "attempts": attempts},
    )
