"""The import on Spark gives the import on DuckDB's outcome exactly: status, counts, every problem, the store's files.

Hard deliveries from the columnar comparison (quoted line breaks, awkward cells, duplicates of rows only the row rules
pass and of a multi-line clean row, mixed date formats, seeded random rows in a pipe-delimited day-first profile) and
files Spark's CSV reader would read otherwise than Python's csv module (which must take the row path, as on DuckDB)
are imported with `engine="spark"` and `engine="duckdb"` into separate stores and compared. One test function, so
the JVM starts once (ADR 0033); it uses the database only to record the runs, which the DuckDB comparisons already do
on both databases, so it runs once, on SQLite (ADR 0030).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.validation import DeliveryRefused
from wholefamily.ingest import columnar
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import import_file, profile_for
from wholefamily.ingest.store import QUARANTINE_FILE
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows, supplier_table
from wholefamily.ingest.tests.test_columnar import _awkward, _outcome

RECEIVED_ON = dt.date(2015, 1, 1)
KIND = "school_attendance"


def _awkward_cells(tmp_path: Path, contract_set: ContractSet) -> Path:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=14)
    rows[0]["forename"] = "=SUM(A1)"  # a warning, kept
    rows[1]["possible_sessions"] = " 140"  # valid, but only the row rules say so
    rows[2]["term"] = "AUTUMN"
    rows[3]["academic_year"] = "2.013e3"
    rows[4]["surname"] = "-1"
    rows[5]["unauthorised_absence_sessions"] = 200
    rows[6]["date_of_birth"] = dt.date(2016, 1, 1)
    rows[7]["school_urn"] = ""
    rows[8]["pupil_number"] = "X" * 14
    rows[9] = dict(rows[0])  # repeats a row only the row rules passed
    rows[11]["address"] = "1 Nowhere Lane,\nTestville\nZZ"  # line breaks inside a value: one record, one line
    rows[11]["forename"] = "  Zoë, padded  "  # quoted (a comma), white space kept inside the quotes
    rows[10] = dict(rows[11])  # a clean row repeated by a later clean row: its text is read again
    rows[12] = dict(rows[5])  # repeats a bad row: not a duplicate
    rows[13]["authorised_absence_sessions"] = "9" * 18  # the sum check must not overflow
    rows[13]["unauthorised_absence_sessions"] = "9" * 18
    return canonical_csv(tmp_path / "awkward.csv", rows, contract)


def _mixed_dates(tmp_path: Path, contract_set: ContractSet) -> Path:
    contract = contract_set.contract(KIND)
    path = canonical_csv(tmp_path / "dates.csv", canonical_rows(contract, contract_set, count=30), contract)
    lines = path.read_text(encoding="utf-8").splitlines()
    for index in range(3, 30, 2):
        lines[index] = lines[index].replace(f"{1970 + (index - 1) % 40}-05-17", f"17/05/{1970 + (index - 1) % 40}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _random(kind: str, profile: str, seed: int) -> Callable[[Path, ContractSet], Path]:
    def make(tmp_path: Path, contract_set: ContractSet) -> Path:
        contract = contract_set.contract(kind)
        source = profile_for(name=profile, kind=kind)
        choice = random.Random(seed)
        header, body = supplier_table(
            canonical_rows(contract, contract_set, count=50), contract, source, is_typed=False
        )
        cells: list[list[str]] = []
        for number, row in enumerate(body):
            if number > 10 and choice.random() < 0.05:
                cells.append(list(cells[choice.randrange(number)]))
                continue
            drawn = [
                _awkward(value, column, source, choice, "" if value is None else str(value))
                for value, column in zip(row, contract.columns, strict=True)
            ]
            cells.append([cell.replace('"', "") for cell in drawn])  # a quote sends the whole file down the row path
        cells.append([""] * len(header))
        path = tmp_path / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=source.delimiter, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(cells)
        return path

    return make


def _edited(change: Callable[[bytes], bytes]) -> Callable[[Path, ContractSet], Path]:
    def make(tmp_path: Path, contract_set: ContractSet) -> Path:
        contract = contract_set.contract(KIND)
        rows = canonical_rows(contract, contract_set, count=6)
        rows[2]["address"] = "1 Nowhere Lane, Testville"
        path = canonical_csv(tmp_path / "edited.csv", rows, contract)
        path.write_bytes(change(path.read_bytes()))
        return path

    return make


def _renamed(delivery: Callable[[Path, ContractSet], Path], name: str) -> Callable[[Path, ContractSet], Path]:
    def make(tmp_path: Path, contract_set: ContractSet) -> Path:
        path = delivery(tmp_path, contract_set)
        return path.rename(path.with_name(name))

    return make


# (name, delivery, options, whether Spark keeps the columnar path, whether DuckDB does)
DELIVERIES: list[tuple[str, Callable[[Path, ContractSet], Path], dict[str, Any], bool, bool]] = [
    ("awkward cells and duplicates", _awkward_cells, {"policy": "quarantine"}, True, True),
    ("mixed date formats", _mixed_dates, {"policy": "quarantine"}, True, True),
    ("random benefits", _random("benefits", "dwp-data-share", 4), {"policy": "quarantine"}, True, True),
    # Spark writes a line break inside a quoted value of a CRLF file as LF: the row path reads that file.
    (
        "CRLF, a break inside a value",
        _edited(lambda b: b.replace(b"Lane,", b"Lane,\r\n").replace(b"\n", b"\r\n").replace(b"\r\r", b"\r")),
        {"policy": "quarantine"},
        False,
        True,
    ),
    ("a quote in an unquoted value", _edited(lambda b: b.replace(b"Testville", b'Test"ville')), {}, False, False),
    ("spaces after a closing quote", _edited(lambda b: b.replace(b'Testville"', b'Testville"  ')), {}, False, False),
    ("a name like a pattern", _renamed(_awkward_cells, "awkward[1].csv"), {"policy": "quarantine"}, False, True),
    ("a field too many", _edited(lambda b: b.replace(b"\n", b",x\n").replace(b",x\n", b"\n", 1)), {}, False, False),
]


@pytest.mark.spark(once=True)
@pytest.mark.slow
@pytest.mark.django_db
def test_the_import_gives_the_same_outcome_on_spark_as_on_duckdb(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, contract_set: ContractSet
) -> None:
    pytest.importorskip("pyspark")
    used: list[bool] = []
    real = columnar.validate_csv

    def observed(**kwargs: Any) -> Any:
        outcome: Any = None
        try:
            outcome = real(**kwargs)
        except DeliveryRefused:
            outcome = True
            raise
        finally:
            used.append(outcome is not None)
        return outcome

    monkeypatch.setattr("wholefamily.ingest.services.validate_csv", observed)
    for name, delivery, options, spark_columnar, duckdb_columnar in DELIVERIES:
        folder = tmp_path / name.replace(" ", "-").replace(",", "")
        folder.mkdir()
        path = delivery(folder, contract_set)
        kind = path.stem if path.stem in contract_set.kinds else KIND
        profile = "dwp-data-share" if kind == "benefits" else "synthetic-county"
        outcomes = {}
        for engine in ("spark", "duckdb"):
            used.clear()
            settings.DATA_DIR = folder / f"data-{engine}"
            run = import_file(
                path=path, by=None, received_on=RECEIVED_ON, kind=kind, profile=profile, engine=engine, **options
            )
            outcomes[engine] = _outcome(run, Path(settings.DATA_DIR))
            outcomes[engine]["columnar"] = used == [True]
            DatasetVersion.objects.all().delete()
            assert not list((Path(settings.DATA_DIR) / "datasets" / kind).glob(".tmp*")), (name, engine)
        spark, duckdb = outcomes["spark"], outcomes["duckdb"]
        assert (spark["columnar"], duckdb["columnar"]) == (spark_columnar, duckdb_columnar), (name, duckdb["message"])
        for key in ("status", "message", "counts", "problems_total", "summary", "problems"):
            assert spark[key] == duckdb[key], (name, key)
        assert spark["files"].keys() == duckdb["files"].keys(), name
        for file_name, table in duckdb["files"].items():
            if table is None:
                assert spark["files"][file_name] is None, (name, file_name)
                continue
            assert spark["files"][file_name].schema == table.schema, (name, file_name)
            assert spark["files"][file_name].to_pylist() == table.to_pylist(), (name, file_name)
        if name == "awkward cells and duplicates":
            assert spark["status"] == ImportRun.Status.ACCEPTED
            assert (13, "source_record_id") in [problem[:2] for problem in spark["problems"]]
            quarantined = spark["files"][QUARANTINE_FILE].to_pylist()
            assert [row["address"] for row in quarantined if row["_source_line"] == 13] == [
                "1 Nowhere Lane,\nTestville\nZZ"
            ]
        if name == "mixed date formats":
            assert "mixed date formats in date_of_birth" in spark["message"]
