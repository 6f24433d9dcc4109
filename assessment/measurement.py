"""The measurement model: answers in, a skills profile with honest uncertainty out.

Pure functions on plain data, so the web flow, the `assess` command and the tests share them.

Per competency the level is a posterior over the six levels 0-5, built from the answers below and a prior
that ties one person's levels together: they scatter around the person's own mean level, which is itself
unknown and normal around the middle of the scale (``MEAN_PRIOR_CENTRE``, ``MEAN_PRIOR_SD``).

* **Knowledge checks.** The chance of a right answer rises smoothly with the level, from a guessing
  floor of 1 / number of options (a three-parameter logistic item model):
  P(right | level) = c + (1 - c) * logistic(a * (level - b)). Each item has its own location b and
  discrimination a. Until they are learned from real answers, b is seeded from the labelled
  difficulty d (``b = d - DIFFICULTY_OFFSET``: a person *at* level d mostly knows the answer) and is
  treated as uncertain by ``LOCATION_UNCERTAINTY`` levels, which is integrated out, so a label that
  is off by half a level does not make the result over-confident.
* **Self-ratings.** What a person says is their level, shifted by a personal bias and blurred by
  noise: said = round(level + bias + noise). The bias (the over-confident and the modest person) is
  one number per person, estimated across all competencies at once: the knowledge checks of every
  competency tell how far this person's self-ratings run high or low. It is integrated out over a grid,
  under a prior for how people in general rate themselves (``SelfRaters``): shipped, normal around 0
  (as many modest as over-confident people); once `calibrate_items` has learned the population's bias
  from real answers, the learned mean and spread.
  A small share of self-ratings is allowed to be slips (``SELF_RATING_LAPSE``).

The output per competency is the posterior mean (the level), its equal-tailed 90 % range, and the
score 0-100 (= 20 x level). A skipped item adds no evidence: the level keeps its value and the
range stays as wide as the remaining answers leave it. Every likelihood is monotone in the level, so
a right answer instead of a wrong one never lowers a level.

**Reliability.** The answers hold together when a consistent person explains them better than
answering at random does: the log Bayes factor of "random answers" against the model (self-ratings,
knowledge checks and work-style scenarios together) must stay below ``PERSON_FIT_THRESHOLD``
(``Profile.person_fit``). For this test the consistent person's levels may, one competency in five, lie
anywhere (``FIT_OUTLIER_SHARE``): a profile with a strong core and little else is a real person's, and
what betrays random answering is self-ratings that the knowledge checks contradict, not an unusual
shape. How well the measurement's own prior explains the answers is kept as well (``Profile.prior_fit``):
where it does not, its ranges are less to be trusted, and the adaptive test asks on. Too few answers,
or self-ratings that no knowledge check could test, are not a result either.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from core.rounding import half_up

LEVELS = np.arange(6, dtype=float)
RANGE_MASS = 0.90

# Item model, until `calibrate_items` learns the parameters from real answers (all in levels).
DIFFICULTY_OFFSET = 0.5
DEFAULT_DISCRIMINATION = 1.5
LOCATION_UNCERTAINTY = 0.5

# Self-rating model.
SELF_RATING_NOISES = (0.5,)  # how far self-ratings scatter around level + bias (a grid allows several)
SELF_RATING_LAPSE = 0.0
BIAS_GRID = np.arange(-3.0, 3.0001, 0.25)
BIAS_PRIOR_MEAN = 0.0
BIAS_PRIOR_SD = 1.0
MIN_BIAS_PRIOR_SD = 0.1  # a learned spread of 0 still leaves the grid's neighbouring biases possible

# Levels of one person vary around the person's own mean level (on MEAN_GRID) by one of PERSON_SPREADS levels
# (also unknown, equally likely): what someone knows in one area says a little about the others, less so for a
# person with a spiky profile. None: every level on its own (uniform).
PERSON_SPREADS: tuple[float, ...] | None = (0.8,)
MEAN_GRID = np.arange(0.0, 5.0001, 0.5)
# The person's mean level over all competencies: normal around the middle of the scale. The people who take the
# test work in or towards the framework's roles, whose mean requirements lie between 1.9 and 3.0 (2.45 on average);
# the people the ranking model learns from (`recommender.generate_profiles`: role holders, career changers, broad
# experts) have mean levels of 2.50 on average with a sd of 0.80, and this prior is a little wider than that. A mean
# near 0 (new to IT) or near 5 (expert everywhere) stays possible, 1.5-2.5 sd out. Uniform over 0-5 before
# (bench/MEASUREMENT.md, thirty-fourth session): a strongly modest rater's low self-ratings, before the checks had
# shown the modesty, read as a low mean, and the entry role came first.
MEAN_PRIOR_CENTRE = 2.5
MEAN_PRIOR_SD = 1.0

# Work-style scenarios (used only to judge whether the answers hold together).
SCENARIO_TEMPERATURE = 0.35
STYLE_GRID = np.linspace(-1, 1, 21)

# Reliability.
PERSON_FIT_THRESHOLD = 0.0  # log Bayes factor: flag when random answering explains the answers better
# The person-fit test's consistent person: each level near the person's own mean as above or, for one
# competency in five, anywhere (a core strength far above the rest, a side strength from an earlier job, a
# blind spot). Role holders have spiky profiles (a core at 4, the rest at 1) that the spread around the mean
# alone finds as unlikely as random self-ratings: tested with that prior, 2-4 % of simulated role holders
# were told their answers do not hold together (0.4-0.8 % with it); random answerers are flagged as before.
FIT_OUTLIER_SHARE = 0.2
MIN_ANSWERS = 8
MIN_KNOWLEDGE_CHECKS = 2

# A competency's self-rating and its knowledge checks disagree when the checks alone (read with a flat prior
# over the levels) put at least this much of their weight a whole level or more to one side of the rating,
# and the level shown lies on that side too. One check rarely does: a right answer to a hard check is as
# much a sign of a high level as of a lucky guess, and it never says that a person rates themselves too high.
DISAGREEMENT_SURE = 0.9
# A level shown (to one decimal) this far or more from its self-rating says why on the page, since the person can
# see the difference: a competency no knowledge check has tested rests on its self-rating alone, read through the
# person's shared self-rating bias and their own mean level (the other answers moved it); a checked one is the mean
# of the levels the rating and the checks allow (a rating of 5 with a right answer to the hardest check reads 4,4:
# the answers still allow 4 and below, and the mean of what they allow lies under the top of the scale).
RATING_MOVED = 0.5

_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(9)
_HERMITE_WEIGHTS = _HERMITE_WEIGHTS / _HERMITE_WEIGHTS.sum()


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
    difficulty: int | None = None  # the labelled difficulty 1-5 of a knowledge check
    location: float | None = None  # b on the level scale; None: seeded from the difficulty
    discrimination: float | None = None  # a; None: DEFAULT_DISCRIMINATION
    location_sd: float | None = None  # how unsure b is; None: LOCATION_UNCERTAINTY (labels, not yet learned)
    rating_noise: float | None = None  # self-ratings: the noise an active calibration learned; None: shipped
    rating_bias: float | None = None  # self-ratings: the population's mean bias a calibration learned
    rating_bias_sd: float | None = None  # ... and its spread; None: BIAS_PRIOR_MEAN and BIAS_PRIOR_SD

    def option(self, value: str) -> OptionSpec | None:
        return self._by_value.get(value)

    @cached_property
    def _by_value(self) -> dict[str, OptionSpec]:
        return {o.value: o for o in self.options}

    @property
    def guessing(self) -> float:
        return 1 / max(2, len(self.options))

    def p_right(self) -> np.ndarray:
        """P(right answer | level) for the levels 0-5."""
        return self._right_curve

    @cached_property
    def _right_curve(self) -> np.ndarray:
        location = self.location if self.location is not None else (self.difficulty or 3) - DIFFICULTY_OFFSET
        location_sd = LOCATION_UNCERTAINTY if self.location_sd is None else self.location_sd
        return _p_right(self.discrimination or DEFAULT_DISCRIMINATION, location, location_sd, self.guessing)

    @cached_property
    def _wrong_curve(self) -> np.ndarray:
        """P(wrong answer | level): the likelihood of a wrong answer, kept with the item like `p_right`."""
        wrong = 1 - self._right_curve
        wrong.setflags(write=False)
        return wrong

    @cached_property
    def _log_chance(self) -> float:
        """log P(this answer) for a person answering at random."""
        return math.log(1 / len(self.options))

    @cached_property
    def _styled(self) -> tuple[tuple[OptionSpec, ...], np.ndarray | None]:
        """A scenario's options that carry a style, and log P(option | style) over STYLE_GRID (None for fewer
        than two)."""
        styled = tuple(o for o in self.options if o.style is not None)
        if len(styled) < 2:
            return styled, None
        return styled, _scenario_table(tuple(o.style for o in styled), SCENARIO_TEMPERATURE)


@lru_cache(maxsize=4096)
def _p_right(discrimination: float, location: float, location_sd: float, guessing: float) -> np.ndarray:
    locations = location + location_sd * _HERMITE_NODES  # the uncertain location, integrated out
    knows = 1 / (1 + np.exp(-discrimination * (LEVELS[:, None] - locations[None, :])))
    curve = guessing + (1 - guessing) * (knows @ _HERMITE_WEIGHTS)
    curve.setflags(write=False)
    return curve


@dataclass(frozen=True)
class SelfRaters:
    """How the people who take the assessment rate themselves: said = round(level + bias + noise), with
    the noise's standard deviation one of `noises` and the personal bias normal around `bias_mean` with
    `bias_sd`. None: the shipped values (SELF_RATING_NOISES, BIAS_PRIOR_MEAN, BIAS_PRIOR_SD)."""

    noises: tuple[float, ...] | None = None
    bias_mean: float | None = None
    bias_sd: float | None = None


def self_raters(items: Iterable[ItemSpec]) -> SelfRaters:
    """The self-rater model of this bank: what an active item calibration learned from real answers
    (written onto the self-rating items), else the shipped values."""
    ratings = [item for item in items if item.kind == "self_rating"]
    noises = {item.rating_noise for item in ratings if item.rating_noise}
    biases = {(item.rating_bias or 0.0, item.rating_bias_sd) for item in ratings if item.rating_bias_sd is not None}
    bias_mean, bias_sd = max(biases, key=lambda b: (b[1], b[0])) if biases else (None, None)
    return SelfRaters((max(noises),) if noises else None, bias_mean, bias_sd)


def _rater_key(raters: SelfRaters | None = None) -> tuple:
    """What the self-rater tables below are made from (they are cached on it)."""
    raters = raters or SelfRaters()
    return (
        BIAS_GRID.tobytes(),
        raters.noises or SELF_RATING_NOISES,
        SELF_RATING_LAPSE,
        BIAS_PRIOR_MEAN if raters.bias_mean is None else raters.bias_mean,
        max(MIN_BIAS_PRIOR_SD, BIAS_PRIOR_SD if raters.bias_sd is None else raters.bias_sd),
    )


def _rater_grid(raters: SelfRaters | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every kind of self-rater the model allows: (bias, noise) pairs, flattened."""
    return _rater_grid_table(_rater_key(raters))


@lru_cache(maxsize=8)
def _rater_grid_table(key: tuple) -> tuple[np.ndarray, np.ndarray]:
    bias, noise = np.meshgrid(BIAS_GRID, np.array(key[1]), indexing="ij")
    bias, noise = bias.ravel(), noise.ravel()
    bias.setflags(write=False)
    noise.setflags(write=False)
    return bias, noise


def _self_rating_table(raters: SelfRaters | None = None) -> np.ndarray:
    """P(says s | level, rater): shape (rater, level, said)."""
    return _self_rating_table_for(_rater_key(raters))


@lru_cache(maxsize=8)
def _self_rating_table_for(key: tuple) -> np.ndarray:
    lapse = SELF_RATING_LAPSE
    bias, noise = _rater_grid_table(key)
    centre = LEVELS[None, :, None] + bias[:, None, None]
    edges = np.concatenate([[-np.inf], np.arange(0.5, 5, 1.0), [np.inf]])  # rounding, clipped to 0..5
    z = (edges[None, None, :] - centre) / noise[:, None, None]
    cdf = 0.5 * _erfc(-z / math.sqrt(2))
    table = (1 - lapse) * np.diff(cdf, axis=2) + lapse / len(LEVELS)
    table.setflags(write=False)
    return table


_erfc = np.vectorize(math.erfc, otypes=[float])


def _rater_log_prior(raters: SelfRaters | None = None) -> np.ndarray:
    """The bias is normal (shipped: around 0, as many modest as over-confident people; or as learned);
    the noise is uniform over its grid."""
    return _rater_log_prior_table(_rater_key(raters))


@lru_cache(maxsize=8)
def _rater_log_prior_table(key: tuple) -> np.ndarray:
    bias, _ = _rater_grid_table(key)
    bias_mean, bias_sd = key[3], key[4]
    log_prior = -0.5 * ((bias - bias_mean) / bias_sd) ** 2
    table = log_prior - np.log(np.exp(log_prior).sum())
    table.setflags(write=False)
    return table


@dataclass(frozen=True)
class CompetencyScore:
    slug: str
    level: int  # 0..5: the step in the middle of the posterior (its median); the best guess in levels
    expected: float  # 0..5: the posterior mean, finer than the step; what the score and the role match use
    level_low: float  # the 90 % range of the level
    level_high: float
    confidence: float  # 0..1: 1 - posterior spread / the spread of knowing nothing (the prior's)
    answered: int
    total: int
    posterior: tuple[float, ...] = ()  # P(level = 0..5)
    self_level: int | None = None
    knowledge_posterior: tuple[float, ...] = ()  # P(level = 0..5) from the knowledge checks alone (flat prior)

    @property
    def score(self) -> float:
        return half_up(self.expected * 20, 1)

    @property
    def knowledge_checked(self) -> bool:
        return bool(self.knowledge_posterior)

    @property
    def rates_self_higher(self) -> bool:
        """The knowledge checks clearly show less than the self-rating: they put at least DISAGREEMENT_SURE of
        their weight a level or more below it, and the level shown is below it too."""
        if self.self_level is None or not self.knowledge_posterior:
            return False
        below = sum(self.knowledge_posterior[: max(self.self_level, 0)])
        return below >= DISAGREEMENT_SURE and self.expected < self.self_level

    @property
    def moved_from_rating(self) -> int:
        """+1 or -1 when the level as the pages write it (one decimal) lies RATING_MOVED or more above or below the
        self-rating; 0 otherwise, and where nothing was said."""
        if self.self_level is None:
            return 0
        moved = half_up(half_up(self.expected, 1) - self.self_level, 1)
        return (moved >= RATING_MOVED) - (moved <= -RATING_MOVED)

    @property
    def moved_unchecked(self) -> int:
        """`moved_from_rating` where no knowledge check tested this competency (the person's other answers moved
        it); 0 for a checked one."""
        return 0 if self.knowledge_posterior else self.moved_from_rating

    @property
    def moved_checked(self) -> int:
        """`moved_from_rating` where knowledge checks tested this competency; 0 for an unchecked one."""
        return self.moved_from_rating if self.knowledge_posterior else 0

    @property
    def rates_self_lower(self) -> bool:
        """The knowledge checks clearly show more than the self-rating (as `rates_self_higher`, upwards)."""
        if self.self_level is None or not self.knowledge_posterior:
            return False
        above = sum(self.knowledge_posterior[self.self_level + 1 :])
        return above >= DISAGREEMENT_SURE and self.expected > self.self_level


class Reliability:
    """Why a result is, or is not, to be trusted (a code; the page words it)."""

    OK = "ok"
    TOO_FEW = "too_few"  # far too few answers for any result
    UNCHECKED = "unchecked"  # self-ratings that no knowledge check could test
    INCONSISTENT = "inconsistent"  # random or careless answers: no level explains them


# Components of the joint posterior lighter than this are left out of `LevelMixture` (the rest renormalised).
MIXTURE_FLOOR = 1e-9
MIXTURE_DRAWS = 1024  # plausible profiles for the ranges of sums over competencies
MIXTURE_SEED = 20261204


@lru_cache(maxsize=8)
def stratified_uniforms(count: int, columns: int, seed: int = MIXTURE_SEED) -> np.ndarray:
    """Fixed stratified uniforms (a Latin hypercube): each column covers (0, 1) evenly; the same for one seed."""
    rng = np.random.default_rng(seed)
    strata = (np.arange(count)[:, None] + rng.random((count, columns))) / count
    for column in range(columns):
        strata[:, column] = strata[rng.permutation(count), column]
    strata.setflags(write=False)
    return strata


@dataclass(frozen=True)
class LevelMixture:
    """The joint posterior of a person's levels, which the per-competency posteriors only summarise.

    The measurement shares one self-rating bias and one mean level across all competencies: given one
    (bias, mean) component the competencies' levels are independent, so the joint posterior is a mixture.
    Anything that adds up over competencies (a role's missing levels) has its spread from it: the
    competencies' errors move together through the shared bias, which per-competency posteriors miss."""

    slugs: tuple[str, ...]  # the competencies, in the order of `conditionals`
    weights: np.ndarray  # (components,), summing to 1
    conditionals: np.ndarray  # (competency, component, level): P(level | component) per competency

    def draws(self, count: int = MIXTURE_DRAWS) -> np.ndarray:
        """`count` plausible level profiles (count, competency) from the joint posterior: a component by its
        weight, then each competency's level given it. The draws are fixed (stratified uniforms from one seed),
        so the same answers always give the same figures."""
        uniforms = stratified_uniforms(count, 1 + len(self.slugs))
        cumulative = np.cumsum(self.weights)
        component = np.searchsorted(cumulative, uniforms[:, 0] * cumulative[-1]).clip(0, len(self.weights) - 1)
        # A level is how many steps of its cumulative distribution the uniform passes, the top level at most. The
        # cumulative distributions are summed once per component (about 100), not once per draw, and passed one step
        # at a time on (draw, competency) arrays; a cumulative sum never falls, so counting the steps below the top
        # one gives the same levels as counting all six and cutting at 5 (in about a sixth of the time).
        passes = np.ascontiguousarray(uniforms[:, 1:])
        levels = np.zeros(passes.shape, dtype=np.intp)
        below = np.zeros((len(self.weights), len(self.slugs)))  # (component, competency): P(level <= step)
        for step in self.conditionals.transpose(2, 1, 0)[:-1]:
            below = below + step  # np.cumsum's own additions, in its order
            levels += passes > below.take(component, axis=0)
        return levels

    def ordered(self, slugs: Sequence[str]) -> LevelMixture | None:
        """The same mixture with its competencies in the order of `slugs` (None if one of them is not in it)."""
        if tuple(slugs) == self.slugs:
            return self
        position = {slug: i for i, slug in enumerate(self.slugs)}
        if any(slug not in position for slug in slugs):
            return None
        return LevelMixture(tuple(slugs), self.weights, self.conditionals[[position[slug] for slug in slugs]])


@dataclass(frozen=True)
class Profile:
    competencies: dict[str, CompetencyScore]
    work_style: float
    work_style_confidence: float
    answered: int = 0
    total: int = 0
    reliability: str = Reliability.OK
    person_fit: float = 0.0  # log Bayes factor of a consistent person against random answering (higher: fits)
    prior_fit: float = 0.0  # the same for the measurement's own prior (no level anywhere): how far its ranges hold
    self_bias: float | None = None  # how far the self-ratings run above (+) or below (-) the checks
    self_bias_range: tuple[float, float] | None = None  # ... and its 90 % range
    work_style_range: tuple[float, float] | None = None  # the work style's 90 % range
    work_style_answers: int = 0  # the work-style situations it rests on
    extra: dict = field(default_factory=dict)
    # The joint posterior of the levels, for spreads of sums over competencies; not stored with a result
    # (a stored result keeps the figures computed from it).
    level_mixture: LevelMixture | None = field(default=None, compare=False, repr=False)

    @property
    def reliable(self) -> bool:
        return self.reliability == Reliability.OK

    @property
    def holds_together(self) -> bool:
        """The answers read as one person's: the 90 % ranges are what they claim (with too few answers they are
        wide, not wrong); answers that do not hold together may put the ranges off as well."""
        return self.reliability != Reliability.INCONSISTENT

    def levels(self) -> dict[str, float]:
        """The expected level of each competency (finer than the steps): what the role match uses."""
        return {slug: c.expected for slug, c in self.competencies.items()}


@dataclass
class _Evidence:
    """One competency's answers, as likelihoods over its levels."""

    slug: str
    total: int
    knowledge: np.ndarray = field(default_factory=lambda: np.ones(len(LEVELS)))
    self_level: int | None = None
    answered: int = 0
    knowledge_answered: int = 0
    log_constant: float = 0.0  # log-likelihood that does not depend on the level
    raters: SelfRaters | None = None  # the bank's self-rater model (None: shipped)

    def self_rating(self) -> np.ndarray:
        """P(the stated self-rating | bias, level): shape (bias, level); ones without a rating."""
        return _self_rating_columns(_self_rating_table(self.raters), self.self_level)


def _self_rating_columns(table: np.ndarray, said: int | None) -> np.ndarray:
    """`_Evidence.self_rating` from the table: its column for the stated rating, ones without one."""
    if said is None:
        return np.ones(table.shape[:2])
    return table[:, :, said]


def _collect(
    slug: str, items: list[ItemSpec], answers: Mapping[str, str | None], raters: SelfRaters | None = None
) -> _Evidence:
    evidence = _Evidence(slug=slug, total=len(items), raters=raters)
    for item in items:
        chosen = item.option(answers.get(item.slug) or "")
        if chosen is None:
            continue
        evidence.answered += 1
        if item.kind == "self_rating" and chosen.level is not None:
            evidence.self_level = int(chosen.level)
        elif item.kind == "knowledge":
            evidence.knowledge_answered += 1
            evidence.knowledge = evidence.knowledge * (item._right_curve if chosen.correct else item._wrong_curve)
            if not chosen.correct:  # which wrong option: any of them alike (for the fit against random answers)
                evidence.log_constant -= math.log(max(1, len(item.options) - 1))
    return evidence


def _quantiles(posterior: np.ndarray, shares: Sequence[float]) -> list[float]:
    """Quantiles of the level, cut to 0-5.

    Levels are steps on a continuum: level l stands for the stretch from l - 0.5 to l + 0.5, over
    which its probability is spread evenly, so quantiles fall between the steps."""
    cdf = np.concatenate([[0.0], np.cumsum(posterior)])
    edges = np.concatenate([LEVELS - 0.5, [LEVELS[-1] + 0.5]])
    return [round(float(np.clip(q, 0, 5)), 2) for q in np.interp(shares, cdf, edges)]


def _quantile_table(posteriors: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """`_quantiles` of many posteriors at once: shape (posteriors, shares), not yet rounded (all shares at once)."""
    cdf = np.concatenate([np.zeros((len(posteriors), 1)), np.cumsum(posteriors, axis=1)], axis=1)  # (c, 7)
    share = np.asarray(shares, dtype=float)[None, :]  # (1, s)
    rows = np.arange(len(posteriors))[:, None]
    last = cdf.shape[1] - 1
    j = (cdf[:, None, :] <= share[:, :, None]).sum(axis=2) - 1  # (c, s): the last step whose share is reached
    inside = j < last
    jj = np.minimum(j, last - 1)
    below, above = cdf[rows, jj], cdf[rows, jj + 1]
    width = np.where(above > below, above - below, 1.0)
    at = (LEVELS[0] - 0.5) + jj + np.clip((share - below) / width, 0, 1)
    return np.clip(np.where(inside, at, LEVELS[-1] + 0.5), 0, 5)


@lru_cache(maxsize=8)
def _level_prior_table(spreads: tuple[float, ...] | None, means: tuple[float, ...]) -> np.ndarray:
    if spreads is None:
        return np.full((1, len(LEVELS)), 1 / len(LEVELS))
    mean, spread = np.meshgrid(np.array(means), np.array(spreads), indexing="ij")
    prior = np.exp(-0.5 * ((LEVELS[None, :] - mean.ravel()[:, None]) / spread.ravel()[:, None]) ** 2)
    prior = prior / prior.sum(axis=1, keepdims=True)
    prior.setflags(write=False)
    return prior


def _level_prior() -> np.ndarray:
    """P(level | the person's own mean level and spread): shape (mean and spread, level)."""
    return _level_prior_table(PERSON_SPREADS, tuple(MEAN_GRID))


@lru_cache(maxsize=8)
def _mean_log_prior_table(
    spreads: tuple[float, ...] | None, means: tuple[float, ...], centre: float, sd: float
) -> np.ndarray:
    """log P(the person's mean level and spread), over the rows of `_level_prior_table` (mean-major): normal
    around `centre` over the means, the spreads equally likely."""
    if spreads is None:
        return np.zeros(1)
    log_mean = -0.5 * ((np.array(means) - centre) / sd) ** 2
    log_mean -= np.log(np.exp(log_mean).sum())
    table = np.repeat(log_mean, len(spreads)) - np.log(len(spreads))
    table.setflags(write=False)
    return table


def _mean_log_prior() -> np.ndarray:
    """log P(the person's mean level and spread): shape (mean and spread,), the rows of `_level_prior`."""
    return _mean_log_prior_table(PERSON_SPREADS, tuple(MEAN_GRID), MEAN_PRIOR_CENTRE, MEAN_PRIOR_SD)


def _spread_of_knowing_nothing() -> float:
    """The standard deviation of one level before any answer (the prior's): what a level's confidence is 0 at."""
    level = np.exp(_mean_log_prior()) @ _level_prior()
    mean = float(level @ LEVELS)
    return float(np.sqrt(level @ (LEVELS - mean) ** 2))


def _competency_levels(
    evidence: list[_Evidence], raters: SelfRaters | None = None
) -> tuple[np.ndarray, tuple[float, float, float], float, float, LevelMixture]:
    """Posteriors over the levels (competency, level), the self-rating bias (its expectation and 90 % range),
    the log marginal likelihood, the log marginal likelihood of the person-fit test (``FIT_OUTLIER_SHARE``),
    and the joint posterior (`LevelMixture`).

    The person's bias and own mean level are shared by all competencies: a grid over both, with
    each competency's level summed out given them (all competencies at once, as arrays)."""
    if not evidence:
        empty = LevelMixture((), np.ones(1), np.zeros((0, 1, len(LEVELS))))
        return np.zeros((0, len(LEVELS))), (0.0, 0.0, 0.0), 0.0, 0.0, empty
    prior = _level_prior()  # (mean, level)
    knowledge = np.stack([e.knowledge for e in evidence])  # (competency, level)
    table = _self_rating_table(raters)
    self_rating = np.stack([_self_rating_columns(table, e.self_level) for e in evidence])  # (competency, rater, level)
    # prior x knowledge first, on the small array, then x self-rating: the same products, in the same order
    joint = (prior[None, :, :] * knowledge[:, None, :])[:, None, :, :] * self_rating[:, :, None, :]
    # P(answers of a competency | rater, mean): summed over the levels one after the other, on whole (competency,
    # rater, mean) arrays. That is how numpy sums fewer than eight numbers (the same bits as joint.sum(axis=3)), whose
    # thousands of sums of six along the short last axis take four times as long.
    marginal = joint[..., 0]
    for level in range(1, len(LEVELS)):
        marginal = marginal + joint[..., level]
    marginal = np.maximum(marginal, 1e-300)
    log_rater_mean = _rater_log_prior(raters)[:, None] + _mean_log_prior()[None, :]
    log_joint = log_rater_mean + np.log(marginal).sum(axis=0)
    top = log_joint.max()
    constant = sum(e.log_constant for e in evidence)
    log_marginal = float(top + np.log(np.exp(log_joint - top).sum())) + constant
    weights = np.exp(log_joint - top)
    weights /= weights.sum()
    conditionals = joint / marginal[:, :, :, None]  # (competency, rater, mean, level)
    posteriors = np.einsum("rm,crml->cl", weights, conditionals)
    flat = weights.ravel()
    kept = np.flatnonzero(flat > MIXTURE_FLOOR)
    mixture = LevelMixture(
        tuple(e.slug for e in evidence),
        flat[kept] / flat[kept].sum(),
        conditionals.reshape(len(evidence), -1, len(LEVELS))[:, kept, :],
    )
    # The fit test's prior mixes in the uniform: per competency, the same answers summed over any level.
    anywhere = (knowledge[:, None, :] * self_rating).mean(axis=2)  # (competency, rater)
    robust = (1 - FIT_OUTLIER_SHARE) * marginal + FIT_OUTLIER_SHARE * anywhere[:, :, None]
    log_robust = log_rater_mean + np.log(np.maximum(robust, 1e-300)).sum(axis=0)
    top = log_robust.max()
    log_fit_marginal = float(top + np.log(np.exp(log_robust - top).sum())) + constant
    return posteriors, _bias_summary(weights.sum(axis=1), raters), log_marginal, log_fit_marginal, mixture


def _bias_summary(weights: np.ndarray, raters: SelfRaters | None = None) -> tuple[float, float, float]:
    """The self-rating bias from the posterior weights of the kinds of self-rater: its expectation and its
    90 % range (each point of BIAS_GRID standing for the stretch half a grid step either side of it)."""
    bias = _rater_grid(raters)[0]
    expected = float(weights @ bias)
    on_grid = weights.reshape(len(BIAS_GRID), -1).sum(axis=1)  # the grid is bias-major: (bias, noise)
    half = (BIAS_GRID[1] - BIAS_GRID[0]) / 2
    edges = np.concatenate([BIAS_GRID - half, [BIAS_GRID[-1] + half]])
    cdf = np.concatenate([[0.0], np.cumsum(on_grid)])
    tail = (1 - RANGE_MASS) / 2
    low, high = np.interp((tail, 1 - tail), cdf, edges)
    return expected, float(low), float(high)


@lru_cache(maxsize=1024)
def _scenario_table(styles: tuple[float, ...], temperature: float) -> np.ndarray:
    """log P(option | the person's style): shape (style grid, option)."""
    logits = -((np.array(styles)[None, :] - STYLE_GRID[:, None]) ** 2) / (2 * temperature**2)
    top = logits.max(axis=1, keepdims=True)
    table = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    table.setflags(write=False)
    return table


def _style_evidence(scenarios: list[ItemSpec], answers: Mapping[str, str | None]) -> tuple[np.ndarray, int, float]:
    """The chosen scenario options: log P(options | style) over STYLE_GRID, how many there are, and log P(options)
    at random. The work style and the fit test both read them (added up once)."""
    log_style = np.zeros(len(STYLE_GRID))
    answered = 0
    at_random = 0.0
    for item in scenarios:
        chosen = item.option(answers.get(item.slug) or "")
        styled, table = item._styled
        if chosen is None or chosen.style is None or table is None:
            continue
        log_style += table[:, styled.index(chosen)]
        answered += 1
        at_random += math.log(1 / len(styled))
    return log_style, answered, at_random


def _scenario_log_likelihood(log_style: np.ndarray) -> float:
    """Log likelihood of the chosen scenario options under a person with one work style (`_style_evidence`)."""
    top = log_style.max()
    return float(top + np.log(np.exp(log_style - top).mean()))


@dataclass(frozen=True)
class StyleEstimate:
    value: float  # -1 (firefighter) .. +1 (architect): the posterior mean
    confidence: float  # the share of the bank's scenarios answered
    low: float  # the 90 % range of the style
    high: float
    answered: int  # scenarios answered with a styled option


def estimate_work_style(items: list[ItemSpec], answers: Mapping[str, str | None]) -> StyleEstimate:
    """The person's work style from the chosen scenario options: the posterior over `STYLE_GRID` (flat prior,
    each answer weighed by P(option | style), as the fit and the adaptive test weigh it), its mean and 90 %
    range. One answer leaves the range wide (a choice of the most architectural option: 0.76, range 0.3 to
    1); twelve settle it. Nothing answered: 0 (balanced) with the whole axis as its range."""
    log_style, answered, _at_random = _style_evidence(items, answers)
    return _work_style(log_style, answered, len(items))


def _work_style(log_style: np.ndarray, answered: int, scenarios: int) -> StyleEstimate:
    """`estimate_work_style` from `_style_evidence`."""
    if not answered:
        return StyleEstimate(0.0, 0.0, -1.0, 1.0, 0)
    posterior = np.exp(log_style - log_style.max())
    posterior /= posterior.sum()
    cumulative = np.cumsum(posterior)
    tail = (1 - RANGE_MASS) / 2
    low = STYLE_GRID[min(int(np.searchsorted(cumulative, tail - 1e-9)), len(STYLE_GRID) - 1)]
    high = STYLE_GRID[min(int(np.searchsorted(cumulative, 1 - tail - 1e-9)), len(STYLE_GRID) - 1)]
    return StyleEstimate(
        value=round(float(posterior @ STYLE_GRID), 3),
        confidence=round(answered / scenarios, 3),
        low=round(float(low), 2),
        high=round(float(high), 2),
        answered=answered,
    )


def _random_log_likelihood(items: Iterable[ItemSpec], answers: Mapping[str, str | None]) -> float:
    return sum(
        item._log_chance
        for item in items
        if item.kind != "scenario" and item.option(answers.get(item.slug) or "") is not None
    )


def score_profile(competencies: Iterable[str], items: Iterable[ItemSpec], answers: Mapping[str, str | None]) -> Profile:
    """The skills profile for a set of answers (item slug -> option value; missing = skipped)."""
    items = list(items)
    by_competency: dict[str, list[ItemSpec]] = {slug: [] for slug in competencies}
    scenarios = []
    for item in items:
        if item.kind == "scenario":
            scenarios.append(item)
        elif item.competency in by_competency:
            by_competency[item.competency].append(item)
    raters = self_raters(items)
    evidence = [_collect(slug, group, answers, raters) for slug, group in by_competency.items()]
    posteriors, (self_bias, bias_low, bias_high), log_marginal, log_fit_marginal, mixture = _competency_levels(
        evidence, raters
    )
    scores = {}
    tail = (1 - RANGE_MASS) / 2
    expectations = posteriors @ LEVELS
    spreads = np.sqrt(np.einsum("cl,cl->c", posteriors, (LEVELS[None, :] - expectations[:, None]) ** 2))
    knowing_nothing = _spread_of_knowing_nothing()
    steps = (np.cumsum(posteriors, axis=1) < 0.5 - 1e-9).sum(axis=1)  # the median step
    ranges = np.round(_quantile_table(posteriors, (tail, 1 - tail)), 2)
    knowledge = np.array([e.knowledge for e in evidence]).reshape(-1, len(LEVELS))
    # the knowledge checks' likelihood as a posterior (flat prior), for all competencies at once
    knowledge_posteriors = np.round(knowledge / knowledge.sum(axis=1, keepdims=True), 6).tolist()
    for e, posterior, expected, spread, level, (low, high), checked in zip(
        evidence, np.round(posteriors, 6).tolist(), expectations, spreads, steps, ranges.tolist(), knowledge_posteriors
    ):
        knowledge_posterior = tuple(checked) if e.knowledge_answered else ()  # the checks' likelihood, if any
        scores[e.slug] = CompetencyScore(
            slug=e.slug,
            level=int(level),
            expected=round(float(expected), 3),
            level_low=half_up(low, 1),
            level_high=half_up(high, 1),
            confidence=round(max(0.0, 1 - float(spread) / knowing_nothing), 3),
            answered=e.answered,
            total=e.total,
            posterior=tuple(posterior),
            self_level=e.self_level,
            knowledge_posterior=knowledge_posterior,
        )
    log_style, styled_answers, scenario_random = _style_evidence(scenarios, answers)
    style = _work_style(log_style, styled_answers, len(scenarios))
    scenario_model = _scenario_log_likelihood(log_style)
    at_random = _random_log_likelihood(items, answers) + scenario_random
    person_fit = (log_fit_marginal + scenario_model) - at_random
    prior_fit = (log_marginal + scenario_model) - at_random
    answered = sum(e.answered for e in evidence) + sum(
        1 for item in scenarios if item.option(answers.get(item.slug) or "") is not None
    )
    knowledge_answered = sum(e.knowledge_answered for e in evidence)
    if answered < MIN_ANSWERS:
        reliability = Reliability.TOO_FEW
    elif knowledge_answered < MIN_KNOWLEDGE_CHECKS:
        reliability = Reliability.UNCHECKED
    elif person_fit < -PERSON_FIT_THRESHOLD:
        reliability = Reliability.INCONSISTENT
    else:
        reliability = Reliability.OK
    has_self_ratings = any(e.self_level is not None for e in evidence)
    return Profile(
        competencies=scores,
        work_style=style.value,
        work_style_confidence=style.confidence,
        answered=answered,
        total=len(items),
        reliability=reliability,
        person_fit=round(person_fit, 3),
        prior_fit=round(prior_fit, 3),
        self_bias=round(float(self_bias), 3) if has_self_ratings else None,
        self_bias_range=(round(bias_low, 2), round(bias_high, 2)) if has_self_ratings else None,
        work_style_range=(style.low, style.high) if style.answered else None,
        work_style_answers=style.answered,
        level_mixture=mixture,
    )


def simulate_answers(
    items: Iterable[ItemSpec],
    levels: Mapping[str, float],
    work_style: float,
    rng: random.Random,
    bias: float | None = None,
) -> dict[str, str]:
    """Answers a person with these (true) levels would give, drawn from this module's own model.

    What the role model learns from: people generated for each role answer the question bank
    through the same measurement the product applies, so the model sees profiles as they are
    measured (shrunk and blurred), not as they were generated."""
    items = list(items)
    _grid, noises, _lapse, bias_mean, bias_sd = _rater_key(self_raters(items))
    bias = rng.gauss(bias_mean, bias_sd) if bias is None else bias
    noise = rng.choice(noises)
    answers = {}
    for item in items:
        competency = item.competency
        if item.kind == "self_rating" and competency is not None and competency in levels:
            said = min(5, max(0, round(levels[competency] + bias + rng.gauss(0, noise))))
            rated = [(o.level, o) for o in item.options if o.level is not None]
            if rated:
                answers[item.slug] = min(rated, key=lambda rated_option: abs(rated_option[0] - said))[1].value
        elif item.kind == "knowledge" and competency is not None and competency in levels:
            level = min(5.0, max(0.0, float(levels[competency])))
            right = rng.random() < float(np.interp(level, LEVELS, item.p_right()))
            pool = [o for o in item.options if o.correct == right] or list(item.options)
            answers[item.slug] = rng.choice(pool).value
        elif item.kind == "scenario":
            styled = [(o.style, o) for o in item.options if o.style is not None]
            if styled:
                weights = [
                    math.exp(-((style - work_style) ** 2) / (2 * SCENARIO_TEMPERATURE**2)) for style, _ in styled
                ]
                answers[item.slug] = rng.choices(styled, weights)[0][1].value
    return answers
