from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, replace_url

from assessment.accounts import owner_may_delete
from assessment.models import Assessment
from assessment.presentation import answer_review
from config.locale import in_attempt_language, keep_language
from core.http import HtmxHttpRequest
from core.ratelimit import rate_limited
from core.views import bad_request_page
from recommendations.catalogue import snapshot
from recommendations.documents import render_pdf
from recommendations.forms import OutcomeForm
from recommendations.models import Course, Role
from recommendations.presentation import (
    anchor_after_marking,
    compare_attempts,
    download_document,
    form_fragment_keys,
    kept_attempts,
    names_roles,
    record_outcome,
    results_context,
    unfinished_attempts,
)
from recommendations.results import (
    CourseNotOffered,
    assessment_with_result,
    result_for,
    set_course_done,
    store_result,
)

# Stands for the form token in the results page's cached parts (`views.results`): as long as a real token, random
# for each process (the cache is the process's own), and never sent: each response gets its request's token.
CSRF_PLACEHOLDER = secrets.token_hex(32)
# The parts of the results page that its htmx forms update (hx-target): where a form sent to an attempt that is not
# finished (being sharpened in another tab) says so instead.
IN_PLACE_TARGETS = frozenset({"learning-path", "feedback"})


def _finished_or_redirect(request: HttpRequest, token: str) -> tuple[Assessment, HttpResponse | None]:
    """The finished assessment with its stored result (one query), or a redirect back to its questions (a form
    sent to an unfinished one: a 409 page that says why nothing was done; it was a silent redirect). Every
    page of the attempt (the results, their PDF and JSON, the review, the forms' answers) speaks the attempt's
    language when this browser chose none at the switch."""
    assessment = assessment_with_result(token)
    if assessment is None:
        raise Http404("No such assessment.")
    in_attempt_language(request, assessment.language)
    if not assessment.is_finished:
        htmx = getattr(request, "htmx", None)
        if request.method == "POST":  # a form of the results page, sent from a tab left open: say why nothing happens
            context = {"assessment": assessment}
            template = "recommendations/not_finished.html"
            if htmx and htmx.target in IN_PLACE_TARGETS:  # said in place of the part the form would have updated
                context["target"] = htmx.target
                template += "#in-place"
            return assessment, render(request, template, context, status=409)
        if htmx:  # a part of the page asked for (another role, the answer review): the whole questions page instead
            return assessment, HttpResponseClientRedirect(assessment.resume_url())
        return assessment, redirect(assessment.resume_url())
    return assessment, None


def _results_url(token: str, anchor: str = "") -> str:
    return reverse("results", args=[token]) + (f"#{anchor}" if anchor else "")


def _back_to(anchor: str = "") -> Callable[..., str]:
    """Where the 429 page of a refused post of the results page leads back to: the part the post belongs to."""
    return lambda token, **_other_arguments: _results_url(token, anchor)


@require_safe
@vary_on_headers("HX-Request")
def results(request: HtmxHttpRequest, token: str) -> HttpResponse:
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    # "Keep the address of this page": opened in another browser, it speaks the attempt's language.
    language = in_attempt_language(request, assessment.language)
    # A role and limits in the address (an old bookmark, a page from before the picker posted) are shown and not
    # stored: a GET changes no choice (Back, a prefetch or a link checker would have); the picker's form stores them.
    context, status = results_context(assessment, request.GET.get("role") or None, query=request.GET, stores=False)
    response = _render_results(request, context, status)
    if language:
        keep_language(response, language)
    return response


@require_POST
@rate_limited("results", back_to=_back_to("learning-path"), resend=True)
def choose_path(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The learning path's target role and its limits, chosen with the results page's picker: stored, so that the
    page, its PDF, the download and the share link follow them; refused input gets the page again with a 400."""
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    context, status = results_context(assessment, request.POST.get("role") or None, query=request.POST)
    if status == 200 and not request.htmx:
        return redirect(_results_url(token, "path-form"))
    response = _render_results(request, context, status)
    # the page's address without a role in it (one shown from an old address, `results`, is stored now), in place of
    # the entry the page has: each choice pushed one more entry with the same address, and Back went through them all
    return replace_url(response, reverse("results", args=[token])) if status == 200 else response


def _render_results(request: HtmxHttpRequest, context: dict, status: int) -> HttpResponse:
    """The results page, or to htmx its learning path (with the summary at the top out of band). The parts with
    forms come from the cache too (issue 10): rendered with a placeholder for the form token, which is replaced by
    this request's own token once the page is rendered."""
    context["fragments"].update(form_fragment_keys(context, request))
    context["csrf_token"] = CSRF_PLACEHOLDER
    template = "recommendations/results.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#path-update"
    response = render(request, template, context, status=status)
    response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    return response


@require_safe
@vary_on_headers("HX-Request")
def results_review(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The knowledge questions with the person's answers and the right ones: a page of its own, which
    the results page's folded section loads in place (htmx) when it is opened."""
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    template = "recommendations/review.html"
    folded = bool(request.htmx) and not request.htmx.history_restore_request
    if folded:  # into the results page's section, under its heading
        template += "#review-body"
    context = {"assessment": assessment, "review": answer_review(assessment), "folded": folded}
    return render(request, template, context)


@require_POST
@rate_limited("results", back_to=_back_to(), resend=True)
def recompute(request: HttpRequest, token: str) -> HttpResponse:
    """Compute the result again with the model and the courses there are now, and store it."""
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    store_result(assessment)
    messages.success(request, _("Your result has been computed again with the current model and courses."))
    return redirect(_results_url(token))


def _pdf_stylesheet() -> str:
    """The site's stylesheet, inlined into the PDF (WeasyPrint fetches nothing)."""
    found = finders.find("css/app.css")
    return Path(found).read_text(encoding="utf-8") if isinstance(found, str) else ""


def _file_date(assessment: Assessment) -> str:
    """When the attempt ended, for a download's file name: two attempts' files no longer share one name."""
    assert assessment.finished_at is not None  # _finished_or_redirect
    return timezone.localtime(assessment.finished_at).strftime("%Y-%m-%d-%H%M")


@require_safe
@rate_limited("pdf", methods=["GET", "HEAD"], back_to="results")
def results_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The result as a PDF document with the charts (WeasyPrint renders the print template)."""
    try:
        import weasyprint  # noqa: F401  (heavy import, only where a PDF is made: does the renderer load here?)
    except (OSError, ImportError):  # e.g. the system's Pango library is missing: say so, do not fail
        return HttpResponse(
            _("PDFs cannot be made on this server right now. Please use your browser's print function."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )

    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    # the PDF of the result with the role in its address previewed, never stored: only the page's chooser stores one
    context, status = results_context(assessment, request.GET.get("role") or None, stores=False)
    # An unknown role is the only error: the PDF shows the stored path's limits, never limits from its address. A
    # page, not a file: a browser treats a download with an error status as failed, silently.
    if status != 200:
        return bad_request_page(request, _("The role in this address does not exist, so no PDF was made."))
    context["stylesheet"] = _pdf_stylesheet()
    html = render_to_string("recommendations/result_pdf.html", context, request=request)
    pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))  # never fetches from elsewhere
    response = HttpResponse(pdf, content_type="application/pdf")
    name = _("revierpfad-result")  # outside the f-string, where makemessages sees it
    response["Content-Disposition"] = f'attachment; filename="{name}-{_file_date(assessment)}.pdf"'
    return response


@require_safe
def results_json(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own data: their answers and the result as it was stored, as JSON."""
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    document = download_document(assessment)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    name = _("revierpfad-data")
    response["Content-Disposition"] = f'attachment; filename="{name}-{_file_date(assessment)}.json"'
    return response


@require_POST
@rate_limited("results", back_to=_back_to("learning-path"), resend=True)
def toggle_course_done(request: HtmxHttpRequest, token: str, course: str) -> HttpResponse:
    """Mark a course of the path as done (`done=1`) or not done after all (`done=0`); the path then skips it or
    counts it again."""
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    course_obj = get_object_or_404(Course, slug=course)
    wanted = request.POST.get("done")
    if wanted not in ("1", "0", None):
        return bad_request_page(request, _("Please mark a course as done with the buttons of the learning path."))
    try:
        # None: a page from before the form said which (still cached in a tab), which flips what is shown
        wants = None if wanted is None else wanted == "1"
        result, done = set_course_done(assessment, course_obj, wants, current := snapshot())
    except CourseNotOffered:
        return bad_request_page(
            request, _("This course is no longer offered and not on your path: it cannot be marked done.")
        )
    if request.htmx:
        context, status = results_context(assessment)
        context["toggled_course"] = course_obj.slug  # where keyboard focus goes in the new path (app.js)
        return render(request, "recommendations/results.html#path-update", context, status=status)
    # without JavaScript, back where the person was (`anchor_after_marking`)
    anchor = anchor_after_marking(result, course_obj.slug, done, current)
    return redirect(_results_url(token, anchor))


@require_POST
@rate_limited("results", back_to=_back_to("keep-heading"), resend=True)
def share(request: HttpRequest, token: str) -> HttpResponse:
    """Create or revoke the private, read-only share link. Revoking works in any state: while the result is being
    sharpened the link only pauses, and a person who revokes it then must not see it work again afterwards."""
    if request.POST.get("action") == "revoke":
        reopened = Assessment.objects.filter(token=token).first()
        if reopened is None:
            raise Http404("No such assessment.")
        in_attempt_language(request, reopened.language)
        reopened.revoke_share()
        messages.success(request, _("The share link no longer works."))
        if not reopened.is_finished:
            return redirect(reopened.resume_url())
        return redirect(reverse("results", args=[token]) + "#keep-heading")
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    if request.POST.get("action") not in ("share", None):  # neither button: nothing is shared on a guess
        return bad_request_page(request, _("Please share the result or revoke its link with the buttons of the page."))
    assessment.share()
    messages.success(request, _("Your read-only share link is ready. You can revoke it at any time."))
    return redirect(reverse("results", args=[token]) + "#keep-heading")


@require_safe
@vary_on_headers("HX-Request")
def shared_results(request: HtmxHttpRequest, share_token: str) -> HttpResponse:
    """The result as someone the person shared it with sees it: read-only, no answers, no links back."""
    assessment = (
        Assessment.objects.select_related("result").filter(share_token=share_token, finished_at__isnull=False).first()
    )
    if assessment is None:  # never shared like this, or revoked: the page says both, as it cannot tell them apart
        # ... or reopened by its owner for "Ergebnis schärfen": the link works again once that is finished
        being_sharpened = Assessment.objects.filter(
            share_token=share_token, finished_at__isnull=True, sharpen_until__isnull=False
        ).exists()
        # revoked while the page was open, htmx loads this page whole (`HtmxWholePageErrorMiddleware`)
        return render(
            request,
            "recommendations/share_gone.html",
            # the nightly clean-up ends it once untouched that long: up to a day later (`end_sharpenings`)
            {"being_sharpened": being_sharpened, "idle_days": settings.SHARPEN_IDLE_DAYS + 1},
            status=409 if being_sharpened else 404,
        )
    in_attempt_language(request, assessment.language)
    context, status = results_context(assessment, request.GET.get("role") or None, shared=True, query=request.GET)
    context["picker_url"] = reverse("shared-results", args=[share_token])
    template = "recommendations/results.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#path-update"  # the learning path, and the summary at the top out of band
    return render(request, template, context, status=status)


@require_POST
@rate_limited("results", back_to=_back_to("feedback"), resend=True)
def feedback(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Store, with consent and without the person's answers or token, whether the best roles fit."""
    assessment, elsewhere = _finished_or_redirect(request, token)
    if elsewhere:
        return elsewhere
    result = result_for(assessment) if assessment.feedback_given_at is None else None  # read once, for both below
    if result is not None and not names_roles(result):
        # sent from a tab left open while the result was sharpened into one that names no roles (or every role was
        # withdrawn): nothing to judge
        text = _("This result names no roles to judge, so your feedback was not stored. The result says why.")
        if request.htmx:
            context = {"assessment": assessment, "refused": text}
            return render(request, "recommendations/results.html#feedback", context, status=409)
        messages.error(request, text)
        context, _status = results_context(assessment)
        return render(request, "recommendations/results.html", context, status=409)
    form = OutcomeForm(request.POST, roles=Role.objects.active())
    if assessment.feedback_given_at is None and not form.is_valid():
        # The form again with its errors and what the person chose: with htmx in place of the form,
        # without it as the whole page, whose error box takes the focus (the form's action names "#feedback-form",
        # which only a form without errors carries: a page whose address names an element there focuses nothing).
        if request.htmx:
            context = {"assessment": assessment, "feedback_form": form}
            return render(request, "recommendations/results.html#feedback", context, status=400)
        context, _status = results_context(assessment)
        context["feedback_form"] = form
        return render(request, "recommendations/results.html", context, status=400)
    if result is not None and record_outcome(assessment, form, result):
        text = _("Thank you! Your feedback helps the next person get a better recommendation.")
    else:
        text = _("Thank you, we already have your feedback on this result.")
    if request.htmx:
        assessment.refresh_from_db(fields=["feedback_given_at"])
        return render(request, "recommendations/results.html#feedback", {"assessment": assessment, "thanks": text})
    messages.success(request, text)
    return redirect(_results_url(token, "feedback"))


@require_safe
@never_cache  # lists the tokens of every kept attempt: no browser or proxy keeps it
def my_results(request: HttpRequest) -> HttpResponse:
    """The attempts kept in one's account, newest first, with the role each puts first; two of them to compare."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    unfinished = unfinished_attempts(request.user)
    context = {
        "attempts": kept_attempts(request.user),
        "unfinished": unfinished,
        # one never finished goes after the retention period (purge_assessments); one being sharpened stays
        "purged_after_days": settings.ASSESSMENT_RETENTION_DAYS if any(a.number is None for a in unfinished) else 0,
        "can_delete_account": owner_may_delete(request.user),
    }
    return render(request, "registration/my_results.html", context)


@require_safe
@never_cache  # holds two attempts' tokens
def compare(request: HttpRequest) -> HttpResponse:
    """Compare two attempts kept in the same account: which competencies grew, how the role fit moved."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attempts = request.user.assessments.filter(finished_at__isnull=False).select_related("result")
    earlier = attempts.filter(token=request.GET.get("vorher", "")).first()
    later = attempts.filter(token=request.GET.get("nachher", "")).first()
    if earlier is None or later is None or earlier.pk == later.pk:
        error = _("Choose two different attempts of your own to compare.")
        return render(request, "registration/compare.html", {"error": error}, status=400)
    return render(request, "registration/compare.html", compare_attempts(earlier, later))
