"""Every kind imports from the synthetic county's layout and from its alternative supplier layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from wholefamily.domain.contract import ColumnType, ContractSet
from wholefamily.domain.validation import available_profiles
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import contracts, import_file, profile_for
from wholefamily.ingest.tests.conftest import version_dirs
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows, write_delivery

KINDS = contracts().kinds
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet"}


def alternative_profile(kind: str) -> str:
    from django.conf import settings

    names = [
        n for n in available_profiles(Path(settings.DEFINITIONS_DIR) / "profiles", kind=kind) if n != "synthetic-county"
    ]
    assert names, f"no alternative layout for {kind}"
    return names[0]


def test_every_kind_has_a_synthetic_and_an_alternative_profile(contract_set: ContractSet) -> None:
    assert len(KINDS) == 19
    for kind in KINDS:
        assert profile_for(name="synthetic-county", kind=kind).kind == kind
        assert profile_for(name=alternative_profile(kind), kind=kind).kind == kind


def _assert_stored(run: ImportRun, data_dir: Path, contract_set: ContractSet, rows: list[dict]) -> None:
    assert run.status == ImportRun.Status.ACCEPTED, (
        run.message,
        list(run.problems.values_list("line", "column", "reason")),
    )
    version = DatasetVersion.objects.get()
    assert run.dataset_version == version
    assert version.rows_read == version.rows_accepted == len(rows)
    assert version_dirs(data_dir, run.kind) == [version.version_id]
    table = pq.read_table(data_dir / "datasets" / run.kind / version.version_id / "data.parquet")
    contract = contract_set.contract(run.kind)
    assert table.column_names == [*contract.column_names, "source_line"]
    stored = table.to_pylist()
    for expected, got in zip(rows, stored, strict=True):
        for column in contract.columns:
            value = got[column.name]
            if column.type is ColumnType.DECIMAL:
                value = float(value)
                expected_value = float(expected[column.name])
            else:
                expected_value = expected[column.name]
            assert value == expected_value, (column.name, value, expected_value)
    assert [row["source_line"] for row in stored] == list(range(2, len(rows) + 2))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_synthetic_county_layout(kind: str, data_dir: Path, tmp_path: Path, contract_set: ContractSet) -> None:
    contract = contract_set.contract(kind)
    rows = canonical_rows(contract, contract_set)
    path = canonical_csv(tmp_path / f"{kind}.csv", rows, contract)
    run = import_file(path=path, kind=kind, profile="synthetic-county", by=None, received_on=dt.date(2015, 1, 1))
    _assert_stored(run, data_dir, contract_set, rows)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_alternative_layout(kind: str, data_dir: Path, tmp_path: Path, contract_set: ContractSet) -> None:
    contract = contract_set.contract(kind)
    name = alternative_profile(kind)
    profile = profile_for(name=name, kind=kind)
    rows = canonical_rows(contract, contract_set)
    path = write_delivery(tmp_path / f"{kind}.{EXTENSIONS[profile.file_format.value]}", rows, contract, profile)
    run = import_file(path=path, kind=kind, profile=name, by=None, received_on=dt.date(2015, 1, 1))
    _assert_stored(run, data_dir, contract_set, rows)
    version = DatasetVersion.objects.get()
    assert version.supplier == profile.supplier
    if contract.period_column and contract.period_column != "academic_year":
        assert version.period_start_on == min(r[contract.period_column] for r in rows)
