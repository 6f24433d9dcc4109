"""The whole level a person reads ("Etwa Stufe 4") is the level the score beside it and the role cards show
(the posterior mean), rounded: a reviewer read "90 von 100 … Etwa Stufe 5" beside a role card's "4,5 von 5", and
a score of 30 read "Etwa Stufe 1" where 32 read "Etwa Stufe 2" (the label followed the posterior's median step)."""

from __future__ import annotations

import random

from django.utils import translation

from assessment.measurement import CompetencyScore, score_profile
from assessment.presentation import ScoredCompetency, shown_level
from tests.assessment.test_measurement import BANK, COMPETENCIES


def score(expected: float, median_step: int) -> CompetencyScore:
    return CompetencyScore("x", median_step, expected, 0.0, 5.0, 0.5, 3, 6)


def test_the_level_shown_is_the_scores_level_rounded_half_up_not_the_median_step():
    assert [shown_level(score(e, m)) for e, m in ((1.5, 1), (1.6, 1), (1.44, 2), (4.5, 5), (4.44, 5), (0.0, 0))] == [
        2,
        2,
        1,
        5,
        4,
        0,
    ]
    with translation.override("de"):
        text = ScoredCompetency(competency=None, score=score(3.42, 4), descriptor="…").explanation
    assert text.startswith("Etwa Stufe 3 ")


def test_a_higher_score_never_reads_a_lower_level_across_many_profiles():
    rng = random.Random(7)
    rows = []
    for _ in range(300):
        answers = {item.slug: rng.choice(item.options).value for item in BANK if rng.random() < 0.7}
        rows += list(score_profile(COMPETENCIES, BANK, answers).competencies.values())
    rows.sort(key=lambda s: s.expected)
    shown = [shown_level(s) for s in rows]
    assert shown == sorted(shown)  # the label never falls as the level rises
    assert all(abs(shown_level(s) - s.expected) <= 0.55 for s in rows)  # its one decimal, rounded
    assert any(s.level != shown_level(s) for s in rows)  # where the median step would have said otherwise


def test_the_profile_writes_a_level_as_the_role_cards_and_its_whole_level_do():
    """The profile formatted the raw mean on its own: 1.45 read "1,5" beside "Etwa Stufe 1" and a card's "1,4". With
    one rounding, halves up on the number as written (`core.rounding`), the profile, the cards and the whole level
    agree: "1,5", about level 2."""
    row = ScoredCompetency(competency=None, score=score(1.45, 1), descriptor="…")
    assert row.level_shown == 1.5 and row.rounded_level == 2
    below = ScoredCompetency(competency=None, score=score(1.449, 1), descriptor="…")
    assert below.level_shown == 1.4 and below.rounded_level == 1
