"""How two states of an entry's inline rows are compared, for its history list and its revert (core/history.py)."""

from __future__ import annotations

from core.history import RowChange, compare_rows


def test_a_row_removed_and_one_added_for_the_same_competency_count_as_one_change():
    before = {1: {"competency_id": 7, "level": 2}, 2: {"competency_id": 8, "level": 3}}
    after = {2: {"competency_id": 8, "level": 3}, 9: {"competency_id": 7, "level": 5}}
    assert compare_rows(before, after, key=["competency_id"]) == [
        RowChange(1, {"competency_id": 7, "level": 2}, {"competency_id": 7, "level": 5})
    ]


def test_rows_are_changed_removed_and_added_by_id():
    before = {1: {"value": "a", "correct": True}, 2: {"value": "b", "correct": False}}
    after = {1: {"value": "a", "correct": False}, 3: {"value": "c", "correct": True}}
    changes = compare_rows(before, after, key=["value"])
    assert sorted(changes, key=lambda c: c.pk) == [
        RowChange(1, {"value": "a", "correct": True}, {"value": "a", "correct": False}),
        RowChange(2, {"value": "b", "correct": False}, None),
        RowChange(3, None, {"value": "c", "correct": True}),
    ]


def test_the_reasons_the_apps_write_are_shown_in_the_admins_language():
    from django.utils import translation

    from assessment.content import SHIPPED
    from core.history import change_reason_label
    from recommendations.catalogue_file import IMPORTED

    with translation.override("de"):
        assert change_reason_label(SHIPPED) == "ausgelieferter Inhalt"
        assert change_reason_label(IMPORTED) == "Katalog-Import"
        assert change_reason_label("typed by hand") == "typed by hand"
        assert change_reason_label(None) == "–"
