"""A suppressed table as rows of words, the same for the page, the PDF and the workbook."""

from __future__ import annotations

from dataclasses import dataclass

from wholefamily.domain.reporting.small_numbers import Cell, SmallNumbers
from wholefamily.reporting.selectors import LabelledTable


@dataclass(frozen=True)
class TableView:
    caption: str
    head: tuple[str, ...]
    body: tuple[tuple[str, ...], ...]
    values: tuple[tuple[int | str, ...], ...]  # numbers where shown, for a spreadsheet


def table_view(labelled: LabelledTable, rule: SmallNumbers) -> TableView:
    table = labelled.table
    head = [labelled.row_head, *labelled.columns]
    rows: list[tuple[str, list[Cell]]] = []
    for index, label in enumerate(labelled.rows):
        cells = list(table.rows[index])
        if table.row_totals is not None:
            cells.append(table.row_totals[index])
        rows.append((label, cells))
    if table.row_totals is not None:
        head.append("Total")
    if table.column_totals is not None:
        totals = list(table.column_totals) + ([table.grand_total] if table.grand_total is not None else [])
        rows.append(("Total", totals))
    body = tuple((label, *(cell.text(rule) for cell in cells)) for label, cells in rows)
    values = tuple((label, *(cell.value(rule) for cell in cells)) for label, cells in rows)
    return TableView(labelled.caption, tuple(head), body, values)
