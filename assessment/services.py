"""What the flow does to an assessment: start it, record answers, choose the next question, finish it,
score it, reopen it to sharpen the result."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, fields
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from assessment import adaptive, duration
from assessment.bank import competency_slugs, item_spec, items_with_options
from assessment.measurement import ItemSpec, Profile, score_profile
from assessment.models import Answer, Assessment, AttemptNumbering, Item, Option
from assessment.sharpening import SHARPEN_QUESTIONS, sharpen_plan
from core.rounding import half_up_int

# The adaptive engine needs the roles, which live in `recommendations`; `assessment` never imports
# it. `recommendations` registers, when the apps are ready, a function that returns the prepared bank,
# the role table and the ranking (`assessment.adaptive.plan`'s inputs).
EngineInputs = Callable[[], tuple[adaptive.Bank, adaptive.RoleTable, adaptive.ScoreRoles | None]]
_engine_inputs: EngineInputs | None = None


def register_engine_inputs(inputs: EngineInputs) -> None:
    global _engine_inputs
    _engine_inputs = inputs


def start_assessment(language: str = "de", adaptive: bool = False, user=None) -> Assessment:
    """A new assessment over the items that are active now, in questionnaire order: the adaptive test (its first
    question chosen now), or every question. Anonymous, or in `user`'s account (started logged in), where it is
    numbered once it has a result (`finish_assessment`)."""
    ids = list(Item.objects.active().in_questionnaire_order().values_list("id", flat=True))
    assessment = Assessment(
        item_ids=ids, language=language, adaptive=adaptive and _engine_inputs is not None, user=user
    )
    if assessment.adaptive:
        _choose_next(assessment, {}, set())
    assessment.save()
    return assessment


class AssessmentFinished(Exception):
    """The assessment no longer accepts answers (it was finished, perhaps in another tab)."""


def accepts_answers(assessment: Assessment) -> bool:
    """Whether answers may still be given or changed: the one place that decides it."""
    return assessment.finished_at is None


def answered_in(assessment: Assessment, language: str | None) -> None:
    """The attempt is being answered in `language` now (a switch mid-attempt): its resume link and results then
    open in it in a fresh browser, as they open in the language an attempt was started in."""
    language = (language or "").split("-")[0]
    if language in dict(settings.LANGUAGES) and language != assessment.language:
        Assessment.objects.filter(pk=assessment.pk).update(language=language)
        assessment.language = language


def record_answer(assessment: Assessment, item: Item, option: Option | None) -> Answer:
    """Save (or change) the answer to one item; `option=None` records a skip.

    Safe against double submits and two open tabs: the last answer given wins, and the unique
    constraint on (assessment, item) means there is never more than one. The assessment's row is
    locked while the answer is saved, so an answer never lands after the finish (AssessmentFinished)."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().only("pk", "finished_at").get(pk=assessment.pk)
        if not accepts_answers(locked):
            raise AssessmentFinished(assessment.pk)
        try:
            with transaction.atomic():
                answer, created = Answer.objects.get_or_create(
                    assessment=assessment, item=item, defaults={"option": option}
                )
        except IntegrityError:  # the other tab created it between our read and our insert
            answer, created = Answer.objects.get(assessment=assessment, item=item), False
        if not created and answer.option_id != (option.pk if option else None):
            answer.option = option
            answer.save(update_fields=["option", "answered_at"])
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    return answer


def finish_assessment(assessment: Assessment) -> None:
    """Mark the assessment finished (once; later calls change nothing). One in an account is numbered there now that
    it has a result (`number_in_account`)."""
    now = timezone.now()
    # after an answer being saved under the same row lock, never during it; finished and numbered together
    with transaction.atomic():
        list(Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk", flat=True))
        Assessment.objects.filter(pk=assessment.pk, finished_at__isnull=True).update(finished_at=now)
        assessment.refresh_from_db(fields=["finished_at"])
        if assessment.user_id is not None:
            number_in_account(assessment)
    forget_sittings()


def number_in_account(assessment: Assessment) -> int | None:
    """Give an attempt kept in an account its number there, once: the number after the last one the account gave
    (`AttemptNumbering`), which a deleted attempt does not give back. Its number (set on `assessment` too), or None
    when it is in no account. Counted in one UPDATE under the attempt's row lock, so two attempts kept at once get
    two numbers, and one kept twice at once keeps one (PostgreSQL and SQLite alike)."""
    with transaction.atomic():
        row = Assessment.objects.select_for_update().filter(pk=assessment.pk).values("user_id", "number").first()
        if row is None or row["user_id"] is None:
            return None
        number = row["number"]
        if number is None:
            numbering = AttemptNumbering.objects.filter(user_id=row["user_id"])
            AttemptNumbering.objects.get_or_create(user_id=row["user_id"])
            numbering.update(last_number=F("last_number") + 1)
            number = numbering.values_list("last_number", flat=True).get()
            Assessment.objects.filter(pk=assessment.pk).update(number=number)
    assessment.number = number
    return number


def claim_attempt(user, assessment: Assessment) -> bool:
    """Keep an attempt nobody keeps yet in `user`'s account, with its number there: claimed in one statement (of two
    accounts claiming it at once, one wins) and numbered in the same transaction, so that it is never kept without
    its number. False when it is kept already (by another account, or by this one from another tab)."""
    with transaction.atomic():
        if not Assessment.objects.filter(pk=assessment.pk, user__isnull=True).update(user=user):
            return False
        number_in_account(assessment)
    return True


def _choose_next(assessment: Assessment, answers: Mapping[str, str | None], skipped: set[str]) -> adaptive.Plan:
    """Plan the adaptive test after the answers so far and put the next question into `asked_ids` (the
    open last question is replaced: going back and changing an answer re-plans the rest). Not saved."""
    assert _engine_inputs is not None
    bank, roles, score_roles = _engine_inputs()
    pool = dict(Item.objects.filter(pk__in=assessment.item_ids).values_list("slug", "pk"))
    outside = {slug for slug in bank.index if slug not in pool}  # added to the bank since the start
    if assessment.sharpen_until is not None:
        profile = score_profile(bank.competencies, bank.items, answers)
        decision = sharpen_plan(bank, profile, answers, skipped | outside, assessment.sharpen_until + len(outside))
    else:
        decision = adaptive.plan(bank, roles, answers, skipped, score_roles=score_roles, excluded=outside)
    stored = assessment.plan or {}
    by_id = {pk: slug for slug, pk in pool.items()}
    asked = list(assessment.asked_ids)
    last_open = bool(asked) and by_id.get(asked[-1]) not in answers and by_id.get(asked[-1]) not in skipped
    if last_open:
        asked.pop()
    if not decision.done and decision.next_item in pool and pool[decision.next_item] not in asked:
        asked.append(pool[decision.next_item])
    assessment.asked_ids = asked
    # the estimate the page gives falls with every question or is not given (sharpening counts exactly instead)
    before = stored if assessment.sharpen_until is None else {}
    shown_before = before.get("shown_estimate")  # [estimate, questions asked then]
    open_ended = adaptive.open_on_page(
        decision.expected_remaining,
        decision.open_ended,
        tuple(shown_before) if isinstance(shown_before, list) else None,
        bool(before.get("open_ended")),
        decision.items_asked,
    )
    assessment.plan = {k: v for k, v in asdict(decision).items() if k != "next_item"} | {
        "tied_roles": list(decision.tied_roles),
        "open_ended": open_ended,
        "shown_estimate": shown_before if open_ended else [decision.expected_remaining, decision.items_asked],
        # the page gave "noch etwa N" last and now gives only the most: it says why, once
        "estimate_withdrawn": (
            adaptive.withdrawn_because(before.get("stability", 0.0), decision.stability).value
            if open_ended and not before.get("open_ended") and isinstance(shown_before, list)
            else ""
        ),
    }
    if assessment.sharpen_until is not None:  # the result says how sure it was before "Ergebnis schärfen"
        assessment.plan["stability_before_sharpening"] = _stability_before_sharpening(stored)
        # which sharpening this is: "before you sharpened" after the third round meant the second's result (a review)
        # (a plan stored before the count was, sharpened already, holds `stability_before_sharpening`: once)
        earlier = int(stored.get("sharpenings", 1 if stored.get("stability_before_sharpening") is not None else 0))
        assessment.plan["sharpenings"] = earlier + 1 if stored.get("done") else max(earlier, 1)
        # ... and the message after it whether any answer was added (skips add none)
        before = len(answers) if stored.get("done") else stored.get("answered_before_sharpening")
        assessment.plan["answered_before_sharpening"] = before
    return decision


def _stability_before_sharpening(stored: Mapping) -> float | None:
    """How sure the result was when "Ergebnis schärfen" reopened it: the finished plan's judgement when it is
    reopened (a second sharpening: the first one's result), carried along while its questions are answered."""
    if stored.get("done"):
        return stored.get("stability") if stored.get("best_role") is not None else None
    return stored.get("stability_before_sharpening")


PLAN_ATTEMPTS = 3  # plans computed before the one stored regardless (each answer in between asks for a new one)


def plan_after_answer(assessment: Assessment) -> adaptive.Plan | None:
    """After an answer was saved: the adaptive test's next question (stored with the assessment), or
    None for an assessment that asks every question or was finished (in another tab) meanwhile.

    The plan (tens of milliseconds, more when a new model is first loaded) is computed outside any transaction: on
    SQLite a write transaction holds the whole database, and every other answer would wait for it. It is stored
    under the row's lock only if the answers and the questions put are still those it was computed from; an answer
    saved in between (another tab) has it computed again from the new state."""
    if not assessment.adaptive or _engine_inputs is None:
        return None
    for attempt in range(PLAN_ATTEMPTS):
        base = Assessment.objects.get(pk=assessment.pk)
        asked_before = list(base.asked_ids)
        answers = answers_by_slug(base)
        skipped = {slug for slug, value in answers.items() if value is None}
        given = {slug: value for slug, value in answers.items() if value is not None}
        decision = _choose_next(base, given, skipped)
        if decision.done:  # the test stops here: the stored plan says how sure the result is
            base.plan = judged_plan(base.plan, given, skipped, base.item_ids)
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().only("pk", "asked_ids", "finished_at").get(pk=assessment.pk)
            if locked.finished_at is not None:  # finished in another tab meanwhile: its stored plan stays
                assessment.finished_at = locked.finished_at
                return None
            unchanged = locked.asked_ids == asked_before and answers_by_slug(locked) == answers
            if unchanged or attempt == PLAN_ATTEMPTS - 1:
                base.save(update_fields=["asked_ids", "plan", "updated_at"])
                break
    assessment.asked_ids, assessment.plan = base.asked_ids, base.plan
    return decision


# Stops at which the planner itself judged the result (and stored how sure it is). The others (the question
# limit, the end of sharpening, an exhausted bank) stop without looking: `judged_plan` looks then.
JUDGED_STOPS = ("top roles stable", "two roles tied", "answers inconsistent", "no roles")


def judged_plan(plan: dict, answers: Mapping[str, str | None], skipped: set[str], item_ids: list[int]) -> dict:
    """The stopping `plan` of a finished adaptive test with how sure its result is: for a stop that did not
    judge it, the planner's verdict on the same answers without a question limit is added (`verdict`, and how
    settled the best role is, `adaptive.Standing`, and `tied_roles` when it has them). `settled` says whether the
    answers settled the best roles."""
    reason = plan.get("reason")
    if reason in JUDGED_STOPS or _engine_inputs is None:
        return plan | {"settled": reason in adaptive.SETTLED}
    bank, roles, score_roles = _engine_inputs()
    pool = set(Item.objects.filter(pk__in=item_ids).values_list("slug", flat=True))
    outside = {slug for slug in bank.index if slug not in pool}
    verdict = adaptive.plan(
        bank, roles, answers, skipped, score_roles=score_roles, max_items=len(bank.items) + 1, excluded=outside
    )
    judged = plan | {"verdict": verdict.reason, "settled": verdict.done and verdict.reason in adaptive.SETTLED}
    if verdict.best_role is not None:
        judged |= {field.name: getattr(verdict, field.name) for field in fields(adaptive.Standing)}
    if verdict.reason == "two roles tied":
        judged["tied_roles"] = list(verdict.tied_roles)
    return judged


def finished_plan(assessment: Assessment) -> dict:
    """A finished adaptive attempt's stored plan, judged (`judged_plan`): attempts finished before the
    judgement was stored get it now, once."""
    plan = assessment.plan or {}
    if not assessment.adaptive or not assessment.is_finished or "settled" in plan or not plan.get("done"):
        return plan
    answers = answers_by_slug(assessment)
    judged = judged_plan(
        plan,
        {slug: value for slug, value in answers.items() if value is not None},
        {slug for slug, value in answers.items() if value is None},
        assessment.item_ids,
    )
    Assessment.objects.filter(pk=assessment.pk, finished_at__isnull=False).update(plan=judged)
    assessment.plan = judged
    return judged


def reopen_to_sharpen(assessment: Assessment) -> bool:
    """ "Ergebnis schärfen": reopen a finished adaptive attempt for a few more questions where the ranges
    are widest. The one way answers reach a finished attempt. False when there is nothing left to ask.

    As after an answer (`plan_after_answer`), the first question is chosen outside any transaction and stored under
    the row's lock only if the attempt is still finished as it was: on SQLite a write transaction holds the whole
    database while it lasts."""
    if not assessment.adaptive or _engine_inputs is None or assessment.finished_at is None:
        return False
    for _attempt in range(PLAN_ATTEMPTS):
        base = Assessment.objects.get(pk=assessment.pk)
        if base.finished_at is None:  # reopened meanwhile (a second click): its questions are open
            break
        answers = answers_by_slug(base)
        base.sharpen_until = len(answers) + SHARPEN_QUESTIONS
        decision = _choose_next(
            base,
            {slug: value for slug, value in answers.items() if value is not None},
            {slug for slug, value in answers.items() if value is None},
        )
        if decision.done:
            return False
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().only("pk", "finished_at").get(pk=base.pk)
            if locked.finished_at != base.finished_at:
                continue  # reopened, or finished again, meanwhile: look again
            base.finished_at = None
            base.save(update_fields=["asked_ids", "plan", "sharpen_until", "finished_at", "updated_at"])
            forget_sittings()  # sharpened, it no longer measures a sitting
            break
    assessment.refresh_from_db()
    return assessment.finished_at is None


def end_sharpening(assessment: Assessment) -> bool:
    """Stop "Ergebnis schärfen" before its last question: the open question is dropped (never asked), and the
    attempt is finished again with the answers given, its result computed anew from them. False when the attempt
    is not being sharpened (finished, or never reopened). The plan is judged outside the row's lock, as after an
    answer; an answer saved meanwhile has it judged again."""
    for attempt in range(PLAN_ATTEMPTS):
        base = Assessment.objects.get(pk=assessment.pk)
        if base.finished_at is not None or base.sharpen_until is None:
            return False
        answers = answers_by_slug(base)
        asked = set(answered_item_ids(base))
        plan = (base.plan or {}) | {"done": True, "reason": "sharpened", "items_asked": len(asked)}
        plan |= {"expected_remaining": 0, "open_ended": False}
        judged = judged_plan(
            plan,
            {slug: value for slug, value in answers.items() if value is not None},
            {slug for slug, value in answers.items() if value is None},
            base.item_ids,
        )
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().get(pk=base.pk)
            if locked.finished_at is not None or locked.sharpen_until is None:
                return False
            if answers_by_slug(locked) != answers and attempt < PLAN_ATTEMPTS - 1:
                continue  # an answer saved meanwhile: judge again
            answered = set(answered_item_ids(locked))  # once: in the comprehension it was a query per question
            locked.asked_ids = [pk for pk in locked.asked_ids if pk in answered]
            locked.plan = judged
            locked.finished_at = timezone.now()
            locked.save(update_fields=["asked_ids", "plan", "finished_at", "updated_at"])
            break
    assessment.refresh_from_db()
    return True


def answered_by_sharpening(assessment: Assessment) -> int | None:
    """How many questions an attempt reopened by "Ergebnis schärfen" got answered since (skips not counted); None
    where that is not known (reopened before it was kept)."""
    before = (assessment.plan or {}).get("answered_before_sharpening")
    if assessment.sharpen_until is None or not isinstance(before, int):
        return None
    return max(0, assessment.answers.exclude(option=None).count() - before)


def added_by_sharpening(assessment: Assessment) -> int:
    """How many answers (skips included) an attempt reopened by "Ergebnis schärfen" got since: `sharpen_until` is
    the number it had then plus the questions it may add."""
    if assessment.sharpen_until is None:
        return 0
    return max(0, assessment.answers.count() - (assessment.sharpen_until - SHARPEN_QUESTIONS))


def answered_item_ids(assessment: Assessment) -> dict[int, int | None]:
    """item id -> chosen option id (None for a skip)."""
    return dict(assessment.answers.values_list("item_id", "option_id"))


def next_open_step(assessment: Assessment) -> int | None:
    """The first step (1-based) whose question is neither answered nor skipped and still in the bank (an admin may
    have deleted a question nobody had answered yet since the attempt started), or None when none is left."""
    done = answered_item_ids(assessment)
    open_ids = [item_id for item_id in assessment.steps if item_id not in done]
    existing = set(Item.objects.filter(pk__in=open_ids).values_list("pk", flat=True)) if open_ids else set()
    for step, item_id in enumerate(assessment.steps, start=1):
        if item_id in existing:
            return step
    return None


def first_open_step(assessment: Assessment) -> int:
    """The first open step (`next_open_step`), or the last step when all are done."""
    return next_open_step(assessment) or max(1, assessment.total_steps)


def answers_by_slug(assessment: Assessment) -> dict[str, str | None]:
    rows = assessment.answers.values_list("item__slug", "option__value")
    return {slug: value for slug, value in rows}


def profile_for(assessment: Assessment) -> Profile:
    """Score an assessment's answers over the items it was started with."""
    return scored_attempt(assessment)[2]


def scored_attempt(assessment: Assessment) -> tuple[list[ItemSpec], dict[str, str | None], Profile]:
    """The items an assessment was started with, its answers (item slug -> option value, None for a skip) and the
    profile they score to (`profile_for`)."""
    specs = [item_spec(i) for i in items_with_options(assessment.item_ids)]
    answers = answers_by_slug(assessment)
    return specs, answers, score_profile(competency_slugs(), specs, answers)


# The start page's measured minutes rest on up to 2,000 attempts finished in the last MEASURED_DAYS: read once into
# the shared cache and kept there for SITTINGS_SECONDS, or until an attempt finishes (`finish_assessment`), so a
# start page reads one cache entry, not 2,000 rows (9 ms of its 12 on SQLite with 2,500 attempts finished). An
# attempt deleted, or one older than the window, counts until the entry expires.
SITTINGS_CACHE_KEY = "assessment:finished-sittings"
SITTINGS_SECONDS = 600


def finished_sittings() -> dict[bool, list[timedelta]]:
    """How long the attempts finished in one go took, adaptive (True) and every question (False): the time from the
    start to the finish of each attempt finished in the last MEASURED_DAYS and not sharpened since (cached)."""
    seconds = cache.get(SITTINGS_CACHE_KEY)
    if seconds is None:
        seconds = {True: [], False: []}
        since = timezone.now() - timedelta(days=duration.MEASURED_DAYS)
        finished = Assessment.objects.filter(finished_at__gte=since, sharpen_until__isnull=True)
        for adaptive_test, created, finished_at in finished.values_list("adaptive", "created_at", "finished_at")[:2000]:
            if finished_at is not None:  # always, by the filter
                seconds[adaptive_test].append((finished_at - created).total_seconds())
        cache.set(SITTINGS_CACHE_KEY, seconds, SITTINGS_SECONDS)
    return {kind: [timedelta(seconds=s) for s in taken] for kind, taken in seconds.items()}


def forget_sittings() -> None:
    """An attempt has finished or been reopened: the start page measures its minutes anew (now, and once the change
    is committed where it runs inside a transaction, in case a start page read the attempts in between)."""
    cache.delete(SITTINGS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SITTINGS_CACHE_KEY))


def start_page_durations(language: str, questions: int) -> duration.StartPageTimes:
    """How long the adaptive test of `questions` questions and the whole questionnaire take, as the start page
    says it: measured from attempts finished in one sitting where there are enough, else estimated from the words
    of the active questions in `language` (`assessment.duration`)."""
    field = "en" if language == "en" else "de"
    words: dict[int, int] = {}
    kinds: dict[int, str] = {}
    for pk, kind, text in Item.objects.active().values_list("id", "kind", f"text_{field}"):
        words[pk], kinds[pk] = len(text.split()), kind
    for pk, label in Option.objects.filter(item_id__in=words).values_list("item_id", f"label_{field}"):
        words[pk] += len(label.split())
    self_ratings = [n for pk, n in words.items() if kinds[pk] == Item.Kind.SELF_RATING]
    others = [n for pk, n in words.items() if kinds[pk] != Item.Kind.SELF_RATING]
    sittings = finished_sittings()
    typical = duration.typical_adaptive_words(self_ratings, others, questions)
    return duration.StartPageTimes(
        adaptive=duration.duration(duration.estimated_minutes(typical), sittings[True]),
        self_ratings=len(self_ratings),
        self_rating_minutes=half_up_int(duration.estimated_minutes(self_ratings)),
        every=duration.duration(duration.estimated_minutes(list(words.values())), sittings[False]),
    )
