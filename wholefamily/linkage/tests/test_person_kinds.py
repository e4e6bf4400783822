"""Linkage reads only the kinds whose contract holds person records: area statistics are never linked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from wholefamily.domain.contract import ContractError, parse_contract
from wholefamily.ingest.models import ImportRun
from wholefamily.ingest.services import contracts, import_file
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows
from wholefamily.linkage.services import LinkageError, current_dataset_versions, linkable_dataset_versions, run_linkage


def _import(kind: str, tmp_path: Path) -> ImportRun:
    contract = contracts().contract(kind)
    path = canonical_csv(tmp_path / f"{kind}.csv", canonical_rows(contract, contracts()), contract)
    run = import_file(path=path, kind=kind, profile="synthetic-county", by=None, received_on=dt.date(2015, 1, 1))
    assert run.status == ImportRun.Status.ACCEPTED, run.message
    return run


def test_the_person_kinds_are_every_kind_but_those_holding_no_person() -> None:
    assert "area_statistics" in contracts().kinds
    assert "area_statistics" not in contracts().person_kinds
    assert set(contracts().kinds) - set(contracts().person_kinds) == {"area_statistics"}


@pytest.mark.django_db
def test_linkage_leaves_area_statistics_out(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    _import("area_statistics", tmp_path)
    assert [v.kind for v in current_dataset_versions()] == ["area_statistics"]  # current, so retention keeps it
    with pytest.raises(LinkageError, match="no dataset versions to link"):
        run_linkage(by=None)
    _import("health", tmp_path)
    assert [v.kind for v in linkable_dataset_versions()] == ["health"]


@pytest.mark.parametrize(
    ("columns", "refused"),
    [
        (["source_record_id", "ward_code"], None),
        (["ward_code"], "missing source_record_id"),
        (["source_record_id", "ward_code", "postcode"], "has person identifier columns"),
        (["source_record_id", "nhs_number"], "has person identifier columns"),
    ],
)
def test_a_kind_without_persons_names_its_rows_and_no_person(columns: list[str], refused: str | None) -> None:
    raw = {
        "kind": "area_figures",
        "holds_person_records": False,
        "columns": [{"name": name, "type": "string"} for name in columns],
    }
    if refused is None:
        assert not parse_contract(raw).holds_person_records
    else:
        with pytest.raises(ContractError, match=refused):
            parse_contract(raw)
