"""Build a learning path: the ordered courses that close a person's gaps towards a role.

The path is a small optimisation (`optimal_path`): of the courses that can teach the missing levels,
the set that closes every gap with the fewest hours, then the lowest known price (free and fundable
offers first at equal hours), within optional limits on hours and euros, with prerequisites. When
the limits (or the catalogue) cannot close a gap, the path names it in `open_gaps` and says what the
path without limits would take. Without scipy's solver (or should it fail) the greedy path below is
the fallback. Either way the steps' `levels_after` come from applying the courses in order, so
what a step claims and where the path ends always agree.

Pure functions on plain data. The rules of the greedy fallback:
* a gap is a competency where the person is below the role's requirement (by more than a
  quarter level, the precision of the estimate);
* a course helps with a gap when it develops that competency, starts no higher than where the
  person is now (or will be after earlier steps) and brings them further; a course the person
  has outgrown (they are at or above the level it leads to) is never chosen, nor an inactive one;
* the biggest gaps are served first, the core of the role weighing more; practical formats win
  ties against certificate courses (the seed warns against collecting certificates);
* prerequisites come first: a required course the person has not outgrown joins the path before
  the course that needs it; no course appears twice;
* courses the person marked as done count as taken: they raise the levels they teach and
  satisfy prerequisites, and do not appear again.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

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
# Per missing level step, the courses considered: the cheapest in hours, and the cheapest in hours per
# step they teach (so a long course that teaches several steps competes). Prerequisites join them.
CANDIDATES_PER_STEP = 6


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    hours: float
    price_eur: float | None  # None: the provider quotes on request
    develops: tuple[tuple[str, float, int, int], ...]  # (competency, weight, from_level, to_level)
    prerequisites: tuple[str, ...] = ()
    active: bool = True
    format: str = "online"
    certificate: str = ""
    title_en: str = ""
    provider: str = ""
    url: str = ""  # the offer's page; empty only for in-house formats
    funded: bool = False  # usually fundable (e.g. Bildungsgutschein)

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


@dataclass(frozen=True)
class LearningPath:
    target_role: str
    steps: tuple[Step, ...]
    open_gaps: tuple[str, ...]  # gaps the path does not close (no course can, or none within the limits)
    max_hours: float | None = None
    max_price_eur: float | None = None
    unlimited: Unlimited | None = None  # only when limits left a gap open that the catalogue could close
    optimised: bool = False  # False: the greedy fallback built it

    @property
    def total_hours(self) -> float:
        return round(sum(s.course.hours for s in self.steps), 1)

    @property
    def total_price_eur(self) -> float:
        """The sum of the known prices (`courses_price_on_request` counts the others)."""
        return round(sum(s.course.price_eur for s in self.steps if s.course.price_eur is not None), 2)

    @property
    def courses_price_on_request(self) -> int:
        return sum(1 for s in self.steps if s.course.price_eur is None)


class Catalogue:
    """Active courses indexed by competency, built once and reused for many paths."""

    def __init__(self, courses: Sequence[CourseSpec]) -> None:
        self.courses = {c.slug: c for c in courses if c.active}
        self.by_competency: dict[str, list[CourseSpec]] = {}
        for course in self.courses.values():
            for competency, *_ in course.develops:
                self.by_competency.setdefault(competency, []).append(course)
        self._tables: dict[str, _Table] = {}

    def table(self, competency: str) -> _Table:
        """The courses that develop `competency` as arrays, for the optimiser (built once)."""
        if competency not in self._tables:
            courses = self.by_competency.get(competency, [])
            raised = [c.raises(competency) or (0.0, 0, 0) for c in courses]
            self._tables[competency] = _Table(
                slugs=[c.slug for c in courses],
                weight=np.array([r[0] for r in raised], dtype=float),
                start=np.array([r[1] for r in raised], dtype=float),
                end=np.array([r[2] for r in raised], dtype=float),
                cost=np.array([_objective_hours(c) for c in courses], dtype=float),
            )
        return self._tables[competency]


@dataclass(frozen=True)
class _Table:
    slugs: list[str]
    weight: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cost: np.ndarray


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
    level = current.get(competency, 0.0)
    best, best_key = None, None
    for course in catalogue.by_competency.get(competency, ()):
        if course.slug in taken:
            continue
        weight, start, end = course.raises(competency)  # type: ignore[misc]
        if end <= level + TOLERANCE or start > level + 0.5:
            continue  # outgrown, or it starts too far above where the person is
        gain = (min(end, level + 2) - level) * weight
        key = (-gain, course.format not in PRACTICAL_FORMATS, course.hours, course.price_eur or 0.0, course.slug)
        if best_key is None or key < best_key:
            best, best_key = course, key
    return best


def _apply(course: CourseSpec, current: dict[str, float]) -> list[str]:
    """Raise the person's levels by what the course teaches; return the competencies it moved."""
    moved = []
    for competency, weight, start, end in course.develops:
        level = current.get(competency, 0.0)
        if start <= level + 0.5 and end > level + TOLERANCE:
            current[competency] = level + (end - level) * weight
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
            if pre is not None and not _outgrown(pre, levels):
                visit(pre)
        result.append(c)
        chosen[c.slug] = c

    visit(course)
    return result


def _outgrown(course: CourseSpec, levels: Mapping[str, float]) -> bool:
    return all(levels.get(comp, 0.0) >= end - TOLERANCE for comp, _, _, end in course.develops)


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
    """The ordered courses that close the person's gaps towards `target_role`: the optimal path; or the
    greedy one where it keeps the limits and closes more (the optimiser counts a course only where it
    surely completes a level step, so partial courses that add up are the greedy path's), or takes fewer
    hours; or the greedy one when the optimiser is not available."""
    try:
        best = optimal_path(target_role, levels, requirements, catalogue, max_steps, done, max_hours, max_price_eur)
    except (ImportError, OptimiserFailed) as exc:
        log.warning("learning path: the optimiser failed (%s); the greedy path is used", exc)
        best = None
    greedy = greedy_path(target_role, levels, requirements, catalogue, max_steps, done)
    within = (max_hours is None or greedy.total_hours <= max_hours) and (
        max_price_eur is None or greedy.total_price_eur <= max_price_eur
    )
    if best is None or (within and _better(greedy, best, requirements, levels)):
        return LearningPath(
            greedy.target_role, greedy.steps, greedy.open_gaps, max_hours, max_price_eur, best and best.unlimited
        )
    return best


def _better(one: LearningPath, other: LearningPath, requirements: Mapping[str, float], levels) -> bool:
    """Whether `one` leaves less open (by the gaps' priority), or as much in fewer hours, or cheaper."""

    def key(path: LearningPath) -> tuple[float, float, float]:
        left = sum(_priority(requirements[c] - levels.get(c, 0.0), requirements[c]) for c in path.open_gaps)
        return round(left, 6), path.total_hours, path.total_price_eur

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
    for course in finished.values():
        _apply(course, current)
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
    steps = _ordered_steps(chosen, gaps, order_hint, levels)
    after = dict(steps[-1].levels_after) if steps else dict(levels)
    still_open = [c for c in gaps if requirements[c] - after.get(c, 0.0) > TOLERANCE]
    return LearningPath(target_role=target_role, steps=steps, open_gaps=tuple(sorted(set(open_gaps) | set(still_open))))


def _ordered_steps(
    chosen: Mapping[str, CourseSpec],
    gaps: Collection[str],
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
        moved = _apply(course, current)  # what it works on in this order, so the step claims no more
        steps.append(Step(course, tuple(c for c in moved if c in gaps), requires[slug], dict(current)))
        for other, reqs in waiting.items():
            if slug in reqs:
                reqs.discard(slug)
                if not reqs:
                    heapq.heappush(ready, (-priority.get(other, 0.0), other))
    return tuple(steps)


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


def _teaches(course: CourseSpec, step: _LevelStep, level: float) -> bool:
    """Whether `course` surely completes `step` for a person now at `level` in its competency, taken
    once the steps below are done (the level is then at least step.start - TOLERANCE)."""
    raised = course.raises(step.competency)
    if raised is None:
        return False
    weight, start, end = raised
    low = level if step.first else max(level, step.start - TOLERANCE)
    return start <= low + 0.5 and end > low + TOLERANCE and low + (end - low) * weight >= step.start + 1 - TOLERANCE


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
    by_competency: dict[str, list[_LevelStep]] = {}
    for step in steps:
        by_competency.setdefault(step.competency, []).append(step)
    for competency, own in by_competency.items():
        table = catalogue.table(competency)
        if not table.slugs:
            continue
        level = levels.get(competency, 0.0)
        masks = []
        for step in own:
            low = level if step.first else max(level, step.start - TOLERANCE)
            masks.append(
                (table.start <= low + 0.5)
                & (table.end > low + TOLERANCE)
                & (low + (table.end - low) * table.weight >= step.start + 1 - TOLERANCE)
            )
        taught = np.array(masks)
        if excluded:
            taught[:, [i for i, slug in enumerate(table.slugs) if slug in excluded]] = False
        count = taught.sum(axis=0)
        for mask in taught:
            able = np.flatnonzero(mask)
            for cost in (table.cost[able], table.cost[able] / count[able]):
                best = able[np.argsort(cost, kind="stable")[:CANDIDATES_PER_STEP]] if len(able) else able
                kept.update(table.slugs[i] for i in best)
    teaches: dict[str, list[int]] = {}
    for slug in sorted(kept):
        course = catalogue.courses[slug]
        taught = [i for i, step in enumerate(steps) if _teaches(course, step, levels.get(step.competency, 0.0))]
        if taught:
            teaches[slug] = taught
    return teaches


def _needed_prerequisites(
    catalogue: Catalogue, slugs: Collection[str], levels: Mapping[str, float], finished: Collection[str]
) -> dict[str, tuple[str, ...]]:
    """course slug -> its prerequisites the person still needs (active, not outgrown, not done), for the
    candidates and, transitively, for those prerequisites."""
    result: dict[str, tuple[str, ...]] = {}
    todo = list(slugs)
    while todo:
        slug = todo.pop()
        if slug in result:
            continue
        needed = tuple(
            pre
            for pre in catalogue.courses[slug].prerequisites
            if pre in catalogue.courses and pre not in finished and not _outgrown(catalogue.courses[pre], levels)
        )
        result[slug] = needed
        todo.extend(needed)
    return result


def _solve(
    catalogue: Catalogue,
    steps: Sequence[_LevelStep],
    teaches: Mapping[str, list[int]],
    prerequisites: Mapping[str, tuple[str, ...]],
    max_steps: int,
    max_hours: float | None,
    max_price_eur: float | None,
) -> tuple[list[str], list[int]]:
    """The chosen course slugs, and the indexes of the steps left open."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    slugs = sorted(prerequisites)
    column = {slug: i for i, slug in enumerate(slugs)}
    n, m = len(slugs), len(steps)
    courses = [catalogue.courses[slug] for slug in slugs]
    cost = np.concatenate(
        [[_objective_hours(c) for c in courses], [OPEN_STEP_HOURS * max(step.priority, 0.1) for step in steps]]
    )
    rows, lower, upper = [], [], []
    cover = np.zeros((m, n + m))
    for slug, taught in teaches.items():
        cover[taught, column[slug]] = 1
    cover[np.arange(m), n + np.arange(m)] = 1
    rows.append(cover)
    lower += [1.0] * m
    upper += [np.inf] * m
    for slug, needed in prerequisites.items():
        for pre in needed:  # taking a course means taking what it requires
            row = np.zeros(n + m)
            row[column[slug]], row[column[pre]] = 1, -1
            rows.append(row[None, :])
            lower.append(-np.inf)
            upper.append(0.0)
    limits = [(np.ones(n), max_steps)]
    if max_hours is not None:
        limits.append((np.array([c.hours for c in courses]), max_hours))
    if max_price_eur is not None:  # known prices; courses priced on request are counted apart
        limits.append((np.array([c.price_eur or 0.0 for c in courses]), max_price_eur))
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
    chosen = [slug for slug, value in zip(slugs, x[:n]) if value > 0.5]
    return chosen, [i for i in range(m) if x[n + i] > 0.5]


def _schedule(
    catalogue: Catalogue,
    chosen: Collection[str],
    steps: Sequence[_LevelStep],
    teaches: Mapping[str, list[int]],
    prerequisites: Mapping[str, tuple[str, ...]],
    levels: Mapping[str, float],
    gaps: Mapping[str, float],
    requirements: Mapping[str, float],
) -> tuple[Step, ...]:
    """The chosen courses in an order a person can take them: prerequisites first; then, of the courses
    free to go, one whose steps are due (the steps below are done), the lowest step and the biggest gap
    first. Each step's `levels_after` comes from applying the courses in this order."""
    current = dict(levels)
    waiting = {slug: {p for p in prerequisites.get(slug, ()) if p in chosen} for slug in chosen}
    # per course, the biggest gap it serves (served first) and, per competency, the lowest step it teaches
    order_key = {slug: (-max((steps[i].priority for i in teaches.get(slug, ())), default=0.0), slug) for slug in chosen}
    lowest: dict[str, dict[str, _LevelStep]] = {}
    for slug in chosen:
        for i in teaches.get(slug, ()):
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
        course = catalogue.courses[slug]
        moved = _apply(course, current)
        result.append(
            Step(
                course,
                tuple(c for c in moved if c in gaps),
                tuple(p for p in prerequisites.get(slug, ()) if p in chosen),
                dict(current),
            )
        )
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
    """The path with the fewest hours (then the lowest known price) that closes every gap it can, within
    the limits. Raises OptimiserFailed when the solver gives no answer."""
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
        chosen, _ = _solve(catalogue, steps, teaches, prerequisites, max_steps, hours, euros)
        ordered = _schedule(catalogue, chosen, steps, teaches, prerequisites, current, gaps, requirements)
        after = ordered[-1].levels_after if ordered else current
        open_gaps = tuple(sorted(c for c in gaps if requirements[c] - after.get(c, 0.0) > TOLERANCE))
        return ordered, open_gaps

    ordered, open_gaps = plan(max_hours, max_price_eur)
    unlimited = None
    if open_gaps and (max_hours is not None or max_price_eur is not None):
        free, free_open = plan(None, None)
        if set(free_open) < set(open_gaps):
            unlimited = Unlimited(
                hours=round(sum(s.course.hours for s in free), 1),
                price_eur=round(sum(s.course.price_eur or 0.0 for s in free), 2),
                courses_price_on_request=sum(1 for s in free if s.course.price_eur is None),
                open_gaps=free_open,
            )
    return LearningPath(target_role, ordered, open_gaps, max_hours, max_price_eur, unlimited, optimised=True)
