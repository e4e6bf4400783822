"""The columnar path (DuckDB) gives the row-by-row path's outcome exactly: report, counts and files (ADR 0028).

Each delivery is imported twice, with INGEST_COLUMNAR on and off, into separate data stores, and everything a
person or a later stage sees is compared: status and message, counts, every problem (line, column, reason, value,
severity) in order, the summary, data.parquet and quarantine.parquet. Deliveries are made to be hard: quoted line
breaks, CRLF, formula-like cells, padded numbers, codes in another case, null markers, duplicates of rows only the row
rules could pass, mixed date formats, and seeded random rows drawn from pools of awkward cells.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from wholefamily.domain.columnar import PYTHON_WHITESPACE
from wholefamily.domain.contract import ColumnType, ContractSet
from wholefamily.domain.validation import DeliveryRefused
from wholefamily.ingest import columnar
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import import_file, profile_for
from wholefamily.ingest.store import DATA_FILE, QUARANTINE_FILE
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows, supplier_table, write_csv

pytestmark = pytest.mark.django_db

RECEIVED_ON = dt.date(2015, 1, 1)
KIND = "school_attendance"


def test_the_white_space_list_is_pythons() -> None:
    assert "".join(chr(code) for code in range(0x110000) if chr(code).isspace()) == PYTHON_WHITESPACE


def _outcome(run: ImportRun, data_dir: Path) -> dict[str, Any]:
    run.refresh_from_db()
    files: dict[str, Any] = {}
    if run.dataset_version is not None:
        folder = data_dir / "datasets" / run.kind / run.dataset_version.version_id
        for name in (DATA_FILE, QUARANTINE_FILE):
            files[name] = pq.read_table(folder / name) if (folder / name).exists() else None
    return {
        "status": run.status,
        "message": run.message.replace(run.version_id, "<version>"),
        "counts": (run.rows_read, run.rows_accepted, run.rows_bad, run.rows_quarantined, run.cells_flagged),
        "problems_total": run.problems_total,
        "summary": run.problem_summary,
        "problems": list(run.problems.order_by("id").values_list("line", "column", "reason", "value", "severity")),
        "files": files,
    }


def import_both_ways(
    path: Path, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, expect_columnar: bool, **options: Any
) -> dict[str, Any]:
    """Import with the columnar path and with the row path; assert the same outcome and return it."""
    used: list[bool] = []
    real = columnar.validate_csv

    def observed(**kwargs: Any) -> Any:
        outcome = None
        try:
            outcome = real(**kwargs)
        except DeliveryRefused:
            outcome = True  # refused by the columnar path itself (mixed date formats)
            raise
        finally:
            used.append(outcome is not None)
        return outcome

    monkeypatch.setattr("wholefamily.ingest.services.validate_csv", observed)
    outcomes = []
    for is_columnar in (True, False):
        settings.INGEST_COLUMNAR = is_columnar
        settings.DATA_DIR = tmp_path / f"data-{is_columnar}"
        options.setdefault("kind", KIND)
        options.setdefault("profile", "synthetic-county")
        run = import_file(path=path, by=None, received_on=RECEIVED_ON, **options)
        outcomes.append(_outcome(run, Path(settings.DATA_DIR)))
        DatasetVersion.objects.all().delete()
    fast, slow = outcomes
    assert used == ([True] if expect_columnar else used and [False]), (used, slow["message"])
    for key in slow:
        if key == "files":
            assert fast["files"].keys() == slow["files"].keys()
            for name, table in slow["files"].items():
                if table is None:
                    assert fast["files"][name] is None, name
                    continue
                assert fast["files"][name].schema == table.schema, (
                    name,
                    str(fast["files"][name].schema),
                    str(table.schema),
                )
                assert fast["files"][name].to_pylist() == table.to_pylist(), name
        else:
            assert fast[key] == slow[key], key
    return slow


@pytest.fixture
def both(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(path: Path, *, expect_columnar: bool = True, **options: Any) -> dict[str, Any]:
        return import_both_ways(path, settings, tmp_path, monkeypatch, expect_columnar=expect_columnar, **options)

    return run


def test_a_clean_delivery_with_quoted_line_breaks_keeps_its_line_numbers(
    tmp_path: Path, contract_set: ContractSet, both: Any
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=12)
    for index in (1, 4, 5):
        rows[index]["address"] = "1 Nowhere Lane,\nTestville\nZZ"  # two line breaks inside one value
    rows[8]["term"] = "winter"  # a bad row after the multi-line ones: its line is its record's
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    outcome = both(path, policy="quarantine")
    assert outcome["status"] == ImportRun.Status.ACCEPTED
    assert [problem[:2] for problem in outcome["problems"]] == [(10, "term")]
    data = outcome["files"][DATA_FILE]
    assert data.column("source_line").to_pylist() == [line for line in range(2, 14) if line != 10]
    assert outcome["files"][QUARANTINE_FILE].column("_source_line").to_pylist() == [10]


def test_line_breaks_inside_values_of_a_crlf_file(tmp_path: Path, contract_set: ContractSet, both: Any) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=8)
    rows[2]["address"] = "1 Nowhere Lane,\r\nTestville"
    rows[5]["term"] = "winter"
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"))
    outcome = both(path, policy="quarantine")
    assert [problem[:2] for problem in outcome["problems"]] == [(7, "term")]
    assert outcome["files"][DATA_FILE].column("address").to_pylist()[2] == "1 Nowhere Lane,\r\nTestville"


def test_awkward_cells_and_duplicates_give_the_same_report(
    tmp_path: Path, contract_set: ContractSet, both: Any
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=14)
    rows[0]["forename"] = '=HYPERLINK("http://example.invalid","x")'  # a warning, kept
    rows[1]["possible_sessions"] = " 140"  # padded: valid, but only the row rules say so
    rows[2]["term"] = "AUTUMN"  # another case: valid by the row rules
    rows[3]["academic_year"] = "2.013e3"  # a whole number written oddly
    rows[4]["surname"] = "-1"  # a number, not a formula
    rows[5]["unauthorised_absence_sessions"] = 200
    rows[6]["date_of_birth"] = dt.date(2016, 1, 1)
    rows[7]["school_urn"] = ""
    rows[8]["pupil_number"] = "X" * 14
    rows[9] = dict(rows[0])  # repeats a row that only the row rules passed (line 2)
    rows[10] = dict(rows[11])  # a clean row repeated by a later clean row (lines 12 and 13)
    rows[12] = dict(rows[5])  # repeats a bad row: not a duplicate (the first was never accepted)
    rows[13]["authorised_absence_sessions"] = "9" * 18  # the sum check must not overflow
    rows[13]["unauthorised_absence_sessions"] = "9" * 18
    for policy in ("quarantine", "reject"):
        path = canonical_csv(tmp_path / f"{policy}.csv", rows, contract)
        outcome = both(path, policy=policy)
    assert outcome["status"] == ImportRun.Status.REJECTED
    reasons = {(line, reason) for line, _, reason, _, _ in outcome["problems"]}
    assert (11, "duplicate of line 2 (same source_record_id)") in reasons
    assert (13, "duplicate of line 12 (same source_record_id)") in reasons
    assert not any(line == 14 and "duplicate" in reason for line, reason in reasons)


def test_mixed_date_formats_are_refused_with_the_same_lines(
    tmp_path: Path, contract_set: ContractSet, both: Any
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=30)
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    lines = path.read_text(encoding="utf-8").splitlines()
    for index in range(3, 30, 2):
        lines[index] = lines[index].replace(f"{1970 + (index - 1) % 40}-05-17", f"17/05/{1970 + (index - 1) % 40}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = both(path, policy="quarantine")
    assert outcome["status"] == ImportRun.Status.REJECTED
    assert "mixed date formats in date_of_birth" in outcome["message"]


@pytest.mark.parametrize(
    ("change", "expect_columnar"),
    [
        (lambda text: text.replace("\n", "\r\n"), True),
        (lambda text: text.replace("\n", "\n\n", 3), False),  # blank lines: the row path counts them as lines
        (lambda text: text.replace("\n", ",\n"), True),  # a trailing delimiter on every line, the header's too
        (lambda text: text.replace("\n", ",\n").replace(",\n", "\n", 1), True),  # on the rows only: empty, allowed
        (lambda text: text.replace("\n", ",x\n").replace(",x\n", "\n", 1), False),  # a field too many
        (lambda text: text.rsplit(",", 2)[0], False),  # truncated
        (lambda text: text.replace("Testville", 'Test"ville'), False),  # a quote inside an unquoted value
    ],
)
def test_files_duckdb_cannot_read_as_python_does_take_the_row_path(
    tmp_path: Path, contract_set: ContractSet, both: Any, change: Any, expect_columnar: bool
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=6)
    rows[2]["address"] = "1 Nowhere Lane, Testville"
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    both(path, expect_columnar=expect_columnar, policy="quarantine")


# --- seeded random deliveries -----------------------------------------------------------------------------------
AWKWARD_TEXT = ["", " ", "=SUM(A1)", "-1", "+44 1", "@x", "\tTab", "Zoë", " padded ", "a\nb", 'say "hi"', "x" * 70]
AWKWARD_INTEGERS = ["5", " 5", "007", "1e1", "-1", "abc", "", "1.0", "99999999999999999999", "\u0663", "2.5", "0"]
AWKWARD_DECIMALS = ["2.5", "2.50000", "-0", "1e2", "abc", " 3 ", "", "12345678901234.1234", "3.14159", "-2"]
AWKWARD_BOOLEANS = ["true", "True", "Y", "yes ", "maybe", "", "1", "FALSE", "n"]


def _awkward(value: Any, column: Any, profile: Any, choice: random.Random, good: str) -> str:
    if choice.random() < 0.75:
        return good
    if column.type is ColumnType.STRING:
        return choice.choice(AWKWARD_TEXT)
    if column.type is ColumnType.INTEGER:
        return choice.choice(AWKWARD_INTEGERS)
    if column.type is ColumnType.DECIMAL:
        return choice.choice(AWKWARD_DECIMALS)
    if column.type is ColumnType.BOOLEAN:
        return choice.choice(AWKWARD_BOOLEANS)
    if column.type is ColumnType.DATE:
        shown = dt.date(2014, 2, 28).strftime(profile.date_formats[0])
        early, late = (day.strftime(profile.date_formats[0]) for day in (dt.date(1899, 12, 31), dt.date(2099, 1, 1)))
        return choice.choice(["", " " + good, "not a date", shown.replace("28", "30"), early, late])
    return choice.choice([good.lower(), good.upper(), f" {good} ", "bad code", ""])


@pytest.mark.parametrize(
    ("kind", "profile", "seed"),
    [
        ("school_attendance", "synthetic-county", 1),
        ("exclusions", "synthetic-county", 2),
        ("domestic_abuse", "synthetic-county", 3),
        ("benefits", "dwp-data-share", 4),
        ("health", "health-data-share", 5),
    ],
)
def test_random_awkward_deliveries_give_the_same_outcome(
    tmp_path: Path, contract_set: ContractSet, both: Any, kind: str, profile: str, seed: int
) -> None:
    contract = contract_set.contract(kind)
    source = profile_for(name=profile, kind=kind)
    choice = random.Random(seed)
    rows = canonical_rows(contract, contract_set, count=150)
    header, body = supplier_table(rows, contract, source, is_typed=False)
    cells = []
    for number, row in enumerate(body):
        if number > 10 and choice.random() < 0.05:
            cells.append(list(cells[choice.randrange(number)]))  # a repeat of an earlier row
            continue
        cells.append(
            [
                _awkward(value, column, source, choice, "" if value is None else str(value))
                for value, column in zip(row, contract.columns, strict=True)
            ]
        )
    cells.append([""] * len(header))  # a row of empty fields (not a blank line): skipped by both
    delimiter = "," if source.delimiter == "auto" else source.delimiter
    encoding = "utf-8" if source.encoding == "auto" else source.encoding
    path = tmp_path / f"{kind}.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        import csv

        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(cells)
    outcome = both(path, kind=kind, profile=profile, policy="quarantine")
    assert outcome["problems"], "the awkward cells should give problems to compare"


def test_a_row_of_empty_fields_is_skipped_and_a_row_of_spaces_is_not(tmp_path: Path, both: Any) -> None:
    names = ["source_record_id", "academic_year", "term", "school_urn", "possible_sessions"]
    names += ["authorised_absence_sessions", "unauthorised_absence_sessions"]
    path = write_csv(tmp_path / "a.csv", names, [[""] * len(names), [" "] * len(names)])
    outcome = both(path)
    assert outcome["counts"][:3] == (1, 0, 1)  # the row of spaces is read (its first cell is not empty), and bad


def test_duckdb_can_spill_in_a_fresh_var_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big delivery's duplicate query spills to disk: the spill folder must exist whatever was there before."""
    monkeypatch.setenv("WHOLEFAMILY_VAR_DIR", str(tmp_path / "fresh"))
    monkeypatch.setenv("WHOLEFAMILY_INGEST_MEMORY", "32MB")
    connection = columnar._connect(threads=1)
    try:
        rows = connection.execute(
            "SELECT count(*) FROM (SELECT i::VARCHAR || 'key-padding-to-use-memory' AS k, min(i) FROM range(2000000) "
            "t(i) GROUP BY k)"
        ).fetchall()
    finally:
        connection.close()
    assert rows == [(2_000_000,)]
    assert (tmp_path / "fresh" / "tmp" / "duckdb").is_dir()
