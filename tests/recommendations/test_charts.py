from __future__ import annotations

import re

import pytest
from django.utils import translation

from recommendations.charts import SHORT_LABEL_LENGTH, gap_chart, radar, short_label, svg_number

ROWS = [("ITIL", 3.0, 4.0), ("Sicherheit", 5.0, 3.0), ("Agil", 0.0, 2.0), ("Automatisierung", 2.5, 2.5)]
MACHINE_NUMBER = re.compile(r"^-?\d+(\.\d)?$")


def points(text: str) -> list[tuple[float, ...]]:
    return [tuple(map(float, p.split(","))) for p in text.split()]


def test_the_radar_puts_a_full_level_on_the_outer_ring_and_zero_in_the_centre():
    chart = radar(ROWS, radius=126)
    centre = (float(chart.center_x), float(chart.center_y))
    first_axis = chart.spokes[0]
    assert (float(first_axis.x), float(first_axis.y)) == (centre[0], centre[1] - 126)  # straight up
    person = points(chart.person_points)
    assert person[1] == (float(chart.spokes[1].x), float(chart.spokes[1].y))  # level 5 reaches its axis's end
    assert person[2] == centre  # level 0 sits in the centre
    assert len(chart.rings) == 5


def test_the_gap_chart_marks_the_requirement_and_the_gap():
    chart = gap_chart(ROWS, width=360, label_width=112)
    itil, security, agile, _ = chart.bars
    assert itil.gap == 1.0 and security.gap == 0 and agile.gap == 2.0
    assert float(security.level_width) == pytest.approx(360 - 112 - 10)  # level 5 fills the scale
    assert float(agile.level_width) == 0
    assert float(itil.required_x) + 2 == pytest.approx(112 + 4 * (360 - 112 - 10) / 5)  # centred on level 4
    assert float(chart.height) == 4 * 26 + 24
    assert [t.level for t in chart.ticks] == [0, 1, 2, 3, 4, 5]
    assert float(chart.tick_bottom) < float(chart.tick_label_y) < float(chart.height)


def test_a_gap_within_the_range_of_the_level_is_about_met_not_a_small_gap():
    # D: a gap of 1,6 whose range reaches the requirement is below it, as the role card says, not "possibly met"
    rows = [("A", 3.7, 4, 4.3), ("B", 2.0, 4, 2.8), ("C", 4.0, 3, 4.5), ("D", 1.4, 3, 3.2)]
    spokes = radar(rows).spokes
    assert [s.about_met for s in spokes] == [True, False, False, False]
    bars = gap_chart(rows).bars
    assert [b.about_met for b in bars] == [True, False, False, False]
    assert [b.short for b in bars] == [False, True, False, True]  # B and D are drawn as gaps
    assert [b.possibly_met for b in bars] == [True, False, False, False]  # A apart from both B and C (met)


def test_every_number_for_an_attribute_is_a_finished_machine_string_in_any_language():
    rows = [("A", 3.14159, 4, 4.3), ("B", 2.06, 4, 2.8), ("C", 4.0, 3, 4.5), ("D", 0.333, 1)]
    with translation.override("de"):
        chart, gaps = radar(rows), gap_chart(rows)
    numbers = [chart.width, chart.height, chart.center_x, chart.center_y]
    for spoke in chart.spokes:
        numbers += [spoke.x, spoke.y, spoke.label_x, spoke.label_y]
    numbers += [gaps.width, gaps.height, gaps.label_width, gaps.tick_bottom, gaps.tick_label_y]
    for bar in gaps.bars:
        numbers += [bar.y, bar.label_y, bar.level_width, bar.required_x, bar.required_y]
    numbers += [tick.x for tick in gaps.ticks]
    assert all(isinstance(n, str) and MACHINE_NUMBER.match(n) for n in numbers), numbers
    for polygon in (chart.person_points, chart.role_points, *chart.rings):
        assert re.fullmatch(r"-?\d+(\.\d)?,-?\d+(\.\d)?( -?\d+(\.\d)?,-?\d+(\.\d)?)*", polygon)


def test_each_bar_and_the_radar_show_the_levels_90_percent_range_in_machine_numbers_in_any_language():
    """The charts showed the levels alone: a judge read a bar at 3.7 as a measured 3.7, while its range ran from 2.9 to
    4.4 (only the table below gave it)."""
    rows = [("A", 3.7, 4, 4.4, 2.9), ("B", 0.2, 1, 1.0, 0.0), ("C", 4.9, 3, 5.0, 4.1)]
    with translation.override("de"):
        chart, gaps = radar(rows, radius=100), gap_chart(rows, width=360, label_width=112)
    unit = (360 - 112 - 10) / 5
    number = r"(-?\d+(?:\.\d)?)"  # a machine number: a point, at most one decimal, never a comma
    path = re.compile(rf"M{number} {number}H{number} M\1 {number}V{number} M\3 \4V\5")  # the line, two uprights
    for bar, (_name, _level, _required, high, low) in zip(gaps.bars, rows):
        match = path.fullmatch(bar.range_path)
        assert match, bar.range_path
        start, middle, end = map(float, match.groups()[:3])
        assert start == pytest.approx(112 + low * unit, abs=0.05) and end == pytest.approx(112 + high * unit, abs=0.05)
        assert middle == pytest.approx(float(bar.y) + 8)  # across the bar's middle
    assert gaps.ranged
    assert re.fullmatch(rf"(M{number} {number}(L{number} {number})*Z ?){{2}}", chart.range_path), chart.range_path
    outer, inner = (
        [tuple(map(float, pair.split())) for pair in part.strip().removeprefix("M").split("L")]
        for part in chart.range_path.split("Z")[:2]
    )
    centre = (float(chart.center_x), float(chart.center_y))
    assert inner[1] == centre  # B's range starts at 0
    assert outer[2] == pytest.approx((float(chart.spokes[2].x), float(chart.spokes[2].y)), abs=0.05)  # C reaches 5


def test_a_chart_without_ranges_draws_none():
    assert radar(ROWS).range_path == "" and not gap_chart(ROWS).ranged
    assert all(bar.range_path == "" for bar in gap_chart(ROWS).bars)


def test_svg_numbers_have_a_point_and_at_most_one_decimal():
    assert [svg_number(v) for v in (107.94, 160.0, 0.04, -0.04, -3.25, 2)] == ["107.9", "160", "0", "0", "-3.2", "2"]


def test_the_radar_names_its_axes_with_short_labels_that_fit_beside_it():
    rows = [
        (name, 2.0, 3) for name in ("IT-Service-Management (ITIL)", "Agile Methoden", "Störungsbehebung unter Druck")
    ]
    with translation.override("de"):
        spokes = radar(rows).spokes
    assert [s.label for s in spokes] == ["IT-Service", "Agil", "Störungen"]
    assert [s.label_anchor for s in spokes] == ["middle", "start", "end"]  # top, right, left
    with translation.override("en"):
        assert [b.label for b in gap_chart(rows).bars] == ["IT service", "Agile", "Troubleshooting"]


@pytest.mark.django_db
def test_every_competency_has_a_short_label_in_both_languages():
    from assessment.models import Competency

    for competency in Competency.objects.all():
        for language, name in (("de", competency.name_de), ("en", competency.name_en)):
            with translation.override(language):
                label = short_label(name)
            assert 0 < len(label) <= SHORT_LABEL_LENGTH and label != name, (language, name, label)


def test_a_new_competency_gets_a_short_label_cut_from_its_name():
    assert short_label("Cloud-Betrieb und FinOps") == "Cloud-Betrieb"
    assert short_label("Datenbankadministrationsgrundlagen") == "Datenbankadmini…"
    assert len(short_label("Datenbankadministrationsgrundlagen")) == SHORT_LABEL_LENGTH


def test_a_chart_area_is_as_transparent_on_the_page_as_in_the_pdf():
    """The page's stylesheet gave the radar's areas a colour with alpha, and the SVG's fill-opacity (there for the PDF
    renderer) applied on top: the range band and the person's area were drawn at a tenth and a sixteenth on the page,
    at 0.3 and 0.25 in the PDF."""
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    chart = (Path(settings.BASE_DIR) / "templates/recommendations/_charts.html").read_text()
    shaded = re.findall(r'class="([\w-]+)[^"]*"[^>]*fill-opacity="([\d.]+)"', chart)
    assert {name for name, _opacity in shaded} == {"radar-range", "radar-person"}
    for name, opacity in shaded:
        rule = re.search(rf"^\.{name} \{{([^}}]*)\}}", css, re.M)
        assert rule, name
        declarations = dict(d.strip().split(":", 1) for d in rule.group(1).split(";") if ":" in d)
        assert "rgba" not in declarations["fill"], name  # no alpha of its own that the attribute would multiply
        assert float(declarations["fill-opacity"]) == float(opacity), name
