"""Validation reports as CSV: every problem by line, column and reason, safe to open in a spreadsheet.

Values that a spreadsheet would run as formulas are written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from wholefamily.domain.validation import escape_for_spreadsheet
from wholefamily.ingest.models import ImportRun

REPORT_HEADER = ("line", "column", "severity", "reason", "value")


def _row(cells: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([escape_for_spreadsheet(str(cell)) for cell in cells])
    return buffer.getvalue()


def problems_csv_lines(run: ImportRun) -> Iterator[str]:
    """The run's report as CSV lines (header first), streamed from the database."""
    yield _row(REPORT_HEADER)
    problems = run.problems.order_by("id").values_list("line", "column", "severity", "reason", "value")
    for line, column, severity, reason, value in problems.iterator(chunk_size=2000):
        yield _row(("" if line is None else line, column, severity, reason, value))
