"""Geometry of a radar chart drawn server-side as SVG: one axis per item, one polygon per time point.

Pure arithmetic; the template writes the SVG. A score s of 1-5 sits at s/5 of the radius (1 is a small ring, so a
"no need" score stays visible). A missing score breaks the line: the shape is drawn only between scored neighbours
and never pulled to the centre, which would read as "no need".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_SCORE = 5
# Distinguishable without colour: each time point has its own dash pattern and marker shape too.
STYLES: tuple[tuple[str, str, str], ...] = (
    ("#1d70b8", "", "circle"),  # baseline: blue, solid, circles
    ("#d4351c", "8 4", "square"),  # R1: red, dashed, squares
    ("#00703c", "2 3", "diamond"),  # R2: green, dotted, diamonds
    ("#4c2c92", "12 4 2 4", "triangle"),
    ("#f47738", "4 2", "circle"),
    ("#505a5f", "1 2", "square"),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def __str__(self) -> str:
        return f"{self.x:.1f},{self.y:.1f}"


@dataclass(frozen=True)
class Ring:
    score: int
    points: str
    label_at: Point


@dataclass(frozen=True)
class Axis:
    label: str
    end: Point
    label_at: Point
    anchor: str  # SVG text-anchor: start, middle or end
    lines: tuple[str, ...] = ()  # the label wrapped to short lines

    @property
    def first_dy(self) -> float:
        """Shift of the first line so that the wrapped label is centred on its point (ems)."""
        return -0.55 * (len(self.lines) - 1) + 0.35


@dataclass(frozen=True)
class Marker:
    at: Point
    shape: str
    score: int
    label: str  # for the SVG <title>: "Housing at Baseline: 4"

    @property
    def path(self) -> str:
        """An SVG path for the marker's shape, centred on the point."""
        x, y, r = self.at.x, self.at.y, 4.0
        if self.shape == "square":
            return f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}Z"
        if self.shape == "diamond":
            return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y:.1f}L{x:.1f},{y + r + 1:.1f}L{x - r - 1:.1f},{y:.1f}Z"
        if self.shape == "triangle":
            return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y + r:.1f}L{x - r - 1:.1f},{y + r:.1f}Z"
        return f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0"


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    dash: str
    is_closed: bool  # every item scored: one closed shape
    lines: tuple[str, ...]  # SVG points attributes, one per unbroken run of scored items
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Radar:
    size: int
    centre: Point
    rings: tuple[Ring, ...]
    axes: tuple[Axis, ...]
    series: tuple[Series, ...]


def _point(centre: Point, radius: float, index: int, count: int, value: float) -> Point:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = radius * value / MAX_SCORE
    return Point(centre.x + distance * math.cos(angle), centre.y + distance * math.sin(angle))


def wrap(text: str, width: int = 16) -> tuple[str, ...]:
    """Words of `text` in lines of at most `width` characters (a longer word has a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _anchor(point: Point, centre: Point) -> str:
    if abs(point.x - centre.x) < 1:
        return "middle"
    return "start" if point.x > centre.x else "end"


def _runs(points: Sequence[Point | None], *, is_closed: bool) -> tuple[str, ...]:
    if is_closed:
        return (" ".join(str(p) for p in points if p is not None),)
    runs: list[list[Point]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    if points and points[0] is not None and points[-1] is not None and len(runs) > 1:
        runs[0] = runs.pop() + runs[0]  # the shape wraps round: join the last run to the first
    return tuple(" ".join(str(p) for p in run) for run in runs if len(run) > 1)


def radar(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | None]]], *, size: int = 420, margin: int = 110
) -> Radar:
    """A radar of `labels` (axes, clockwise from the top) with one shape per (time point label, scores)."""
    if len(labels) < 3:
        raise ValueError("a radar chart needs at least three axes")
    count = len(labels)
    centre = Point((size + 2 * margin) / 2, (size + 2 * margin) / 2)
    radius = size / 2
    rings = tuple(
        Ring(
            score=score,
            points=" ".join(str(_point(centre, radius, i, count, score)) for i in range(count)),
            label_at=Point(centre.x + 3, centre.y - radius * score / MAX_SCORE - 2),
        )
        for score in range(1, MAX_SCORE + 1)
    )
    axes = []
    for index, label in enumerate(labels):
        end = _point(centre, radius, index, count, MAX_SCORE)
        at = _point(centre, radius + 14, index, count, MAX_SCORE)
        axes.append(Axis(label=label, end=end, label_at=at, anchor=_anchor(at, centre), lines=wrap(label)))
    drawn = []
    for number, (name, scores) in enumerate(series):
        if len(scores) != count:
            raise ValueError(f"{name}: {len(scores)} scores for {count} axes")
        colour, dash, shape = STYLES[number % len(STYLES)]
        points = [None if s is None else _point(centre, radius, i, count, s) for i, s in enumerate(scores)]
        is_closed = all(p is not None for p in points)
        markers = tuple(
            Marker(at=p, shape=shape, score=s, label=f"{labels[i]} at {name}: {s}")
            for i, (p, s) in enumerate(zip(points, scores, strict=True))
            if p is not None and s is not None
        )
        drawn.append(Series(name, colour, dash, is_closed, _runs(points, is_closed=is_closed), markers))
    return Radar(size=size + 2 * margin, centre=centre, rings=rings, axes=tuple(axes), series=tuple(drawn))
