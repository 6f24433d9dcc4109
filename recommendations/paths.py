"""Build a learning path: the ordered courses that close a person's gaps towards a role.

The path is a small optimisation (`optimal_path`): of the courses that can teach the missing levels,
the set that leaves the fewest gaps open (as the page counts them), then the fewest level steps, then the
fewest hours, then the lowest known price (free and fundable
offers first at equal hours), within optional limits on hours and euros, with prerequisites. When
the limits (or the catalogue) cannot close a gap, the path names it in `open_gaps` and says what the
path without limits would take. The optimum is exact: a small branch and bound in plain Python
(`_branch_and_bound`) for the usual problem of a handful of steps and candidates, scipy's HiGHS for
the rare one too big for it. Without scipy (or should it fail) the greedy path below is the
fallback. Either way the steps' `levels_after` come from applying the courses in order, so what a
step claims and where the path ends always agree.

Pure functions on plain data. The rules of the greedy fallback:
* a gap is a competency where the person is below the role's requirement (by more than a
  quarter level, the precision of the estimate);
* a course helps with a gap when it develops that competency, starts no higher than where the
  person is now (or will be after earlier steps) and brings them further; a course the person
  has outgrown (they are at or above the level it leads to) is never chosen, nor an inactive one;
* the biggest gaps are served first, the core of the role weighing more; practical formats win
  ties against certificate courses (the seed warns against collecting certificates);
* prerequisites come first: a required course the person has not outgrown joins the path before
  the course that needs it, and one whose certificate is required for admission joins it whatever the
  person's level (without the certificate there is no exam); no course appears twice;
* courses the person marked as done count as taken: they raise the levels they teach and
  satisfy prerequisites, and do not appear again.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from core.numbers import one_decimal
from core.rounding import half_up

log = logging.getLogger(__name__)

TOLERANCE = 0.25
PRACTICAL_FORMATS = frozenset({"on_the_job", "classroom", "blended"})
MAX_STEPS = 12
# The optimiser's objective, in hours: a euro of known price weighs 1/100,000 of an hour, so price
# only decides between paths of equal hours; a course without a known price counts as
# PRICE_ON_REQUEST_EUR for that, a fundable one gets FUNDED_BONUS_EUR off, and a practical format
# (on the job, classroom, blended) PRACTICAL_BONUS_EUR: the seed warns against collecting certificates.
EURO_IN_HOURS = 1e-5
PRICE_ON_REQUEST_EUR = 1000.0
FUNDED_BONUS_EUR = 50.0
PRACTICAL_BONUS_EUR = 10.0
# A level step left open costs this many hours per unit of the gap's priority: more than any catalogue
# path takes, so the optimiser leaves a step open only when no course, or no course within the limits,
# can teach it.
OPEN_STEP_HOURS = 10_000.0
# How often a path is planned again without a set of courses whose order left open a gap the optimiser counted
# as closed (rare: 2 of 400 generated paths, none of the shipped catalogue's in a review's 960).
REPLANS = 30
# Per missing level step, the courses considered: the cheapest in hours, and the cheapest in hours per
# step they teach (so a long course that teaches several steps competes). Prerequisites join them.
CANDIDATES_PER_STEP = 6


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    hours: float
    price_eur: float | None  # None: no price known (quoted on request, or not confirmed)
    develops: tuple[tuple[str, float, int, int], ...]  # (competency, weight, from_level, to_level)
    prerequisites: tuple[str, ...] = ()
    # the prerequisites whose certificate the awarding body requires for admission: never left out as outgrown
    admission: tuple[str, ...] = ()
    active: bool = True
    format: str = "online"
    certificate: str = ""
    title_en: str = ""
    provider: str = ""  # the provider's name (the in-house "provider": its German name, see `in_house`)
    url: str = ""  # the offer's page; empty only for in-house formats
    funded: bool = False  # usually fundable (e.g. Bildungsgutschein)
    in_house: bool = False  # a format in one's own organisation, named in the reader's language

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title

    def raises(self, competency: str) -> tuple[float, int, int] | None:
        for slug, weight, start, end in self.develops:
            if slug == competency:
                return weight, start, end
        return None


@dataclass(frozen=True)
class Step:
    course: CourseSpec
    closes: tuple[str, ...]  # competency slugs whose gap it works on
    requires: tuple[str, ...]  # course slugs in the path that must come first
    levels_after: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Unlimited:
    """What the path without the person's limits would take."""

    hours: float
    price_eur: float
    courses_price_on_request: int
    open_gaps: tuple[str, ...]
    # the path shown without the limits (`_planned_path`); False: stored before 6 Dec 2026, the optimiser's own path
    # without them, which the shown one could beat (`results.path_outdated` has such a path planned again)
    as_shown: bool = False


@dataclass(frozen=True)
class LearningPath:
    target_role: str
    steps: tuple[Step, ...]
    open_gaps: tuple[str, ...]  # gaps the path does not close (no course can, or none within the limits)
    max_hours: float | None = None
    max_price_eur: float | None = None
    unlimited: Unlimited | None = None  # only when limits left a gap open that the catalogue could close
    optimised: bool = False  # False: the greedy fallback built it
    # the open gaps no path closes, however many courses and whatever the limits (None: stored before it was
    # known); the others are left open by the limits or by the path's length (at most `max_steps` courses)
    unreachable: tuple[str, ...] | None = None

    @property
    def total_hours(self) -> float:
        return half_up(sum(s.course.hours for s in self.steps), 1)

    @property
    def total_price_eur(self) -> float:
        """The sum of the known prices (`courses_price_on_request` counts the others)."""
        return round(sum(s.course.price_eur for s in self.steps if s.course.price_eur is not None), 2)

    @property
    def courses_price_on_request(self) -> int:
        return sum(1 for s in self.steps if s.course.price_eur is None)


def closed_and_narrowed(step: Step, requirements: Mapping[str, float]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The gaps a step closes (its `levels_after` reach the requirement, as `open_gaps` counts it) and the ones
    it only narrows: what the path's pages may claim for the step."""
    closed: list[str] = []
    narrowed: list[str] = []
    for competency in step.closes:
        required = requirements.get(competency)
        reached = required is not None and required - step.levels_after.get(competency, 0.0) <= TOLERANCE
        (closed if reached else narrowed).append(competency)
    return tuple(closed), tuple(narrowed)


def step_outcomes(
    path: LearningPath, requirements: Mapping[str, float] | None = None
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per step, the gaps it closes and the ones it only narrows. Without the role's requirements: a step closes
    a gap when it is the last step to work on it and the path does not leave it open."""
    if requirements is not None:
        return [closed_and_narrowed(step, requirements) for step in path.steps]
    outcomes = []
    for index, step in enumerate(path.steps):
        later = {c for other in path.steps[index + 1 :] for c in other.closes}
        closed = tuple(c for c in step.closes if c not in later and c not in path.open_gaps)
        outcomes.append((closed, tuple(c for c in step.closes if c not in closed)))
    return outcomes


class Catalogue:
    """Active courses indexed by competency, built once and reused for many paths."""

    def __init__(self, courses: Sequence[CourseSpec]) -> None:
        self.courses = {c.slug: c for c in courses if c.active}
        self.every = {c.slug: c for c in courses}  # offered or not: what a stored path's courses are now
        self.by_competency: dict[str, list[CourseSpec]] = {}
        for course in self.courses.values():
            for competency, *_ in course.develops:
                self.by_competency.setdefault(competency, []).append(course)
        self._tables: dict[str, _Table] = {}

    def table(self, competency: str) -> _Table:
        """The courses that develop `competency` as arrays, for the optimiser (built once)."""
        if competency not in self._tables:
            # once each, even where a course names the competency twice
            courses = list({c.slug: c for c in self.by_competency.get(competency, [])}.values())
            raised = [c.raises(competency) or (0.0, 0, 0) for c in courses]
            slugs = [c.slug for c in courses]
            order = sorted(range(len(slugs)), key=slugs.__getitem__)
            rank = np.empty(len(slugs), dtype=int)
            rank[order] = np.arange(len(slugs))
            self._tables[competency] = _Table(
                slugs=slugs,
                index={slug: i for i, slug in enumerate(slugs)},
                weight=np.array([r[0] for r in raised], dtype=float),
                start=np.array([r[1] for r in raised], dtype=float),
                end=np.array([r[2] for r in raised], dtype=float),
                cost=np.array([_objective_hours(c) for c in courses], dtype=float),
                hours=np.array([c.hours for c in courses], dtype=float),
                known_price=np.array([c.price_eur or 0.0 for c in courses], dtype=float),
                not_practical=np.array([c.format not in PRACTICAL_FORMATS for c in courses], dtype=bool),
                slug_rank=rank,
            )
        return self._tables[competency]


@dataclass(frozen=True)
class _Table:
    slugs: list[str]
    index: dict[str, int]  # slug -> position
    weight: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cost: np.ndarray  # the optimiser's objective hours
    hours: np.ndarray
    known_price: np.ndarray  # 0 where no price is known
    not_practical: np.ndarray
    slug_rank: np.ndarray  # position in the slugs' alphabetical order, to break ties as the slugs do


def gaps_for(levels: Mapping[str, float], requirements: Mapping[str, float]) -> dict[str, float]:
    """competency -> how many levels the person is below the requirement (only real gaps)."""
    return {
        slug: round(required - levels.get(slug, 0.0), 3)
        for slug, required in requirements.items()
        if required - levels.get(slug, 0.0) > TOLERANCE
    }


def _priority(gap: float, required: float) -> float:
    return gap * (1.0 + required / 5)


def _best_course(
    catalogue: Catalogue, competency: str, current: Mapping[str, float], taken: set[str]
) -> CourseSpec | None:
    """The course that brings the person furthest in `competency`; at equal gain a practical format, then
    the fewest hours, the lowest known price, the first slug. Over the catalogue's arrays."""
    table = catalogue.table(competency)
    level = current.get(competency, 0.0)
    # not outgrown, and it starts no further above where the person is than half a level
    able = (table.end > level + TOLERANCE) & (table.start <= level + 0.5)
    for slug in taken:
        i = table.index.get(slug)
        if i is not None:
            able[i] = False
    found = np.flatnonzero(able)
    if not len(found):
        return None
    gain = (np.minimum(table.end[found], level + 2) - level) * table.weight[found]
    order = np.lexsort(
        (
            table.slug_rank[found],
            table.known_price[found],
            table.hours[found],
            table.not_practical[found],
            -gain,
        )
    )
    return catalogue.courses[table.slugs[found[order[0]]]]


def level_after(level: float, start: int, end: int, weight: float) -> float | None:
    """The level a course teaching a competency from `start` to `end` (`weight`: the share of it it teaches) takes a
    person at `level` to; None where it teaches them nothing (it starts too high, or ends at or below the level)."""
    if start <= level + 0.5 and end > level + TOLERANCE:
        return level + (end - level) * weight
    return None


def completes_step(start: int, end: int, weight: float, level: int) -> bool:
    """Whether such a course takes a person at `level` - 1 up to `level`: a side topic (weight 0.3) from 2 to 3
    narrows that step, it does not complete it."""
    after = level_after(level - 1, start, end, weight)
    return after is not None and after >= level - TOLERANCE


def _apply(course: CourseSpec, current: dict[str, float]) -> list[str]:
    """Raise the person's levels by what the course teaches; return the competencies it moved."""
    moved = []
    for competency, weight, start, end in course.develops:
        after = level_after(current.get(competency, 0.0), start, end, weight)
        if after is not None:
            current[competency] = after
            moved.append(competency)
    return moved


def _with_prerequisites(
    catalogue: Catalogue,
    course: CourseSpec,
    levels: Mapping[str, float],
    chosen: dict[str, CourseSpec],
    finished: Collection[str] = (),
) -> list[CourseSpec]:
    """The course's missing prerequisites (depth first), then the course, skipping outgrown and done ones."""
    result: list[CourseSpec] = []
    stack: set[str] = set()

    def visit(c: CourseSpec) -> None:
        if c.slug in chosen or c.slug in stack or c.slug in finished:
            return
        stack.add(c.slug)
        for slug in c.prerequisites:
            pre = catalogue.courses.get(slug)
            if pre is not None and not _left_out(c, pre, levels):
                visit(pre)
        result.append(c)
        chosen[c.slug] = c

    visit(course)
    return result


def _outgrown(course: CourseSpec, levels: Mapping[str, float]) -> bool:
    return all(levels.get(comp, 0.0) >= end - TOLERANCE for comp, _, _, end in course.develops)


def _left_out(course: CourseSpec, prerequisite: CourseSpec, levels: Mapping[str, float]) -> bool:
    """Whether a path may leave out `prerequisite` of `course` because the person's level covers what it teaches:
    never where its certificate is required for admission (the ITIL Managing Professional modules need the
    Foundation, at any level)."""
    return prerequisite.slug not in course.admission and _outgrown(prerequisite, levels)


def learning_path_for(
    target_role: str,
    levels: Mapping[str, float],
    requirements: Mapping[str, float],
    catalogue: Catalogue,
    max_steps: int = MAX_STEPS,
    done: Collection[str] = (),
    max_hours: float | None = None,
    max_price_eur: float | None = None,
) -> LearningPath:
    """The learning path (`_planned_path`) from the levels as the pages show them (`one_decimal`), with the open gaps
    no path could close told apart from those the limits or the number of courses leave open."""
    # Planned from the shown levels, not the estimates behind them: a move of the estimate the page cannot show
    # (communication 0.504 -> 0.496, "0,5" both times) added a 30-hour course, and a person can check each step
    # against the level they read.
    levels = shown_levels(levels)
    path = _planned_path(target_role, levels, requirements, catalogue, max_steps, done, max_hours, max_price_eur)
    return replace(path, unreachable=unreachable_gaps(path.open_gaps, levels, requirements, catalogue, done))


def shown_levels(levels: Mapping[str, float]) -> dict[str, float]:
    """The levels as the pages write them (`one_decimal`): what the path is planned from."""
    return {competency: one_decimal(level) for competency, level in levels.items()}


def unreachable_gaps(
    gaps: Collection[str],
    levels: Mapping[str, float],
    requirements: Mapping[str, float],
    catalogue: Catalogue,
    done: Collection[str] = (),
) -> tuple[str, ...]:
    """The gaps among `gaps` that no path closes: each planned alone, with as many courses as the catalogue
    has and no limits (a gap one path can close alone, a path towards all gaps can close too)."""
    unreachable = []
    for competency in sorted(gaps):
        alone = _planned_path(
            "", levels, {competency: requirements[competency]}, catalogue, max(len(catalogue.courses), 1), done
        )
        if alone.open_gaps:
            unreachable.append(competency)
    return tuple(unreachable)


def _planned_path(
    target_role: str,
    levels: Mapping[str, float],
    requirements: Mapping[str, float],
    catalogue: Catalogue,
    max_steps: int = MAX_STEPS,
    done: Collection[str] = (),
    max_hours: float | None = None,
    max_price_eur: float | None = None,
) -> LearningPath:
    """The ordered courses that close the person's gaps towards `target_role`: the optimal path; or the
    greedy one where it keeps the limits and closes more (the optimiser counts a course only for the level
    steps it surely completes when taken at the lowest of them, so partial courses that add up are the
    greedy path's), or takes fewer hours; or the greedy one when the optimiser is not available.

    With limits that leave a gap open, `unlimited` says what the path without them takes: the very path this
    gives without limits, the one the page shows when the limits are cleared. It was the optimiser's own path
    without limits, which the greedy one can beat: "without limits the path would take 164 hours" above a path of
    116 hours once the limits were cleared (a review)."""

    def chosen(hours: float | None, euros: float | None) -> LearningPath:
        try:
            best = optimal_path(target_role, levels, requirements, catalogue, max_steps, done, hours, euros)
        except (ImportError, OptimiserFailed) as exc:
            log.warning("learning path: the optimiser failed (%s); the greedy path is used", exc)
            best = None
        greedy = greedy_path(target_role, levels, requirements, catalogue, max_steps, done)
        within = (hours is None or greedy.total_hours <= hours) and (
            euros is None or (greedy.total_price_eur <= euros and not greedy.courses_price_on_request)
        )
        if best is None or (within and _better(greedy, best, requirements, levels)):
            return LearningPath(greedy.target_role, greedy.steps, greedy.open_gaps, hours, euros)
        return best

    path = chosen(max_hours, max_price_eur)
    if not path.open_gaps or (max_hours is None and max_price_eur is None):
        return path
    free = chosen(None, None)
    if len(free.open_gaps) >= len(path.open_gaps):  # the limits leave nothing open that the path without them closes
        return path
    unlimited = Unlimited(
        hours=free.total_hours,
        price_eur=free.total_price_eur,
        courses_price_on_request=free.courses_price_on_request,
        open_gaps=free.open_gaps,
        as_shown=True,
    )
    return replace(path, unlimited=unlimited)


def _better(one: LearningPath, other: LearningPath, requirements: Mapping[str, float], levels) -> bool:
    """Whether `one` leaves fewer gaps open, or as many of less priority, or as much in fewer hours, or cheaper."""

    def key(path: LearningPath) -> tuple[int, float, float, float]:
        left = sum(_priority(requirements[c] - levels.get(c, 0.0), requirements[c]) for c in path.open_gaps)
        return len(path.open_gaps), round(left, 6), path.total_hours, path.total_price_eur

    return key(one) < key(other)


def greedy_path(
    target_role: str,
    levels: Mapping[str, float],
    requirements: Mapping[str, float],
    catalogue: Catalogue,
    max_steps: int = MAX_STEPS,
    done: Collection[str] = (),
) -> LearningPath:
    """The fallback: biggest gap first, the best course for it, until the gaps close. No limits."""
    current = dict(levels)
    finished = {slug: catalogue.courses[slug] for slug in done if slug in catalogue.courses}
    for done_course in finished.values():
        _apply(done_course, current)
    levels = dict(current)
    gaps = gaps_for(levels, requirements)
    chosen: dict[str, CourseSpec] = {}
    open_gaps: list[str] = []
    order_hint: dict[str, float] = {}
    while len(chosen) < max_steps:
        remaining = gaps_for(current, requirements)
        candidates = sorted(
            (c for c in remaining if c not in open_gaps),
            key=lambda c: (-_priority(remaining[c], requirements[c]), c),
        )
        if not candidates:
            break
        competency = candidates[0]
        course = _best_course(catalogue, competency, current, set(chosen) | set(finished))
        if course is None:
            open_gaps.append(competency)
            continue
        for added in _with_prerequisites(catalogue, course, current, chosen, set(finished)):
            _apply(added, current)
            order_hint[added.slug] = _priority(gaps.get(competency, 0.0), requirements.get(competency, 0))
    steps = _without_idle(_ordered_steps(chosen, requirements, order_hint, levels), levels, requirements)
    after = dict(steps[-1].levels_after) if steps else dict(levels)
    # what is open where the path ends: a gap no course could start on may have been closed on the way
    # by a course chosen for another gap
    still_open = [c for c in gaps if requirements[c] - after.get(c, 0.0) > TOLERANCE]
    return LearningPath(target_role=target_role, steps=steps, open_gaps=tuple(sorted(still_open)))


def _ordered_steps(
    chosen: Mapping[str, CourseSpec],
    requirements: Mapping[str, float],
    priority: Mapping[str, float],
    levels: Mapping[str, float],
) -> tuple[Step, ...]:
    """Prerequisites first; among courses that are free to go, the biggest gap first."""
    requires = {slug: tuple(p for p in c.prerequisites if p in chosen) for slug, c in chosen.items()}
    waiting = {slug: set(reqs) for slug, reqs in requires.items()}
    ready = [(-priority.get(s, 0.0), s) for s, reqs in waiting.items() if not reqs]
    heapq.heapify(ready)
    steps: list[Step] = []
    current = dict(levels)
    while ready:
        _, slug = heapq.heappop(ready)
        course = chosen[slug]
        steps.append(_taken(course, requires[slug], current, requirements))
        for other, reqs in waiting.items():
            if slug in reqs:
                reqs.discard(slug)
                if not reqs:
                    heapq.heappush(ready, (-priority.get(other, 0.0), other))
    return tuple(steps)


def _taken(
    course: CourseSpec, requires: tuple[str, ...], current: dict[str, float], requirements: Mapping[str, float]
) -> Step:
    """The step of taking `course` at the levels `current` (which it raises): it works on the gaps it moves that
    are still open when it starts, in this order, so a step never claims a gap an earlier step closed."""
    before = dict(current)
    moved = _apply(course, current)
    still_open = tuple(c for c in moved if c in requirements and requirements[c] - before.get(c, 0.0) > TOLERANCE)
    return Step(course, still_open, requires, dict(current))


def _without_idle(
    steps: Sequence[Step], levels: Mapping[str, float], requirements: Mapping[str, float]
) -> tuple[Step, ...]:
    """The steps without those that close and narrow nothing and that no other step requires, in the same order,
    with their `levels_after` taken again. The optimiser counts a course only for the level steps it surely
    completes, so courses that teach a gap in part can, in the path's order, close a gap it chose another course
    for (after a course marked done, the ISO 27001 Lead Auditor closed process design as a side topic, and COBIT,
    16 hours chosen for it, was left doing nothing). Dropping such a step changes no other step's claims: it moved
    no gap still open, so the others start on each open gap where they did."""
    kept = list(steps)
    while True:
        needed = {slug for step in kept for slug in step.requires}
        idle = {step.course.slug for step in kept if not step.closes and step.course.slug not in needed}
        if not idle:
            return tuple(kept)
        current = dict(levels)
        kept = [_taken(s.course, s.requires, current, requirements) for s in kept if s.course.slug not in idle]


class OptimiserFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class _LevelStep:
    """One missing level step of a gap: from `start` towards `start + 1` in `competency`."""

    competency: str
    start: int
    first: bool  # the step the person stands in (they begin at their own level, not at the step)
    priority: float


def missing_steps(levels: Mapping[str, float], requirements: Mapping[str, float]) -> list[_LevelStep]:
    """The level steps a path must teach: for each gap, from the person's level up to the requirement.

    A step from u is done when the level reaches u + 1 - TOLERANCE; the last one ends the gap."""
    steps = []
    for competency, required in requirements.items():
        level = levels.get(competency, 0.0)
        if required - level <= TOLERANCE:
            continue
        first = math.floor(level + TOLERANCE)
        for u in range(first, math.ceil(required)):
            steps.append(_LevelStep(competency, u, u == first, _priority(required - level, required)))
    return steps


def _objective_hours(course: CourseSpec) -> float:
    price = PRICE_ON_REQUEST_EUR if course.price_eur is None else course.price_eur
    bonus = (FUNDED_BONUS_EUR if course.funded else 0.0) + (
        PRACTICAL_BONUS_EUR if course.format in PRACTICAL_FORMATS else 0.0
    )
    return course.hours + EURO_IN_HOURS * (price - bonus)


def _candidates(
    catalogue: Catalogue, steps: Sequence[_LevelStep], levels: Mapping[str, float], excluded: Collection[str]
) -> dict[str, list[int]]:
    """course slug -> the indexes of the missing steps it teaches, for the courses worth considering: per
    step the CANDIDATES_PER_STEP cheapest, and as many of the cheapest per step they teach in that
    competency. Only the courses that touch the gaps are looked at, as arrays."""
    kept: set[str] = set()
    masks_by_competency: dict[str, tuple[_Table, np.ndarray, list[int]]] = {}
    index = {id(step): i for i, step in enumerate(steps)}
    by_competency: dict[str, list[_LevelStep]] = {}
    for step in steps:
        by_competency.setdefault(step.competency, []).append(step)
    for competency, own in by_competency.items():
        table = catalogue.table(competency)
        if not table.slugs:
            continue
        level = levels.get(competency, 0.0)
        masks, lows = [], []
        for step in own:
            # a course can teach a step when, taken once the steps below are done (the level is then at
            # least step.start - TOLERANCE), it surely completes it
            low = level if step.first else max(level, step.start - TOLERANCE)
            lows.append(low)
            masks.append(
                (table.start <= low + 0.5)
                & (table.end > low + TOLERANCE)
                & (low + (table.end - low) * table.weight >= step.start + 1 - TOLERANCE)
            )
        taught = np.array(masks)
        # A course is taken once, at its lowest step: it is counted for the steps it completes from there.
        # A course that teaches part of what is left (weight < 1) completes one step from the step below
        # and the next one only when it is taken there: it is not counted for both.
        lowest = np.asarray(lows)[taught.argmax(axis=0)]  # (courses,) the level it is taken at
        reach = lowest + (table.end - lowest) * table.weight
        starts = np.array([step.start for step in own], dtype=float)
        taught &= starts[:, None] + 1 - TOLERANCE <= reach[None, :]
        for slug in excluded:
            if slug in table.index:
                taught[:, table.index[slug]] = False
        count = taught.sum(axis=0)
        for mask in taught:
            able = np.flatnonzero(mask)
            for cost in (table.cost[able], table.cost[able] / count[able]):
                best = able[np.argsort(cost, kind="stable")[:CANDIDATES_PER_STEP]] if len(able) else able
                kept.update(table.slugs[i] for i in best)
        masks_by_competency[competency] = (table, taught, [index[id(step)] for step in own])
    # what each kept course teaches, read from the same masks, in step order
    teaches: dict[str, list[int]] = {}
    for slug in sorted(kept):
        taught_steps: set[int] = set()
        for competency, *_ in catalogue.courses[slug].develops:
            if competency in masks_by_competency:
                table, taught, positions = masks_by_competency[competency]
                column = taught[:, table.index[slug]]
                taught_steps.update(positions[j] for j in np.flatnonzero(column))
        if taught_steps:
            teaches[slug] = sorted(taught_steps)
    return teaches


def _needed_prerequisites(
    catalogue: Catalogue, slugs: Collection[str], levels: Mapping[str, float], finished: Collection[str]
) -> dict[str, tuple[str, ...]]:
    """course slug -> its prerequisites the person still needs (active, not done, and not outgrown unless its
    certificate is required for admission), for the candidates and, transitively, for those prerequisites."""
    result: dict[str, tuple[str, ...]] = {}
    todo = list(slugs)
    while todo:
        slug = todo.pop()
        if slug in result:
            continue
        course = catalogue.courses[slug]
        needed = tuple(
            pre
            for pre in course.prerequisites
            if pre in catalogue.courses
            and pre not in finished
            and not _left_out(course, catalogue.courses[pre], levels)
        )
        result[slug] = needed
        todo.extend(needed)
    return result


@dataclass(frozen=True)
class _Problem:
    """The covering problem behind a path, by index: take courses (each with the prerequisites it needs)
    so that every level step is taught or left open, at the least cost, within the limits."""

    cost: tuple[float, ...]  # per course, its objective hours
    hours: tuple[float, ...]
    price: tuple[float, ...]  # as the euro limit counts them (`_limit_price`)
    teaches: tuple[tuple[int, ...], ...]  # per course, the steps it teaches
    requires: tuple[tuple[int, ...], ...]  # per course, the courses it needs first
    open_cost: tuple[float, ...]  # per step, the cost of leaving it open
    max_courses: int
    max_hours: float | None = None
    max_price_eur: float | None = None
    # per step, the steps above it in its competency: they stay open when it does (nobody can take a
    # course for the step 3 -> 4 who has not reached 3)
    above: tuple[tuple[int, ...], ...] = ()
    # sets of courses a solution may not be: paths whose order, once scheduled, left open more gaps than they count
    excluded: tuple[frozenset[int], ...] = ()

    def higher(self, step: int) -> tuple[int, ...]:
        return self.above[step] if self.above else ()

    def objective(self, chosen: Collection[int], open_steps: Collection[int]) -> float:
        return sum(self.cost[c] for c in chosen) + sum(self.open_cost[s] for s in open_steps)

    def feasible(self, chosen: Collection[int], open_steps: Collection[int]) -> bool:
        """Every step taught or open, the steps above an open one open too, prerequisites taken, limits kept."""
        taught = {s for c in chosen for s in self.teaches[c]} | set(open_steps)
        return (
            len(taught) == len(self.open_cost)
            and all(set(self.higher(s)) <= set(open_steps) for s in open_steps)
            and all(pre in chosen for c in chosen for pre in self.requires[c])
            and len(chosen) <= self.max_courses
            and _within(sum(self.hours[c] for c in chosen), self.max_hours)
            and _within(sum(self.price[c] for c in chosen), self.max_price_eur)
            and frozenset(chosen) not in self.excluded
        )


# Sums within this of a limit keep it (hours have one decimal, prices two: a real excess is far larger), and
# a path must be cheaper by more than IMPROVEMENT to replace one found before (a cent is 1e-7 hours).
LIMIT_SLACK = 1e-6
IMPROVEMENT = 1e-9
# Search nodes the exact search may visit before the problem goes to scipy's solver instead.
SEARCH_NODES = 5_000


def _limit_price(price_eur: float | None, max_price_eur: float | None) -> float:
    """A course's price as the euro limit counts it: an unknown price counts 0 without a limit, and more
    than the whole limit with one (whether it keeps the limit cannot be checked, so it is not taken)."""
    if price_eur is not None:
        return price_eur
    return 0.0 if max_price_eur is None else max_price_eur + 1.0


def _within(total: float, limit: float | None) -> bool:
    return limit is None or total <= limit + LIMIT_SLACK


class _TooBig(Exception):
    pass


Set_ = frozenset[int]  # courses or steps, by index


def _branch_and_bound(problem: _Problem, max_nodes: int | None = None) -> tuple[list[int], list[int]] | None:
    """The exact optimum of a small problem, found by branch and bound in plain Python: the chosen courses
    and the steps left open. None when it is not for this search (a course that costs nothing, or more
    than `max_nodes` nodes), and scipy's solver must decide.

    It branches on the open step with the fewest courses left that teach it: each of them in turn (taken
    with its prerequisites, the ones tried before it ruled out), or the step left open (and with it the
    steps above it in its competency), so every solution is in exactly one branch. A branch is cut when
    its cost plus a lower bound of what is still open (per step, the cheapest share of a course that
    teaches it, or the cost of leaving it open) cannot beat the best path found. Ties keep the first path
    found, in a fixed order (the cheapest branch first, then the catalogue's order), so equal inputs give
    the same path."""
    n, m = len(problem.cost), len(problem.open_cost)
    max_nodes = SEARCH_NODES if max_nodes is None else max_nodes
    if any(cost <= 0 for cost in problem.cost):
        return None  # the bound below takes each course to cost something
    closure: list[frozenset[int]] = []
    for course in range(n):  # the course and everything it needs, transitively
        seen, todo = {course}, [course]
        while todo:
            for pre in problem.requires[todo.pop()]:
                if pre not in seen:
                    seen.add(pre)
                    todo.append(pre)
        closure.append(frozenset(seen))
    teachers: list[list[int]] = [[] for _ in range(m)]
    for course, taught in enumerate(problem.teaches):
        for step in taught:
            teachers[step].append(course)
    dominated = _dominated(problem, closure, teachers)
    best: list = [math.inf, None]
    nodes = 0

    def search(taken: Set_, banned: Set_, done: Set_, opened: Set_, spent: float, hours: float, euros: float):
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise _TooBig
        todo = [s for s in range(m) if s not in done]
        if not todo:
            if spent < best[0] - IMPROVEMENT:
                best[0], best[1] = spent, (taken, opened)
            return
        # the courses still possible: not ruled out, and each alone still within the limits
        room = problem.max_courses - len(taken)
        hours_left = math.inf if problem.max_hours is None else problem.max_hours + LIMIT_SLACK - hours
        euros_left = math.inf if problem.max_price_eur is None else problem.max_price_eur + LIMIT_SLACK - euros
        able = {
            s: [
                c
                for c in teachers[s]
                if c not in banned and room > 0 and problem.hours[c] <= hours_left and problem.price[c] <= euros_left
            ]
            for s in todo
        }
        shares: dict[int, int] = {}
        for courses in able.values():
            for c in courses:
                shares[c] = shares.get(c, 0) + 1
        bound = sum(min([problem.open_cost[s]] + [problem.cost[c] / shares[c] for c in able[s]]) for s in todo)
        if spent + bound >= best[0] - IMPROVEMENT:
            return
        step = min(todo, key=lambda s: (len(able[s]), s))
        branches = []
        for c in able[step]:
            added = closure[c] - taken
            extra = sum(problem.cost[a] for a in added)
            branches.append((extra / len({s for a in added for s in problem.teaches[a]} - done), c, added, extra))
        branches.sort(key=lambda b: (b[0], b[1]))
        ruled_out = set(banned)
        for _, c, added, extra in branches:
            more_hours = hours + sum(problem.hours[a] for a in added)
            more_euros = euros + sum(problem.price[a] for a in added)
            if (
                not added & ruled_out
                and len(taken) + len(added) <= problem.max_courses
                and _within(more_hours, problem.max_hours)
                and _within(more_euros, problem.max_price_eur)
            ):
                taught = {s for a in added for s in problem.teaches[a]}
                search(
                    taken | added, frozenset(ruled_out), done | taught, opened, spent + extra, more_hours, more_euros
                )
            ruled_out.add(c)
        # the step left open, and the ones above it: none of the courses that teach it is taken further down
        newly = ({step} | set(problem.higher(step))) - opened
        more = sum(problem.open_cost[s] for s in newly)
        search(taken, frozenset(ruled_out), done | newly, opened | newly, spent + more, hours, euros)

    try:
        search(frozenset(), frozenset(dominated), frozenset(), frozenset(), 0.0, 0.0, 0.0)
    except _TooBig:
        return None
    if best[1] is None:
        return None
    taken, opened = best[1]
    return sorted(taken), sorted(opened)


def _dominated(problem: _Problem, closure: Sequence[frozenset[int]], teachers: Sequence[Sequence[int]]) -> set[int]:
    """The courses an optimum can do without: another course teaches every step this one does, costs no
    more in the objective, in hours and in euros, and needs nothing this one does not need; so swapping
    it in keeps a path feasible and makes it no dearer. Only courses no other course requires. Of equal
    courses, the first in the catalogue's order stays."""
    required = {pre for needed in problem.requires for pre in needed}
    result = set()
    for course, taught in enumerate(problem.teaches):
        if course in required or not taught:
            continue
        own = problem.teaches[course]
        needs = closure[course] - {course}
        key = (problem.cost[course], problem.hours[course], problem.price[course])
        for other in teachers[taught[0]]:
            if other == course or not set(own) <= set(problem.teaches[other]):
                continue
            if not closure[other] - {other} <= needs:
                continue
            other_key = (problem.cost[other], problem.hours[other], problem.price[other])
            if not all(a <= b for a, b in zip(other_key, key)):
                continue
            same = other_key == key and set(own) == set(problem.teaches[other]) and closure[other] - {other} == needs
            if not same or other < course:
                result.add(course)
                break
    return result


def _highs(problem: _Problem) -> tuple[list[int], list[int]]:
    """The same optimum from scipy's HiGHS (the relaxation first, branch and bound when it is fractional),
    for the problems too big for `_branch_and_bound`."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    n, m = len(problem.cost), len(problem.open_cost)
    cost = np.concatenate([problem.cost, problem.open_cost])
    rows, lower, upper = [], [], []
    cover = np.zeros((m, n + m))
    for course, taught in enumerate(problem.teaches):
        cover[list(taught), course] = 1
    cover[np.arange(m), n + np.arange(m)] = 1
    rows.append(cover)
    lower += [1.0] * m
    upper += [np.inf] * m
    for course, needed in enumerate(problem.requires):
        for pre in needed:  # taking a course means taking what it requires
            row = np.zeros(n + m)
            row[course], row[pre] = 1, -1
            rows.append(row[None, :])
            lower.append(-np.inf)
            upper.append(0.0)
    for step in range(m):
        for higher in problem.higher(step):  # a step open: the ones above it open too
            row = np.zeros(n + m)
            row[n + step], row[n + higher] = 1, -1
            rows.append(row[None, :])
            lower.append(-np.inf)
            upper.append(0.0)
    for excluded in problem.excluded:  # not this set of courses: at least one of them left out, or another taken
        row = np.zeros(n + m)
        row[:n] = -1.0
        row[list(excluded)] = 1.0
        rows.append(row[None, :])
        lower.append(-np.inf)
        upper.append(float(len(excluded) - 1))
    limits: list[tuple[np.ndarray, float]] = [(np.ones(n), problem.max_courses)]
    if problem.max_hours is not None:
        limits.append((np.array(problem.hours), problem.max_hours))
    if problem.max_price_eur is not None:
        limits.append((np.array(problem.price), problem.max_price_eur))
    for coefficients, bound in limits:
        rows.append(np.concatenate([coefficients, np.zeros(m)])[None, :])
        lower.append(-np.inf)
        upper.append(float(bound))
    matrix = np.vstack(rows)
    # The relaxation first: for these covering problems its optimum is mostly whole already (each course
    # taken or not), and then it is the integer optimum too, at a fraction of branch and bound's time.
    relaxed = linprog(
        cost,
        A_ub=np.vstack([-matrix[:m], matrix[m:]]),  # covers: row >= 1; the rest: row <= upper
        b_ub=np.concatenate([-np.ones(m), np.array(upper[m:], dtype=float)]),
        bounds=(0, 1),
        method="highs",
        options={"time_limit": 2.0},
    )
    x = relaxed.x if relaxed.status == 0 else None
    if x is None or np.abs(x[:n] - np.round(x[:n])).max(initial=0) > 1e-6:
        result = milp(
            cost,
            constraints=LinearConstraint(matrix, lower, upper),
            integrality=np.concatenate([np.ones(n), np.zeros(m)]),
            bounds=Bounds(0, 1),
            options={"time_limit": 2.0, "mip_rel_gap": 1e-9},
        )
        if result.x is None:
            raise OptimiserFailed(result.message)
        x = result.x
    return [c for c in range(n) if x[c] > 0.5], [s for s in range(m) if x[n + s] > 0.5]


def _solve(
    catalogue: Catalogue,
    steps: Sequence[_LevelStep],
    teaches: Mapping[str, list[int]],
    prerequisites: Mapping[str, tuple[str, ...]],
    max_steps: int,
    max_hours: float | None,
    max_price_eur: float | None,
    excluded: Sequence[Collection[str]] = (),
) -> tuple[list[str], list[int]]:
    """The chosen course slugs, and the indexes of the steps left open: exactly, by `_branch_and_bound`
    for the usual small problem, by scipy's solver for the rare big one; never one of the `excluded` sets."""
    slugs = sorted(prerequisites)
    column = {slug: i for i, slug in enumerate(slugs)}
    courses = [catalogue.courses[slug] for slug in slugs]
    cost = tuple(_objective_hours(c) for c in courses)
    problem = _Problem(
        cost=cost,
        hours=tuple(c.hours for c in courses),
        # Under a euro limit a course without a known price cannot be shown to keep it: it counts as above the limit.
        price=tuple(_limit_price(c.price_eur, max_price_eur) for c in courses),
        teaches=tuple(tuple(teaches.get(slug, ())) for slug in slugs),
        requires=tuple(tuple(column[pre] for pre in prerequisites[slug]) for slug in slugs),
        open_cost=_open_costs(steps, cost),
        max_courses=max_steps,
        max_hours=max_hours,
        max_price_eur=max_price_eur,
        above=tuple(
            tuple(j for j, up in enumerate(steps) if up.competency == step.competency and up.start > step.start)
            for step in steps
        ),
        excluded=tuple(frozenset(column[slug] for slug in chosen) for chosen in excluded),
    )
    # The search finds only sets in which every course teaches a step not yet taught: the next best to an excluded
    # set can be a larger one (the set and a course that teaches in another way what it fails to), so HiGHS decides.
    solved = (None if problem.excluded else _branch_and_bound(problem)) or _highs(problem)
    chosen, open_steps = solved
    return [slugs[c] for c in chosen], open_steps


def _open_costs(steps: Sequence[_LevelStep], course_costs: Sequence[float]) -> tuple[float, ...]:
    """Per level step, what leaving it open costs: OPEN_STEP_HOURS per unit of its gap's priority, and on the top step
    of each gap (open whenever any step of the gap is, since the steps above an open one stay open) the cost of
    the gap left open, more than every other step left open and every course taken together. So the optimum
    leaves the fewest gaps open, as the page counts and names them, and only then the fewest level steps: a
    larger limit, which keeps every path a smaller one allows, never leaves more gaps open (at 60 hours a path
    spent 46 hours narrowing communication, and left project management open that the path at 40 closed)."""
    step_costs = [OPEN_STEP_HOURS * max(step.priority, 0.1) for step in steps]
    gap_cost = 1.0 + sum(step_costs) + sum(abs(c) for c in course_costs)
    top: dict[str, int] = {}
    for index, step in enumerate(steps):
        if step.competency not in top or step.start > steps[top[step.competency]].start:
            top[step.competency] = index
    tops = set(top.values())
    return tuple(cost + (gap_cost if index in tops else 0.0) for index, cost in enumerate(step_costs))


def _schedule(
    catalogue: Catalogue,
    chosen: Collection[str],
    steps: Sequence[_LevelStep],
    teaches: Mapping[str, list[int]],
    prerequisites: Mapping[str, tuple[str, ...]],
    levels: Mapping[str, float],
    requirements: Mapping[str, float],
) -> tuple[Step, ...]:
    """The chosen courses in an order a person can take them: prerequisites first; then, of the courses
    free to go, one whose steps are due (the steps below are done), the lowest step and the biggest gap
    first. Each step's `levels_after` comes from applying the courses in this order."""
    current = dict(levels)
    waiting = {slug: {p for p in prerequisites.get(slug, ()) if p in chosen} for slug in chosen}
    # per course, the biggest gap it serves (served first) and, per competency, the lowest step it alone of the
    # chosen courses teaches (a step another course teaches too does not hold it back)
    order_key = {slug: (-max((steps[i].priority for i in teaches.get(slug, ())), default=0.0), slug) for slug in chosen}
    teachers: dict[int, int] = {}
    for slug in chosen:
        for i in teaches.get(slug, ()):
            teachers[i] = teachers.get(i, 0) + 1
    lowest: dict[str, dict[str, _LevelStep]] = {}
    for slug in chosen:
        for i in teaches.get(slug, ()):
            if teachers[i] > 1:
                continue
            step = steps[i]
            if step.competency not in lowest.setdefault(slug, {}) or step.start < lowest[slug][step.competency].start:
                lowest[slug][step.competency] = step

    def due(slug: str) -> bool:
        """The steps below the ones it teaches are done."""
        return all(
            step.first or current.get(step.competency, 0.0) >= step.start - TOLERANCE
            for step in lowest.get(slug, {}).values()
        )

    result: list[Step] = []
    while waiting:
        ready = [slug for slug, reqs in waiting.items() if not reqs]
        if not ready:  # a cycle of prerequisites: take them in the catalogue's order
            ready = list(waiting)
        now = [slug for slug in ready if due(slug)] or ready
        slug = min(now, key=lambda s: order_key[s])
        requires = tuple(p for p in prerequisites.get(slug, ()) if p in chosen)
        result.append(_taken(catalogue.courses[slug], requires, current, requirements))
        del waiting[slug]
        for reqs in waiting.values():
            reqs.discard(slug)
    return tuple(result)


def optimal_path(
    target_role: str,
    levels: Mapping[str, float],
    requirements: Mapping[str, float],
    catalogue: Catalogue,
    max_steps: int = MAX_STEPS,
    done: Collection[str] = (),
    max_hours: float | None = None,
    max_price_eur: float | None = None,
) -> LearningPath:
    """The path that leaves the fewest gaps open within the limits, then the fewest level steps, then takes the
    fewest hours, then the lowest known price (`_open_costs`). Raises OptimiserFailed when the solver gives no
    answer."""
    for name, limit in (("max_hours", max_hours), ("max_price_eur", max_price_eur)):
        if limit is not None and not (math.isfinite(limit) and limit >= 0):
            raise ValueError(f"{name} must be a number of at least 0")
    current = dict(levels)
    finished = [slug for slug in done if slug in catalogue.courses]
    for slug in finished:
        _apply(catalogue.courses[slug], current)
    gaps = gaps_for(current, requirements)
    steps = missing_steps(current, requirements)
    if not steps:
        return LearningPath(target_role, (), (), max_hours, max_price_eur, optimised=True)
    teaches = _candidates(catalogue, steps, current, set(finished))
    prerequisites = _needed_prerequisites(catalogue, teaches, current, set(finished))

    def plan(hours: float | None, euros: float | None) -> tuple[tuple[Step, ...], tuple[str, ...]]:
        # The optimiser's count of open gaps is exact for the covering problem, but a set of courses can need in
        # each other's levels in a way no order serves, and then its path leaves open a gap the optimiser counted
        # as closed. Such a set is excluded and the next best taken, so that the gaps the path leaves open are
        # the fewest the optimiser can keep, and a larger limit (which allows every set a smaller one allows)
        # never leaves more open.
        excluded: list[list[str]] = []
        best: tuple[tuple[Step, ...], tuple[str, ...]] | None = None
        for _attempt in range(REPLANS):
            chosen, open_steps = _solve(catalogue, steps, teaches, prerequisites, max_steps, hours, euros, excluded)
            ordered = _schedule(catalogue, chosen, steps, teaches, prerequisites, current, requirements)
            ordered = _without_idle(ordered, current, requirements)
            after = ordered[-1].levels_after if ordered else current
            open_gaps = tuple(sorted(c for c in gaps if requirements[c] - after.get(c, 0.0) > TOLERANCE))
            if best is None or len(open_gaps) < len(best[1]):
                best = ordered, open_gaps
            if len(open_gaps) <= len({steps[i].competency for i in open_steps}) or not chosen:
                break
            excluded.append(chosen)
        assert best is not None
        return best

    ordered, open_gaps = plan(max_hours, max_price_eur)
    return LearningPath(target_role, ordered, open_gaps, max_hours, max_price_eur, optimised=True)
