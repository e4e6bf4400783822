"""Area statistics come in through the ingest path like any kind: checked row by row, refused whole with every bad
row named by line and reason, and a second delivery of the same file adds nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import import_file

pytestmark = pytest.mark.django_db

HEADER = (
    "source_record_id,ward_code,ward_name,district,estimate_on,population,population_0_17,households,"
    "deprivation_decile,under_18_conceptions\n"
)


def _file(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_bad_rows_refuse_the_delivery_and_a_good_one_imports_once(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    bad = _file(
        tmp_path / "bad.csv",
        "E1,E05000001,Moor End,Northmoor,2024-06-30,5200,1100,2100,3,",
        "E2,E05000002,Highfield,Northmoor,2024-06-30,4100,4200,1800,2,2",  # more children than residents
        "E3,E05000003,Dock,Southvale,2024-06-30,3900,800,,11,",  # households missing, decile beyond 10
    )
    run = import_file(path=bad, kind="area_statistics", profile="synthetic-county", by=None)
    assert run.status == ImportRun.Status.REJECTED
    problems = sorted(run.problems.values_list("line", "column", "reason"))
    assert [(line, column) for line, column, _reason in problems] == [
        (3, ""),
        (4, "deprivation_decile"),
        (4, "households"),
    ], problems
    assert "population_0_17 (4200) is more than population (4100)" in problems[0][2]
    assert not DatasetVersion.objects.exists()

    good = _file(
        tmp_path / "good.csv",
        "E1,E05000001,Moor End,Northmoor,2024-06-30,5200,1100,2100,3,",
        "E2,E05000002,Highfield,Northmoor,2024-06-30,4100,900,1800,10,2",
    )
    first = import_file(path=good, kind="area_statistics", profile="synthetic-county", by=None)
    again = import_file(path=good, kind="area_statistics", profile="synthetic-county", by=None)
    assert (first.status, again.status) == (ImportRun.Status.ACCEPTED, ImportRun.Status.DUPLICATE)
    version = DatasetVersion.objects.get()
    assert (version.rows_accepted, version.period_start_on) == (2, dt.date(2024, 6, 30))
