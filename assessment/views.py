from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from assessment.adaptive import MAX_ITEMS
from assessment.bank import item_to_answer
from assessment.forms import AnswerForm
from assessment.models import Answer, Assessment, Item
from assessment.presentation import withdrawn_note
from assessment.services import (
    AssessmentFinished,
    accepts_answers,
    added_by_sharpening,
    answered_by_sharpening,
    answered_in,
    end_sharpening,
    finish_assessment,
    first_open_step,
    next_open_step,
    plan_after_answer,
    record_answer,
    reopen_to_sharpen,
    start_assessment,
    start_page_durations,
)
from assessment.translation import current_language
from config.locale import chosen_at_the_switch, keep_language
from core.http import HtmxHttpRequest
from core.ratelimit import rate_limited
from core.rounding import half_up_int
from core.rows import columns, fetch, quote, table

SESSION_KEY = "assessment_token"
# Said on the results page once "Ergebnis schärfen" ends: the result shown is not the one seen before.
SHARPENED = gettext_lazy("Your result has been recalculated with your additional answers.")
# ... or, where every question it added was skipped, that nothing changed (it said "recalculated with your
# additional answers" over a result of the same answers: a review)
NOT_SHARPENED = gettext_lazy("You skipped the added questions, so your result rests on the same answers as before.")


def sharpened_message(assessment: Assessment) -> str:
    """What the results page says once "Ergebnis schärfen" ends with at least one question added (answered or
    skipped)."""
    return str(NOT_SHARPENED if answered_by_sharpening(assessment) == 0 else SHARPENED)


# What the start page promises: half of the simulated people are done after at most this many questions. Their
# medians (README "Measured", bench/MEASUREMENT.md): 15-15.5 for the people who answer realistically
# (realistic_check.py --adaptive, seeds 1-5; the progress's first "noch etwa" counts from it), 17-20 for `make
# accuracy`'s role holders (levels between the steps, a side strength). One number both bear out, not a range of
# medians a reader cannot check. The minutes are measured from real attempts once there are enough, else
# estimated from the reading time (assessment.duration).
ADAPTIVE_HALF_DONE_WITHIN = 20


def _assessment_or_404(token: str) -> Assessment:
    """The assessment with this token; every question page reads it, so its SQL is written once (`core.rows`)."""
    found = fetch(_assessment_sql(connection.vendor), [token], (Assessment,))
    if not found:
        raise Http404("No such assessment.")
    return found[0][0]


@functools.cache
def _assessment_sql(vendor: str) -> str:
    return f"SELECT {columns(Assessment, 'a')} FROM {table(Assessment)} a WHERE a.{quote('token')} = %s"


def _finished_response(request: HttpRequest, assessment: Assessment, step: int | None = None) -> HttpResponse:
    """The "already finished" page (409), or, for the answer that finished it sent again (a double click on the
    last question: the browser shows the second response), the results it led to."""
    if request.method == "POST" and step is not None and _repeats_an_answer(assessment, step, request.POST):
        results = reverse("results", args=[assessment.token])
        return HttpResponseClientRedirect(results) if getattr(request, "htmx", False) else redirect(results)
    return render(request, "assessment/finished.html", {"assessment": assessment}, status=409)


def _repeats_an_answer(assessment: Assessment, step: int, data) -> bool:
    """Whether `data` posts, for this step's question, the option (or the skip) stored for it already."""
    if not 1 <= step <= len(assessment.steps):
        return False
    stored = (
        Answer.objects.filter(assessment=assessment, item_id=assessment.steps[step - 1])
        .values_list("item__slug", "option__value")
        .first()
    )
    if stored is None or data.get("item") != stored[0]:
        return False
    if data.get("action") == AnswerForm.SKIP:
        return stored[1] is None
    return stored[1] is not None and data.get("option") == stored[1]


NO_QUESTIONS = gettext_lazy(
    "The questions are being revised at the moment, so a self-assessment cannot be started. Please come back later."
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    open_token = request.session.get(SESSION_KEY)
    unfinished = Assessment.objects.filter(token=open_token, finished_at__isnull=True).first() if open_token else None
    times = start_page_durations(current_language(), ADAPTIVE_HALF_DONE_WITHIN)
    response = render(
        request,
        "assessment/home.html",
        {
            "unfinished": unfinished,
            "no_questions": NO_QUESTIONS,
            "item_count": Item.objects.active().count(),
            "times": times,
            "adaptive_questions": ADAPTIVE_HALF_DONE_WITHIN,
            "adaptive_most": MAX_ITEMS,
        },
    )
    if unfinished is not None:  # the link back to the open attempt holds its token: no cache keeps the page
        add_never_cache_headers(response)
    return response


@require_POST
@rate_limited("start", retry_at="assessment:home")  # the start address takes posts only
def start(request: HttpRequest) -> HttpResponse:
    every_question = request.POST.get("mode") == "all"  # "Alle Fragen beantworten": the detailed profile
    if not Item.objects.active().exists():  # every question withdrawn: an attempt would be a 404 at question 1
        messages.info(request, NO_QUESTIONS)
        return redirect("assessment:home")
    # Started logged in, it is the account's from the start: what a person does in their account is in it. Logged
    # out it stays anonymous (logging out forgets its link in this browser, as for a shared computer).
    account = request.user if request.user.is_authenticated else None
    assessment = start_assessment(language=get_language() or "de", adaptive=not every_question, user=account)
    request.session[SESSION_KEY] = assessment.token
    return redirect(assessment.step_url(1), permanent=False)


@require_POST
@rate_limited("answer")  # reopens an attempt (a few more questions), makes none: limited like answering
def sharpen(request: HttpRequest, token: str) -> HttpResponse:
    """ "Ergebnis schärfen": a few more questions where the ranges are widest, then the result anew."""
    assessment = _assessment_or_404(token)
    if not assessment.is_finished:  # sent again, or from an old tab: the questions are already open
        return redirect(assessment.resume_url())
    if not reopen_to_sharpen(assessment):
        messages.info(request, _("There is nothing left to ask that would sharpen this result."))
        return redirect("results", token=assessment.token)
    request.session[SESSION_KEY] = assessment.token
    return redirect(assessment.step_url(first_open_step(assessment)))


@require_POST
@rate_limited("answer")
def end_sharpen(request: HttpRequest, token: str) -> HttpResponse:
    """Back to the result from "Ergebnis schärfen" without its remaining questions, with the answers given."""
    assessment = _assessment_or_404(token)
    if end_sharpening(assessment):
        if added_by_sharpening(assessment):  # ended before any answer was added: nothing to say
            messages.success(request, sharpened_message(assessment))
    elif not assessment.is_finished:
        return redirect(assessment.resume_url())  # not being sharpened: an old tab; its questions are open
    return redirect("results", token=assessment.token)


@require_safe
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """The attempt where it stands, in the language it was taken in; in the browser that has it open already,
    or that chose a language at the switch, the language chosen there stands."""
    assessment = _assessment_or_404(token)
    opened_here = request.session.get(SESSION_KEY) == assessment.token
    request.session[SESSION_KEY] = assessment.token
    if assessment.is_finished:
        response = redirect("results", token=assessment.token)
    else:
        response = redirect(assessment.step_url(first_open_step(assessment)))
    # A language another attempt's link set yields to this one's; one chosen at the switch does not (a review
    # switched a German result to English, opened its resume link, and the whole site was German again).
    if not opened_here and not chosen_at_the_switch(request) and assessment.language in dict(settings.LANGUAGES):
        keep_language(response, assessment.language)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@rate_limited("answer", methods=["POST"])
def question(request: HtmxHttpRequest, token: str, step: int) -> HttpResponse:
    assessment = _assessment_or_404(token)
    if not accepts_answers(assessment):
        return _finished_response(request, assessment, step)
    if not 1 <= step <= assessment.total_steps:
        if assessment.adaptive and assessment.total_steps < step <= len(assessment.item_ids):
            return _question_gone(request, assessment)
        raise Http404("No such question in this assessment.")
    item = item_to_answer(assessment.steps[step - 1], assessment.pk)  # with its earlier answer: a refused form shows it
    if item is None:  # removed from the bank since the assessment started: nothing to answer
        if request.method == "POST":
            return _past_a_removed_question(request, assessment)
        return _removed_question(request, assessment, step)

    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, item=item)
        if form.is_valid():
            try:
                record_answer(assessment, item, form.chosen_option())
            except AssessmentFinished:  # finished in another tab since this request read it
                assessment.refresh_from_db(fields=["finished_at"])
                return _finished_response(request, assessment, step)
            decision = plan_after_answer(assessment)  # the adaptive test chooses its next question now, once
            answered_in(assessment, get_language())  # a switch of language mid-attempt: the link resumes in it
            # An answer changed on a page gone back to can settle the test: the question still open is dropped
            # and none is left. Then it ends here, rather than lead through the answered pages to a last one that
            # said "Weiter" and ended it.
            settled = decision is not None and decision.done and next_open_step(assessment) is None
            if step < assessment.total_steps and not settled:
                # on to the next page, or (adaptive, from a page gone back to) straight to the question still open,
                # which is always the last one put, rather than through every answered page between
                target = assessment.total_steps if form.to_open_question and assessment.adaptive else step + 1
                next_url = assessment.step_url(target)
                if not request.htmx:
                    return redirect(next_url)
                following = item_to_answer(assessment.steps[target - 1], assessment.pk)
                if following is None:  # removed from the bank since: its page says so, as without JavaScript
                    return HttpResponseClientRedirect(next_url)
                form = _form_with_earlier_answer(following)
                response = _render_step(request, assessment, target, item=following, form=form)
                return push_url(response, next_url)
            finish_assessment(assessment)
            if assessment.sharpen_until is not None:  # the last question of "Ergebnis schärfen"
                messages.success(request, sharpened_message(assessment))
            results = reverse("results", args=[assessment.token])
            if request.htmx:
                return HttpResponseClientRedirect(results)
            return redirect(results)
        status = 400
    else:
        form = _form_with_earlier_answer(item)
    return _render_step(request, assessment, step, item=item, form=form, status=status)


def _question_gone(request: HtmxHttpRequest, assessment: Assessment) -> HttpResponse:
    """A step past the adaptive test's open question: dropped when an earlier answer changed (a stale tab, the
    browser's Back button), or not reached. It was the site's 404 ("nothing at this address"), which lost the
    answer sent without saying why or where to go on."""
    step = first_open_step(assessment)
    context = {"assessment": assessment, "open_step": step, "open_url": assessment.step_url(step)}
    template = "assessment/question_gone.html" + ("#gone-card" if request.htmx else "")
    return render(request, template, context, status=409)


def _removed_question(request: HtmxHttpRequest, assessment: Assessment, step: int) -> HttpResponse:
    """The page of a question an admin deleted since the attempt started (410): it says so and goes on by a button.
    Going on changes the attempt (the adaptive test puts a new question in its place, or the attempt ends), which a
    GET must not do: a link checker or a browser's prefetch would have finished someone's attempt."""
    if not assessment.adaptive and (open_step := next_open_step(assessment)) is not None:
        return redirect(assessment.step_url(open_step))  # nothing to plan anew: on to the first open question
    template = "assessment/question_removed.html" + ("#removed-card" if request.htmx else "")
    return render(request, template, {"assessment": assessment, "step_url": assessment.step_url(step)}, status=410)


def _past_a_removed_question(request: HtmxHttpRequest, assessment: Assessment) -> HttpResponse:
    """Past a step whose question an admin deleted since the attempt started: on to the first open question, or,
    with none left, to the result. The adaptive test first puts a new question in the deleted one's place (or
    stops)."""
    plan_after_answer(assessment)
    step = next_open_step(assessment)
    if step is None:
        finish_assessment(assessment)
    target = reverse("results", args=[assessment.token]) if step is None else assessment.step_url(step)
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


def _remaining(assessment: Assessment, step: int) -> int | None:
    """Adaptive: about how many questions are still to be answered after this one (the engine's estimate). Only the
    last question put can be open: the earlier ones are answered, so on a page gone back to they are not counted (a
    review read "Frage 2 · noch 33" while sharpening, of an attempt with one question open)."""
    if not assessment.adaptive:
        return None
    coming = int(assessment.plan.get("expected_remaining", 0))  # counts the question already put next
    return max(0, coming - (1 if step >= assessment.total_steps else 0))


def _at_most(assessment: Assessment, step: int) -> int | None:
    """Adaptive: how many questions can still follow this one at most. It is shown beside the estimate from
    the first question on and falls by one with each, so the label never jumps back when a session runs past
    the typical length (then only this is shown). While sharpening: exactly the questions still to come."""
    if not assessment.adaptive:
        return None
    if assessment.sharpen_until is not None:
        return _remaining(assessment, step)
    still_open = 1 if step < assessment.total_steps else 0  # on a page gone back to: the question put last
    return max(0, MAX_ITEMS - assessment.total_steps + still_open)


def _form_with_earlier_answer(item: Item) -> AnswerForm:
    """The question's form with the option chosen earlier (after going back) already selected; `item` as
    `item_to_answer` reads it for the assessment."""
    # `chosen_earlier` is not a field: item_to_answer sets it on each option it reads
    initial_value = next((o.value for o in item.options.all() if o.chosen_earlier), None)  # type: ignore[attr-defined]
    return AnswerForm(item=item, initial={"option": initial_value})


def _render_step(
    request: HtmxHttpRequest,
    assessment: Assessment,
    step: int,
    *,
    item: Item,
    form: AnswerForm,
    status: int = 200,
) -> HttpResponse:
    template = "assessment/question.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#question-card"
    context = {
        "assessment": assessment,
        "item": item,
        "form": form,
        "step": step,
        "total": assessment.total_steps,
        "remaining": _remaining(assessment, step),
        "at_most": _at_most(assessment, step),
        "open_ended": bool(assessment.adaptive and assessment.plan.get("open_ended")),
        "estimate_withdrawn": withdrawn_note(assessment.plan.get("estimate_withdrawn")) if assessment.adaptive else "",
        "sharpening": assessment.sharpen_until is not None,
        "percent": half_up_int(100 * (step - 1) / max(1, assessment.total_steps)),
        "step_url": assessment.step_url(step),
        "previous_url": assessment.step_url(step - 1) if step > 1 else None,
        # adaptive: the question still open is the last one put; from a page two or more before it, a way straight there
        "open_step": assessment.total_steps if assessment.adaptive and step < assessment.total_steps - 1 else None,
        "resume_url": request.build_absolute_uri(assessment.resume_url()),
    }
    return render(request, template, context, status=status)


@require_safe
def profile(request: HttpRequest, token: str) -> HttpResponse:
    """The profile's own address, kept for links made before: the results page shows the profile as it was stored
    with the result. (This page scored the answers afresh, so after a recalibration it could show other levels than
    the result beside it.)"""
    assessment = _assessment_or_404(token)
    if not assessment.is_finished:
        return redirect(assessment.resume_url())
    return redirect(reverse("results", args=[assessment.token]) + "#profile-heading")
