"""The project's own accuracy check (`make accuracy`, bench/accuracy.py) runs the product's engine end to end."""

from __future__ import annotations

import random

import pytest

from assessment.adaptive import MAX_ITEMS
from bench import accuracy
from recommendations.asking import engine_inputs

pytestmark = pytest.mark.django_db


def test_it_takes_simulated_role_holders_and_random_answerers_through_the_adaptive_test():
    figures = accuracy.run(per_role=2, seed=3)
    roles = len(engine_inputs()[1].slugs)
    assert figures["people"] == 2 * roles + 2  # holders of each role, career changers and broad experts
    assert figures["questions_p95"] <= MAX_ITEMS
    assert figures["random_flagged"] >= 0.8 and figures["genuine_flagged"] <= 0.1
    assert figures["top3"] >= 0.7 and 0.3 <= figures["level_error"] <= 1.0
    assert "role holders: top-1" in accuracy.summary(figures)


def test_the_simulated_people_answer_as_described():
    bank = engine_inputs()[0]
    check = next(item for item in bank.items if item.kind == "knowledge" and item.difficulty == 3)
    world = {check.slug: (1.5, 2.5)}
    right = {o.value for o in check.options if o.correct}
    rng = random.Random(1)

    def share_right(level: float) -> float:
        person = accuracy.Person({check.competency: level}, 0.0, "r", 0.0, 0.5, 0.0)
        return sum(accuracy.answer(person, check, world, rng) in right for _ in range(2000)) / 2000

    floor = 1 / len(check.options)
    assert abs(share_right(0.0) - floor) < 0.06  # guessing
    assert share_right(0.0) < share_right(2.5) < share_right(5.0)
    assert share_right(5.0) > 0.95
    rating = next(item for item in bank.items if item.kind == "self_rating")
    modest = accuracy.Person({rating.competency: 3.0}, 0.0, "r", -1.0, 0.3, 0.0)
    level_of = {o.value: o.level for o in rating.options}
    said = [level_of[accuracy.answer(modest, rating, world, rng)] for _ in range(500)]
    assert abs(sum(said) / len(said) - 2.0) < 0.15
    at_random = accuracy.Person({}, 0.0, None, 0.0, 0.0, 0.0)
    assert {accuracy.answer(at_random, check, world, rng) for _ in range(200)} == {o.value for o in check.options}
