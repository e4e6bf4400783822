"""Geometry of a horizontal bar chart drawn server-side as SVG (values may be negative: bars grow from a zero line).
Pure arithmetic; the template writes the SVG and the same figures always appear in a table beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    text: str
    text_x: float
    text_anchor: str


@dataclass(frozen=True)
class Tick:
    value: float
    x: float
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    zero_x: float
    bar_height: int
    label_width: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    top: int
    bottom: float


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw))


def bar_chart(
    rows: Sequence[tuple[str, float]], *, width: int = 640, label_width: int = 190, bar_height: int = 22, gap: int = 10
) -> BarChart:
    """Bars for (label, value) rows in order; the scale spans zero and every value, in rounded steps."""
    low = min([0.0, *(value for _, value in rows)])
    high = max([0.0, *(value for _, value in rows)])
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        high = low + step
    plot_left, plot_right = label_width + 10, width - 50
    scale = (plot_right - plot_left) / (high - low)

    def x_of(value: float) -> float:
        return plot_left + (value - low) * scale

    zero = x_of(0.0)
    top = 10
    bars = []
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        start, end = sorted((zero, x_of(value)))
        is_negative = value < 0
        bars.append(
            Bar(
                label=label,
                value=value,
                x=start,
                y=y,
                width=max(end - start, 1.0),
                text=f"{value:+.2f}",
                text_x=start - 4 if is_negative else end + 4,
                text_anchor="end" if is_negative else "start",
            )
        )
    bottom = top + len(rows) * (bar_height + gap)
    count = round((high - low) / step)
    ticks = tuple(Tick(low + i * step, x_of(low + i * step), f"{low + i * step:g}") for i in range(count + 1))
    return BarChart(width, int(bottom + 30), zero, bar_height, label_width, tuple(bars), ticks, top, bottom)
