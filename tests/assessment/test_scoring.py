from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.scoring import ItemSpec, OptionSpec, score_profile


def self_rating(slug: str = "x-self", competency: str = "x") -> ItemSpec:
    return ItemSpec(
        slug=slug,
        kind="self_rating",
        competency=competency,
        options=tuple(OptionSpec(value=str(lv), level=lv) for lv in range(6)),
    )


def knowledge(difficulty: int, competency: str = "x") -> ItemSpec:
    return ItemSpec(
        slug=f"{competency}-k{difficulty}",
        kind="knowledge",
        competency=competency,
        difficulty=difficulty,
        options=(
            OptionSpec("a", correct=True),
            OptionSpec("b"),
            OptionSpec("c"),
            OptionSpec("d"),
        ),
    )


def scenario(slug: str, styles: tuple[float, ...]) -> ItemSpec:
    return ItemSpec(
        slug=slug,
        kind="scenario",
        competency=None,
        options=tuple(OptionSpec(value=f"o{i}", style=s) for i, s in enumerate(styles)),
    )


BANK = [self_rating()] + [knowledge(d) for d in range(1, 6)]


def answers_for(self_level: int | None, knows_up_to: int) -> dict[str, str]:
    answers = {f"x-k{d}": "a" if d <= knows_up_to else "b" for d in range(1, 6)}
    if self_level is not None:
        answers["x-self"] = str(self_level)
    return answers


def score(answers: dict[str, str]) -> float:
    return score_profile(["x"], BANK, answers).competencies["x"].score


def test_the_overconfident_person_scores_clearly_below_the_grounded_one():
    overconfident = score(answers_for(self_level=4, knows_up_to=2))
    grounded = score(answers_for(self_level=4, knows_up_to=4))
    assert grounded - overconfident >= 15


def test_a_consistent_person_scores_near_their_level():
    for level in range(6):
        assert abs(score(answers_for(self_level=level, knows_up_to=level)) - level * 20) <= 10


def test_a_skipped_item_lowers_the_confidence_not_the_score():
    full = score_profile(["x"], BANK, answers_for(3, 3)).competencies["x"]
    answers = answers_for(3, 3)
    del answers["x-k5"]  # the hardest check, skipped
    partial = score_profile(["x"], BANK, answers).competencies["x"]
    assert partial.confidence < full.confidence
    assert partial.score >= full.score - 5


def test_nothing_answered_means_no_confidence():
    result = score_profile(["x"], BANK, {}).competencies["x"]
    assert result.answered == 0
    assert result.confidence == 0


def test_it_notices_when_self_rating_and_knowledge_disagree():
    over = score_profile(["x"], BANK, answers_for(5, 1)).competencies["x"]
    under = score_profile(["x"], BANK, answers_for(1, 5)).competencies["x"]
    fair = score_profile(["x"], BANK, answers_for(3, 3)).competencies["x"]
    assert over.rates_self_higher and not over.rates_self_lower
    assert under.rates_self_lower and not under.rates_self_higher
    assert not fair.rates_self_higher and not fair.rates_self_lower


answer_patterns = st.fixed_dictionaries(
    {"self": st.one_of(st.none(), st.integers(0, 5))},
    optional={f"x-k{d}": st.sampled_from(["a", "b"]) for d in range(1, 6)},
)


@settings(max_examples=300, deadline=None)
@given(answer_patterns, st.integers(1, 5))
def test_a_right_answer_never_lowers_the_score(pattern, difficulty):
    answers = {k: v for k, v in pattern.items() if k != "self"}
    if pattern["self"] is not None:
        answers["x-self"] = str(pattern["self"])
    wrong = dict(answers, **{f"x-k{difficulty}": "b"})
    right = dict(answers, **{f"x-k{difficulty}": "a"})
    assert score(right) >= score(wrong)


@settings(max_examples=300, deadline=None)
@given(answer_patterns, st.integers(0, 4))
def test_a_higher_self_rating_never_lowers_the_score(pattern, level):
    answers = {k: v for k, v in pattern.items() if k != "self"}
    lower = dict(answers, **{"x-self": str(level)})
    higher = dict(answers, **{"x-self": str(level + 1)})
    assert score(higher) >= score(lower)


def test_work_style_is_the_mean_of_the_chosen_situations():
    bank = [scenario("s1", (-1.0, 0.0, 1.0)), scenario("s2", (-0.5, 0.5))]
    profile = score_profile([], bank, {"s1": "o2", "s2": "o1"})
    assert profile.work_style == 0.75
    assert profile.work_style_confidence == 1.0
    half = score_profile([], bank, {"s1": "o0"})
    assert half.work_style == -1.0
    assert half.work_style_confidence == 0.5


def test_an_unknown_option_value_counts_as_skipped():
    profile = score_profile(["x"], BANK, {"x-self": "9", "x-k1": "zzz"})
    assert profile.competencies["x"].answered == 0
