"""The agency files match the data contract (definitions/contract) and pass the ingest validator."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.contract import KIND_IDENTIFIER_COLUMNS, PERSON_IDENTIFIER_COLUMNS, load_contract_set
from wholefamily.domain.validation import RowValidator, load_profile, plan_header

CONTRACTS = load_contract_set(Path(settings.DEFINITIONS_DIR))
KINDS = [kind for kind in CONTRACTS.kinds if kind != "persons"]
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


def _file(county: Path, kind: str) -> Path:
    """agency/<kind>.csv, or area/<kind>.csv for a kind that holds no person records."""
    return county / ("agency" if CONTRACTS.contract(kind).holds_person_records else "area") / f"{kind}.csv"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def _parse(value: str, column_type: str) -> object:
    if column_type == "date":
        return dt.date.fromisoformat(value)
    if column_type == "integer":
        return int(value)
    if column_type == "decimal":
        return Decimal(value)
    if column_type == "boolean":
        if value not in {"true", "false"}:
            raise ValueError(value)
        return value == "true"
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_file_has_the_contract_columns_and_valid_values(small_county: Path, county_20k: Path, kind: str) -> None:
    contract = CONTRACTS.contract(kind)
    header, rows = _rows(_file(small_county, kind))
    assert header == list(contract.column_names)
    assert set(PERSON_IDENTIFIER_COLUMNS) <= set(header) or not contract.holds_person_records
    # Rare kinds may be empty in 2,000 residents; every kind has records in 20,000.
    manifest = json.loads((county_20k / "manifest.json").read_text())
    assert (manifest["agency_rows"] | manifest["area_rows"])[kind] > 0
    for position, column in enumerate(contract.columns):
        values = [row[position] for row in rows]
        if column.is_required:
            assert all(values), f"{kind}.{column.name}: required value missing"
        present = [value for value in values if value]
        for value in present:
            parsed = _parse(value, str(column.type))
            if column.max_length:
                assert len(value) <= column.max_length, f"{kind}.{column.name}: {value!r} too long"
            if column.codelist:
                assert value in CONTRACTS.codelists[column.codelist].values, f"{kind}.{column.name}: {value!r}"
            if column.minimum is not None:
                assert parsed >= column.minimum  # type: ignore[operator]
            if column.maximum is not None:
                assert parsed <= column.maximum  # type: ignore[operator]
    key = [header.index(name) for name in contract.unique_key]
    keys = [tuple(row[i] for i in key) for row in rows]
    assert len(set(keys)) == len(keys), f"{kind}: unique key {contract.unique_key} repeats"
    if not contract.holds_person_records:
        return
    postcodes = [row[header.index("postcode")] for row in rows if row[header.index("postcode")]]
    assert all(UK_POSTCODE.match(p) and p.startswith("ZZ") and not p.startswith("ZZ99") for p in postcodes)


@pytest.mark.parametrize("kind", KINDS)
def test_file_passes_the_ingest_validator(small_county: Path, kind: str) -> None:
    contract = CONTRACTS.contract(kind)
    profile = load_profile(Path(settings.DEFINITIONS_DIR) / "profiles", name="synthetic-county", kind=kind)
    header, rows = _rows(_file(small_county, kind))
    plan = plan_header(header, contract, profile)
    validator = RowValidator(
        contract=contract, codelists=CONTRACTS.codelists, profile=profile, plan=plan, received_on=dt.date(2026, 1, 1)
    )
    problems = []
    for line, row in enumerate(rows, start=2):
        problems.extend(validator.validate(line, row).problems)
    validator.finish()
    assert problems == []


def test_every_kind_carries_its_agency_identifier(small_county: Path) -> None:
    expected = {
        "school_attendance": "pupil_number",
        "offences": "police_id",
        "benefits": "ni_number",
        "health": "nhs_number",
        "social_care": "social_care_id",
    }
    for kind, identifier in expected.items():
        header, rows = _rows(small_county / "agency" / f"{kind}.csv")
        assert identifier in header and identifier in KIND_IDENTIFIER_COLUMNS
        filled = [row[header.index(identifier)] for row in rows if row[header.index(identifier)]]
        assert len(filled) >= 0.85 * len(rows)
