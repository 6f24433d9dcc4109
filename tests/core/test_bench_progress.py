"""`make progress` (bench/progress.py) measures the adaptive test's progress estimate as the page gives it."""

from __future__ import annotations

import pytest

from assessment import adaptive
from bench import progress
from bench.accuracy import true_items
from recommendations.asking import engine_inputs

pytestmark = pytest.mark.django_db


def test_it_records_every_question_page_and_what_the_page_said():
    result = progress.run(seeds=(3,), per_role=1, between=4)
    groups = result["groups"]
    assert set(groups) == {"role holders", "between roles"} and groups["between roles"]["sessions"] == 4
    for figures in groups.values():
        assert 0 <= figures["done_within_estimate"] <= 1 and 0 <= figures["pages_with_estimate"] <= 1
    assert groups["role holders"]["pages_with_estimate"] > 0
    assert set(result["medians"]) == {"settled", "settling", "unsettled"}
    assert all(len(row) == len(adaptive.REMAINING_SETTLED) for row in result["medians"].values())
    assert "done within it" in progress.summary(result)


def test_the_pages_never_count_up_and_stay_open_once_open():
    engine = engine_inputs()
    people = progress.between_roles(list(engine[0].competencies), 6, seed=5)
    for session in progress.sessions(people, engine, true_items(engine[0].items, 5), seed=5):
        pages = session["pages"]
        assert len(pages) == session["asked"]
        given = [page["estimate"] for page in pages]
        numbers = [n for n in given if n is not None]
        assert all(later <= earlier for earlier, later in zip(numbers, numbers[1:]))
        if None in given:
            assert all(n is None for n in given[given.index(None) :])
