"""Writing an evaluation's tables: Parquet for the store, CSV for the command line."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from wholefamily.dataplane import spreadsheets
from wholefamily.identification.engine.evaluate import Evaluation

TABLES = ("cohort", "families", "evidence", "residents")


def write_parquet(evaluation: Evaluation, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        pq.write_table(getattr(evaluation, name), directory / f"{name}.parquet")
    return directory


def write_csv(table: pa.Table, path: Path) -> Path:
    """CSV for the command line, formula-safe (ADR 0014)."""
    return spreadsheets.write_csv(table, path)
