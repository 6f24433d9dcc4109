"""bench/monotone.py: the idealised answering it measures with, and the report it prints."""

from __future__ import annotations

import pytest

from assessment.bank import item_spec, items_with_options
from bench.monotone import measure, step_answers

pytestmark = pytest.mark.django_db


def test_a_person_answers_exactly_at_their_level():
    items = [item_spec(item) for item in items_with_options()]
    levels = {item.competency: 2 for item in items if item.competency}
    answers = step_answers(items, levels, style=1.0)
    for item in items:
        chosen = item.option(answers[item.slug])
        if item.kind == "self_rating":
            assert chosen.level == 2
        elif item.kind == "knowledge":
            assert bool(chosen.correct) == (item.difficulty <= 2)
        else:
            assert chosen.style == max(o.style for o in item.options if o.style is not None)


def test_the_report_counts_every_raised_profile_of_every_group():
    report = measure(people=2, seed=1)
    assert set(report) == {"role holders", "beginners", "career changers"}
    for group in report.values():
        assert group["people"] == 2
        assert 2 <= group["raised_profiles"] <= 20
        assert group["matches_fell_over_half_a_point"] <= group["matches_fell"] <= 10 * group["raised_profiles"]
        assert group["largest_match_fall"] >= 0 and group["largest_other_level_fall"] >= 0
    beginners = report["beginners"]
    assert beginners["raised_profiles"] == 20  # nobody starts at 5
