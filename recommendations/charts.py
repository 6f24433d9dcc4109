"""Geometry for the results page's charts, drawn as SVG by the templates (no chart JavaScript).

Pure functions: numbers in, coordinates out. The templates add titles, descriptions and a
table with the same numbers, so every chart has a text alternative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_LEVEL = 5


@dataclass(frozen=True)
class Spoke:
    number: int
    name: str
    level: float
    required: float
    x: float  # end of the axis
    y: float
    label_x: float
    label_y: float
    level_high: float | None = None  # the top of the level's 90 % range

    @property
    def gap(self) -> float:
        return round(max(0.0, self.required - self.level), 1)

    @property
    def about_met(self) -> bool:
        """A gap the measurement cannot tell apart from none: the level's range reaches the requirement."""
        return self.gap > 0 and self.level_high is not None and self.level_high >= self.required


@dataclass(frozen=True)
class Radar:
    size: int
    center: float
    spokes: tuple[Spoke, ...]
    person_points: str
    role_points: str
    rings: tuple[str, ...]  # polygon points of the level rings 1..5


def _point(center: float, radius: float, index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = radius * value / MAX_LEVEL
    return round(center + distance * math.cos(angle), 1), round(center + distance * math.sin(angle), 1)


def _points(pairs) -> str:
    return " ".join(f"{x},{y}" for x, y in pairs)


def radar(rows: list[tuple], size: int = 320) -> Radar:
    """A radar chart of (name, person's level, required level[, top of the level's range]) rows, 0-5."""
    center = size / 2
    radius = size / 2 - 34  # room for the axis numbers
    count = max(3, len(rows))
    spokes = []
    for index, (name, level, required, *high) in enumerate(rows):
        x, y = _point(center, radius, index, count, MAX_LEVEL)
        lx, ly = _point(center, radius + 18, index, count, MAX_LEVEL)
        spokes.append(
            Spoke(index + 1, name, round(level, 1), float(required), x, y, lx, ly, high[0] if high else None)
        )
    return Radar(
        size=size,
        center=center,
        spokes=tuple(spokes),
        person_points=_points(_point(center, radius, i, count, s.level) for i, s in enumerate(spokes)),
        role_points=_points(_point(center, radius, i, count, s.required) for i, s in enumerate(spokes)),
        rings=tuple(
            _points(_point(center, radius, i, count, ring) for i in range(count)) for ring in range(1, MAX_LEVEL + 1)
        ),
    )


@dataclass(frozen=True)
class Bar:
    name: str
    level: float
    required: float
    y: float
    level_width: float
    required_x: float
    gap: float
    about_met: bool = False  # the level's 90 % range reaches the requirement


@dataclass(frozen=True)
class GapChart:
    width: int
    height: int
    label_width: int
    scale_width: int
    row_height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[int, float], ...]  # (level, x)


def gap_chart(rows: list[tuple], width: int = 340, row_height: int = 26) -> GapChart:
    """Horizontal bars: the person's level per competency with a marker at the required level."""
    label_width = 28  # the bars are numbered like the radar's axes; names are in the table
    scale_width = width - label_width - 10
    unit = scale_width / MAX_LEVEL
    bars = tuple(
        Bar(
            name=name,
            level=round(level, 1),
            required=float(required),
            y=index * row_height + 6,
            level_width=round(max(0.0, level) * unit, 1),
            required_x=round(label_width + required * unit, 1),
            gap=round(max(0.0, required - level), 1),
            about_met=bool(high) and level < required <= high[0],
        )
        for index, (name, level, required, *high) in enumerate(rows)
    )
    ticks = tuple((lv, round(label_width + lv * unit, 1)) for lv in range(MAX_LEVEL + 1))
    return GapChart(
        width=width,
        height=len(rows) * row_height + 24,
        label_width=label_width,
        scale_width=int(scale_width),
        row_height=row_height,
        bars=bars,
        ticks=ticks,
    )
