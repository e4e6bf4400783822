"""Arrow tables written as CSV for people to open in a spreadsheet, formula-safe (ADR 0014).

Text a spreadsheet would run as a formula gets a leading apostrophe: the rule of
`wholefamily.domain.validation.escape_for_spreadsheet`, applied column-wise so that a cohort's evidence of
millions of rows is not escaped one Python string at a time.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from wholefamily.domain.validation import FORMULA_PREFIXES


def escape_table(table: pa.Table) -> pa.Table:
    """The table with every text cell that starts like a formula prefixed by an apostrophe."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            starts = [pc.starts_with(column, prefix) for prefix in FORMULA_PREFIXES]
            mask = starts[0]
            for other in starts[1:]:
                mask = pc.or_(mask, other)
            column = pc.if_else(pc.fill_null(mask, False), pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_csv(table: pa.Table, path: Path) -> Path:
    """Write `table` as CSV at `path` (its folder made), formula-safe."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(escape_table(table), path)
    return path
