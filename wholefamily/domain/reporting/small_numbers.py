"""Small numbers in figures that leave case workers' hands: a count of 1 to threshold-1 is hidden, and so is any cell
from which a hidden count could be worked out through a shown total (secondary suppression). Rule and reasons:
definitions/reporting/small-numbers.yaml. Pure: no Django, no engine.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class SmallNumbersError(ValueError):
    """A small-numbers definition that cannot be read."""


class Hidden(enum.StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # primary: the count itself is small
    SECONDARY = "secondary"  # not small, hidden so that a small count cannot be worked out from a total


@dataclass(frozen=True)
class SmallNumbers:
    threshold: int
    shown_as: str
    secondary_shown_as: str
    version: int
    effective_from: dt.date | None
    source: tuple[str, ...]

    def is_small(self, count: int) -> bool:
        """A count that points at too few families to show: at least 1 and fewer than the threshold."""
        return 0 < count < self.threshold

    def is_enough(self, denominator: int) -> bool:
        """Whether a rate or an average over `denominator` families may be shown."""
        return denominator >= self.threshold

    def count_text(self, count: int) -> str:
        """One count on its own (no total beside it): "1,234", "0" or "fewer than 5"."""
        return self.shown_as if self.is_small(count) else f"{count:,}"

    def rate(self, numerator: int, denominator: int) -> float | None:
        """numerator / denominator as a fraction, or None when the denominator is too small to show a rate."""
        return numerator / denominator if self.is_enough(denominator) else None

    def mean(self, values: Sequence[float]) -> float | None:
        return sum(values) / len(values) if self.is_enough(len(values)) else None

    def cell(self, count: int) -> Cell:
        return Cell(count, Hidden.SMALL if self.is_small(count) else Hidden.SHOWN)


def parse_small_numbers(raw: Mapping[str, Any]) -> SmallNumbers:
    try:
        threshold = int(raw["threshold"])
    except (KeyError, TypeError, ValueError):
        raise SmallNumbersError("small numbers: threshold must be a whole number") from None
    if threshold < 1:
        raise SmallNumbersError("small numbers: threshold must be at least 1")
    source = tuple(str(item) for item in raw.get("source") or ())
    if not source:
        raise SmallNumbersError("small numbers: source is required")
    effective = raw.get("effective_from")
    return SmallNumbers(
        threshold=threshold,
        shown_as=str(raw.get("shown_as") or f"fewer than {threshold}"),
        secondary_shown_as=str(raw.get("secondary_shown_as") or "not shown"),
        version=int(raw.get("version", 1)),
        effective_from=effective if isinstance(effective, dt.date) else None,
        source=source,
    )


def load_small_numbers(path: Path) -> SmallNumbers:
    return parse_small_numbers(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Cell:
    count: int
    hidden: Hidden

    @property
    def is_hidden(self) -> bool:
        return self.hidden is not Hidden.SHOWN

    def text(self, rule: SmallNumbers) -> str:
        if self.hidden is Hidden.SMALL:
            return rule.shown_as
        if self.hidden is Hidden.SECONDARY:
            return rule.secondary_shown_as
        return f"{self.count:,}"

    def value(self, rule: SmallNumbers) -> int | str:
        """For a spreadsheet: the number when shown, else the words."""
        return self.count if self.hidden is Hidden.SHOWN else self.text(rule)


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts with its totals, each cell shown or hidden. Totals are None when the table shows none."""

    rows: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...] | None
    column_totals: tuple[Cell, ...] | None
    grand_total: Cell | None


def suppress_table(
    counts: Sequence[Sequence[int]], rule: SmallNumbers, *, row_totals: bool = True, column_totals: bool = True
) -> SuppressedTable:
    """Hide the small counts of a table and its totals, then the fewest cells that stop a hidden one being worked out
    from a shown total (small-numbers.yaml, 'Cells that would reveal a hidden count')."""
    width = len(counts[0]) if counts else 0
    if any(len(row) != width for row in counts):
        raise ValueError("every row of a table needs the same number of cells")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("counts cannot be negative")
    grid = [list(row) for row in counts]
    if row_totals:
        for row in grid:
            row.append(sum(row))
    if column_totals and grid:
        grid.append([sum(row[j] for row in grid) for j in range(len(grid[0]))])
    height, full_width = len(grid), len(grid[0]) if grid else 0
    body_rows = len(counts)
    hidden = [[Hidden.SMALL if rule.is_small(value) else Hidden.SHOWN for value in row] for row in grid]

    def is_total(i: int, j: int) -> bool:
        return (column_totals and i == body_rows) or (row_totals and j == width)

    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(i, j) for j in range(full_width)] for i in range(height)]
    if column_totals:
        lines += [[(i, j) for i in range(height)] for j in range(full_width)]

    changed = True
    while changed:
        changed = False
        for line in lines:
            concealed = [cell for cell in line if hidden[cell[0]][cell[1]] is not Hidden.SHOWN]
            if len(concealed) != 1:
                continue
            candidates = [cell for cell in line if hidden[cell[0]][cell[1]] is Hidden.SHOWN]
            if not candidates:
                continue
            # The smallest non-zero body cell; then a zero; a total only when the line has nothing else.
            i, j = min(
                candidates,
                key=lambda cell: (is_total(*cell), grid[cell[0]][cell[1]] == 0, grid[cell[0]][cell[1]], cell),
            )
            hidden[i][j] = Hidden.SECONDARY
            changed = True

    cells = [[Cell(grid[i][j], hidden[i][j]) for j in range(full_width)] for i in range(height)]
    body = tuple(tuple(row[:width]) for row in cells[:body_rows])
    return SuppressedTable(
        rows=body,
        row_totals=tuple(row[width] for row in cells[:body_rows]) if row_totals else None,
        column_totals=tuple(cells[body_rows][:width]) if column_totals and cells else None,
        grand_total=cells[body_rows][width] if row_totals and column_totals and cells else None,
    )


def suppress_series(
    counts: Sequence[int], rule: SmallNumbers, *, total: bool = True
) -> tuple[tuple[Cell, ...], Cell | None]:
    """A list of counts with (or without) its total: one row of a table."""
    table = suppress_table([list(counts)], rule, row_totals=total, column_totals=False)
    cells = table.rows[0] if table.rows else ()
    return cells, (table.row_totals[0] if table.row_totals else None)
