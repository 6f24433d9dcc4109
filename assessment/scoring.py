"""Turn answers into a skills profile: a score 0-100 per competency and a work style -1..1.

Pure functions on plain data, so the web flow, the `assess` command and the tests share them.

Each competency's level (0-5) is estimated as a posterior over the six levels:

* a self-rating is evidence that the level is near the stated one (a Gaussian kernel, so a
  higher rating always points higher, but one rating alone is not proof);
* a knowledge check of difficulty d is answered correctly with probability 1 - SLIP by a
  person at level >= d and with the guessing probability (1 / number of options) below it.

Knowledge checks are the evidence behind the self-rating: someone who rates themselves 4 but
fails the level 3 and 4 checks ends up near level 2-3, clearly below someone who passes them.
A skipped item adds no evidence: the estimate keeps its value and only its confidence drops.
Every likelihood is monotone in the level, so a better answer never lowers a score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LEVELS = range(6)
SLIP = 0.1
SELF_RATING_SPREAD = 1.0
# Standard deviation of a uniform distribution over 0..5: the spread of "knowing nothing".
MAX_SPREAD = math.sqrt(sum((lv - 2.5) ** 2 for lv in LEVELS) / len(LEVELS))
DISAGREEMENT_LEVELS = 1.5


@dataclass(frozen=True)
class OptionSpec:
    value: str
    level: int | None = None
    correct: bool = False
    style: float | None = None


@dataclass(frozen=True)
class ItemSpec:
    slug: str
    kind: str  # "self_rating" | "knowledge" | "scenario"
    competency: str | None
    options: tuple[OptionSpec, ...]
    difficulty: int | None = None

    def option(self, value: str) -> OptionSpec | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class CompetencyScore:
    slug: str
    level: float  # 0..5, posterior mean
    confidence: float  # 0..1: how sure the estimate is
    answered: int
    total: int
    self_level: int | None = None
    knowledge_level: float | None = None  # the estimate from the knowledge checks alone

    @property
    def score(self) -> float:
        return round(self.level * 20, 1)

    @property
    def rates_self_higher(self) -> bool:
        """The self-rating is clearly above what the knowledge checks show."""
        return (
            self.self_level is not None
            and self.knowledge_level is not None
            and self.self_level - self.knowledge_level >= DISAGREEMENT_LEVELS
        )

    @property
    def rates_self_lower(self) -> bool:
        return (
            self.self_level is not None
            and self.knowledge_level is not None
            and self.knowledge_level - self.self_level >= DISAGREEMENT_LEVELS
        )


@dataclass(frozen=True)
class Profile:
    competencies: dict[str, CompetencyScore]
    work_style: float
    work_style_confidence: float
    answered: int = 0
    total: int = 0
    extra: dict = field(default_factory=dict)

    def levels(self) -> dict[str, float]:
        return {slug: c.level for slug, c in self.competencies.items()}


def _normalise(weights: list[float]) -> list[float]:
    total = sum(weights)
    return [w / total for w in weights] if total > 0 else [1 / len(weights)] * len(weights)


def _knowledge_likelihood(item: ItemSpec, correct: bool, level: int) -> float:
    guess = 1 / max(2, len(item.options))
    p_correct = (1 - SLIP) if level >= (item.difficulty or 1) else guess
    return p_correct if correct else 1 - p_correct


def _self_rating_likelihood(stated: int, level: int) -> float:
    return math.exp(-((stated - level) ** 2) / (2 * SELF_RATING_SPREAD**2))


def _mean_and_spread(posterior: list[float]) -> tuple[float, float]:
    mean = sum(lv * p for lv, p in zip(LEVELS, posterior))
    spread = math.sqrt(sum((lv - mean) ** 2 * p for lv, p in zip(LEVELS, posterior)))
    return mean, spread


def estimate_competency(
    slug: str, items: list[ItemSpec], answers: Mapping[str, str | None]
) -> CompetencyScore:
    """The level estimate for one competency from its items' answers."""
    posterior = [1.0] * len(LEVELS)
    knowledge_only = [1.0] * len(LEVELS)
    answered = 0
    self_level = None
    knowledge_answered = 0
    for item in items:
        chosen = item.option(answers.get(item.slug) or "")
        if chosen is None:
            continue
        answered += 1
        if item.kind == "self_rating" and chosen.level is not None:
            self_level = chosen.level
            posterior = [p * _self_rating_likelihood(chosen.level, lv) for lv, p in zip(LEVELS, posterior)]
        elif item.kind == "knowledge":
            knowledge_answered += 1
            for lv in LEVELS:
                likelihood = _knowledge_likelihood(item, chosen.correct, lv)
                posterior[lv] *= likelihood
                knowledge_only[lv] *= likelihood
        posterior = _normalise(posterior)
        knowledge_only = _normalise(knowledge_only)
    level, spread = _mean_and_spread(_normalise(posterior))
    knowledge_level = _mean_and_spread(knowledge_only)[0] if knowledge_answered else None
    return CompetencyScore(
        slug=slug,
        level=round(level, 3),
        confidence=round(max(0.0, 1 - spread / MAX_SPREAD), 3),
        answered=answered,
        total=len(items),
        self_level=self_level,
        knowledge_level=None if knowledge_level is None else round(knowledge_level, 3),
    )


def estimate_work_style(items: list[ItemSpec], answers: Mapping[str, str | None]) -> tuple[float, float]:
    """The mean style of the chosen scenario options, and the share of scenarios answered."""
    styles = []
    for item in items:
        chosen = item.option(answers.get(item.slug) or "")
        if chosen is not None and chosen.style is not None:
            styles.append(chosen.style)
    if not styles:
        return 0.0, 0.0
    return round(max(-1.0, min(1.0, sum(styles) / len(styles))), 3), round(len(styles) / len(items), 3)


def score_profile(
    competencies: Iterable[str], items: Iterable[ItemSpec], answers: Mapping[str, str | None]
) -> Profile:
    """The skills profile for a set of answers (item slug -> option value; missing = skipped)."""
    items = list(items)
    by_competency: dict[str, list[ItemSpec]] = {slug: [] for slug in competencies}
    scenarios = []
    for item in items:
        if item.kind == "scenario":
            scenarios.append(item)
        elif item.competency in by_competency:
            by_competency[item.competency].append(item)
    scores = {slug: estimate_competency(slug, group, answers) for slug, group in by_competency.items()}
    style, style_confidence = estimate_work_style(scenarios, answers)
    answered = sum(1 for item in items if item.option(answers.get(item.slug) or "") is not None)
    return Profile(
        competencies=scores,
        work_style=style,
        work_style_confidence=style_confidence,
        answered=answered,
        total=len(items),
    )
