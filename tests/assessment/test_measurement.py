from __future__ import annotations

import random
import statistics
from dataclasses import replace

import pytest
from hypothesis import example, given, settings, target
from hypothesis import strategies as st

from assessment.measurement import (
    PERSON_FIT_THRESHOLD,
    SELF_RATING_NOISES,
    ItemSpec,
    OptionSpec,
    Reliability,
    SelfRaters,
    score_profile,
    self_raters,
    simulate_answers,
)

COMPETENCIES = [f"c{i}" for i in range(10)]


def self_rating(competency: str) -> ItemSpec:
    return ItemSpec(
        slug=f"{competency}-self",
        kind="self_rating",
        competency=competency,
        options=tuple(OptionSpec(value=str(lv), level=lv) for lv in range(6)),
    )


def knowledge(competency: str, difficulty: int) -> ItemSpec:
    return ItemSpec(
        slug=f"{competency}-k{difficulty}",
        kind="knowledge",
        competency=competency,
        difficulty=difficulty,
        options=(OptionSpec("a", correct=True), OptionSpec("b"), OptionSpec("c"), OptionSpec("d")),
    )


def scenario(slug: str, styles: tuple[float, ...]) -> ItemSpec:
    return ItemSpec(
        slug=slug,
        kind="scenario",
        competency=None,
        options=tuple(OptionSpec(value=f"o{i}", style=s) for i, s in enumerate(styles)),
    )


def bank(competencies: list[str] = COMPETENCIES, scenarios: int = 12) -> list[ItemSpec]:
    items = []
    for c in competencies:
        items.append(self_rating(c))
        items.extend(knowledge(c, d) for d in range(1, 6))
    items.extend(scenario(f"s{i}", (-1.0, -0.33, 0.33, 1.0)) for i in range(scenarios))
    return items


BANK = bank()
SMALL = bank(["x", "y"], scenarios=0)


def answers_for(self_level: int | None, knows_up_to: int, competency: str = "x") -> dict[str, str]:
    answers = {f"{competency}-k{d}": "a" if d <= knows_up_to else "b" for d in range(1, 6)}
    if self_level is not None:
        answers[f"{competency}-self"] = str(self_level)
    return answers


def consistent(levels: dict[str, int], skip: frozenset[str] = frozenset()) -> dict[str, str]:
    answers = {}
    for c, level in levels.items():
        answers.update(answers_for(level, level, c))
    return {k: v for k, v in answers.items() if k not in skip}


def test_a_consistent_person_is_measured_at_their_level_with_a_range_around_it():
    levels = dict(zip(COMPETENCIES, (1, 2, 3, 2, 3, 4, 2, 1, 3, 2)))
    profile = score_profile(COMPETENCIES, BANK, consistent(levels))
    for c, level in levels.items():
        score = profile.competencies[c]
        # Drawn a little towards the person's own mean (2.3 here), never out of range.
        assert abs(score.expected - level) <= 0.8
        assert score.level_low <= level <= score.level_high
        assert score.level_high - score.level_low < 3


def test_a_specialist_is_drawn_towards_their_own_mean_only_within_the_range():
    levels = {c: i % 6 for i, c in enumerate(COMPETENCIES)}  # 0 to 5: a very uneven profile
    profile = score_profile(COMPETENCIES, BANK, consistent(levels))
    for c, level in levels.items():
        score = profile.competencies[c]
        assert abs(score.level - level) <= 1
        assert score.level_low <= level <= score.level_high


def test_the_overconfident_person_who_fails_every_check_gets_a_lower_level_whose_range_stops_below_the_claim():
    """The checks overrule the self-rating: the level claimed lies outside the over-confident person's 90 % range and
    inside the grounded person's. (Not a wider range: with checks of two options the grounded person's range is wide
    too, 2.8-5.0 here, since a level-3 person who rates one level high passes such checks often.)"""
    grounded = score_profile(COMPETENCIES, BANK, consistent({c: 4 for c in COMPETENCIES})).competencies["c0"]
    answers = consistent({c: 4 for c in COMPETENCIES})
    answers.update({f"c0-k{d}": "b" for d in range(1, 6)})  # says 4 in c0, fails every check there
    overconfident = score_profile(COMPETENCIES, BANK, answers).competencies["c0"]
    assert overconfident.level < grounded.level
    assert overconfident.expected < grounded.expected - 1
    assert overconfident.level_high < 4 <= grounded.level_high and grounded.level_low <= 4
    assert overconfident.rates_self_higher


def check_says(self_level: int, checks: dict[int, bool], others: int = 2) -> tuple[bool, bool]:
    """(rates_self_higher, rates_self_lower) for c0 with this self-rating and these checks (difficulty ->
    right), the other competencies answered consistently at `others`."""
    answers = consistent({c: others for c in COMPETENCIES[1:]})
    answers["c0-self"] = str(self_level)
    answers.update({f"c0-k{d}": "a" if right else "b" for d, right in checks.items()})
    score = score_profile(COMPETENCIES, BANK, answers).competencies["c0"]
    return score.rates_self_higher, score.rates_self_lower


def test_a_single_right_answer_never_says_the_self_rating_runs_high_or_low():
    # a right answer to the one hard check backs a self-rating of 5 (it was read as "higher than the
    # checks show", from the mean of a single check's likelihood); one right easy check does not show more
    # than a self-rating of 1
    assert check_says(5, {4: True}) == (False, False)
    assert check_says(1, {1: True}) == (False, False)
    for self_level in range(6):
        for difficulty in range(1, 6):
            higher, _lower = check_says(self_level, {difficulty: True})
            assert not higher, (self_level, difficulty)


def test_the_self_rating_is_said_to_run_high_or_low_only_when_the_checks_clearly_show_it():
    assert check_says(4, {1: True, 2: True, 3: False, 4: False, 5: False}) == (True, False)
    assert check_says(1, {1: True, 2: True, 3: True, 4: True, 5: False}) == (False, True)
    assert check_says(3, {1: True, 2: True, 3: True, 4: False, 5: False}) == (False, False)
    assert check_says(3, {3: False}) == (False, False)  # one wrong answer may be a slip


def test_what_the_page_says_about_a_self_rating_agrees_with_the_level_it_shows():
    rng = random.Random(7)
    for _ in range(300):
        self_level = rng.randint(0, 5)
        checks = {d: rng.random() < 0.5 for d in rng.sample(range(1, 6), rng.randint(0, 5))}
        answers = consistent({c: rng.randint(0, 5) for c in COMPETENCIES[1:]})
        answers["c0-self"] = str(self_level)
        answers.update({f"c0-k{d}": "a" if right else "b" for d, right in checks.items()})
        score = score_profile(COMPETENCIES, BANK, answers).competencies["c0"]
        assert not (score.rates_self_higher and score.expected >= self_level)
        assert not (score.rates_self_lower and score.expected <= self_level)
        if score.rates_self_higher:  # only wrong answers can show less than the rating, only right ones more
            assert not all(checks.values())
        if score.rates_self_lower:
            assert any(checks.values())


def test_a_person_who_rates_everything_too_high_is_corrected_by_the_checks_everywhere():
    answers = {}
    for c in COMPETENCIES:  # knows up to 2, says 4: a bias of +2 that all ten competencies show
        answers.update(answers_for(4, 2, c))
    profile = score_profile(COMPETENCIES, BANK, answers)
    assert profile.self_bias is not None and profile.self_bias > 1
    assert all(s.level <= 3 for s in profile.competencies.values())


def test_the_self_rating_bias_comes_with_a_range_that_holds_it():
    high = {}
    for c in COMPETENCIES:
        high.update(answers_for(4, 2, c))
    steady = consistent({c: 3 for c in COMPETENCIES})
    over, even = score_profile(COMPETENCIES, BANK, high), score_profile(COMPETENCIES, BANK, steady)
    assert 0.5 < over.self_bias_range[0] < over.self_bias < over.self_bias_range[1]
    assert even.self_bias_range[0] < 0 < even.self_bias_range[1]
    assert score_profile(COMPETENCIES, BANK, {}).self_bias_range is None


def test_a_skipped_item_counts_neither_right_nor_wrong_and_leaves_the_range_wider():
    everyone_at_3 = consistent({c: 3 for c in COMPETENCIES})
    for slug in ("c0-k1", "c0-k3", "c0-k5"):
        right = score_profile(COMPETENCIES, BANK, dict(everyone_at_3, **{slug: "a"})).competencies["c0"]
        wrong = score_profile(COMPETENCIES, BANK, dict(everyone_at_3, **{slug: "b"})).competencies["c0"]
        skipped_answers = {k: v for k, v in everyone_at_3.items() if k != slug}
        skipped = score_profile(COMPETENCIES, BANK, skipped_answers).competencies["c0"]
        assert wrong.expected <= skipped.expected <= right.expected
        assert skipped.level_high >= wrong.level_high and skipped.level_low <= right.level_low
        assert skipped.answered == 5


def test_nothing_answered_means_the_priors_range_no_confidence_and_too_few_answers():
    """With no answer a level is what the prior says of anyone: the middle of the scale, a range over nearly all of
    it, and a confidence of 0 (confidence is measured against exactly this)."""
    profile = score_profile(COMPETENCIES, BANK, {})
    score = profile.competencies["c0"]
    assert score.answered == 0 and score.confidence == 0
    assert score.expected == 2.5 and score.level_low <= 0.5 and score.level_high >= 4.5
    assert profile.reliability == Reliability.TOO_FEW and not profile.reliable


def test_a_dozen_consistent_answers_are_not_too_few():
    answers = {f"{c}-self": "3" for c in COMPETENCIES}
    answers.update({"c0-k3": "a", "c1-k4": "b"})
    profile = score_profile(COMPETENCIES, BANK, answers)
    assert profile.answered == 12
    assert profile.reliable, profile.reliability


def test_self_ratings_that_no_check_tested_are_not_a_result():
    profile = score_profile(COMPETENCIES, BANK, {f"{c}-self": "3" for c in COMPETENCIES})
    assert profile.reliability == Reliability.UNCHECKED


def test_random_answers_are_flagged_and_people_answering_in_earnest_are_not():
    rng = random.Random(7)
    flagged_random = sum(
        not score_profile(COMPETENCIES, BANK, {i.slug: rng.choice(i.options).value for i in BANK}).reliable
        for _ in range(40)
    )
    flagged_people = 0
    for _ in range(40):
        levels = {c: rng.uniform(0, 5) for c in COMPETENCIES}
        answers = simulate_answers(BANK, levels, rng.uniform(-1, 1), rng)
        flagged_people += not score_profile(COMPETENCIES, BANK, answers).reliable
    assert flagged_random >= 38
    assert flagged_people <= 1


def test_a_strong_core_and_little_else_holds_together_and_random_answers_still_do_not():
    """Role holders' profiles are spiky (a core at 4-5, the rest at 0-1): answered in earnest, with the
    self-ratings, eight knowledge checks and two scenarios (about what the adaptive test asks), they hold
    together; random answers to the same questions do not. (Judged against the spread around the person's
    mean alone, three in four such people were flagged.)"""
    rng = random.Random(3)
    checks = [i.slug for i in BANK if i.kind == "knowledge"]
    flagged_people = flagged_random = flagged_by_prior = 0
    for _ in range(100):
        core = rng.sample(COMPETENCIES, 3)
        levels = {c: rng.uniform(4, 5) if c in core else rng.uniform(0, 1.5) for c in COMPETENCIES}
        asked = {f"{c}-self" for c in COMPETENCIES} | set(rng.sample(checks, 8)) | {"s0", "s1"}
        earnest = simulate_answers(BANK, levels, 0.4, rng)
        at_random = {i.slug: rng.choice(i.options).value for i in BANK}
        profile = score_profile(COMPETENCIES, BANK, {k: v for k, v in earnest.items() if k in asked})
        flagged_people += not profile.reliable
        flagged_by_prior += profile.prior_fit < -PERSON_FIT_THRESHOLD
        random_profile = score_profile(COMPETENCIES, BANK, {k: v for k, v in at_random.items() if k in asked})
        flagged_random += not random_profile.reliable
    assert flagged_people <= 20
    assert flagged_random >= 90
    assert flagged_by_prior >= 50  # the measurement's own prior finds them unlikely: the adaptive test asks on


def test_the_ninety_percent_ranges_hold_the_true_level_about_nine_times_in_ten():
    rng = random.Random(11)
    held = total = 0
    for _ in range(60):
        levels = {c: rng.randint(0, 5) for c in COMPETENCIES}
        profile = score_profile(COMPETENCIES, BANK, simulate_answers(BANK, levels, 0.0, rng))
        for c, level in levels.items():
            score = profile.competencies[c]
            held += score.level_low <= level <= score.level_high
            total += 1
    assert 0.85 <= held / total <= 0.98


answer_patterns = st.fixed_dictionaries(
    {"x-self": st.sampled_from(["0", "1", "2", "3", "4", "5"]), "y-self": st.sampled_from(["0", "2", "4"])},
    optional={f"{c}-k{d}": st.sampled_from(["a", "b"]) for c in "xy" for d in range(1, 6)},
)


@settings(max_examples=200, deadline=None)
@given(answer_patterns, st.sampled_from("xy"), st.integers(1, 5))
def test_a_right_answer_never_lowers_any_level(answers, competency, difficulty):
    slug = f"{competency}-k{difficulty}"
    wrong = score_profile(["x", "y"], SMALL, dict(answers, **{slug: "b"}))
    right = score_profile(["x", "y"], SMALL, dict(answers, **{slug: "a"}))
    for c in ("x", "y"):
        assert right.competencies[c].expected >= wrong.competencies[c].expected - 1e-9
        assert right.competencies[c].level >= wrong.competencies[c].level
        assert right.competencies[c].level_low >= wrong.competencies[c].level_low - 1e-9


@settings(max_examples=200, deadline=None)
@given(answer_patterns, st.integers(0, 4))
def test_a_higher_self_rating_never_lowers_that_level(answers, level):
    lower = score_profile(["x", "y"], SMALL, dict(answers, **{"x-self": str(level)}))
    higher = score_profile(["x", "y"], SMALL, dict(answers, **{"x-self": str(level + 1)}))
    assert higher.competencies["x"].expected >= lower.competencies["x"].expected - 1e-9


def step_answers(levels: list[int], bias: int, unasked: frozenset[tuple[int, int]] = frozenset()) -> dict[str, str]:
    """A person who knows every check up to their level and none above, and rates every competency
    `bias` steps off; the checks in `unasked` (competency index, difficulty) were not asked."""
    answers = {}
    for i, (c, level) in enumerate(zip(COMPETENCIES, levels)):
        answers[f"{c}-self"] = str(max(0, min(5, level + bias)))
        for d in range(1, 6):
            if (i, d) not in unasked:
                answers[f"{c}-k{d}"] = "a" if level >= d else "b"
    return answers


def largest_fall_elsewhere(levels: list[int], bias: int, raised: int, unasked=frozenset()) -> float:
    """How far the other competencies' levels fall when the person is one level better in `raised`."""
    better = [level + (i == raised) for i, level in enumerate(levels)]
    before = score_profile(COMPETENCIES, BANK, step_answers(levels, bias, unasked))
    after = score_profile(COMPETENCIES, BANK, step_answers(better, bias, unasked))
    assert after.competencies[COMPETENCIES[raised]].expected >= before.competencies[COMPETENCIES[raised]].expected
    return max(
        before.competencies[c].expected - after.competencies[c].expected
        for i, c in enumerate(COMPETENCIES)
        if i != raised
    )


step_people = st.tuples(
    st.lists(st.integers(0, 4), min_size=len(COMPETENCIES), max_size=len(COMPETENCIES)),
    st.integers(-2, 1),
    st.integers(0, len(COMPETENCIES) - 1),
)


# The self-rating bias is shared by all competencies (it is what places modest and over-confident
# people right), so an improvement in one competency can move the others a little: a higher
# self-rating backed by less than a full level's worth of checks is explained partly by more bias,
# which lowers every other level ("explaining away", unavoidable once one answer speaks to two
# traits). These tests hold that effect to the bounds README.md states; bench/MEASUREMENT.md (twelfth
# session) has what removing it would cost.
@settings(max_examples=150, deadline=None)
@given(step_people)
def test_with_all_checks_answered_an_improvement_lowers_no_other_level_by_more_than_0_15(person):
    levels, bias, raised = person
    fall = largest_fall_elsewhere(levels, bias, raised)
    target(fall)  # steer the search towards the largest fall
    assert fall <= 0.15


# The worst case found (twentieth session, by a local search from the case a CI run's search turned up at 0.38,
# above the 0.3 this test asserted then): every check unasked but the raised area's hard ones (difficulty 2-5), all
# answered wrong at level 0 and at level 1. The higher self-rating there is read as over-rating, and every other
# level, resting on its self-rating alone, fell by 0.61 with the person's mean level uniform over 0-5, and falls by
# 0.30 with its prior around the middle of the scale (thirty-fourth session), which holds that mean where the
# self-ratings put it. README.md states both; the bound the search asserts stays where it was.
WORST_FEW_CHECKS = (
    ([2, 0, 2, 2, 2, 2, 2, 2, 2, 2], 0, 1),
    {(c, d) for c in range(len(COMPETENCIES)) for d in range(1, 6)} - {(1, 2), (1, 3), (1, 4), (1, 5)},
)
FEW_CHECKS_BOUND = 0.62


@settings(max_examples=150, deadline=None)
@example(*WORST_FEW_CHECKS)
@given(step_people, st.sets(st.tuples(st.integers(0, len(COMPETENCIES) - 1), st.integers(1, 5))))
def test_with_few_checks_answered_an_improvement_lowers_no_other_level_by_more_than_the_bound(person, unasked):
    levels, bias, raised = person
    fall = largest_fall_elsewhere(levels, bias, raised, frozenset(unasked))
    target(fall)
    assert round(fall, 9) <= FEW_CHECKS_BOUND


def test_the_worst_case_found_with_few_checks_is_where_the_bound_says():
    """Pinned, so that a change to the measurement that makes it better or worse is seen and README.md updated."""
    (levels, bias, raised), unasked = WORST_FEW_CHECKS
    assert 0.28 <= largest_fall_elsewhere(levels, bias, raised, frozenset(unasked)) <= 0.32


def test_work_style_comes_with_its_range_and_the_situations_it_rests_on():
    items = [scenario(f"s{i}", (-1.0, -0.33, 0.33, 1.0)) for i in range(12)]
    one = score_profile([], items, {"s0": "o3"})  # the most architectural option, once
    assert 0.6 < one.work_style < 0.9  # not the option's +1: one situation says less than that
    assert one.work_style_range[0] <= 0.35 and one.work_style_range[1] == 1.0
    assert (one.work_style_answers, one.work_style_confidence) == (1, round(1 / 12, 3))
    twelve = score_profile([], items, {f"s{i}": "o3" for i in range(12)})
    assert twelve.work_style > 0.9 and twelve.work_style_range[0] >= 0.8
    mixed = score_profile([], items, {f"s{i}": f"o{i % 4}" for i in range(12)})
    assert abs(mixed.work_style) < 0.05 and mixed.work_style_range[1] - mixed.work_style_range[0] <= 0.5
    none = score_profile([], items, {})
    assert (none.work_style, none.work_style_range, none.work_style_answers) == (0.0, None, 0)
    lone = score_profile([], [scenario("only", (0.5,))], {"only": "o0"})  # one styled option: says nothing
    assert lone.work_style_answers == 0


def test_more_situations_on_one_side_move_the_style_that_way_and_narrow_its_range():
    items = [scenario(f"s{i}", (-1.0, -0.33, 0.33, 1.0)) for i in range(6)]
    before = None
    for n in range(1, 7):
        profile = score_profile([], items, {f"s{i}": "o0" for i in range(n)})
        width = profile.work_style_range[1] - profile.work_style_range[0]
        if before is not None:
            assert profile.work_style <= before[0] and width <= before[1]
        before = (profile.work_style, width)


def test_an_unknown_option_value_counts_as_skipped():
    profile = score_profile(["x"], SMALL, {"x-self": "9", "x-k1": "zzz"})
    assert profile.competencies["x"].answered == 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0.0, 0.0, 1e-9, 0.01, 0.2, 0.5, 1.0, 3.0]), min_size=6, max_size=6),
        min_size=1,
        max_size=5,
    )
)
def test_the_ranges_of_all_competencies_at_once_are_those_of_one_at_a_time(weights):
    import numpy as np

    from assessment.measurement import _quantile_table, _quantiles

    rows = [w if sum(w) > 0 else [1.0] * 6 for w in weights]
    posteriors = np.array([[x / sum(w) for x in w] for w in rows])
    table = _quantile_table(posteriors, (0.05, 0.5, 0.95))
    for posterior, together in zip(posteriors, table):
        assert np.allclose(_quantiles(posterior, (0.05, 0.5, 0.95)), together, atol=0.0051)


def with_rating_noise(items: list[ItemSpec], noise: float) -> list[ItemSpec]:
    return [replace(i, rating_noise=noise) if i.kind == "self_rating" else i for i in items]


def test_a_learned_self_rating_noise_is_what_the_measurement_uses():
    """An active item calibration writes the self-rating noise it learned onto the self-ratings: noisier
    self-ratings say less, so with only self-ratings and one check each the ranges are wider."""
    answers = {f"{c}-self": "4" for c in COMPETENCIES} | {f"{c}-k3": "a" for c in COMPETENCIES}
    assert self_raters(BANK).noises is None  # the shipped SELF_RATING_NOISES
    assert self_raters(with_rating_noise(BANK, 1.5)).noises == (1.5,)
    shipped = score_profile(COMPETENCIES, BANK, answers).competencies["c0"]
    same = score_profile(COMPETENCIES, with_rating_noise(BANK, SELF_RATING_NOISES[0]), answers).competencies["c0"]
    noisy = score_profile(COMPETENCIES, with_rating_noise(BANK, 1.5), answers).competencies["c0"]
    precise = score_profile(COMPETENCIES, with_rating_noise(BANK, 0.2), answers).competencies["c0"]
    assert same == shipped
    width = lambda s: s.level_high - s.level_low  # noqa: E731
    assert width(precise) <= width(shipped) < width(noisy)
    assert precise.posterior != shipped.posterior != noisy.posterior


def with_rating_bias(items: list[ItemSpec], mean: float, sd: float) -> list[ItemSpec]:
    return [replace(i, rating_bias=mean, rating_bias_sd=sd) if i.kind == "self_rating" else i for i in items]


def test_a_learned_self_rating_bias_is_what_the_measurement_uses():
    """An active item calibration writes the population's self-rating bias it learned onto the self-ratings.
    Where people rate themselves low on average, the same self-ratings mean higher levels (and the other way
    round); the shipped prior (around 0) is the same as a learned bias of 0 with a spread of 1."""
    answers = {f"{c}-self": "2" for c in COMPETENCIES} | {f"{c}-k3": "a" for c in COMPETENCIES[:3]}
    assert self_raters(BANK) == SelfRaters()
    assert self_raters(with_rating_bias(BANK, -0.5, 0.8)) == SelfRaters(None, -0.5, 0.8)
    level = lambda items: score_profile(COMPETENCIES, items, answers).competencies["c5"].expected  # noqa: E731
    shipped = level(BANK)
    assert level(with_rating_bias(BANK, 0.0, 1.0)) == shipped
    modest, boastful = level(with_rating_bias(BANK, -1.0, 0.8)), level(with_rating_bias(BANK, 1.0, 0.8))
    assert boastful < shipped < modest
    profile = score_profile(COMPETENCIES, with_rating_bias(BANK, -1.0, 0.8), answers)
    assert profile.self_bias < score_profile(COMPETENCIES, BANK, answers).self_bias < 0.5


def test_the_simulated_people_rate_themselves_with_the_learned_bias():
    """The role model learns from people simulated with the measurement's own self-rater model: with a
    learned bias, their self-ratings run as low (or high) as real people's."""
    levels = {c: 3.0 for c in COMPETENCIES}

    def mean_rating(items):
        rng = random.Random(5)
        said = [int(v) for _ in range(300) for k, v in simulate_answers(items, levels, 0.0, rng).items() if "self" in k]
        return sum(said) / len(said)

    shipped, modest = mean_rating(BANK), mean_rating(with_rating_bias(BANK, -1.0, 0.5))
    assert abs(shipped - 3.0) < 0.15 and abs(modest - 2.0) < 0.15


def test_too_few_answers_are_counted_in_words_a_person_reads():
    """A review read "Sie haben 1 Fragen beantwortet" and "Sie haben 0 Fragen beantwortet"."""
    from django.utils import translation

    from assessment.presentation import reliability_note

    def note(answers: dict) -> str:
        return reliability_note(score_profile(COMPETENCIES, BANK, answers), "de")

    first = next(item for item in BANK if item.kind == "self_rating")
    assert note({}).startswith("Sie haben keine Frage beantwortet: zu wenig,")
    assert note({first.slug: first.options[0].value}).startswith("Sie haben 1 Frage beantwortet: zu wenig,")
    with translation.override("en"):
        assert reliability_note(score_profile(COMPETENCIES, BANK, {}), "en").startswith(
            "You did not answer any questions"
        )


def test_self_ratings_far_from_the_checks_are_told_as_such_not_as_random_clicking():
    """A judge rated 5 everywhere and answered every check above the easiest wrong: a consistent pattern, and the
    page said the answers looked given at random, "when you click through quickly", and to take it again without
    hurrying (which gives the same result). The note now says how far the self-ratings lie from the checks."""
    from assessment.presentation import reliability_note, self_ratings_apart

    def answers(self_level: int, knows_up_to: int) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in COMPETENCIES:
            out |= answers_for(self_level, knows_up_to, c)
        return out | {f"s{i}": "a" for i in range(12)}

    boastful = score_profile(COMPETENCIES, BANK, answers(5, 1))
    assert boastful.reliability == "inconsistent"
    assert self_ratings_apart(boastful) >= 3
    note = reliability_note(boastful, "de")
    assert note.startswith("Ihre Selbsteinschätzungen liegen weit über dem, was Ihre Antworten auf die Wissensfragen")
    assert "zufällig" not in note
    modest = score_profile(COMPETENCIES, BANK, answers(0, 5))
    if modest.reliability == "inconsistent":
        assert reliability_note(modest, "en").startswith("Your self-ratings lie far below")
    # at random: no such pattern, the note of old
    rng = random.Random(4)
    for _ in range(20):
        at_random = {item.slug: rng.choice(item.options).value for item in BANK}
        profile = score_profile(COMPETENCIES, BANK, at_random)
        if profile.reliability == "inconsistent" and abs(self_ratings_apart(profile)) < 1.5:
            assert "at random" in reliability_note(profile, "en")


def test_self_ratings_far_from_the_checks_that_still_hold_together_are_not_called_a_consistent_picture():
    """Ten ratings of 5 and every check right up to difficulty 2: a consistent rater's answers (a shared bias
    explains them), and the page called them "ein stimmiges Bild" beside "you rate yourself higher by about 2,8
    levels" (a review). It says how far apart they lie and what the levels rest on, and still ranks the roles."""
    from assessment.presentation import reliability_note, self_ratings_apart

    answers = {f"s{i}": "a" for i in range(12)}
    for c in COMPETENCIES:
        answers |= answers_for(5, 2, c)
    profile = score_profile(COMPETENCIES, BANK, answers)
    assert profile.reliable and self_ratings_apart(profile) >= 1.5
    note = reliability_note(profile, "de")
    assert note.startswith("Ihre Selbsteinschätzungen liegen weit über dem, was Ihre Antworten auf die Wissensfragen")
    assert "stimmiges Bild" not in note and "stützen sich die Stufen in Ihrem Profil deshalb vor allem auf Ihre" in note
    # its figure against the checks alone, beside the profile's tendency read from all answers: two figures a
    # review read as one ("2,4" and "2,0") say what each is measured against
    assert "Stufen gegenüber den Stufen, auf die diese Antworten allein deuten. Die Neigung, die Ihr Profil" in note
    # ... and the profile's with its figure, the one the profile's own sentence gives: "read lower by the same
    # tendency" was taken for the first figure (a review: 1,9 beside the profile's 1,4)
    from django.utils import translation

    from assessment.presentation import self_rating_tendency
    from core.numbers import number_text

    with translation.override("de"):
        tendency = self_rating_tendency(profile)
    figure = number_text(abs(profile.self_bias), 1)
    assert f"etwa {figure} Stufen" in tendency and f"Die Neigung, die Ihr Profil berücksichtigt, etwa {figure}" in note
    assert "um diese Neigung Ihres Profils niedriger gelesen" in note and "dieselbe Neigung" not in note
    # and the other way: ratings of 0 with checks right up to 4
    modest = {f"s{i}": "a" for i in range(12)}
    for c in COMPETENCIES:
        modest |= answers_for(0, 4, c)
    low = score_profile(COMPETENCIES, BANK, modest)
    assert reliability_note(low, "en").startswith("Your self-ratings lie far below")  # held together or not
    # ratings that agree with the checks: the sentence of old
    agreeing = {f"s{i}": "a" for i in range(12)}
    for c in COMPETENCIES:
        agreeing |= answers_for(2, 2, c)
    assert "consistent picture" in reliability_note(score_profile(COMPETENCIES, BANK, agreeing), "en")


def test_ratings_of_five_with_the_hardest_checks_right_are_never_said_to_lie_above_the_checks():
    """A review rated 5 everywhere, answered the three hardest checks right (and, in another run, all 82 questions,
    every check right), and read "Ihre Selbsteinschätzungen liegen weit über dem, was Ihre Antworten auf die
    Wissensfragen zeigen … um etwa 1,8 Stufen": right answers cannot show less than a rating. The checks speak against
    the ratings only where they make the rated levels, taken together, clearly less likely than others; the profile's
    tendency is told only where they do, that way."""
    from assessment.presentation import (
        checks_against_ratings,
        reliability_note,
        self_rating_tendency,
        self_ratings_apart,
    )

    for checked in (COMPETENCIES[:3], COMPETENCIES):
        answers = {f"{c}-self": "5" for c in COMPETENCIES} | {f"s{i}": "a" for i in range(12)}
        for c in checked:
            answers |= {f"{c}-k5": "a"}
        profile = score_profile(COMPETENCIES, BANK, answers)
        assert profile.reliable
        assert checks_against_ratings(profile) == 0
        assert self_ratings_apart(profile) == 0
        assert self_rating_tendency(profile) == ""
        assert "weit über" not in reliability_note(profile, "de")
    # every check right, all five difficulties: the same
    everything = {f"s{i}": "a" for i in range(12)}
    for c in COMPETENCIES:
        everything |= answers_for(5, 5, c)
    profile = score_profile(COMPETENCIES, BANK, everything)
    assert self_ratings_apart(profile) == 0 and self_rating_tendency(profile) == ""
    # the checks answered wrong above difficulty 2 do speak against ratings of 5
    against = {f"s{i}": "a" for i in range(12)}
    for c in COMPETENCIES:
        against |= answers_for(5, 2, c)
    profile = score_profile(COMPETENCIES, BANK, against)
    assert checks_against_ratings(profile) == 1 and self_ratings_apart(profile) >= 1.5


def test_ratings_the_checks_speak_against_in_some_areas_only_are_still_told_as_far_apart_not_as_random():
    """A review's mixed case: four areas rated 5 with every check wrong, six rated 3 with two of five right. Counting
    area by area (half of them needed), the page called it random clicking; taken together the checks speak against
    the ratings, and the note says how far apart they lie. Ten ratings of 0 with the two easiest checks right each:
    one by one each makes 0 only a little less likely (the guessing floor), together clearly."""
    from assessment.presentation import checks_against_ratings, reliability_note, self_ratings_apart

    mixed = {f"s{i}": "a" for i in range(12)}
    for index, c in enumerate(COMPETENCIES):
        mixed |= answers_for(5, 0, c) if index < 4 else answers_for(3, 2, c)
    profile = score_profile(COMPETENCIES, BANK, mixed)
    assert checks_against_ratings(profile) == 1 and self_ratings_apart(profile) >= 1.5
    assert "zufällig" not in reliability_note(profile, "de")
    modest = {f"s{i}": "a" for i in range(12)}
    for c in COMPETENCIES:
        modest |= answers_for(0, 2, c)
    profile = score_profile(COMPETENCIES, BANK, modest)
    assert checks_against_ratings(profile) == -1


def _largest_other_move(n_checks: int, people: int, seed: int) -> list[float]:
    """For simulated people (levels 0-5, self-rating bias -2 to +1) with `n_checks` knowledge answers of the shipped
    bank: how far one answer turned from wrong to right (or back) moves the largest level of another competency."""
    from assessment.bank import competency_slugs, item_spec, items_with_options

    specs = [item_spec(item) for item in items_with_options()]
    competencies = competency_slugs()
    knowledge = [it for it in specs if it.kind == "knowledge"]
    rng = random.Random(seed)
    moves = []
    for _ in range(people):
        levels: dict[str | None, int] = {c: rng.randint(0, 5) for c in competencies}
        bias = rng.uniform(-2, 1)
        answers = {}
        for it in specs:
            if it.kind == "self_rating":
                said = min(5, max(0, round(levels[it.competency] + bias + rng.gauss(0, 0.5))))
                answers[it.slug] = min(it.options, key=lambda o: abs((o.level or 0) - said)).value
        for it in rng.sample(knowledge, n_checks):
            right = levels[it.competency] >= (it.difficulty or 3) - 0.5 + rng.gauss(0, 0.7)
            answers[it.slug] = rng.choice([o for o in it.options if o.correct == right] or it.options).value
        turned = next(it for it in knowledge if it.slug in answers)
        flipped = dict(answers)
        was_right = any(o.correct for o in turned.options if o.value == answers[turned.slug])
        flipped[turned.slug] = next(o for o in turned.options if o.correct != was_right).value
        before, after = (score_profile(competencies, specs, a).competencies for a in (answers, flipped))
        moves.append(max(abs(after[c].expected - before[c].expected) for c in competencies if c != turned.competency))
    return moves


@pytest.mark.django_db
def test_one_knowledge_answer_moves_the_other_levels_as_much_as_the_page_says():
    """The page said one area's answers move the others "a little"; a review turned one check right and every other
    level rose by 0.4. The page now says "by up to about half a level after a short test, by about a tenth after all
    questions" (README: the measured figures)."""
    short = _largest_other_move(5, 60, seed=5)
    assert max(short) <= 0.6 and statistics.median(short) >= 0.15  # up to about half a level: not "a little"
    full = _largest_other_move(60, 30, seed=6)
    assert statistics.median(full) <= 0.15  # about a tenth
