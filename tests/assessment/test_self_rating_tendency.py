"""The sentence on how a person's self-ratings run against the knowledge checks across all areas."""

from __future__ import annotations

import random

from django.utils import translation

from assessment.measurement import score_profile, simulate_answers
from assessment.presentation import self_rating_tendency
from tests.assessment.test_measurement import BANK, COMPETENCIES, answers_for, consistent


def told(answers: dict[str, str]) -> str:
    with translation.override("en"):
        return self_rating_tendency(score_profile(COMPETENCIES, BANK, answers))


def test_ratings_that_run_high_everywhere_are_told_with_the_amount_and_its_range():
    answers = {}
    for c in COMPETENCIES:  # knows up to 2, says 4
        answers.update(answers_for(4, 2, c))
    sentence = told(answers)
    assert sentence.startswith(
        "Across all competencies you rate yourself higher than the knowledge questions show: by about"
    )
    assert "levels (" in sentence


def test_ratings_at_the_top_with_every_check_right_are_not_called_too_high():
    # Ten ratings of 5 leave the bias unsure upwards (the scale ends there), but nothing on the page shows it.
    assert told(consistent({c: 5 for c in COMPETENCIES})) == ""
    assert told(consistent({c: 3 for c in COMPETENCIES})) == ""


def test_among_simulated_people_the_sentence_never_points_the_wrong_way():
    rng = random.Random(8)
    wrong, modest, modest_told = 0, 0, 0
    for _ in range(150):
        levels = {c: rng.uniform(0, 5) for c in COMPETENCIES}
        bias = rng.uniform(-2, 1)
        sentence = told(simulate_answers(BANK, levels, 0.0, rng, bias=bias))
        wrong += ("higher" in sentence and bias < 0) or ("lower" in sentence and bias > 0)
        if bias <= -1.5:
            modest += 1
            modest_told += "lower" in sentence
    assert wrong == 0
    assert modest_told >= modest / 2
