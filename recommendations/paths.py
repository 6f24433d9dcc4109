"""Build a learning path: the ordered courses that close a person's gaps towards a role.

Pure functions on plain data. The rules:
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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

TOLERANCE = 0.25
PRACTICAL_FORMATS = frozenset({"on_the_job", "classroom", "blended"})


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
class LearningPath:
    target_role: str
    steps: tuple[Step, ...]
    open_gaps: tuple[str, ...]  # gaps no active course in the catalogue can close

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
    max_steps: int = 12,
    done: Collection[str] = (),
) -> LearningPath:
    """The ordered courses that close the person's gaps towards `target_role`."""
    current = dict(levels)
    finished = {slug: catalogue.courses[slug] for slug in done if slug in catalogue.courses}
    for course in finished.values():
        _apply(course, current)
    levels = dict(current)
    gaps = gaps_for(levels, requirements)
    chosen: dict[str, CourseSpec] = {}
    closes: dict[str, list[str]] = {}
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
            moved = _apply(added, current)
            closes[added.slug] = [c for c in moved if c in gaps]
            order_hint[added.slug] = _priority(gaps.get(competency, 0.0), requirements.get(competency, 0))
    steps = _ordered_steps(chosen, closes, order_hint, levels)
    return LearningPath(target_role=target_role, steps=steps, open_gaps=tuple(open_gaps))


def _ordered_steps(
    chosen: Mapping[str, CourseSpec],
    closes: Mapping[str, list[str]],
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
        _apply(course, current)
        steps.append(Step(course, tuple(closes.get(slug, ())), requires[slug], dict(current)))
        for other, reqs in waiting.items():
            if slug in reqs:
                reqs.discard(slug)
                if not reqs:
                    heapq.heappush(ready, (-priority.get(other, 0.0), other))
    return tuple(steps)
