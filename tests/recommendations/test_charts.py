from __future__ import annotations

import pytest

from recommendations.charts import gap_chart, radar

ROWS = [("ITIL", 3.0, 4.0), ("Sicherheit", 5.0, 3.0), ("Agil", 0.0, 2.0), ("Automatisierung", 2.5, 2.5)]


def test_the_radar_puts_a_full_level_on_the_outer_ring_and_zero_in_the_centre():
    chart = radar(ROWS, size=320)
    first_axis = chart.spokes[0]
    assert (first_axis.x, first_axis.y) == (160.0, 34.0)  # straight up, radius 126
    person = [tuple(map(float, p.split(","))) for p in chart.person_points.split()]
    assert person[1] == (chart.spokes[1].x, chart.spokes[1].y)  # level 5 reaches the end of its axis
    assert person[2] == (160.0, 160.0)  # level 0 sits in the centre
    assert len(chart.rings) == 5


def test_the_gap_chart_marks_the_requirement_and_the_gap():
    chart = gap_chart(ROWS, width=340)
    itil, security, agile, _ = chart.bars
    assert itil.gap == 1.0 and security.gap == 0 and agile.gap == 2.0
    assert security.level_width == pytest.approx(chart.scale_width)
    assert agile.level_width == 0
    assert itil.required_x > itil.level_width
    assert chart.height == 4 * chart.row_height + 24


def test_a_gap_within_the_range_of_the_level_is_about_met_not_a_small_gap():
    from recommendations.charts import gap_chart, radar

    rows = [("A", 3.7, 4, 4.3), ("B", 2.0, 4, 2.8), ("C", 4.0, 3, 4.5)]
    spokes = radar(rows).spokes
    assert [s.about_met for s in spokes] == [True, False, False]
    assert [b.about_met for b in gap_chart(rows).bars] == [True, False, False]
