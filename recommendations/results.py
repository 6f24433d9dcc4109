"""Results computed once and read many times: an assessment's profile, roles and learning path, stored.

`store_result` scores the answers, ranks the roles with the model active now and builds the path, and
keeps all of it as plain JSON (`StoredResult.document`). The page, the PDF, the JSON download and the
share view read that document back (`result_for`), so a newer model version never changes silently
what a person was shown: the page says when it was computed and offers to compute it again.

Choosing another target role or marking a course done rebuilds only the path from the stored levels
(`store_path`): the ranking the person saw stays as it was. Reasons are stored in every language of the
site, so switching the language shows the same result in the other language.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import threading
import weakref
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from assessment.adaptive import Standing
from assessment.measurement import CompetencyScore, ItemSpec, Profile, Reliability
from assessment.models import Assessment
from assessment.services import scored_attempt
from assessment.translation import current_language
from core.numbers import one_decimal, whole_percent
from core.rows import columns, fetch, quote, table
from recommendations import paths
from recommendations.asking import standing_of
from recommendations.catalogue import Snapshot, snapshot
from recommendations.matching import Gap, Match
from recommendations.models import CompletedCourse, Course, ModelVersion, StoredResult
from recommendations.paths import Catalogue, CourseSpec, LearningPath, Step
from recommendations.services import Recommendation, RoleFit, path_for, rank_roles, ranking_version

# Of the stored document; a document of another format is computed again. 2: the match ranges come from the
# measurement's joint posterior (format 1's were about half as wide as they should be).
FORMAT = 2
# The wording of the reasons stored with a result; raised when a reason's wording is mended, so that a result stored
# before says it as it is now (`reworded_late`). 2: a missed requirement reads "Stufe 2,4 (gefordert: 3)", not "2,4
# von 3", and a role still missed somewhere is no longer said to ask less than the person brings (December 2026).
# 3: "on average 0,8 of a level above" is worked out from the levels as the page writes them, and the work style
# sentence names the person's style as theirs ("Ihr Stil: eher Architekt"). 4: "deshalb steht sie weiter hinten"
# only behind a role that asks more, and a strength no knowledge check tested says so. 5: "on average 0.8 levels
# above" in English ("1.4 of a level above" read oddly; the German "Stufen" stays).
REASONS_VERSION = 5
# Profile fields a stored result leaves out: the joint posterior is kept only as the figures computed from it.
UNSTORED = frozenset({"extra", "level_mixture"})


@dataclass(frozen=True)
class Result:
    """A stored result, re-hydrated: what the templates, the PDF and the JSON download read."""

    profile: Profile
    recommendation: Recommendation
    chosen_role: str  # the target role the person picked; "" for the best-fitting one
    requirements: dict[str, float]  # the target role's required levels, competency slug -> level
    done: tuple[str, ...]  # courses counted as taken when the path was built
    model_version: str
    active_version: str
    computed_at: datetime
    # the role that came first before the result was computed anew ("Ergebnis schärfen", a newer model), and its
    # match, when another comes first now; the page says so ("" when the first role stayed)
    first_role_before: str = ""
    first_match_before: Match | None = None  # its value and range as shown then (no gaps kept)
    # how settled its best role is in the profiles its answers allow, by the model that ranked it
    # (`compute_document`); None for an unreliable one, or one stored before this was (an adaptive one's plan then
    # says it)
    standing: Standing | None = None
    # the roles offered and their requirements when it was computed (`roles_stamp`); "" for one stored before
    roles_stamp: str = ""
    # the competencies whose range, as the page shows it, came out wider when the result was computed anew
    # ("Ergebnis schärfen"): slug -> the range before (the button promises narrower ranges, and a person who answered
    # more, and rightly, saw 8 of 10 grow without a word; a review)
    ranges_before: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)


def _completions(assessment: Assessment):
    """The courses marked done that count for this attempt: its own, or those of any attempt kept in the same
    account."""
    if assessment.user_id:
        return CompletedCourse.objects.filter(assessment__user_id=assessment.user_id)
    return CompletedCourse.objects.filter(assessment=assessment)


def path_courses(steps: Any) -> set[str]:
    """The course slugs of a stored document's path steps (`document["path"]["steps"]`)."""
    return {
        str((step.get("course") or {}).get("slug"))
        for step in (steps if isinstance(steps, list) else [])
        if isinstance(step, dict)
    }


def stored_path_courses(assessment: Assessment) -> set[str]:
    """The courses of the learning path stored with the attempt's result."""
    return path_courses(
        StoredResult.objects.filter(assessment=assessment).values_list("document__path__steps", flat=True).first()
    )


def path_shown(reliability: str, chosen_role: str, roles: Collection[str]) -> bool:
    """Whether a result's page shows its path: an unreliable result settles no role, so only towards a role the
    person picked, and not at all on far too few answers (its levels would be the measurement's guess); and none
    without a role offered to lead towards (every role withdrawn: it said "you meet every requirement")."""
    too_few = reliability == Reliability.TOO_FEW
    return bool(roles) and (reliability == Reliability.OK or (chosen_role in roles and not too_few))


def completed_courses(assessment: Assessment) -> set[str]:
    """Courses marked done in this attempt, or in any attempt kept in the same account."""
    return set(_completions(assessment).values_list("course__slug", flat=True))


class CourseNotOffered(Exception):
    """A course no longer offered, and not on the person's path, asked to be marked done."""


def set_course_done(
    assessment: Assessment, course: Course, done: bool | None, current: Snapshot | None = None
) -> tuple[Result, bool]:
    """Mark a course of the path done or not done (`None`: flip what is marked, for a form from before it said which)
    and store the path again, towards its role (a course marked done chooses none). The result and whether the
    course is now marked done. A course no longer offered is marked done only from a path that holds it (a person
    may have taken it): a form naming any other is tampered with (`CourseNotOffered`); undoing works for any.
    `current`: the snapshot the caller has taken."""
    if done is None:
        done = course.slug not in completed_courses(assessment)
    if done and not course.active and course.slug not in stored_path_courses(assessment):
        raise CourseNotOffered(course.slug)
    mark_course_done(assessment, course, done)
    return store_path(assessment, current=current or snapshot()), done


def mark_course_done(assessment: Assessment, course: Course, done: bool) -> None:
    """Mark a course done for this attempt, or not done: then for every attempt it counts from (`completed_courses`),
    so that "not done after all" undoes a mark made in another attempt of the account too. Setting a state, not
    flipping it, so a form sent twice (a double click, a stale tab) leaves what the person asked for."""
    if done:
        CompletedCourse.objects.get_or_create(assessment=assessment, course=course)
    else:
        _completions(assessment).filter(course=course).delete()


def _active_version() -> str:
    rows = fetch(_active_version_sql(connection.vendor), [True], ())
    return (rows[0][0] if rows else "") or ""


@functools.cache
def _active_version_sql(vendor: str) -> str:
    return f"SELECT {quote('version')} FROM {table(ModelVersion)} WHERE {quote('active')} = %s"


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _path_document(
    goal: str, levels: Mapping[str, float], current: Snapshot, done: set[str], options: Mapping[str, Any]
) -> dict:
    path = path_for(current, goal, levels, done, **options)
    document = {f.name: getattr(path, f.name) for f in dataclasses.fields(path) if f.name != "steps"}
    for name, value in document.items():  # e.g. what the path would take without the limits
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            document[name] = dataclasses.asdict(value)
    document["open_gaps"] = list(path.open_gaps)
    document["steps"] = [
        {
            "course": dataclasses.asdict(step.course),
            "closes": list(step.closes),
            "requires": list(step.requires),
            "levels_after": step.levels_after,
        }
        for step in path.steps
    ]
    return document


def compute_document(
    assessment: Assessment,
    chosen_role: str = "",
    path_options: Mapping[str, Any] | None = None,
    current: Snapshot | None = None,
) -> dict:
    """Score, rank (with the model active now) and build the path: the whole result as plain data."""
    current = current or snapshot()
    items, answers, profile = scored_attempt(assessment)
    rankings = {language: rank_roles([profile], language, current)[0] for language in _languages()}
    ranking = rankings[_languages()[0]]
    reasons = {language: {fit.slug: list(fit.reasons) for fit in r.roles} for language, r in rankings.items()}
    roles = [
        {
            "slug": fit.slug,
            "fit": fit.fit,
            "match": dataclasses.asdict(fit.match),
            "reasons": {language: reasons[language].get(fit.slug, []) for language in reasons},
        }
        for fit in ranking.roles
    ]
    options = dict(path_options or {})
    done = completed_courses(assessment)
    goal = current.goal(chosen_role, (str(role["slug"]) for role in roles))
    return {
        "format": FORMAT,
        "profile": {
            **{f.name: getattr(profile, f.name) for f in dataclasses.fields(Profile) if f.name not in UNSTORED},
            "competencies": [dataclasses.asdict(score) for score in profile.competencies.values()],
        },
        "model_version": ranking.model_version,
        "levels": ranking.levels,
        "roles": roles,
        "reasons_version": REASONS_VERSION,
        "roles_stamp": roles_stamp(current),
        "chosen_role": chosen_role,
        "path_options": options,
        "done": sorted(done),
        "requirements": current.requirements(goal),
        "path": _path_document(goal, ranking.levels, current, done, options),
        # How sure the ranking is, judged once here as the adaptive test judges its own (`finished_plan`), by the
        # model that ranked it: for a reliable result (an unreliable one ranks nothing), `adaptive.Standing` as a
        # mapping. Of an adaptive result too: its plan was judged by the model of the day it stopped, and a result
        # computed anew by another one said that model's shares.
        "standing": _standing_document(items, answers, profile, current) if profile.reliable and roles else None,
    }


# Results computed before the one stored regardless: another request that stored the same attempt's result between
# this one's read and its write (a second tab choosing a role, marking a course done, computing anew) has it
# computed again from what that one stored, so that neither silently undoes the other.
STORE_ATTEMPTS = 3


def store_result(
    assessment: Assessment, chosen_role: str | None = None, path_options: Mapping[str, Any] | None = None
) -> Result:
    """Compute the whole result again (scores, ranking with the active model, path) and store it.

    `chosen_role` and `path_options` (keyword arguments of `learning_path_for`) default to the stored ones."""
    for attempt in range(STORE_ATTEMPTS):
        stored = StoredResult.objects.filter(assessment=assessment).values_list("document", flat=True).first() or {}
        chosen = stored.get("chosen_role", "") if chosen_role is None else chosen_role
        options = stored.get("path_options", {}) if path_options is None else path_options
        document = compute_document(assessment, chosen, options)
        first_before, first_now = (_first(stored) if stored.get("format") == FORMAT else None), _first(document)
        match = stored["roles"][0].get("match", {}) if first_before else {}
        # another role first, or the same one with another match as the page shows it (after "Ergebnis schärfen",
        # the first card went from 86 % to 76 % with only "computed anew" to say so)
        if (
            first_before
            and first_now
            and (first_before != first_now or _shown(match) != _shown(document["roles"][0].get("match", {})))
        ):
            document["first_role_before"] = {
                "slug": first_before,
                "match": {k: match.get(k) for k in ("value", "low", "high")},
            }
        # after more answers ("Ergebnis schärfen"), not after a newer model or item calibration alone
        more_answers = (
            stored.get("format") == FORMAT and document["profile"]["answered"] > stored["profile"]["answered"]
        )
        if more_answers:
            wider = widened_ranges(stored["profile"]["competencies"], document["profile"]["competencies"])
            if wider:
                document["ranges_before"] = wider
        last = attempt == STORE_ATTEMPTS - 1
        saved = _save(assessment, document, _active_version(), read=None if last else stored)
        if saved is not None:
            return saved
    raise AssertionError("the last attempt stores regardless")  # pragma: no cover


def widened_ranges(before: Iterable[Mapping[str, Any]], now: Iterable[Mapping[str, Any]]) -> dict[str, list[float]]:
    """The competencies whose range as the page shows it (one decimal) is wider now than before: slug -> the range
    before. Stored competencies (`CompetencyScore` as a mapping)."""
    earlier = {score["slug"]: score for score in before}
    wider = {}
    for score in now:
        old = earlier.get(score["slug"])
        if old is None:
            continue
        width_then = one_decimal(old["level_high"]) - one_decimal(old["level_low"])
        if one_decimal(score["level_high"]) - one_decimal(score["level_low"]) > width_then + 1e-9:
            wider[score["slug"]] = [old["level_low"], old["level_high"]]
    return wider


def _shown(match: Mapping[str, Any]) -> tuple:
    """A match as the page shows it: its value and range in whole percent (None where one is not a number)."""
    return tuple(
        whole_percent(match[k]) if isinstance(match.get(k), (int, float)) else None for k in ("value", "low", "high")
    )


def _first(document: Mapping[str, Any]) -> str | None:
    """The role a reliable document ranks first (an unreliable one ranks none)."""
    if document["profile"].get("reliability") != "ok" or not document["roles"]:
        return None
    return document["roles"][0]["slug"]


def store_path(
    assessment: Assessment,
    chosen_role: str | None = None,
    path_options: Mapping[str, Any] | None = None,
    *,
    current: Snapshot | None = None,
    done: set[str] | None = None,
) -> Result:
    """Build the learning path again (another target role, a course marked done, path limits) from the
    stored levels, and store it; the roles keep the ranking the person saw. `current` and `done`: the snapshot and
    the courses marked done when the caller has just read them."""
    for attempt in range(STORE_ATTEMPTS):
        stored = StoredResult.objects.filter(assessment=assessment).first()
        if stored is None or stored.document.get("format") != FORMAT:
            return store_result(assessment, chosen_role, path_options)
        document = dict(stored.document)
        done_now = completed_courses(assessment) if done is None or attempt else done
        document.update(path_document(document, chosen_role, path_options, done=done_now, current=current))
        last = attempt == STORE_ATTEMPTS - 1
        saved = _save(
            assessment,
            document,
            stored.active_version,
            computed_at=stored.computed_at,
            read=None if last else stored.document,
        )
        if saved is not None:
            return saved
    raise AssertionError("the last attempt stores regardless")  # pragma: no cover


# The path parts `path_document` built, per catalogue snapshot (a new snapshot after any change to the catalogue or
# the roles is a new `Catalogue`, and its entries go with it). A shared view builds an outdated path without storing
# it, and previews other roles: without this, every view of the same link ran the path's optimisation again.
_built_paths: weakref.WeakKeyDictionary[Catalogue, dict[tuple, dict]] = weakref.WeakKeyDictionary()
_built_paths_lock = threading.Lock()
BUILT_PATHS_KEPT = 128  # per process and snapshot; a path's parts are a few kilobytes


def path_document(
    document: Mapping[str, Any],
    chosen_role: str | None = None,
    path_options: Mapping[str, Any] | None = None,
    done: set[str] | None = None,
    current: Snapshot | None = None,
) -> dict:
    """The parts of a stored document that change with the target role, the path limits or the courses done."""
    current = current or snapshot()
    chosen = document.get("chosen_role", "") if chosen_role is None else chosen_role
    if chosen and chosen not in {role.slug for role in current.roles}:
        chosen = ""  # withdrawn since it was chosen: the path leads to the best-fitting role, which nobody chose
    options = dict(document.get("path_options", {}) if path_options is None else path_options)
    done = set(document.get("done", ())) if done is None else done
    goal = current.goal(chosen, (role["slug"] for role in document["roles"]))
    try:  # what the path depends on besides the snapshot
        key: tuple | None = (goal, frozenset(document["levels"].items()), frozenset(options.items()), frozenset(done))
    except TypeError:  # a stored value that is not plain data: built, not kept
        key = None
    with _built_paths_lock:
        built = _built_paths.get(current.catalogue, {}).get(key) if key is not None else None
    if built is None:
        built = {
            "requirements": current.requirements(goal),
            "path": _path_document(goal, document["levels"], current, done, options),
        }
        if key is not None:
            with _built_paths_lock:
                kept = _built_paths.setdefault(current.catalogue, {})
                if len(kept) >= BUILT_PATHS_KEPT:
                    kept.pop(next(iter(kept)))  # the oldest
                kept[key] = built
    return {"chosen_role": chosen, "path_options": options, "done": sorted(done), **built}


def _save(
    assessment: Assessment, document: dict, active_version: str, computed_at=None, read: Mapping | None = None
) -> Result | None:
    """Store `document` as the assessment's result; with `read` (the stored document it was computed from, {} for
    none) only while that is still what is stored, else None (under the row's lock: of two requests, the later sees
    what the earlier stored)."""
    from django.utils import timezone

    with transaction.atomic():
        if read is not None:
            now = (
                StoredResult.objects.select_for_update()
                .filter(assessment=assessment)
                .values_list("document", flat=True)
            )
            if (now.first() or {}) != read:
                return None
        row, _created = StoredResult.objects.update_or_create(
            assessment=assessment,
            defaults={
                "document": document,
                "model_version": document["model_version"],
                "active_version": active_version,
                "computed_at": computed_at or timezone.now(),
            },
        )
    assessment.result = row  # what this request shows next is what was just stored, not the row it read before
    return hydrate(row)


def assessment_with_result(token: str) -> Assessment | None:
    """The assessment with this token, with its stored result when there is one, in one query (the results
    page's: its SQL is written once, see `core.rows`)."""
    rows = fetch(_assessment_sql(connection.vendor), [token], (Assessment, StoredResult))
    if not rows:
        return None
    assessment, stored = rows[0]
    if stored is not None:
        assessment.result = stored  # as select_related("result") leaves it
    return assessment


@functools.cache
def _assessment_sql(vendor: str) -> str:
    return (
        f"SELECT {columns(Assessment, 'a')}, {columns(StoredResult, 'r')} FROM {table(Assessment)} a "
        f"LEFT JOIN {table(StoredResult)} r ON r.{quote('assessment_id')} = a.{quote('id')} "
        f"WHERE a.{quote('token')} = %s"
    )


def result_for(assessment: Assessment) -> Result:
    """The stored result of a finished assessment; computed and stored first if there is none yet."""
    try:
        row = assessment.result
    except StoredResult.DoesNotExist:
        row = None
    if row is None or row.document.get("format") != FORMAT:
        return store_result(assessment)
    if assessment.finished_at is not None and row.computed_at < assessment.finished_at:
        return store_result(assessment)  # finished again since ("Ergebnis schärfen"): the answers changed
    return hydrate(row)


def result_with_current_path(assessment: Assessment, *, store: bool = True, current: Snapshot | None = None) -> Result:
    """`result_for`, with its learning path built again when it no longer holds: the courses marked done have
    changed since it was stored (in another attempt kept in the same account, or by a second click whose path was
    stored before this one's), its target role was withdrawn, or a course on it now takes other hours or costs
    another price (the person's limits were kept with the old figures, and the page showed the new ones beside
    the stored totals). A course withdrawn stays on the path, marked, with the offer to compute the result again.
    For the pages that show the path; `store=False` (a shared, read-only view) builds a new path without storing
    it. A result missing or older than the attempt's answers is computed and stored first either way
    (`result_for`: the same computation the owner's view would make). `current`: the snapshot the page has just
    taken."""
    current = current or snapshot()
    result = result_for(assessment)
    if store:  # a shared, read-only view leaves a stored result as it is: the owner's next view judges and rewords it
        result = reworded_late(assessment, judged_late(assessment, result, current), current)
    done = completed_courses(assessment)
    if set(result.done) != done or path_outdated(result.recommendation.path, current):
        if store:
            return store_path(assessment, current=current, done=done)
        return preview_path(assessment, result.chosen_role, current=current, done=done)
    path = path_as_it_is_now(result.recommendation.path, current)
    if path is result.recommendation.path:
        return result
    return dataclasses.replace(result, recommendation=dataclasses.replace(result.recommendation, path=path))


def judged_late(assessment: Assessment, result: Result, current: Snapshot) -> Result:
    """A reliable result of every question stored before how sure its ranking is was stored with it (`standing`; until
    December 2026 only its best role and top-three share, `top_three`): judged now and stored, once, where the roles
    would be ranked as they were (by the same model, of the same roles); otherwise it is judged when the result is
    computed again ("Compute again" is offered then)."""
    row = assessment.result
    if "standing" in row.document or assessment.adaptive or not result.profile.reliable:
        return result
    stored_roles = {fit.slug for fit in result.recommendation.roles}
    if result.model_version != ranking_version(current) or stored_roles != {r.slug for r in current.roles}:
        return result
    items, answers, profile = scored_attempt(assessment)
    judged = _standing_document(items, answers, profile, current) if stored_roles else None
    document = {key: value for key, value in row.document.items() if key != "top_three"} | {"standing": judged}
    saved = _save(assessment, document, row.active_version, computed_at=row.computed_at, read=row.document)
    return result if saved is None else dataclasses.replace(result, standing=saved.standing)


def _standing_document(
    items: Iterable[ItemSpec], answers: Mapping[str, str | None], profile: Profile, current: Snapshot
) -> dict[str, Any] | None:
    judged = standing_of(items, answers, profile, current)
    return None if judged is None else dataclasses.asdict(judged)


def _ranked(roles: list) -> list:
    """What a ranking's roles say but their reasons: the order, each role's score and match with its range and gaps."""
    return [(r["slug"], r["fit"], r["match"]) for r in roles]


def reworded_late(assessment: Assessment, result: Result, current: Snapshot) -> Result:
    """A result whose reasons were stored in a wording mended since (`REASONS_VERSION`) gets them written anew, once,
    where its answers ranked now give the very ranking that is stored (the same order, scores and matches: the same
    model, roles and measurement); otherwise they stay as stored until the result is computed again. A review read a
    stored "Sie bringen mehr mit, als diese Rolle verlangt" beside a requirement missed by two levels, which new
    results no longer say."""
    row = assessment.result
    if REASONS_VERSION in (row.document.get("reasons_version"), row.document.get("reasons_kept")):
        return result
    stored_roles = {r["slug"] for r in row.document["roles"]}
    if result.model_version != ranking_version(current) or stored_roles != {r.slug for r in current.roles}:
        return result  # ranked otherwise now: "Compute again" is offered, and words the result anew
    _items, _answers, profile = scored_attempt(assessment)
    rankings = {language: rank_roles([profile], language, current)[0] for language in _languages()}
    roles = [
        {"slug": fit.slug, "fit": fit.fit, "match": dataclasses.asdict(fit.match)}
        for fit in rankings[_languages()[0]].roles
    ]
    if _ranked(json.loads(json.dumps(roles))) != _ranked(row.document["roles"]):  # as JSON stores it (lists)
        # a role's requirements or the measurement changed since: kept as stored, and not checked again
        kept = {**row.document, "reasons_kept": REASONS_VERSION}
        _save(assessment, kept, row.active_version, computed_at=row.computed_at, read=row.document)
        return result
    reasons = {language: {fit.slug: list(fit.reasons) for fit in r.roles} for language, r in rankings.items()}
    document = {
        **row.document,
        "roles": [
            {**stored, "reasons": {language: reasons[language][stored["slug"]] for language in reasons}}
            for stored in row.document["roles"]
        ],
        "reasons_version": REASONS_VERSION,
    }
    saved = _save(assessment, document, row.active_version, computed_at=row.computed_at, read=row.document)
    return result if saved is None else dataclasses.replace(result, recommendation=saved.recommendation)


def path_as_it_is_now(path: LearningPath, current: Snapshot) -> LearningPath:
    """The stored `path` with each course's facts as they are now: hours, price, and whether it is still offered (a
    course deleted since is not). Not outdated (`path_outdated`), only a course no longer offered can differ; the page,
    its PDF and the JSON download all show and count it so."""
    steps = []
    for step in path.steps:
        now = current.catalogue.every.get(step.course.slug)
        facts = (
            (False, step.course.hours, step.course.price_eur) if now is None else (now.active, now.hours, now.price_eur)
        )
        if facts != (step.course.active, step.course.hours, step.course.price_eur):
            course = dataclasses.replace(step.course, active=facts[0], hours=facts[1], price_eur=facts[2])
            step = dataclasses.replace(step, course=course)
        steps.append(step)
    if all(new is old for new, old in zip(steps, path.steps)):
        return path
    return dataclasses.replace(path, steps=tuple(steps))


def path_outdated(path: LearningPath, current: Snapshot) -> bool:
    """Whether the stored `path` leads to a role no longer offered, counts a course's hours or price as they no
    longer are, or was planned before a course on it had the admission requirements it has now (a path stored
    before the ITIL Foundation was marked as required for the Managing Professional modules left it out as covered
    by the person's level, and the page said so), or says what it would take without the limits by another path
    than the one shown without them (`Unlimited.as_shown`)."""
    if path.target_role and path.target_role not in {role.slug for role in current.roles}:
        return True
    if path.unlimited is not None and not path.unlimited.as_shown:
        return True
    for step in path.steps:
        course = current.catalogue.courses.get(step.course.slug)  # active courses only
        if course is not None and (course.hours, course.price_eur, set(course.admission)) != (
            step.course.hours,
            step.course.price_eur,
            set(step.course.admission),
        ):
            return True
    return False


# --- re-hydration: plain data back into the dataclasses the templates and documents read -----------------


@functools.cache
def _field_names(cls) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def _build(cls, data: Mapping[str, Any], **overrides):
    """An instance of dataclass `cls` from stored data, ignoring keys it no longer has."""
    names = _field_names(cls)
    if not overrides and data.keys() <= names:  # the usual case: stored by this version
        return cls(**data)
    return cls(**{k: v for k, v in data.items() if k in names and k not in overrides}, **overrides)


def _profile(data: Mapping[str, Any]) -> Profile:
    scores = {
        c["slug"]: _build(
            CompetencyScore,
            c,
            posterior=tuple(c.get("posterior", ())),
            knowledge_posterior=tuple(c.get("knowledge_posterior", ())),  # absent in results stored before
        )
        for c in data["competencies"]
    }
    bias_range = data.get("self_bias_range")  # a pair; JSON keeps it as a list (None before it was stored)
    style_range = data.get("work_style_range")  # the same
    return _build(
        Profile,
        {k: v for k, v in data.items() if k != "competencies"},
        competencies=scores,
        self_bias_range=tuple(bias_range) if bias_range else None,
        work_style_range=tuple(style_range) if style_range else None,
    )


def _match(data: Mapping[str, Any]) -> Match:
    gaps = tuple(_build(Gap, g) for g in data.get("gaps", ()))
    return _build(Match, {k: v for k, v in data.items() if k != "gaps"}, gaps=gaps)


def _course(data: Mapping[str, Any]) -> CourseSpec:
    develops = tuple(tuple(d) for d in data.get("develops", ()))
    prerequisites = tuple(data.get("prerequisites", ()))
    admission = tuple(data.get("admission", ()))  # absent in results stored before
    rest = {k: v for k, v in data.items() if k not in ("develops", "prerequisites", "admission")}
    return _build(CourseSpec, rest, develops=develops, prerequisites=prerequisites, admission=admission)


def _tuples(data: Mapping[str, Any]) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _path(data: Mapping[str, Any]) -> LearningPath:
    steps = tuple(
        Step(
            course=_course(s["course"]),
            closes=tuple(s.get("closes", ())),
            requires=tuple(s.get("requires", ())),
            levels_after=dict(s.get("levels_after", {})),
        )
        for s in data.get("steps", ())
    )
    rest = {k: v for k, v in data.items() if k != "steps"}
    for field in dataclasses.fields(LearningPath):
        value = rest.get(field.name)
        kind = getattr(paths, str(field.type).split(" |")[0], None)  # a nested dataclass, e.g. Unlimited
        if isinstance(value, dict) and dataclasses.is_dataclass(kind):
            rest[field.name] = _build(kind, _tuples(value))
    return _build(LearningPath, _tuples(rest), steps=steps)


def hydrate(row: StoredResult, language: str | None = None) -> Result:
    """The stored result as the dataclasses the pages read, with the reasons in `language` (default: active)."""
    document = row.document
    language = language or current_language()
    roles = tuple(
        RoleFit(
            slug=r["slug"],
            fit=r["fit"],
            match=_match(r["match"]),
            reasons=tuple(r["reasons"].get(language) or next(iter(r["reasons"].values()), [])),
        )
        for r in document["roles"]
    )
    return Result(
        profile=_profile(document["profile"]),
        recommendation=Recommendation(
            model_version=document["model_version"], roles=roles, path=_path(document["path"])
        ),
        chosen_role=document.get("chosen_role", ""),
        requirements={k: float(v) for k, v in document.get("requirements", {}).items()},
        done=tuple(document.get("done", ())),
        model_version=row.model_version,
        active_version=row.active_version,
        computed_at=row.computed_at,
        first_role_before=(document.get("first_role_before") or {}).get("slug", ""),
        first_match_before=_match_before((document.get("first_role_before") or {}).get("match")),
        ranges_before={
            slug: (float(low), float(high)) for slug, (low, high) in (document.get("ranges_before") or {}).items()
        },
        standing=_standing(document.get("standing", document.get("top_three"))),
        roles_stamp=str(document.get("roles_stamp", "")),
    )


def _standing(stored: Any) -> Standing | None:
    """The stored `Standing`; one stored before December 2026 as [best role, top-three share] has only those."""
    if isinstance(stored, (list, tuple)) and len(stored) == 2:
        return Standing(best_role=str(stored[0]), stability=float(stored[1]))
    if not isinstance(stored, dict):
        return None
    try:
        return Standing(**stored)
    except TypeError:  # another shape: judged again when computed again
        return None


def _match_before(stored: Any) -> Match | None:
    """The earlier first role's match with its range; None for one stored without its range (before December
    2026), whose bare number the page would give without its uncertainty."""
    if not isinstance(stored, dict) or any(
        not isinstance(stored.get(k), (int, float)) for k in ("value", "low", "high")
    ):
        return None
    return Match(value=stored["value"], low=stored["low"], high=stored["high"], gaps=())


def preview_path(
    assessment: Assessment,
    chosen_role: str | None,
    path_options: Mapping[str, Any] | None = None,
    *,
    current: Snapshot | None = None,
    done: set[str] | None = None,
) -> Result:
    """The stored result with the path towards another role (or within other limits), not stored (for someone
    the result was shared with); `chosen_role` None: the role chosen in the stored result, as for `store_path`.
    `current` and `done` as for `store_path`."""
    row = assessment.result
    if done is None:
        done = completed_courses(assessment)  # as the owner's page counts them now, not as they were stored
    document = {**row.document, **path_document(row.document, chosen_role, path_options, done=done, current=current)}
    unsaved = StoredResult(
        assessment=assessment,
        document=document,
        model_version=row.model_version,
        active_version=row.active_version,
        computed_at=row.computed_at,
    )
    return hydrate(unsaved)


def model_change_since(result: Result, current: Snapshot | None = None) -> str:
    """How the model version active now differs from the one the result was computed with (as the snapshot `current`
    read it with its freshness query, or one query): "" not at all; "none" when no model is active now (the
    transparent order ranks); "newer" when the active one was trained later (versions are named by their training
    time, `recommender.VERSION_TIME`) or the result was ranked without one; else "other" (an admin switched back to
    an older version: results said "a newer model version" of it, a review)."""
    if current is not None and current.model_state is not None:
        active = current.model_state[0] or ""
    else:
        active = _active_version()
    if active == result.active_version:
        return ""
    if not active:
        return "none"
    if not result.active_version or (
        _TIMED.match(active) and _TIMED.match(result.active_version) and active > result.active_version
    ):
        return "newer"
    return "other"


_TIMED = re.compile(r"\d{8}-\d{6}-")  # a version named by its training time (`recommender.VERSION_TIME`)


def roles_stamp(current: Snapshot) -> str:
    """A digest of the roles offered, with their required levels and work styles, in `current`: stored with a
    result, so that its page can tell when an admin has changed them since."""
    # by name, not by position: a competency added (no role asks it yet) or moved in the order changes no role
    roles = sorted(
        (r.slug, r.work_style, sorted((c, level) for c, level in zip(current.competencies, r.requirements) if level))
        for r in current.roles
    )
    return hashlib.sha256(repr(roles).encode()).hexdigest()[:16]


def roles_changed_since(result: Result, current: Snapshot) -> bool:
    """Whether the roles were changed since the result was computed (a requirement, a work style, which roles are
    offered): its reasons and matches then give requirements that no longer apply, and the page said nothing (a
    review raised a requirement from 4 to 5 and read "gefordert: 4" on every stored result). For a result stored
    before the stamp was: whether a requirement its gaps name differs from the role's now."""
    if result.roles_stamp:
        return result.roles_stamp != roles_stamp(current)
    offered = {r.slug: dict(zip(current.competencies, r.requirements)) for r in current.roles}
    return any(
        gap.required != offered[fit.slug].get(gap.competency, gap.required)
        for fit in result.recommendation.roles
        if fit.slug in offered
        for gap in fit.match.gaps
    )
