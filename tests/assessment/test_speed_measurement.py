"""Scoring keeps what is constant per item and per model once, and gives exactly the profile it gave.

The reference below is `score_profile` as it was before (every curve, table and prior worked out again on
every call); the profiles must be equal to the last digit, for any answers. So must the plausible profiles drawn
from the joint posterior (`LevelMixture.draws`) and the levels' ranges (`_quantile_table`), each against the code
it replaced.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import measurement as m
from assessment.measurement import (
    ItemSpec,
    OptionSpec,
    Profile,
    Reliability,
    score_profile,
)
from core.rounding import half_up
from tests.assessment.test_measurement import BANK, COMPETENCIES, scenario


def _p_right_as_before(item: ItemSpec) -> np.ndarray:
    location = item.location if item.location is not None else (item.difficulty or 3) - m.DIFFICULTY_OFFSET
    location_sd = m.LOCATION_UNCERTAINTY if item.location_sd is None else item.location_sd
    return m._p_right.__wrapped__(item.discrimination or m.DEFAULT_DISCRIMINATION, location, location_sd, item.guessing)


def _rater_grid_as_before():
    bias, noise = np.meshgrid(m.BIAS_GRID, np.array(m.SELF_RATING_NOISES), indexing="ij")
    return bias.ravel(), noise.ravel()


def _self_rating_as_before(said: int | None) -> np.ndarray:
    if said is None:
        return np.ones((len(m.BIAS_GRID) * len(m.SELF_RATING_NOISES), len(m.LEVELS)))
    bias, noise = _rater_grid_as_before()
    centre = m.LEVELS[None, :, None] + bias[:, None, None]
    edges = np.concatenate([[-np.inf], np.arange(0.5, 5, 1.0), [np.inf]])
    z = (edges[None, None, :] - centre) / noise[:, None, None]
    cdf = 0.5 * m._erfc(-z / math.sqrt(2))
    lapse = m.SELF_RATING_LAPSE
    return ((1 - lapse) * np.diff(cdf, axis=2) + lapse / len(m.LEVELS))[:, :, said]


def _rater_log_prior_as_before() -> np.ndarray:
    bias, _ = _rater_grid_as_before()
    log_prior = -0.5 * (bias / m.BIAS_PRIOR_SD) ** 2
    return log_prior - np.log(np.exp(log_prior).sum())


def _mean_log_prior_as_before() -> np.ndarray:
    """log P(the person's mean level), normal over the mean grid (one person spread)."""
    assert m.PERSON_SPREADS is not None and len(m.PERSON_SPREADS) == 1
    log_prior = -0.5 * ((m.MEAN_GRID - m.MEAN_PRIOR_CENTRE) / m.MEAN_PRIOR_SD) ** 2
    return log_prior - np.log(np.exp(log_prior).sum())


def _collect_as_before(slug, items, answers):
    evidence = m._Evidence(slug=slug, total=len(items))
    for item in items:
        chosen = item.option(answers.get(item.slug) or "")
        if chosen is None:
            continue
        evidence.answered += 1
        if item.kind == "self_rating" and chosen.level is not None:
            evidence.self_level = int(chosen.level)
        elif item.kind == "knowledge":
            evidence.knowledge_answered += 1
            p = _p_right_as_before(item)
            evidence.knowledge = evidence.knowledge * (p if chosen.correct else 1 - p)
            if not chosen.correct:
                evidence.log_constant -= math.log(max(1, len(item.options) - 1))
    return evidence


def _joint_as_before(prior, knowledge, self_rating):
    """The joint over (competency, rater, mean, level), its sums over the levels, and log P(answers, rater,
    mean) summed over the competencies."""
    joint = prior[None, None, :, :] * knowledge[:, None, None, :] * self_rating[:, :, None, :]
    marginal = np.maximum(joint.sum(axis=3), 1e-300)
    log_prior = _rater_log_prior_as_before()[:, None] + _mean_log_prior_as_before()[None, :]
    log_joint = log_prior + np.log(marginal).sum(axis=0)
    return joint, marginal, log_joint


def _log_marginal_as_before(log_joint, evidence):
    top = log_joint.max()
    return float(top + np.log(np.exp(log_joint - top).sum())) + sum(e.log_constant for e in evidence)


def _competency_levels_as_before(evidence):
    """Posteriors, bias, log marginal likelihood and that of the fit test (its prior: the level prior with
    the uniform mixed in, worked out in full)."""
    if not evidence:
        return np.zeros((0, len(m.LEVELS))), 0.0, 0.0, 0.0
    prior = m._level_prior_table.__wrapped__(m.PERSON_SPREADS, tuple(m.MEAN_GRID))
    knowledge = np.stack([e.knowledge for e in evidence])
    self_rating = np.stack([_self_rating_as_before(e.self_level) for e in evidence])
    joint, marginal, log_joint = _joint_as_before(prior, knowledge, self_rating)
    weights = np.exp(log_joint - log_joint.max())
    weights /= weights.sum()
    posteriors = np.einsum("rm,crml->cl", weights, joint / marginal[:, :, :, None])
    robust = (1 - m.FIT_OUTLIER_SHARE) * prior + m.FIT_OUTLIER_SHARE / len(m.LEVELS)
    log_fit_marginal = _log_marginal_as_before(_joint_as_before(robust, knowledge, self_rating)[2], evidence)
    bias = float(weights.sum(axis=1) @ _rater_grid_as_before()[0])
    low, high = _bias_range_as_before(weights.sum(axis=1))
    return posteriors, (bias, low, high), _log_marginal_as_before(log_joint, evidence), log_fit_marginal


def _bias_range_as_before(rater_weights):
    """The 90 % range of the bias, walking up the grid (each point stands for half a step either side)."""
    bias = _rater_grid_as_before()[0]
    on_grid = [rater_weights[bias == b].sum() for b in m.BIAS_GRID]
    step = m.BIAS_GRID[1] - m.BIAS_GRID[0]

    def quantile(share):
        below = 0.0
        for b, weight in zip(m.BIAS_GRID, on_grid):
            if weight > 0 and below + weight >= share:
                return b - step / 2 + step * (share - below) / weight
            below += weight
        return m.BIAS_GRID[-1] + step / 2

    return quantile(0.05), quantile(0.95)


def _scenario_log_likelihood_as_before(scenarios, answers):
    log_style = np.zeros(len(m.STYLE_GRID))
    at_random = 0.0
    for item in scenarios:
        chosen = item.option(answers.get(item.slug) or "")
        styled = [o for o in item.options if o.style is not None]
        if chosen is None or chosen.style is None or len(styled) < 2:
            continue
        table = m._scenario_table.__wrapped__(tuple(o.style for o in styled), m.SCENARIO_TEMPERATURE)
        log_style += table[:, styled.index(chosen)]
        at_random += math.log(1 / len(styled))
    top = log_style.max()
    return float(top + np.log(np.exp(log_style - top).mean())), at_random


def score_profile_as_before(competencies, items, answers) -> Profile:
    items = list(items)
    by_competency: dict[str, list] = {slug: [] for slug in competencies}
    scenarios = []
    for item in items:
        if item.kind == "scenario":
            scenarios.append(item)
        elif item.competency in by_competency:
            by_competency[item.competency].append(item)
    evidence = [_collect_as_before(slug, group, answers) for slug, group in by_competency.items()]
    posteriors, (self_bias, bias_low, bias_high), log_marginal, log_fit_marginal = _competency_levels_as_before(
        evidence
    )
    scores = {}
    tail = (1 - m.RANGE_MASS) / 2
    expectations = posteriors @ m.LEVELS
    spreads = np.sqrt(np.einsum("cl,cl->c", posteriors, (m.LEVELS[None, :] - expectations[:, None]) ** 2))
    steps = (np.cumsum(posteriors, axis=1) < 0.5 - 1e-9).sum(axis=1)
    ranges = np.round(m._quantile_table(posteriors, (tail, 1 - tail)), 2)
    for e, posterior, expected, spread, level, (low, high) in zip(
        evidence, posteriors, expectations, spreads, steps, ranges.tolist()
    ):
        knowledge_posterior = ()
        if e.knowledge_answered:
            knowledge_posterior = tuple(np.round(e.knowledge / e.knowledge.sum(), 6).tolist())
        scores[e.slug] = m.CompetencyScore(
            slug=e.slug,
            level=int(level),
            expected=round(float(expected), 3),
            level_low=half_up(low, 1),
            level_high=half_up(high, 1),
            confidence=round(max(0.0, 1 - float(spread) / m._spread_of_knowing_nothing()), 3),
            answered=e.answered,
            total=e.total,
            posterior=tuple(np.round(posterior, 6).tolist()),
            self_level=e.self_level,
            knowledge_posterior=knowledge_posterior,
        )
    style = m.estimate_work_style(scenarios, answers)
    scenario_model, scenario_random = _scenario_log_likelihood_as_before(scenarios, answers)
    at_random = sum(
        math.log(1 / len(item.options))
        for item in items
        if item.kind != "scenario" and item.option(answers.get(item.slug) or "") is not None
    )
    person_fit = (log_fit_marginal + scenario_model) - (at_random + scenario_random)
    prior_fit = (log_marginal + scenario_model) - (at_random + scenario_random)
    answered = sum(e.answered for e in evidence) + sum(
        1 for item in scenarios if item.option(answers.get(item.slug) or "") is not None
    )
    knowledge_answered = sum(e.knowledge_answered for e in evidence)
    if answered < m.MIN_ANSWERS:
        reliability = Reliability.TOO_FEW
    elif knowledge_answered < m.MIN_KNOWLEDGE_CHECKS:
        reliability = Reliability.UNCHECKED
    elif person_fit < -m.PERSON_FIT_THRESHOLD:
        reliability = Reliability.INCONSISTENT
    else:
        reliability = Reliability.OK
    return Profile(
        competencies=scores,
        work_style=style.value,
        work_style_confidence=style.confidence,
        answered=answered,
        total=len(items),
        reliability=reliability,
        person_fit=round(person_fit, 3),
        prior_fit=round(prior_fit, 3),
        self_bias=round(float(self_bias), 3) if any(e.self_level is not None for e in evidence) else None,
        self_bias_range=(round(bias_low, 2), round(bias_high, 2))
        if any(e.self_level is not None for e in evidence)
        else None,
        work_style_range=(style.low, style.high) if style.answered else None,
        work_style_answers=style.answered,
    )


# Beside the shared bank: checks with three and five options, learned locations and discriminations, a
# scenario with a style-less option, one with a single styled option.
EXTRA = [
    ItemSpec(
        slug=f"c{i}-learned",
        kind="knowledge",
        competency=f"c{i}",
        options=tuple(OptionSpec(str(k), correct=k == 0) for k in range(3 + i % 3)),
        location=0.7 * i - 1.0,
        discrimination=0.8 + 0.3 * i,
        location_sd=0.2 if i % 2 else None,
    )
    for i in range(0, 10, 2)
] + [
    ItemSpec("s-mixed", "scenario", None, (OptionSpec("a", style=-0.5), OptionSpec("b"), OptionSpec("c", style=0.9))),
    scenario("s-single", (0.2,)),
]
ITEMS = BANK + EXTRA


def answer_to(item: ItemSpec) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.just("no-such-option"), st.sampled_from([o.value for o in item.options]))


answers_strategy = st.fixed_dictionaries({item.slug: answer_to(item) for item in ITEMS}).map(
    lambda answers: {slug: value for slug, value in answers.items() if value is not None}
)


@settings(max_examples=300, deadline=None)
@given(answers_strategy)
def test_a_profile_is_exactly_what_it_was_for_any_answers(answers):
    profile, before = score_profile(COMPETENCIES, ITEMS, answers), score_profile_as_before(COMPETENCIES, ITEMS, answers)
    # the fit test's marginal is summed in another order here (the uniform part on its own): equal to rounding
    assert math.isclose(profile.person_fit, before.person_fit, abs_tol=0.0011)
    assert replace(profile, person_fit=before.person_fit) == before


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.floats(1e-6, 1, allow_nan=False), min_size=6, max_size=6),
            st.one_of(st.none(), st.integers(0, 5)),
            st.floats(-5, 0, allow_nan=False),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_the_levels_of_all_competencies_are_the_same_numbers_to_the_last_bit(rows):
    evidence = [
        m._Evidence(slug=f"c{i}", total=6, knowledge=np.array(k), self_level=said, log_constant=constant)
        for i, (k, said, constant) in enumerate(rows)
    ]
    posteriors, bias, log_marginal, log_fit_marginal, _mixture = m._competency_levels(evidence)
    expected_posteriors, expected_bias, expected_log_marginal, expected_fit = _competency_levels_as_before(evidence)
    assert np.array_equal(posteriors, expected_posteriors)
    assert (bias[0], log_marginal) == (expected_bias[0], expected_log_marginal)
    assert np.allclose(bias[1:], expected_bias[1:], rtol=0, atol=1e-9)
    assert math.isclose(log_fit_marginal, expected_fit, rel_tol=1e-12, abs_tol=1e-9)


def test_the_kept_curves_and_tables_are_the_ones_worked_out_afresh():
    for item in ITEMS:
        if item.kind == "knowledge":
            assert np.array_equal(item.p_right(), _p_right_as_before(item))
    for said in (None, 0, 3, 5):
        assert np.array_equal(m._Evidence("x", 1, self_level=said).self_rating(), _self_rating_as_before(said))
    assert np.array_equal(m._rater_log_prior(), _rater_log_prior_as_before())
    assert np.array_equal(m._mean_log_prior(), _mean_log_prior_as_before())


def draws_as_before(mixture: m.LevelMixture, count: int = m.MIXTURE_DRAWS) -> np.ndarray:
    """`LevelMixture.draws` as it was before it summed the cumulative distributions once per component."""
    uniforms = m.stratified_uniforms(count, 1 + len(mixture.slugs))
    cumulative = np.cumsum(mixture.weights)
    component = np.searchsorted(cumulative, uniforms[:, 0] * cumulative[-1]).clip(0, len(mixture.weights) - 1)
    cdfs = np.cumsum(mixture.conditionals[:, component, :], axis=2)
    return (uniforms[:, 1:].T[:, :, None] > cdfs).sum(axis=2).clip(0, len(m.LEVELS) - 1).T


@settings(max_examples=200, deadline=None)
@given(answers_strategy)
def test_the_plausible_profiles_are_the_ones_drawn_before(answers):
    mixture = score_profile(COMPETENCIES, ITEMS, answers).level_mixture
    assert mixture is not None
    drawn = mixture.draws()
    assert drawn.dtype == draws_as_before(mixture).dtype
    assert np.array_equal(drawn, draws_as_before(mixture))
    assert np.array_equal(mixture.draws(100), draws_as_before(mixture, 100))


def quantile_table_as_before(posteriors: np.ndarray, shares: tuple[float, ...]) -> np.ndarray:
    """`_quantile_table` as it was before it took all shares at once."""
    cdf = np.concatenate([np.zeros((len(posteriors), 1)), np.cumsum(posteriors, axis=1)], axis=1)
    result = np.empty((len(posteriors), len(shares)))
    rows = np.arange(len(posteriors))
    last = cdf.shape[1] - 1
    for k, share in enumerate(shares):
        j = (cdf <= share).sum(axis=1) - 1
        inside = j < last
        jj = np.minimum(j, last - 1)
        below, above = cdf[rows, jj], cdf[rows, jj + 1]
        width = np.where(above > below, above - below, 1.0)
        at = (m.LEVELS[0] - 0.5) + jj + np.clip((share - below) / width, 0, 1)
        result[:, k] = np.where(inside, at, m.LEVELS[-1] + 0.5)
    return np.clip(result, 0, 5)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.just(0.0), st.floats(1e-9, 1, allow_nan=False)), min_size=6, max_size=6).filter(
            lambda row: sum(row) > 0
        ),
        min_size=0,
        max_size=12,
    ),
    st.lists(st.sampled_from([0.0, 0.05, 0.04999999999999999, 0.5, 0.95, 0.9500000000000001, 1.0]), max_size=4),
)
def test_the_ranges_of_the_levels_are_the_same_numbers_to_the_last_bit(rows, shares):
    posteriors = np.array([[x / sum(row) for x in row] for row in rows]).reshape(-1, 6)
    assert np.array_equal(
        m._quantile_table(posteriors, tuple(shares)), quantile_table_as_before(posteriors, tuple(shares))
    )
