"""Geometry of a column chart of one measure over quarters, drawn server-side as SVG (and by the board pack's PDF).
Pure arithmetic: a hidden figure (small numbers) has no column, only its words; the same figures are always in a
table beside the chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    label: str
    value: float | None  # None: hidden or not available
    text: str
    x: float
    y: float
    width: float
    height: float
    text_y: float


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline_y: float
    top: int
    left: int
    columns: tuple[Column, ...]
    ticks: tuple[tuple[float, str], ...]  # (y, text)

    @property
    def plot_right(self) -> int:
        return self.width - 10


def _nice_top(high: float) -> tuple[float, float]:
    if high <= 0:
        return 1.0, 0.25
    raw = high / 4
    power = 10.0 ** math.floor(math.log10(raw))
    step = float(next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw))
    return math.ceil(high / step) * step, step


def column_chart(
    rows: Sequence[tuple[str, float | None, str]], *, width: int = 560, height: int = 220, left: int = 48
) -> ColumnChart:
    """Columns for (label, value, text) rows in order, from zero up (the measures here are never negative, except
    distance travelled, whose negative values are drawn as zero-height columns and read from their text)."""
    top, bottom = 16, height - 36
    high, step = _nice_top(max([0.0, *(v for _, v, _ in rows if v is not None)]))
    scale = (bottom - top) / high
    slot = (width - 10 - left) / max(len(rows), 1)
    columns = []
    for index, (label, value, text) in enumerate(rows):
        bar = 0.0 if value is None else max(value, 0.0) * scale
        x = left + index * slot + slot * 0.2
        columns.append(Column(label, value, text, x, bottom - bar, slot * 0.6, bar, bottom - bar - 4))
    count = round(high / step)
    ticks = tuple((bottom - i * step * scale, f"{i * step:g}") for i in range(count + 1))
    return ColumnChart(width, height, bottom, top, left, tuple(columns), ticks)
