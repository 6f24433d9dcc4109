"""What the results pages show, built from a stored result: the presenter behind the short views.

`results_context` serves the results page, its PDF and the share view; `record_outcome` turns the
feedback form into a confirmed outcome; `compare_attempts` sets two kept attempts side by side.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import pickle
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.measurement import Profile, Reliability
from assessment.models import Answer, Assessment, Item
from assessment.presentation import (
    profile_sections,
    reliability_note,
    result_sureness,
    self_rating_tendency,
    standing_sentences,
    work_style_summary,
)
from assessment.services import answers_by_slug, finished_plan
from assessment.translation import current_language
from core.numbers import hours_text, number_text, one_decimal, whole_percent
from core.rows import columns, fetch, quote, table
from recommendations import recommender
from recommendations.catalogue import Snapshot, snapshot
from recommendations.charts import gap_chart, radar, short_label
from recommendations.documents import field_notes, result_document
from recommendations.forms import OutcomeForm, PathLimitsForm, path_limits
from recommendations.models import ConfirmedOutcome, Course, Provider, Role
from recommendations.paths import MAX_STEPS, TOLERANCE, Catalogue, LearningPath, Unlimited, closed_and_narrowed
from recommendations.reasons import above_a_higher_match
from recommendations.results import (
    Result,
    model_change_since,
    path_shown,
    preview_path,
    result_for,
    result_with_current_path,
    roles_changed_since,
    store_path,
)
from recommendations.services import TRANSPARENT


@dataclass(frozen=True)
class PathSummary:
    """The path in one line for the first screen: steps, hours, known costs and the courses without a known price."""

    steps: int
    hours: float
    price_eur: float
    price_on_request: int
    withdrawn: int = 0  # steps whose course is no longer offered: counted in the totals, and said so
    # steps whose course's details are not yet confirmed against a source: counted in the totals, and said so (a
    # review added up "9 Schritte, 126 Stunden" with three unverified courses' hours in it, said only at the steps)
    unverified: int = 0

    @property
    def text(self) -> str:
        sentences = [path_totals(self.steps, self.hours, self.price_eur, self.price_on_request)]
        if self.withdrawn:
            sentences.append(
                ngettext(
                    "Of these, %(count)s course is no longer offered.",
                    "Of these, %(count)s courses are no longer offered.",
                    self.withdrawn,
                )
                % {"count": self.withdrawn}
            )
        if self.unverified:
            sentences.append(
                ngettext(
                    "%(count)s course's hours and price are not yet confirmed against a source.",
                    "%(count)s courses' hours and prices are not yet confirmed against a source.",
                    self.unverified,
                )
                % {"count": self.unverified}
            )
        return " ".join(sentences)


@dataclass(frozen=True)
class StepGaps:
    """What one step of the path does to the gaps, by competency name: closes them, or only narrows them; or, where
    the course teaches the competency only part of the way (its weight below 1), contributes to them: as a side
    topic where another of its competencies weighs more, else as its own subject taught in part."""

    closes: tuple[str, ...]
    narrows: tuple[str, ...]
    # the course's prerequisites the path leaves out because the person's level covers them, by title: a provider
    # may still ask for their certificate
    left_out: tuple[str, ...] = ()
    # of the competencies those teach, the ones whose level the person answered no question about (every one
    # skipped): a placeholder, which the path took as covering them (a review: "Ihre Stufe deckt ab" beside "only a
    # neutral placeholder" on the same page)
    left_out_unanswered: tuple[str, ...] = ()
    # the ones it leaves out because they are no longer offered: said in a sentence of their own, so that each
    # names the one reason that applies
    withdrawn: tuple[str, ...] = ()
    # of those, the ones whose certificate the catalogue marks as required for admission: said as known, not as what
    # a provider may ask
    withdrawn_required: tuple[str, ...] = ()
    # gaps the course works on only as a side topic and the path does not count as reached by it: the page says it
    # contributes to them, and claims no more
    side: tuple[str, ...] = ()
    # gaps it works on only as a side topic that the path counts as reached by it: said once, in their own line
    # ("as a side topic, by the path's count enough"), or the gap left the open gaps with no step saying why
    side_reaches: tuple[str, ...] = ()
    # the same two for the course's own subject, taught only part of the way (its highest weight, below 1): "as a side
    # topic" named the main subject of a change-management certification so (a review)
    part: tuple[str, ...] = ()
    part_reaches: tuple[str, ...] = ()
    # the later steps that need this course first, as (number, title): a step taken only as a prerequisite closed no
    # gap and said nothing about why it was there (the ITIL Foundation before the Strategic Leader, a review)
    needed_for: tuple[tuple[int, str], ...] = ()
    # ... of them, the ones whose exam admits only with its certificate (`Course.admission_prerequisites`)
    admits_to: tuple[tuple[int, str], ...] = ()


def _on_request(courses: int) -> str:
    return ngettext(
        "%(courses)s course without a known price", "%(courses)s courses without a known price", courses
    ) % {"courses": courses}


def path_totals(steps: int, hours: float, price_eur: float, on_request: int) -> str:
    """The path's size in a sentence: the sum of the known prices, and the courses without a known price apart;
    never "0 EUR in all" when no price is known."""
    numbers = {"steps": steps, "duration": hours_text(hours), "price": floatformat(price_eur, "-2g")}
    if not on_request and not price_eur:
        sentence = ngettext(
            "%(steps)s step, %(duration)s in all, free of charge.",
            "%(steps)s steps, %(duration)s in all, free of charge.",
            steps,
        )
    elif not on_request:
        sentence = ngettext(
            "%(steps)s step, %(duration)s in all, %(price)s EUR in all.",
            "%(steps)s steps, %(duration)s in all, %(price)s EUR in all.",
            steps,
        )
    elif on_request >= steps:
        sentence = ngettext(
            "%(steps)s step, %(duration)s in all, price not known.",
            "%(steps)s steps, %(duration)s in all, prices not known.",
            steps,
        )
    elif not price_eur:  # the known prices are all free
        sentence = ngettext(
            "%(steps)s step, %(duration)s in all, free apart from %(on_request)s.",
            "%(steps)s steps, %(duration)s in all, free apart from %(on_request)s.",
            steps,
        )
    else:
        sentence = ngettext(
            "%(steps)s step, %(duration)s in all, %(price)s EUR in all, plus %(on_request)s.",
            "%(steps)s steps, %(duration)s in all, %(price)s EUR in all, plus %(on_request)s.",
            steps,
        )
    return sentence % {**numbers, "on_request": _on_request(on_request)}


def without_limits(unlimited: Unlimited) -> str:
    """What the path without the person's limits would take, in a sentence (no "0 EUR" for unknown prices)."""
    numbers = {"duration": hours_text(unlimited.hours), "price": floatformat(unlimited.price_eur, "-2g")}
    if not unlimited.courses_price_on_request:
        return _("Without limits the path would take %(duration)s and %(price)s EUR.") % numbers
    numbers["on_request"] = _on_request(unlimited.courses_price_on_request)
    if not unlimited.price_eur:
        return _("Without limits the path would take %(duration)s, with %(on_request)s.") % numbers
    return _("Without limits the path would take %(duration)s and %(price)s EUR, plus %(on_request)s.") % numbers


def _names(sections) -> dict[str, str]:
    return {row.competency.slug: row.competency.name for group in sections for row in group.competencies}


def target_charts(result: Result, names: dict[str, str], role: Role | None) -> dict:
    """The profile against the target role's requirements, as a radar and a gap chart."""
    if role is None or not result.requirements:
        return {}
    scores = result.profile.competencies
    # In the framework's order (that of `names`), not the stored document's: PostgreSQL's jsonb keeps its keys
    # in an order of its own, so the chart would turn between the first view and the next.
    order = {slug: index for index, slug in enumerate(names)}
    requirements = sorted(result.requirements.items(), key=lambda item: order.get(item[0], len(order)))
    rows = tuple(
        (names.get(slug, slug), scores[slug].expected, required, scores[slug].level_high, scores[slug].level_low)
        for slug, required in requirements
        if slug in scores
    )
    return {**_charts(rows), "chart_rows": rows}


@functools.lru_cache(maxsize=256)
def _charts(rows: tuple) -> dict:
    """The charts drawn from their rows, once per process for the same rows (the templates only read them)."""
    return {"radar": radar(list(rows)), "gaps": gap_chart(list(rows))}


def active_roles() -> dict[str, Role]:
    """The active roles by slug, in their order: `Role.objects.active()`, with SQL written once (`core.rows`)."""
    return {role.slug: role for (role,) in fetch(_roles_sql(connection.vendor), [True], (Role,))}


@functools.cache
def _roles_sql(vendor: str) -> str:
    return (
        f"SELECT {columns(Role, 'r')} FROM {table(Role)} r WHERE r.{quote('active')} = %s "
        f"ORDER BY r.{quote('order')}, r.{quote('slug')}"
    )


def _deleted_course(spec) -> Course:
    """A course deleted since the path was stored, as the path stored it: listed as no longer offered (never
    dropped, so the page's count of steps and hours and its list agree), and not saved."""
    return Course(
        slug=spec.slug,
        title_de=spec.title,
        title_en=spec.title_en or spec.title,
        hours=spec.hours,
        price_eur=spec.price_eur,
        format=spec.format,
        certificate=spec.certificate,
        fundable=spec.funded,
        language="",  # not stored with the path: said nothing about, rather than the field's default German
        active=False,
        last_checked=None,  # type: ignore[misc]  # not "checked today", as the field's default would say
        provider=Provider(name=spec.provider),
    )


def courses_by_slug(slugs: list[str]) -> dict[str, Course]:
    """These courses (any that exist) with their providers, by slug: the results page's one query for them."""
    if not slugs:
        return {}
    rows = fetch(_courses_sql(connection.vendor, len(slugs)), slugs, (Course, Provider))
    found = {}
    for course, provider in rows:
        course.provider = provider
        found[course.slug] = course
    return found


@functools.lru_cache(maxsize=64)
def _courses_sql(vendor: str, count: int) -> str:
    return (
        f"SELECT {columns(Course, 'c')}, {columns(Provider, 'p')} FROM {table(Course)} c "
        f"INNER JOIN {table(Provider)} p ON p.{quote('id')} = c.{quote('provider_id')} "
        f"WHERE c.{quote('slug')} IN ({', '.join(['%s'] * count)})"
    )


def path_limits_of(path: LearningPath) -> dict[str, float]:
    """The limits a path was built within (only those set)."""
    limits = {"max_hours": path.max_hours, "max_price_eur": path.max_price_eur}
    return {name: value for name, value in limits.items() if value is not None}


def chosen_result(
    assessment: Assessment,
    role: str | None,
    roles: dict[str, Role],
    *,
    preview: bool,
    shared: bool = False,
    limits: dict | None = None,
    current: Snapshot | None = None,
) -> tuple[Result, str, bool]:
    """The stored result with the path towards `role` within `limits` (stored again, or with `preview` only
    previewed: a shared view, a request that changes nothing), the message for a role that does not exist, and
    whether the path shown is such a preview, not the one stored. `current`: the snapshot the page has taken."""
    # the stored result's upkeep (a path, reasons or a judgement stored late) is stored by every view but the shared
    # one; `preview` only keeps the role and limits in the address from being stored
    result = result_with_current_path(assessment, store=not shared, current=current)
    if role and role not in roles:
        kept = roles.get(result.recommendation.path.target_role) if result.chosen_role else None
        if kept is not None:  # the path stays the one towards the role chosen before, not the best-fitting one
            message = _("There is no such role to choose. You still see the path towards %(role)s.")
            return result, message % {"role": kept.name}, False
        return result, _("There is no such role to choose. Showing the best-fitting role instead."), False
    # Of an unreliable result the stored path's role is only the first of a ranking the page does not give: a
    # person who picks that very role has chosen it, and the choice is stored (or previewed) like any other.
    chosen_already = result.profile.reliable or role == result.chosen_role
    same_role = not role or (role == result.recommendation.path.target_role and chosen_already)
    if same_role and (limits is None or limits == path_limits_of(result.recommendation.path)):
        return result, "", False
    if preview:
        # no role in the address: the stored choice (none for an unreliable result whose owner picked no role, which
        # then gets no path with limits either, as on the owner's page)
        return preview_path(assessment, role, limits, current=current), "", True
    return store_path(assessment, chosen_role=role, path_options=limits, current=current), "", False


def anchor_after_marking(result: Result, course: str, done: bool, current: Snapshot) -> str:
    """Where the results page opens after a course was marked without JavaScript: at the course's other button
    (focus went to the path's top, and every step before it had to be tabbed through again; an accessibility
    review), or at the path's top where the course left the path (or the page shows no steps)."""
    if done:
        return f"undone-{course}"  # the done list is shown with or without a path
    on_path = {step.course.slug for step in result.recommendation.path.steps}
    shown = course in on_path and shows_path(result, {role.slug for role in current.roles})  # the active roles
    return f"done-{course}" if shown else "learning-path"


def download_document(assessment: Assessment) -> dict[str, Any]:
    """The person's own data as the JSON download gives it: the result as the page shows it (`result_document`),
    with their answers, the courses they marked done, the attempt's dates and what the numbers are."""
    result = result_with_current_path(assessment)
    roles = active_roles()
    language = current_language()
    document = result_document(
        result.profile,
        result.recommendation,
        language,
        requirements=result.requirements,
        path_given=shows_path(result, roles),  # as the page: none on far too few answers, even towards a picked role
        offered=list(roles),  # the roles the page lists, and an unreliable result's in their own order, as there
        page_order=True,
        done=result.done,
    )
    document["computed_at"] = result.computed_at.isoformat()
    document["answers"] = answers_by_slug(assessment)
    # the courses the person marked done are theirs too, and what the path above leaves out because of them
    document["courses_done"] = sorted(result.done)  # what result_with_current_path has just read
    document["started_at"] = assessment.created_at.isoformat()
    assert assessment.finished_at is not None  # a finished attempt's
    document["finished_at"] = assessment.finished_at.isoformat()
    document["field_notes"] = field_notes(language)  # what "level" is beside the page's level
    return document


def shows_path(result, roles) -> bool:
    """Whether the page shows the result's path (`results.path_shown`)."""
    return path_shown(result.profile.reliability, result.chosen_role, roles)


def results_context(
    assessment: Assessment, role: str | None = None, *, shared: bool = False, query=None, stores: bool = True
) -> tuple[dict, int]:
    """Everything the results page (and its PDF) shows, and 400 when the chosen role or the path limits are
    not valid (the page then keeps the path it has)."""
    limits_form, limits = path_limits(query or {})
    roles = active_roles()
    current = snapshot()  # its one query also says which model version is active (`model_change_since`)
    # `stores`: False where no choice may be stored (a GET or HEAD of the page, the PDF): the role and limits in the
    # address are only previewed. The stored result's upkeep is stored all the same, by every view but the shared one.
    result, role_error, previewed = chosen_result(
        assessment, role, roles, preview=shared or not stores, shared=shared, limits=limits, current=current
    )
    if limits is None and not limits_form.is_bound:
        limits_form = PathLimitsForm(initial=path_limits_of(result.recommendation.path))
    profile, recommendation = result.profile, result.recommendation
    sections = profile_sections(profile)
    names = _names(sections)
    context = {
        "assessment": assessment,
        "shared": shared,
        # the owner's page at an address with a role or limits other than those stored: shown, not kept (a GET
        # stores nothing), which the page says beside the picker, whose button keeps them
        "previewed": previewed and not shared,
        "result": result,
        "profile": profile,
        "sections": sections,
        "work_style": work_style_summary(profile),
        "self_rating_tendency": self_rating_tendency(profile),
        "recommendation": recommendation,
        "model_version": recommendation.model_version,
        "ranked_by_model": recommendation.model_version != TRANSPARENT,
        "model_trained_on": trained_on(recommendation.model_version),
        "computed_at": result.computed_at,
        "newer_model": model_change_since(result, current),
        "roles_changed": bool(recommendation.roles) and roles_changed_since(result, current),
        "reliable": profile.reliable,
        "reliability_note": reliability_note(profile),
        "no_roles": not roles,
        "too_few_for_a_path": profile.reliability == Reliability.TOO_FEW,
        "feedback_form": OutcomeForm(roles=roles.values()),
        "role_error": role_error,
        "limits_form": limits_form,
        "answered": profile.answered,
        **_roles_context(assessment, result, roles, names, current),
        **_path_context(assessment, result, roles, names, shared=shared, current=current),
        # no active course with a known price above 0 euros, and some without a known price: a euro limit then
        # leaves only the free ones (a review set 0 and 100.000 euros and got the same path, without a word why)
        "euro_limit_free_only": not any(c.price_eur for c in current.catalogue.courses.values())
        and any(c.price_eur is None for c in current.catalogue.courses.values()),
    }
    context["recompute_offered"] = not shared and (
        context["newer_model"]
        or context["roles_changed"]
        or bool(context["no_longer_offered"])
        or context["roles_back"]
    )
    context.update(target_charts(result, names, context["target_role"]))
    context["fragments"] = fragment_keys(context)
    return context, 400 if role_error or limits_form.errors else 200


def _roles_context(
    assessment: Assessment, result: Result, roles: dict, names: dict[str, str], current: Snapshot
) -> dict[str, Any]:
    """The results page's roles: the cards, the chooser, the roles in detail, how sure the order is and what
    changed since the result was last computed."""
    profile, recommendation = result.profile, result.recommendation
    fits = [(roles[f.slug], f) for f in recommendation.roles if f.slug in roles]
    # A role above one the page shows with a higher match says why (`with_order_reasons`): under "Why does a role with
    # a higher match stand further down?", first among its reasons in the roles in detail and in the PDF. Not on the
    # cards: there it pushed the path in brief and the main actions off the first screen (by 220 px at 1280).
    above: dict[str, str] = {}
    detailed, listed = fits, fits[:3]  # the PDF's cards name only roles the PDF lists
    adaptive_plan = finished_plan(assessment) if assessment.adaptive else {}
    tied = [slug for slug in adaptive_plan.get("tied_roles", []) if slug in roles]  # as the page names them
    if profile.reliable:
        by_model = recommendation.model_version != TRANSPARENT
        detailed, above = with_order_reasons(fits, profile, names, current, by_model, tied)
        listed, _listed_above = with_order_reasons(fits[:3], profile, names, current, by_model, tied)
    # the role chooser of an unreliable result lists the roles in their own order, not in the refused ranking's
    order = {slug: index for index, slug in enumerate(roles)}
    role_details = every_gap(detailed, profile, names)
    below = below_a_lower_match(fits[:3])
    return {
        "fits": fits,
        "top_fits": fits[:3],
        "order_unlike_match": order_unlike_match(fits),
        "order_reasons": [(role, above[role.slug]) for role, _fit in fits[:3] if role.slug in above],
        # the PDF lists only the first three roles: it asks why a higher match stands lower only of those (a role
        # it does not list, matching more, left its reader looking for a role that was not there)
        "listed_unlike_match": order_unlike_match(fits[:3]),
        "below_a_lower_match": below,
        "role_details": role_details,
        # what the cards leave unnamed of their own reasons (the role details' gaps, beside the cards' reasons)
        "hidden_gaps": hidden_gaps([(r, f, gaps) for (r, f), (_r, _f, gaps) in zip(fits[:3], role_details)], below),
        "pdf_roles": counted_gaps(every_gap(listed, profile, names)),
        "picker_fits": fits if profile.reliable else sorted(fits, key=lambda pair: order[pair[0].slug]),
        "adaptive_plan": adaptive_plan,
        # how sure the adaptive result is, and why the test stopped when that matters; of every question, how sure
        "sureness": result_sureness(
            adaptive_plan,
            rival_names(roles, fits, adaptive_plan),
            *_shown(fits),
            standing=None if result.standing is None else dataclasses.asdict(result.standing),
        )
        if adaptive_plan
        else stored_sureness(result, fits, roles),
        "tied_roles": [roles[slug] for slug in tied],
        # computed anew ("Ergebnis schärfen", a newer model) with another role first: said, not swapped silently
        "first_role_before": roles.get(result.first_role_before) if profile.reliable and fits else None,
        "ranges_wider": ranges_wider(result, names),
        "first_match_before": result.first_match_before,
        # computed while no role was offered, and roles are offered now
        "roles_back": not recommendation.roles and bool(roles),
    }


def ranges_wider(result: Result, names: Mapping[str, str]) -> list[str]:
    """The ranges that came out wider when the result was computed anew, each with the one before, as the page
    writes them ("Servicemanagement 1,7–4,2 (before: 1,5–3,6)")."""
    wider = []
    for slug, (low, high) in result.ranges_before.items():
        score = result.profile.competencies.get(slug)
        if score is None:
            continue
        wider.append(
            _("%(competency)s %(now)s (before: %(before)s)")
            % {
                "competency": names.get(slug, slug),
                "now": f"{number_text(score.level_low, 1)}–{number_text(score.level_high, 1)}",
                "before": f"{number_text(low, 1)}–{number_text(high, 1)}",
            }
        )
    return wider


def _path_context(
    assessment: Assessment, result: Result, roles: dict, names: dict[str, str], *, shared: bool, current: Snapshot
) -> dict[str, Any]:
    """The results page's learning path: its steps with the gaps each closes, what it leaves open and why, its
    totals, and the courses marked done."""
    path = result.recommendation.path  # with its courses' facts as they are now (`result_with_current_path`)
    courses = courses_by_slug([s.course.slug for s in path.steps] + list(result.done))
    path_settled = shows_path(result, roles)
    requirements = result.requirements
    measured = result.profile.levels()
    if not path_settled:
        path = dataclasses.replace(path, target_role="", steps=(), open_gaps=(), unlimited=None)
    path_steps = [
        (step, courses.get(step.course.slug) or _deleted_course(step.course), _step_gaps(step, requirements, names))
        for step in path.steps
    ]
    if not shared:  # each step's "done" form: its address reversed once for the whole path
        prefix, suffix = reverse("course-done", args=[assessment.token, "course"]).rsplit("course", 1)
        for course in courses.values():  # read by the template; not a field of the course
            course.done_url = f"{prefix}{course.slug}{suffix}"  # type: ignore[attr-defined]
    unanswered = {slug for slug, score in result.profile.competencies.items() if score.answered == 0}
    path_steps = _with_left_out_prerequisites(path_steps, set(result.done), current.catalogue, unanswered, names)
    path_steps = _with_what_needs_them(path_steps)
    no_longer_offered = [course for _step, course, _closes in path_steps if not course.active]
    return {
        "target_role": roles.get(path.target_role),
        "path_settled": path_settled,
        "path": path,
        "path_summary": PathSummary(
            steps=len(path.steps),
            hours=path.total_hours,
            price_eur=path.total_price_eur,
            price_on_request=path.courses_price_on_request,
            withdrawn=len(no_longer_offered),
            unverified=sum(not course.verified for _step, course, _gaps in path_steps),
        ),
        "path_steps": path_steps,
        "no_longer_offered": no_longer_offered,
        "unverified_in_path": any(not course.verified for _step, course, _gaps in path_steps),
        # why a gap stays open: the limits, the path's length, or no course in the catalogue closes it
        **{kind: [names.get(c, c) for c in gaps] for kind, gaps in open_gaps_by_cause(path).items()},
        "max_steps": MAX_STEPS,
        "without_limits": without_limits(path.unlimited) if path.unlimited else "",
        "done_courses": [courses[slug] for slug in result.done if slug in courses],
        # nothing left to take because the courses marked done cover the gaps the measurement still shows: not
        # "you meet every requirement" (beside a gap of 0,4 it read false)
        "met_through_done": bool(result.done)
        and not path.steps
        and not path.open_gaps
        and any(level - measured.get(c, 0.0) > TOLERANCE for c, level in requirements.items()),
    }


def open_gaps_by_cause(path: LearningPath) -> dict[str, list[str]]:
    """The path's open gaps by why they stay open: "uncovered_gaps" no path closes, "open_gaps" the person's
    limits leave open (the path without them closes them), "long_gaps" lie beyond the path's length (after
    `MAX_STEPS` courses; marking courses done moves the path on to them). Paths stored before `unreachable`
    was known: as then, a gap the path without limits leaves open counts as uncovered."""
    if path.unreachable is None:
        uncovered = [c for c in path.open_gaps if not path.unlimited or c in path.unlimited.open_gaps]
    else:
        uncovered = [c for c in path.open_gaps if c in path.unreachable]
    rest = [c for c in path.open_gaps if c not in uncovered]
    # the limits leave a gap open only where the path without them closes it; the others stay open after the
    # path's 12 courses whether or not limits are set (a limit that restricts nothing is not blamed)
    by_limits = [c for c in rest if path.unlimited is not None and c not in path.unlimited.open_gaps]
    return {
        "uncovered_gaps": uncovered,
        "open_gaps": by_limits,
        "long_gaps": [c for c in rest if c not in by_limits],
    }


def stored_sureness(result: Result, fits: list, roles: Mapping[str, Role]) -> list[str]:
    """How sure a result of every question is, as stored with it (`Result.standing`): said only of the role the page
    puts first (a role withdrawn since leaves another first, of which nothing was judged)."""
    if result.standing is None:
        return []
    return standing_sentences(dataclasses.asdict(result.standing), rival_names(roles, fits, {}), *_shown(fits))


def _shown(fits: list) -> tuple[str | None, set[str]]:
    """The role the page puts first and the roles on its cards (the first three)."""
    return (fits[0][1].slug if fits else None), {fit.slug for _role, fit in fits[:3]}


def rival_names(roles: Mapping[str, Role], fits: list, plan: Mapping) -> dict[str, str]:
    """The roles a result's sureness may name as coming first instead of the one the page puts first: offered ones,
    not that one, nor one of two tied roles the page names (both offered)."""
    tied = set(plan.get("tied_roles", ()))
    unnamed = (tied if len(tied) == 2 and tied <= roles.keys() else set()) | ({fits[0][1].slug} if fits else set())
    return {slug: role.name for slug, role in roles.items() if slug not in unnamed}


def order_unlike_match(fits: list, shown: int = 3) -> bool:
    """Whether the roles shown first are not in the order of their match as the page shows it (whole
    percent): a later one shows a higher match, or a role not shown matches more than one shown. The page
    then asks "Why does a role with a higher match stand further down?" where it explains the numbers (the order
    also weighs over-qualification and work style; "Why this order?", asked before, did not say what was odd)."""
    shown_matches = [whole_percent(fit.match.value) for _, fit in fits[:shown]]
    rest = [whole_percent(fit.match.value) for _, fit in fits[shown:]]
    rises = any(later > earlier for earlier, later in zip(shown_matches, shown_matches[1:]))
    return rises or bool(rest and shown_matches and max(rest) > min(shown_matches))


@dataclass(frozen=True)
class RoleGap:
    """One requirement of a role that the person's level, as the page writes it, falls short of."""

    name: str
    label: str  # the short name the charts write, for the table on a phone (full names broke into rows of 4-6 lines)
    level: float  # as the page writes it, to one decimal
    low: float | None  # the level's 90 % range (None for a competency no longer in the profile)
    high: float | None
    required: float
    gap: float  # as the page writes it (`shown_gap`)
    possibly_met: bool  # what the role's reasons call "possibly met": within half a level, the range reaching it
    # the level is the measurement's placeholder: "skipped" (every question skipped), "unasked" (no question asks
    # about it yet: an admin added it); "" for a measured level
    placeholder: str


def unnamed_gaps(gaps: list[RoleGap], sentences: list[str]) -> list[RoleGap]:
    """The gaps none of `sentences` names: a reason names a gap after its colon or a semicolon ("... fehlt: Name:
    Stufe 0,8 (gefordert: 3); Name: ...")."""
    text = " ".join(sentences)
    return [gap for gap in gaps if f": {gap.name}:" not in text and f"; {gap.name}:" not in text]


def hidden_gaps(role_details: list, shown_in_full: set[str]) -> dict[str, int]:
    """How many of each role's gaps (`every_gap`) its card leaves unnamed, by role. A card shows its first two reasons
    (every one below a lower match: `shown_in_full`): they name the two missing requirements that weigh most and
    count the rest ("dazu 5 weitere"), and on a card that names a strength first, the "possibly met" and "below"
    sentences are not among them. Such a card links to the role in detail, which lists every gap."""
    counts = {}
    for role, fit, gaps in role_details:
        if unnamed := unnamed_gaps(gaps, fit.reasons if role.slug in shown_in_full else fit.reasons[:2]):
            counts[role.slug] = len(unnamed)
    return counts


def counted_gaps(role_details: list) -> list[tuple[Any, Any, list[RoleGap]]]:
    """For the PDF, which gives every reason of its three roles: each with the gaps its reasons count without naming
    them ("dazu 5 weitere"). It named every gap of such a role, the ones its reasons name as well (a review)."""
    return [(role, fit, unnamed_gaps(gaps, list(fit.reasons))) for role, fit, gaps in role_details[:3]]


def every_gap(fits: list, profile, names: dict[str, str]) -> list[tuple[Any, Any, list[RoleGap]]]:
    """Each role with its fit and every requirement the person's levels fall short of as the page writes them, in
    the order the match weighs them (core first). A role card names the two that weigh most and counts the rest
    ("dazu 5 weitere"); a review found the rest named nowhere on the page but in the chart's table of the one target
    role, so the roles in detail list them all."""
    scores = profile.competencies
    rows = []
    for role, fit in fits:
        gaps = []
        for g in fit.match.gaps:
            gap = g.shown
            if gap <= 0:
                continue
            score = scores.get(g.competency)
            gaps.append(
                RoleGap(
                    name=names.get(g.competency, g.competency),
                    label=short_label(names.get(g.competency, g.competency)),
                    level=one_decimal(g.level),
                    low=score.level_low if score else None,
                    high=score.level_high if score else None,
                    required=g.required,
                    gap=gap,
                    possibly_met=g.possibly_met,
                    placeholder="" if not score or score.answered else "unasked" if not score.total else "skipped",
                )
            )
        rows.append((role, fit, gaps))
    return rows


def with_order_reasons(
    fits: list,
    profile: Profile,
    names: Mapping[str, str],
    current: Snapshot,
    by_model: bool,
    tied: Collection[str] = (),
) -> tuple[list, dict[str, str]]:
    """The fits with, first among the reasons of each role that stands above one the page shows with a higher match,
    what speaks for it besides the match (`reasons.above_a_higher_match`), and those sentences by slug. Computed
    when the page is shown, from the stored levels and the roles' current requirements. `tied`: the two roles the
    result calls level in the order, whose sentence says so first."""
    specs = {spec.slug: spec for spec in current.roles}
    ranked = [(specs[role.slug], role.name, fit.match) for role, fit in fits if role.slug in specs]
    levels = {slug: score.expected for slug, score in profile.competencies.items()}
    above = above_a_higher_match(
        ranked,
        current.competencies,
        levels,
        profile.work_style,
        names,
        style_known=profile.work_style_confidence > 0,
        by_model=by_model,
        tied=tied,
    )
    if not above:
        return fits, above
    return [
        (role, dataclasses.replace(fit, reasons=(above[role.slug], *fit.reasons)) if role.slug in above else fit)
        for role, fit in fits
    ], above


def below_a_lower_match(fits: list) -> set[str]:
    """The roles shown after one whose match the page shows lower: their cards give every reason (the ones after
    the first two say why, over-qualification or work style), so that a 100 % role below a 98 % one says why."""
    shown = [(role.slug, whole_percent(fit.match.value)) for role, fit in fits]
    return {slug for index, (slug, match) in enumerate(shown) if any(match > above for _, above in shown[:index])}


def _with_left_out_prerequisites(
    path_steps: list,
    done: set[str],
    catalogue: Catalogue | None = None,
    unanswered: Collection[str] = (),
    names: Mapping[str, str] | None = None,
) -> list:
    """Each step with the prerequisites of its course that are neither in the path nor done (one query, and
    only when there are any), told apart by why: the path leaves out a prerequisite still offered only when the
    person's level already covers what it teaches (`paths._needed_prerequisites`; never one whose certificate the
    catalogue marks as required for admission, as RHCSA for RHCE), and one no longer offered (inactive, or deleted
    since) always; a provider may still ask for its certificate (TOGAF Practitioner without Foundation). "because
    your level covers it, or because it is no longer offered" left the person to guess which, beside a Foundation
    still offered. One no longer offered whose certificate is required for admission is said to be required: "if the
    provider asks for it" hedged what the catalogue knows. `unanswered`: the competencies the person answered no
    question about, named (`names`) where a prerequisite left out teaches them (its facts from `catalogue`)."""
    in_path = {step.course.slug for step, _course, _gaps in path_steps}
    missing = {
        step.course.slug: [p for p in step.course.prerequisites if p not in in_path and p not in done]
        for step, _course, _gaps in path_steps
    }
    wanted = {slug for slugs in missing.values() for slug in slugs}
    if not wanted:
        return path_steps
    titles = {
        course.slug: course
        for course in Course.objects.filter(slug__in=wanted).only("slug", "title_de", "title_en", "active")
    }

    def offered(slug: str) -> bool:
        course = titles.get(slug)
        return course is not None and course.active

    def title(slug: str) -> str:
        course = titles.get(slug)
        return slug if course is None else course.title

    def placeholders(slugs: list[str]) -> tuple[str, ...]:
        taught = {
            competency
            for slug in slugs
            if catalogue is not None and slug in catalogue.courses
            for competency, *_rest in catalogue.courses[slug].develops
        }
        return tuple((names or {}).get(slug, slug) for slug in sorted(taught) if slug in unanswered)

    return [
        (
            step,
            course,
            dataclasses.replace(
                gaps,
                left_out=tuple(title(p) for p in missing[step.course.slug] if offered(p)),
                left_out_unanswered=placeholders([p for p in missing[step.course.slug] if offered(p)]),
                withdrawn=tuple(
                    title(p) for p in missing[step.course.slug] if not offered(p) and p not in step.course.admission
                ),
                withdrawn_required=tuple(
                    title(p) for p in missing[step.course.slug] if not offered(p) and p in step.course.admission
                ),
            ),
        )
        for step, course, gaps in path_steps
    ]


def _with_what_needs_them(path_steps: list) -> list:
    """Each step with the later steps whose course lists its course as a prerequisite (a path puts a prerequisite
    before the course that needs it), those whose exam requires its certificate for admission apart."""
    later = [(number, step.course, course.title) for number, (step, course, _gaps) in enumerate(path_steps, 1)]

    def needing(slug: str, admission: bool) -> tuple[tuple[int, str], ...]:
        return tuple(
            (number, title)
            for number, planned, title in later
            if slug in planned.prerequisites and (slug in planned.admission) == admission
        )

    return [
        (
            step,
            course,
            dataclasses.replace(
                gaps, needed_for=needing(step.course.slug, False), admits_to=needing(step.course.slug, True)
            ),
        )
        for step, course, gaps in path_steps
    ]


TAUGHT_IN_FULL = 1.0  # a course teaches a competency only part of the way when its weight is below this


def _step_gaps(step, requirements: dict[str, float], names: dict[str, str]) -> StepGaps:
    """The step's gaps as the page says them. A course that teaches a competency only in part (its weight below 1:
    TOGAF's 0.3 for communication) is said to contribute to that gap, never to close it, even where the small
    share the path counts reaches the requirement (the weight's help text in the admin promises as much); there
    the page says instead that it is enough by the path's count (`side_reaches`, not also in `side`), since the gap
    then leaves the open ones. It is a side topic only where another of the course's competencies weighs more;
    the course's own subject taught in part is said so (`part`, `part_reaches`)."""
    top = max((weight for _slug, weight, _start, _end in step.course.develops), default=TAUGHT_IN_FULL)

    def kind(competency: str) -> str:
        effect = step.course.raises(competency)
        weight = TAUGHT_IN_FULL if effect is None else effect[0]
        return "full" if weight >= TAUGHT_IN_FULL else "side" if weight < top else "part"

    closes, narrows = closed_and_narrowed(step, requirements)

    def named(competencies: tuple[str, ...], wanted: str) -> tuple[str, ...]:
        return tuple(names.get(c, c) for c in competencies if kind(c) == wanted)

    return StepGaps(
        named(closes, "full"),
        named(narrows, "full"),
        side=named(narrows, "side"),
        side_reaches=named(closes, "side"),
        part=named(narrows, "part"),
        part_reaches=named(closes, "part"),
    )


def _digest(*parts) -> str:
    # pickle: several times quicker than repr for the same content, and as faithful (it can be read back)
    return hashlib.blake2b(pickle.dumps(parts, protocol=5), digest_size=16).hexdigest()


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value) -> tuple:
    """A dataclass's values as a tuple: the same content for a digest, quicker to serialise than the dataclass."""
    # typeshed's functools.cache wants Hashable arguments, and mypy does not count a class as one
    return tuple(getattr(value, name) for name in _field_names(type(value)))  # type: ignore[arg-type]


def _row(instance) -> list:
    """Every stored value of a model instance (both languages of a translated field, say)."""
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


FRAGMENT_SECONDS = 600  # how long an unused rendered fragment stays in a process's cache


def fragment_keys(context: dict) -> dict[str, str | int]:
    """How long to keep (`seconds`) and how to key the parts of the results page that depend only on the
    stored result, the content and the language.

    Each key is a digest of everything its part shows, so a changed result, a renamed competency or role, or
    the other language gives another key: nothing to invalidate. No part holds a token or a form token."""
    language = current_language()
    profile, work_style = context["profile"], context["work_style"]
    sections = [
        (
            group.section.name,
            [
                (row.competency.name, _plain(row.score), row.descriptor, row.lower_descriptor)
                for row in group.competencies
            ],
        )
        for group in context["sections"]
    ]
    # what the role parts show of a fit: the match with its range, and the reasons
    roles = [(_row(role), fit.match.value, fit.match.low, fit.match.high, fit.reasons) for role, fit in context["fits"]]
    every_role = _digest(language, roles)
    target_role = context["target_role"]
    steps = [(_row(course), _row(course.provider), closes) for _step, course, closes in context["path_steps"]]
    return {
        # A view that renders the page without these keys gets timeout 0 in the template: nothing is cached.
        "seconds": FRAGMENT_SECONDS,
        "profile": _digest(
            # "based on N answered questions"
            language,
            profile.answered,
            profile.holds_together,  # what the ranges claim
            sections,
            sorted(work_style.items()),
            context.get("self_rating_tendency", ""),
        ),
        "top_roles": _digest(language, roles[:3], sorted(context.get("hidden_gaps", {}).items())),
        "role_details": _digest(
            context["reliable"],
            every_role,
            [(fit.reasons, gaps) for _role, fit, gaps in context.get("role_details", [])],  # the order's reasons too
        ),
        # the chooser's order: the ranking's when reliable, else the roles' own order (`every_role` holds both)
        "picker": _digest(context["reliable"], target_role.slug if target_role else "", every_role),
        "charts": _digest(
            language,
            target_role.name if target_role else "",
            context.get("chart_rows"),
            profile.holds_together,  # what the legends claim of the ranges
        ),
        # each step of the learning path up to its "done" form (which holds a token), by its place in the path
        "path_steps": _digest(language, steps),
        # the feedback form as it is first shown (unbound): its only varying part is the choice of roles
        "feedback_fields": _digest(language, list(context["feedback_form"].fields["role"].choices)),
    }


def form_fragment_keys(context: dict, request) -> dict[str, str | int]:
    """How to key the parts of the results page that hold forms: the learning path's steps with their "done"
    forms and the section on keeping the result. They show the attempt's token, so it is in each key; and they are
    cached only on a page whose form token is a placeholder filled in after rendering (`views.results`), so that
    no cached part ever holds a form token."""
    language, assessment, target_role = current_language(), context["assessment"], context["target_role"]
    user = request.user
    return {
        "forms_seconds": FRAGMENT_SECONDS,
        "path_list": _digest(
            language,
            context["fragments"]["path_steps"],  # every step's course, as shown
            assessment.token,  # in each "done" form's address
            context["shared"],
            target_role.slug if target_role else "",
        ),
        "keep": _digest(
            language,
            assessment.token,
            assessment.share_token,
            request.scheme,
            request.get_host(),
            user.is_authenticated,
            user.pk,
            assessment.user_id,
            assessment.number,  # "kept in your account as attempt 3"
        ),
    }


def names_roles(result: Result) -> bool:
    """Whether the result's page names roles to judge ("Does this fit you?"): a reliable result with a role still
    offered."""
    offered = active_roles()
    return result.profile.reliable and any(role.slug in offered for role in result.recommendation.roles)


def record_outcome(assessment: Assessment, form: OutcomeForm, result: Result) -> bool:
    """Store, from valid feedback, the confirmed outcome of an assessment (its stored `result`, as the caller has
    read it): False when it already has one.

    One outcome per assessment, enforced by the database: of parallel posts, exactly one stores it."""
    offered = active_roles()
    # the role the page puts first: the ranking's first still offered (one withdrawn since is not on the page)
    profile, roles = result.profile, [role for role in result.recommendation.roles if role.slug in offered]
    chosen = form.cleaned_data["role"]
    try:
        with transaction.atomic():  # the outcome and the mark that deleting the attempt deletes it: both or neither
            ConfirmedOutcome.objects.create(
                assessment_key=ConfirmedOutcome.key_for(assessment.token),
                role=Role.objects.filter(slug=chosen).first() if chosen else None,
                relation=form.cleaned_data["relation"] if chosen else "",
                top_role=roles[0].slug if roles else "",
                top_role_fits=form.cleaned_data["fits"],
                levels={slug: round(level, 3) for slug, level in profile.levels().items()},
                work_style=profile.work_style,
                # A measurement the result itself calls unreliable is no label to learn from.
                reliable=profile.reliable,
            )
            marked = Assessment.objects.filter(pk=assessment.pk, feedback_given_at__isnull=True)
            marked.update(feedback_given_at=timezone.now())
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class KeptAttempt:
    """A finished attempt kept in an account, as "My results" lists it."""

    assessment: Assessment  # annotated with `answered`: how many questions it answered
    first_roles: list[Role]  # as its result page puts them first: one, two about level, or none (not reliable)


def kept_attempts(user) -> list[KeptAttempt]:
    """The finished attempts kept in `user`'s account, newest first, each with the role its result puts first.

    The roles come from the stored results the result pages show, so the list never tells another order than the
    page it links to: no role where the page refuses a ranking, both where it says two are about level."""
    attempts = (
        user.assessments.filter(finished_at__isnull=False)
        .select_related("result")
        .annotate(answered=Count("answers", filter=Q(answers__option__isnull=False)))
        # newest first by the numbers they were given when kept; one without a number (none is known to lack one)
        # last on every database, where PostgreSQL would put it first and SQLite last
        .order_by(F("number").desc(nulls_last=True), "-pk")
    )
    roles = active_roles()
    kept = []
    for attempt in attempts:
        result = result_for(attempt)
        first: list[Role] = []
        if result.profile.reliable:
            tied = finished_plan(attempt).get("tied_roles", []) if attempt.adaptive else []
            if len(tied) == 2 and all(slug in roles for slug in tied):
                first = [roles[slug] for slug in tied]
            else:
                first = [roles[fit.slug] for fit in result.recommendation.roles if fit.slug in roles][:1]
        kept.append(KeptAttempt(attempt, first))
    return kept


def unfinished_attempts(user) -> list[Assessment]:
    """The attempts in `user`'s account without a result now, newest first: begun logged in and not finished, or
    reopened to sharpen their result. "My results" leads back to them (their links are in no other browser)."""
    return list(user.assessments.filter(finished_at__isnull=True).order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class Answered:
    """One attempt's answers in one competency, what its level rests on: the knowledge checks answered (item id ->
    answered right) and the self-rating given (None: none)."""

    checks: dict[int, bool] = dataclasses.field(default_factory=dict)
    rating: int | None = None


@dataclass(frozen=True)
class AnswerBasis:
    """What one competency's two levels rest on, and where the answers behind them differ."""

    before: Answered
    after: Answered

    @property
    def only_before(self) -> int:
        """Knowledge checks the earlier attempt answered here and the later one did not."""
        return len(self.before.checks.keys() - self.after.checks.keys())

    @property
    def only_after(self) -> int:
        return len(self.after.checks.keys() - self.before.checks.keys())

    @property
    def other_checks(self) -> bool:
        """The attempts answered different knowledge checks here: a change may come from the questions asked."""
        return self.before.checks.keys() != self.after.checks.keys()

    @property
    def now_right(self) -> int:
        """Checks answered in both attempts, wrong in the earlier one and right in the later one."""
        return sum(1 for item, right in self.after.checks.items() if right and self.before.checks.get(item) is False)

    @property
    def now_wrong(self) -> int:
        return sum(1 for item, right in self.after.checks.items() if not right and self.before.checks.get(item))

    @property
    def answers_changed(self) -> bool:
        """The person answered otherwise here: another self-rating, or a check asked in both answered otherwise
        (any wrong option counts alike, as in the scoring). Checks asked in one attempt only are no changed answer:
        they are other questions (`other_checks`)."""
        return self.before.rating != self.after.rating or bool(self.now_right or self.now_wrong)


class ScoreChange(NamedTuple):
    competency: Any  # the Competency
    # the levels as shown (one decimal), so that the change is their difference; None: not measured then
    before: Decimal | None
    after: Decimal
    change: Decimal | None
    clear: bool  # the ranges of the two attempts do not overlap
    # the two levels' 90 % ranges as shown (low, high), so that "within the ranges" can be checked on the page
    before_range: tuple[float, float] | None
    after_range: tuple[float, float] | None
    basis: AnswerBasis  # the answers each level rests on


def answers_by_competency(*attempts: Assessment) -> tuple[dict[tuple[int, int], Answered], dict[int, int]]:
    """The answers of `attempts` as their levels rest on them, in one query: (attempt pk, competency pk) -> its
    knowledge checks and self-rating there, and attempt pk -> how many questions it answered (work style too).
    Only the questions an attempt was started with count, as in its scoring (`assessment.services.profile_for`)."""
    pools = {attempt.pk: set(attempt.item_ids) for attempt in attempts}
    rows = Answer.objects.filter(assessment_id__in=pools, option__isnull=False).values_list(
        "assessment_id", "item_id", "item__kind", "item__competency_id", "option__correct", "option__level"
    )
    checks: dict[tuple[int, int], dict[int, bool]] = {}
    ratings: dict[tuple[int, int], int] = {}
    answered = dict.fromkeys(pools, 0)
    for attempt, item, kind, competency, correct, level in rows:
        if item not in pools[attempt]:
            continue
        answered[attempt] += 1
        if kind == Item.Kind.KNOWLEDGE:
            checks.setdefault((attempt, competency), {})[item] = correct
        elif kind == Item.Kind.SELF_RATING and level is not None:
            ratings[(attempt, competency)] = level
    keys = checks.keys() | ratings.keys()
    return {key: Answered(checks.get(key, {}), ratings.get(key)) for key in keys}, answered


def _level_shown(level: float) -> Decimal:
    """A level as the pages show it (`one_decimal`, the profile's, the cards' and the charts'), exact, so that a
    change is the difference of the two numbers shown."""
    return Decimal(repr(one_decimal(level)))


def _in_the_account_order(attempt: Assessment) -> tuple[bool, int, int]:
    """The order of `kept_attempts` read the other way: by number, one without a number (none is known) last."""
    return (attempt.number is None, attempt.number or 0, attempt.pk)


def compare_attempts(earlier: Assessment, later: Assessment) -> dict:
    """Two kept attempts side by side (earlier first): competency scores and role match, each with its change.

    Earlier is the one with the lower number in the account, as "My results" lists them and sets its choice: by
    when they ended, an attempt reopened by "Ergebnis schärfen" after the other had ended changed sides, and the
    page showed the person's choice the other way round (a review)."""
    assert earlier.finished_at is not None and later.finished_at is not None, "only finished attempts are kept"
    if _in_the_account_order(earlier) > _in_the_account_order(later):
        earlier, later = later, earlier
    before, after = result_for(earlier), result_for(later)
    answers, answered = answers_by_competency(earlier, later)
    rows = []
    for group in profile_sections(after.profile):
        for row in group.competencies:
            old, new = before.profile.competencies.get(row.competency.slug), row.score
            after_range = (new.level_low, new.level_high)
            basis = AnswerBasis(
                answers.get((earlier.pk, row.competency.pk), Answered()),
                answers.get((later.pk, row.competency.pk), Answered()),
            )
            if old is None:  # a competency added since the earlier attempt: nothing to compare it with
                rows.append(
                    ScoreChange(row.competency, None, _level_shown(new.expected), None, False, None, after_range, basis)
                )
                continue
            shown = _level_shown(old.expected), _level_shown(new.expected)
            # clear only where the two 90 % ranges do not overlap: two attempts ask different questions
            clear = old.level_high < new.level_low or old.level_low > new.level_high
            before_range = (old.level_low, old.level_high)
            rows.append(
                ScoreChange(row.competency, *shown, shown[1] - shown[0], clear, before_range, after_range, basis)
            )
    roles = {r.slug: r for r in Role.objects.active()}
    # The match (how much of a role's requirements are met) is monotone: it never falls when levels rise. An
    # attempt its own results page calls unreliable gives no match here either.
    match_before = {f.slug: f.match for f in before.recommendation.roles} if before.profile.reliable else {}
    role_rows = [
        (roles[fit.slug], match_before.get(fit.slug), fit.match if after.profile.reliable else None)
        for fit in after.recommendation.roles
        if fit.slug in roles
    ]
    unreliable = not (before.profile.reliable and after.profile.reliable)
    together = moved_together([row.change for row in rows if row.change is not None])
    return {
        "together": together and together | evidence_of_moving_together(rows),
        "earlier": earlier,
        "later": later,
        "answered": (answered[earlier.pk], answered[later.pk]),
        # by number too, as "My results" names them: two attempts of the same minute read alike by their times
        "earlier_number": earlier.number,
        "later_number": later.number,
        "rows": rows,
        "role_rows": role_rows,
        "unreliable": unreliable,
        # answers that do not hold together: their ranges claim no 90 % (as on the attempt's own page)
        "ranges_off": not (before.profile.holds_together and after.profile.holds_together),
    }


# Every competency's level moved by at least this much, and the same way: the comparison says so in a sentence
TOGETHER_AT_LEAST = Decimal("0.5")  # ... (each change alone may lie within the ranges and be marked so)
TOGETHER_COMPETENCIES = 3  # ... when at least this many are compared


def moved_together(changes: list[Decimal]) -> dict | None:
    """Whether every level moved the same way by at least half a level: levels are read together (one self-rating
    bias, one mean level), so they move together, and ten changes "within the ranges" that all point down say
    more together than each alone. A judge read ten falls of 1.0 to 1.4 levels, each "within the ranges", and no
    word that they all fell."""
    if len(changes) < TOGETHER_COMPETENCIES:
        return None
    down = all(change <= -TOGETHER_AT_LEAST for change in changes)
    if not down and not all(change >= TOGETHER_AT_LEAST for change in changes):
        return None
    sizes = [abs(change) for change in changes]
    return {"down": down, "count": len(changes), "least": min(sizes), "most": max(sizes)}


def evidence_of_moving_together(rows: list[ScoreChange]) -> dict:
    """What levels that all moved the same way say together: more than each alone only where the answers behind
    each changed. Levels are read together (one self-rating bias, one pull to the person's own mean level), so a
    level whose answers did not change moves with the others, or with the knowledge checks an attempt asked and the
    other did not: no evidence of its own. A review read "changes that all point the same way say more together"
    over ten rises of which nine came from two checks answered wrong in one attempt and not asked in the other."""
    compared = [row for row in rows if row.change is not None]
    changed = [row.competency.name for row in compared if row.basis.answers_changed]
    unchanged = [row for row in compared if not row.basis.answers_changed]
    other_questions = [row.competency.name for row in unchanged if row.basis.other_checks]
    return {
        "changed": len(changed),
        "changed_names": get_text_list(changed, _("and")),
        "unchanged": len(unchanged),
        "other_questions": len(other_questions),
        "other_question_names": get_text_list(other_questions, _("and")),
    }


def trained_on(version: str) -> datetime.date | None:
    """The day a model version was trained, from its name (`recommender.VERSION_TIME`, then a digest):
    "Rollen geordnet mit dem Rollenmodell vom 04.12.2026" says something to a person, the name alone does not."""
    try:
        return datetime.datetime.strptime(version[:15], recommender.VERSION_TIME).date()
    except ValueError:
        return None
