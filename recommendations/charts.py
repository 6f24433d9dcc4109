"""Geometry for the results page's charts, drawn as SVG by the templates (no chart JavaScript).

Pure functions: numbers in, coordinates out. Every number that goes into an SVG attribute leaves here
as a finished string in machine format (`svg_number`): a template would localize a float, and in German
"107,9" is no coordinate. The templates do no arithmetic; they add titles, descriptions, a legend and a
table with the same numbers (those in the reader's format), so every chart has a text alternative.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from core.numbers import one_decimal, possibly_met, shown_gap

MAX_LEVEL = 5
SHORT_LABEL_LENGTH = 16  # characters a label may take beside the radar and the bars

# The shipped competencies by their full name, in either language, with a short name for the charts.
# A competency an admin adds or renames gets a short name cut from its own (`short_label`).
_SHORT = {
    "service_management": pgettext_lazy("short competency name", "IT service"),
    "security_compliance": pgettext_lazy("short competency name", "Security"),
    "agile": pgettext_lazy("short competency name", "Agile"),
    "automation": pgettext_lazy("short competency name", "Automation"),
    "it_architecture": pgettext_lazy("short competency name", "Architecture"),
    "process_design": pgettext_lazy("short competency name", "Processes"),
    "project_management": pgettext_lazy("short competency name", "Projects"),
    "troubleshooting": pgettext_lazy("short competency name", "Troubleshooting"),
    "communication": pgettext_lazy("short competency name", "Communication"),
    "change_resilience": pgettext_lazy("short competency name", "Change"),
}
SHORT_LABELS = {
    name: _SHORT[slug]
    for slug, names in {
        "service_management": ("IT-Service-Management (ITIL)", "IT service management (ITIL)"),
        "security_compliance": ("Informationssicherheit & Datenschutz", "Information security and data protection"),
        "agile": ("Agile Methoden", "Agile methods"),
        "automation": ("IT- und Geschäftsprozessautomatisierung", "IT and business process automation"),
        "it_architecture": ("IT-Architektur und Systemlandschaft", "IT architecture and system landscape"),
        "process_design": (
            "Prozess-, Anforderungs- und Organisationsgestaltung",
            "Process, requirements and organisation design",
        ),
        "project_management": ("Projekt- und Rollout-Management", "Project and rollout management"),
        "troubleshooting": ("Störungsbehebung unter Druck", "Troubleshooting under pressure"),
        "communication": ("Kommunikation und Diplomatie", "Communication and diplomacy"),
        "change_resilience": ("Veränderungsbegleitung und Ausdauer", "Organisational change and perseverance"),
    }.items()
    for name in names
}


def svg_number(value: float) -> str:
    """A number for an SVG or HTML attribute: decimal point in every language, at most one decimal."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def short_label(name: str) -> str:
    """The competency's name as short as a chart label must be (a known short name, else the name cut)."""
    if name in SHORT_LABELS:
        return str(SHORT_LABELS[name])
    head = re.split(r" \(| & | und | and |, ", name, maxsplit=1)[0].strip()
    return head if len(head) <= SHORT_LABEL_LENGTH else head[: SHORT_LABEL_LENGTH - 1].rstrip(" -") + "…"


@dataclass(frozen=True)
class Spoke:
    number: int
    name: str
    label: str  # the short name written beside the axis
    level: float
    required: float
    x: str  # end of the axis
    y: str
    label_x: str
    label_y: str
    label_anchor: str  # SVG text-anchor: labels on the right start at the axis, those on the left end there
    level_high: float | None = None  # the top of the level's 90 % range
    level_low: float | None = None  # ... and its bottom

    @property
    def gap(self) -> float:
        return shown_gap(self.required, self.level)

    @property
    def about_met(self) -> bool:
        """A small gap the measurement cannot tell apart from none (`core.numbers.possibly_met`), as the role cards
        say it."""
        return possibly_met(self.required, self.level, self.level_high)


@dataclass(frozen=True)
class Radar:
    label_size: str  # the labels' font size, in SVG units
    width: str
    height: str
    center_x: str
    center_y: str
    spokes: tuple[Spoke, ...]
    person_points: str
    role_points: str
    rings: tuple[str, ...]  # polygon points of the level rings 1..5
    # the band between the bottoms and the tops of the levels' 90 % ranges: a path of two polygons, filled
    # even-odd so that only the ring between them is filled; "" when a level has no range
    range_path: str = ""


def _point(cx: float, cy: float, radius: float, index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = radius * value / MAX_LEVEL
    return cx + distance * math.cos(angle), cy + distance * math.sin(angle)


def _points(pairs) -> str:
    return " ".join(f"{svg_number(x)},{svg_number(y)}" for x, y in pairs)


def _anchor(index: int, count: int) -> str:
    side = math.cos(-math.pi / 2 + 2 * math.pi * index / count)
    return "start" if side > 0.2 else "end" if side < -0.2 else "middle"


# The radar's labels, in SVG units: the chart is scaled to its column (about 340 px on a phone, 350 px beside the
# path on a wide screen), so its text must be large in its own units to read at about 12 px. With 12 units and
# the rings 110 wide the labels came out at 8-10 px (browser review).
RADAR_LABEL_SIZE = 16
RADAR_RADIUS = 72
# the width a label of SHORT_LABEL_LENGTH characters takes beside the rings (about 0.56 em per character)
RADAR_LABEL_ROOM = round(SHORT_LABEL_LENGTH * 0.56 * RADAR_LABEL_SIZE)


def radar(rows: list[tuple], radius: float = RADAR_RADIUS, label_room: float = RADAR_LABEL_ROOM) -> Radar:
    """A radar chart of (name, person's level, required level[, top of the level's 90 % range[, its bottom]])
    rows, 0-5.

    `label_room` is the width kept beside the rings for the short names written at the axes' ends."""
    label_gap = 8
    cx = radius + label_gap + label_room
    cy = radius + label_gap + RADAR_LABEL_SIZE + 4  # a line of text above the top axis and below the bottom one
    count = max(3, len(rows))
    spokes = []
    for index, (name, level, required, *bounds) in enumerate(rows):
        x, y = _point(cx, cy, radius, index, count, MAX_LEVEL)
        lx, ly = _point(cx, cy, radius + label_gap, index, count, MAX_LEVEL)
        spokes.append(
            Spoke(
                number=index + 1,
                name=name,
                label=short_label(name),
                level=one_decimal(level),
                required=float(required),
                x=svg_number(x),
                y=svg_number(y),
                label_x=svg_number(lx),
                label_y=svg_number(ly),
                label_anchor=_anchor(index, count),
                level_high=bounds[0] if bounds else None,
                level_low=bounds[1] if len(bounds) > 1 else None,
            )
        )
    return Radar(
        label_size=str(RADAR_LABEL_SIZE),
        width=svg_number(2 * cx),
        height=svg_number(2 * cy),
        center_x=svg_number(cx),
        center_y=svg_number(cy),
        spokes=tuple(spokes),
        person_points=_points(_point(cx, cy, radius, i, count, s.level) for i, s in enumerate(spokes)),
        role_points=_points(_point(cx, cy, radius, i, count, s.required) for i, s in enumerate(spokes)),
        rings=tuple(
            _points(_point(cx, cy, radius, i, count, ring) for i in range(count)) for ring in range(1, MAX_LEVEL + 1)
        ),
        range_path=_range_band(cx, cy, radius, count, spokes),
    )


def _range_band(cx: float, cy: float, radius: float, count: int, spokes: list[Spoke]) -> str:
    if not spokes or any(s.level_high is None or s.level_low is None for s in spokes):
        return ""
    polygons = []
    for bound in ("level_high", "level_low"):
        # "x y" pairs, as a path's coordinates read without doubt (a comma between them reads like a decimal comma)
        pairs = [_point(cx, cy, radius, i, count, _on_scale(getattr(s, bound))) for i, s in enumerate(spokes)]
        polygons.append("M" + "L".join(f"{svg_number(x)} {svg_number(y)}" for x, y in pairs) + "Z")
    return " ".join(polygons)


def _on_scale(level: float | None) -> float:
    return max(0.0, min(float(level or 0.0), MAX_LEVEL))


@dataclass(frozen=True)
class Bar:
    name: str
    label: str  # the short name written left of the bar
    level: float
    required: float
    gap: float
    y: str  # top of the bar
    label_y: str  # baseline of the label
    level_width: str
    required_x: str  # the requirement mark: a 4-unit wide rect centred on the required level
    required_y: str
    about_met: bool = False  # a small gap the level's 90 % range reaches (`core.numbers.possibly_met`)
    # the level's 90 % range as a line across the bar with a short upright at each end; "" when it has none
    range_path: str = ""

    @property
    def short(self) -> bool:
        """A gap the chart shows as one (in the accent colour): not met, and not about met either."""
        return self.gap > 0 and not self.about_met

    @property
    def possibly_met(self) -> bool:
        """Below the requirement, but within the level's range: drawn apart from both a gap and a met requirement
        (a beginner whose wide ranges reached most requirements saw nearly every bar in the colour of "met")."""
        return self.gap > 0 and self.about_met


@dataclass(frozen=True)
class Tick:
    level: int
    x: str


@dataclass(frozen=True)
class GapChart:
    width: str
    height: str
    label_width: str  # where the bars start
    tick_bottom: str  # where the tick lines end
    tick_label_y: str
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]

    @property
    def ranged(self) -> bool:
        """Every bar shows its level's range (the legend and the description then say what the line is)."""
        return bool(self.bars) and all(bar.range_path for bar in self.bars)


BAR_HEIGHT = 16
MARK_WIDTH, MARK_OVERHANG = 4, 3  # the requirement mark stands 3 units above and below the bar
RANGE_CAP = 5  # the range's uprights reach this far above and below the bar's middle (the mark: 11)


def gap_chart(rows: list[tuple], width: float = 360, row_height: float = 26, label_width: float = 112) -> GapChart:
    """Horizontal bars: the person's level per competency with a marker at the required level."""
    scale_width = width - label_width - 10
    unit = scale_width / MAX_LEVEL
    height = len(rows) * row_height + 24
    bars = []
    for index, (name, level, required, *bounds) in enumerate(rows):
        top = index * row_height + 6
        high = bounds[0] if bounds else None
        low = bounds[1] if len(bounds) > 1 else None
        range_path = ""
        if high is not None and low is not None:
            start, end, middle = (
                label_width + _on_scale(low) * unit,
                label_width + _on_scale(high) * unit,
                top + BAR_HEIGHT / 2,
            )
            range_path = " ".join(
                (
                    f"M{svg_number(start)} {svg_number(middle)}H{svg_number(end)}",
                    f"M{svg_number(start)} {svg_number(middle - RANGE_CAP)}V{svg_number(middle + RANGE_CAP)}",
                    f"M{svg_number(end)} {svg_number(middle - RANGE_CAP)}V{svg_number(middle + RANGE_CAP)}",
                )
            )
        bars.append(
            Bar(
                name=name,
                label=short_label(name),
                level=one_decimal(level),
                required=float(required),
                gap=shown_gap(required, level),
                y=svg_number(top),
                label_y=svg_number(top + 13),
                level_width=svg_number(max(0.0, min(level, MAX_LEVEL)) * unit),
                required_x=svg_number(label_width + required * unit - MARK_WIDTH / 2),
                required_y=svg_number(top - MARK_OVERHANG),
                about_met=possibly_met(required, level, high),
                range_path=range_path,
            )
        )
    return GapChart(
        width=svg_number(width),
        height=svg_number(height),
        label_width=svg_number(label_width),
        tick_bottom=svg_number(height - 20),
        tick_label_y=svg_number(height - 6),
        bars=tuple(bars),
        ticks=tuple(Tick(lv, svg_number(label_width + lv * unit)) for lv in range(MAX_LEVEL + 1)),
    )
