"""Bad deliveries: each refused with a clear error and nothing half-written in the data store."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from wholefamily.domain.contract import ContractSet
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import import_file, profile_for
from wholefamily.ingest.tests.conftest import version_dirs
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows, write_csv, write_delivery

pytestmark = pytest.mark.django_db

KIND = "school_attendance"
RECEIVED_ON = dt.date(2015, 1, 1)


@pytest.fixture
def rows(contract_set: ContractSet) -> list[dict[str, Any]]:
    return canonical_rows(contract_set.contract(KIND), contract_set, count=5)


@pytest.fixture
def good_csv(tmp_path: Path, rows: list[dict[str, Any]], contract_set: ContractSet) -> Path:
    return canonical_csv(tmp_path / "attendance.csv", rows, contract_set.contract(KIND))


def run_import(path: Path, *, kind: str = KIND, profile: str = "synthetic-county", **extra: Any) -> ImportRun:
    return import_file(path=path, kind=kind, profile=profile, by=None, received_on=RECEIVED_ON, **extra)


def assert_refused(run: ImportRun, data_dir: Path, *fragments: str, kind: str = KIND) -> None:
    assert run.status == ImportRun.Status.REJECTED, run.message
    for fragment in fragments:
        assert fragment in run.message, (fragment, run.message)
    assert not DatasetVersion.objects.exists()
    assert version_dirs(data_dir, kind) == []
    leftovers = list((data_dir / "datasets" / kind).glob(".*")) if (data_dir / "datasets" / kind).exists() else []
    assert leftovers == [], leftovers


def test_truncated_file(good_csv: Path, data_dir: Path) -> None:
    data = good_csv.read_bytes()
    good_csv.write_bytes(data[: len(data) - 25])  # cut part-way through the last row
    run = run_import(good_csv)
    assert_refused(run, data_dir, "truncated", "line 6")


def test_truncated_inside_a_quoted_value(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=2)
    rows[1]["address"] = "1 Nowhere Lane,\nTestville"
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"Testville") + 4])
    assert_refused(run_import(path), data_dir, "truncated")


def test_wrong_encoding(tmp_path: Path, data_dir: Path, contract_set: ContractSet, rows: list[dict[str, Any]]) -> None:
    path = tmp_path / "cp1252.csv"
    canonical_csv(path, rows, contract_set.contract(KIND))
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))  # "Zoë" as one byte 0xeb
    run = run_import(path)
    assert_refused(run, data_dir, "not valid utf-8", "byte 0xeb on line 2", "encoding")


def test_encoding_is_detected_when_the_profile_says_auto(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet
) -> None:
    from wholefamily.ingest.readers import CsvSource

    rows = canonical_rows(contract_set.contract(KIND), contract_set, count=40)
    path = canonical_csv(tmp_path / "a.csv", rows, contract_set.contract(KIND))
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    source = CsvSource(path, encoding="auto", delimiter="auto")
    cells = [cells for _, cells in source.rows()]
    source.close()
    assert cells[0][2] == "Zoë" and cells[1][2] == "Siân"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"source_record_id,x\n\x00\x01\x02\x03binary\x00\x00", "binary content"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "PNG image"),
        (b"PK\x03\x04" + bytes(200), "XLSX"),
    ],
)
def test_binary_file(tmp_path: Path, data_dir: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(content)
    assert_refused(run_import(path), data_dir, "binary", fragment)


def test_ten_megabyte_line(good_csv: Path, data_dir: Path) -> None:
    with good_csv.open("a", encoding="utf-8") as handle:
        handle.write("R9999," + "x" * (10 * 1024 * 1024) + "\n")
    run = run_import(good_csv)
    assert_refused(run, data_dir, "Line 7 is longer than 1,000,000 characters")


def test_wrong_columns_are_named(tmp_path: Path, data_dir: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        ["source_record_id", "pupil_number", "term", "shoe_size", "favourite_colour"],
        [["R1", "A1", "autumn", "9", "red"]],
    )
    run = run_import(path)
    assert_refused(
        run,
        data_dir,
        "unknown columns: shoe_size, favourite_colour",
        "missing required columns: academic_year, school_urn",
    )
    reasons = list(run.problems.values_list("line", "reason"))
    assert (1, "unknown columns: shoe_size, favourite_colour") in reasons


def test_duplicate_header(good_csv: Path, data_dir: Path) -> None:
    lines = good_csv.read_text(encoding="utf-8").splitlines()
    lines = [line + ",x" for line in lines]
    lines[0] = lines[0].rsplit(",", 1)[0] + ",surname"
    good_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_import(good_csv)
    assert_refused(run, data_dir, "duplicate column name 'surname'")


def test_two_supplier_columns_mapping_onto_one(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    contract = contract_set.contract(KIND)
    profile = profile_for(name="school-census-export", kind=KIND)
    rows = canonical_rows(contract, contract_set, count=2)
    path = write_delivery(tmp_path / "a.csv", rows, contract, profile)
    text = path.read_text(encoding="cp1252").replace("Record ID", "source_record_id", 1)
    text = text.replace("Legal Surname", "Record ID", 1)
    path.write_text(text, encoding="cp1252")
    run = run_import(path, profile="school-census-export")
    assert_refused(run, data_dir, "both map onto source_record_id")


def test_mixed_date_formats_name_the_rows(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet, rows: list[dict[str, Any]]
) -> None:
    path = canonical_csv(tmp_path / "a.csv", rows, contract_set.contract(KIND))
    lines = path.read_text(encoding="utf-8").splitlines()
    for index in (3, 5):
        lines[index] = lines[index].replace("1972-05-17", "17/05/1972").replace("1974-05-17", "17/05/1974")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_import(path, policy="quarantine")  # refused whatever the policy
    assert_refused(
        run, data_dir, "mixed date formats in date_of_birth", "3 in YYYY-MM-DD", "2 in DD/MM/YYYY (lines 4 and 6)"
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"  \r\n\n", "empty"),
        (
            b"source_record_id,academic_year,term,school_urn,possible_sessions,authorised_absence_sessions,unauthorised_absence_sessions\n",
            "no data rows",
        ),
    ],
)
def test_empty_file(tmp_path: Path, data_dir: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert_refused(run_import(path), data_dir, fragment)


def test_formula_injection_is_stored_as_text_flagged_and_escaped_on_the_way_out(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet, rows: list[dict[str, Any]]
) -> None:
    formula = '=HYPERLINK("http://example.invalid","x")'
    rows[0]["forename"] = formula
    rows[1]["address"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[2]["surname"] = "-1"  # a number: not a formula
    rows[3]["school_urn"] = "+441"  # a number too
    rows[4]["possible_sessions"] = -5  # a bad number, reported with its value
    path = canonical_csv(tmp_path / "a.csv", rows, contract_set.contract(KIND))
    run = run_import(path, policy="quarantine")
    assert run.status == ImportRun.Status.ACCEPTED
    assert run.cells_flagged == 2
    flagged = set(run.problems.filter(severity="warning").values_list("line", "column", "value"))
    assert flagged == {(2, "forename", formula), (3, "address", "@SUM(1+1)*cmd|' /C calc'!A0")}
    version = DatasetVersion.objects.get()
    table = pq.read_table(data_dir / "datasets" / KIND / version.version_id / "data.parquet")
    assert table.column("forename").to_pylist()[0] == formula  # stored as the text it was

    from wholefamily.ingest.reports import problems_csv_lines

    text = "".join(problems_csv_lines(run))
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-5" in text
    assert ",=HYPERLINK" not in text and ",@SUM" not in text


def test_duplicates_and_impossible_values_reported_by_line(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet, rows: list[dict[str, Any]]
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=6)
    rows[1]["unauthorised_absence_sessions"] = 200  # more than possible
    rows[2]["authorised_absence_sessions"] = -1
    rows[3]["date_of_birth"] = dt.date(1899, 12, 31)
    rows[4]["date_of_birth"] = dt.date(2016, 1, 1)  # after the delivery was received
    rows[5]["term"] = "winter"
    rows += [dict(rows[0])]  # line 8 repeats line 2
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    run = run_import(path)
    assert_refused(run, data_dir, "6 of 7 rows are bad")
    problems = set(run.problems.values_list("line", "column", "reason"))
    assert (8, "source_record_id", "duplicate of line 2 (same source_record_id)") in problems
    assert (
        3,
        "",
        "authorised_absence_sessions + unauthorised_absence_sessions (203) is more than possible_sessions (140)",
    ) in problems
    assert (4, "authorised_absence_sessions", "below the minimum 0") in problems
    assert (5, "date_of_birth", "before 1900-01-01") in problems
    assert (6, "date_of_birth", "in the future (after the delivery's received date 2015-01-01)") in problems
    assert (7, "term", "not in code list term (autumn, spring, summer)") in problems


def test_end_before_start(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    contract = contract_set.contract("social_care")
    rows = canonical_rows(contract, contract_set, count=2)
    rows[1]["end_on"] = rows[1]["start_on"] - dt.timedelta(days=1)
    path = canonical_csv(tmp_path / "a.csv", rows, contract)
    run = run_import(path, kind="social_care")
    assert_refused(run, data_dir, "1 of 2 rows are bad", kind="social_care")
    assert run.problems.get().reason == "end_on (2014-03-03) is before start_on (2014-03-04)"


# --- XLSX -------------------------------------------------------------------------------------------
CUSTODY = "custody_and_supervision"


def _workbook(path: Path, contract_set: ContractSet, *, sheets: tuple[str, ...] = ("Cases",)) -> Path:
    from openpyxl import load_workbook

    contract = contract_set.contract(CUSTODY)
    profile = profile_for(name="probation-case-export", kind=CUSTODY)
    write_delivery(path, canonical_rows(contract, contract_set, count=2), contract, profile, sheet=sheets[0])
    if len(sheets) > 1:
        workbook = load_workbook(path)
        for name in sheets[1:]:
            workbook.create_sheet(name).append(["notes"])
        workbook.save(path)
    return path


@pytest.fixture
def definitions_with_test_profile(settings: Any, tmp_path: Path) -> Path:
    """A copy of the definitions with a workbook profile that names no sheet."""
    root = tmp_path / "definitions"
    shutil.copytree(settings.DEFINITIONS_DIR, root)
    source = root / "profiles" / "probation-case-export"
    target = root / "profiles" / "test-workbook-no-sheet"
    target.mkdir()
    (target / "_defaults.yaml").write_text(
        (source / "_defaults.yaml").read_text(encoding="utf-8").replace("sheet: Cases\n", ""), encoding="utf-8"
    )
    shutil.copy(source / f"{CUSTODY}.yaml", target / f"{CUSTODY}.yaml")
    settings.DEFINITIONS_DIR = root
    return root


def test_xlsx_with_several_sheets_and_no_sheet_named(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet, definitions_with_test_profile: Path
) -> None:
    path = _workbook(tmp_path / "two.xlsx", contract_set, sheets=("Cases", "Notes"))
    run = run_import(path, kind=CUSTODY, profile="test-workbook-no-sheet")
    assert_refused(run, data_dir, "has 2 sheets (Cases, Notes)", "must name the one", kind=CUSTODY)
    one = _workbook(tmp_path / "one.xlsx", contract_set)
    assert run_import(one, kind=CUSTODY, profile="test-workbook-no-sheet").status == ImportRun.Status.ACCEPTED


def test_xlsx_picks_the_named_sheet_among_several(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    path = _workbook(tmp_path / "two.xlsx", contract_set, sheets=("Cases", "Notes"))
    run = run_import(path, kind=CUSTODY, profile="probation-case-export")
    assert run.status == ImportRun.Status.ACCEPTED, run.message


def test_xlsx_without_the_named_sheet(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    path = _workbook(tmp_path / "other.xlsx", contract_set, sheets=("Summary", "Notes"))
    run = run_import(path, kind=CUSTODY, profile="probation-case-export")
    assert_refused(run, data_dir, "no sheet named 'Cases'", kind=CUSTODY)


def _rewrite_member(path: Path, member: str, content: bytes | None = None, *, size: int = 0) -> None:
    """Replace one part of the workbook (content, or `size` bytes of spaces streamed in)."""
    original = path.with_suffix(".orig")
    path.rename(original)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != member:
                target.writestr(item, source.read(item.filename))
            elif content is not None:
                target.writestr(item.filename, content)
            else:
                info = zipfile.ZipInfo(item.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                with target.open(info, "w", force_zip64=True) as handle:
                    block = b" " * (1024 * 1024)
                    for _ in range(size // len(block)):
                        handle.write(block)
    original.unlink()


def test_xlsx_zip_bomb(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    path = _workbook(tmp_path / "bomb.xlsx", contract_set)
    _rewrite_member(path, "xl/worksheets/sheet1.xml", size=64 * 1024 * 1024)  # 64 MB of spaces, ~64 KB packed
    assert path.stat().st_size < 1024 * 1024
    run = run_import(path, kind=CUSTODY, profile="probation-case-export")
    assert_refused(run, data_dir, "possible zip bomb", "compressed", kind=CUSTODY)


def test_xlsx_that_unpacks_beyond_the_size_limit(
    settings: Any, tmp_path: Path, data_dir: Path, contract_set: ContractSet
) -> None:
    settings.INGEST_XLSX_MAX_UNCOMPRESSED_BYTES = 10_000  # stands in for "gigabytes" without writing them
    path = _workbook(tmp_path / "big.xlsx", contract_set)
    run = run_import(path, kind=CUSTODY, profile="probation-case-export")
    assert_refused(run, data_dir, "would unpack to", "zip bomb", kind=CUSTODY)


def test_xlsx_with_an_external_entity(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    path = _workbook(tmp_path / "xxe.xlsx", contract_set)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    declaration = f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'.encode()
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    _rewrite_member(path, "xl/worksheets/sheet1.xml", declaration + body.replace(b"<v>", b"<v>&xxe;", 1))
    run = run_import(path, kind=CUSTODY, profile="probation-case-export")
    assert_refused(run, data_dir, "XML external entity", kind=CUSTODY)
    assert "top secret" not in run.message


def test_damaged_xlsx(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    path = _workbook(tmp_path / "cut.xlsx", contract_set)
    path.write_bytes(path.read_bytes()[:500])
    assert_refused(run_import(path, kind=CUSTODY, profile="probation-case-export"), data_dir, "XLSX", kind=CUSTODY)


def test_damaged_parquet(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    contract = contract_set.contract("neet")
    profile = profile_for(name="careers-service-extract", kind="neet")
    path = write_delivery(tmp_path / "n.parquet", canonical_rows(contract, contract_set), contract, profile)
    path.write_bytes(path.read_bytes()[:-40])
    assert_refused(run_import(path, kind="neet", profile="careers-service-extract"), data_dir, "Parquet", kind="neet")


def test_wrong_encoding_far_into_the_file_names_the_line(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=3000)
    for row in rows:
        row["forename"], row["surname"] = "Ann", "Testperson"
    rows[-1]["surname"] = "Brontë"
    path = canonical_csv(tmp_path / "late.csv", rows, contract)
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    assert_refused(run_import(path), data_dir, "byte 0xeb on line 3001")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed_when_the_profile_says_auto(tmp_path: Path, delimiter: str) -> None:
    from wholefamily.ingest.readers import CsvSource

    path = tmp_path / "a.csv"
    lines = [
        ["source_record_id", "surname", "address"],
        ["R1", "O'Sample", "1 Nowhere Lane, Testville"],
        ["R2", "Nobody", "2 Example Road"],
    ]
    path.write_text(
        "\n".join(delimiter.join(f'"{cell}"' if "," in cell else cell for cell in line) for line in lines) + "\n"
    )
    source = CsvSource(path, encoding="auto", delimiter="auto")
    assert source.delimiter == delimiter
    assert [cells for _, cells in source.rows()] == lines[1:]
    source.close()


def test_xlsx_line_numbers_count_blank_rows(tmp_path: Path, data_dir: Path, contract_set: ContractSet) -> None:
    from openpyxl import load_workbook

    path = _workbook(tmp_path / "gaps.xlsx", contract_set)
    workbook = load_workbook(path)
    sheet = workbook["Cases"]
    sheet.insert_rows(3, amount=2)  # two empty rows between the first and second data rows
    sheet.cell(row=5, column=11).value = "Not a sentence type"
    workbook.save(path)
    run = run_import(path, kind=CUSTODY, profile="probation-case-export")
    assert run.status == ImportRun.Status.REJECTED and run.rows_read == 2
    assert list(run.problems.values_list("line", "column")) == [(5, "order_type")]
