"""A "perfect linkage" snapshot from the synthetic county's truth: every record linked to its true person.

Writes the linked-snapshot layout of ADR 0004 (record_person, persons, households, memberships), a postcode lookup
(`geography.parquet`: postcode, district, ward, usable for a linkage run's snapshot of the same county) and the agency
files as dataset versions (`datasets/<kind>/synth-<kind>/data.parquet`, canonical columns plus `source_line`),
so the engine runs on it exactly as on a linkage run. Identification is then tested without waiting for linkage.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from wholefamily.domain.contract import ColumnType, Contract, ContractSet
from wholefamily.identification.engine.snapshot import DATA_FILE

ARROW_TYPES = {
    ColumnType.STRING: pa.string(),
    ColumnType.CODE: pa.string(),
    ColumnType.DATE: pa.date32(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.DECIMAL: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
}


def version_id(kind: str) -> str:
    return f"synth-{kind}"


def person_id(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.binary_join_element_wise("T", pc.cast(values, pa.string()), "")


def household_id(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.binary_join_element_wise("H", pc.cast(values, pa.string()), "")


def read_agency_file(path: Path, contract: Contract) -> pa.Table:
    """An agency CSV in canonical columns, typed by the contract, with its source line (header is line 1)."""
    types = {column.name: ARROW_TYPES[column.type] for column in contract.columns}
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
    return table.append_column("source_line", pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64)))


def _households(truth: Path, as_of: dt.date | None) -> pa.Table:
    """One row per true household: its address on `as_of` (else its latest), with the dwelling's district and ward."""
    segments = pq.read_table(truth / "household_addresses.parquet").to_pylist()
    dwellings = {row["uprn"]: row for row in pq.read_table(truth / "dwellings.parquet").to_pylist()}
    chosen: dict[int, dict[str, Any]] = {}
    for row in segments:
        is_open = as_of is not None and row["start_on"] <= as_of and (row["end_on"] is None or row["end_on"] >= as_of)
        current = chosen.get(row["household_id"])
        if current is None or is_open or (not current.get("_open") and row["start_on"] > current["start_on"]):
            if current is not None and current.get("_open") and not is_open:
                continue
            chosen[row["household_id"]] = {**row, "_open": is_open}
    ids = sorted(chosen)
    rows = [chosen[key] for key in ids]
    return pa.table(
        {
            "household_id": household_id(pa.array(ids, type=pa.int64())),
            "uprn": pa.array([row["uprn"] for row in rows], type=pa.string()),
            "postcode": pa.array([dwellings.get(row["uprn"], {}).get("postcode") for row in rows], type=pa.string()),
            "district": pa.array([dwellings.get(row["uprn"], {}).get("district") for row in rows], type=pa.string()),
            "ward": pa.array([dwellings.get(row["uprn"], {}).get("ward") for row in rows], type=pa.string()),
        }
    )


def build_perfect_snapshot(county: Path, out: Path, *, contracts: ContractSet, as_of: dt.date | None = None) -> Path:
    """Write a perfect-linkage snapshot of the synthetic county in `county` (agency/ and truth/) to `out`."""
    truth, agency = county / "truth", county / "agency"
    out.mkdir(parents=True, exist_ok=True)
    persons = pq.read_table(truth / "persons.parquet")
    pq.write_table(
        pa.table(
            {
                "person_id": person_id(persons.column("true_person_id")),
                "forename": persons.column("forename"),
                "surname": persons.column("surname"),
                "date_of_birth": persons.column("date_of_birth"),
                "sex": persons.column("sex"),
            }
        ),
        out / "persons.parquet",
    )
    memberships = pq.read_table(truth / "memberships.parquet")
    pq.write_table(
        pa.table(
            {
                "person_id": person_id(memberships.column("true_person_id")),
                "household_id": household_id(memberships.column("household_id")),
                "role": memberships.column("role"),
                "start_on": memberships.column("start_on"),
                "end_on": memberships.column("end_on"),
            }
        ),
        out / "memberships.parquet",
    )
    pq.write_table(_households(truth, as_of), out / "households.parquet")
    dwellings = pq.read_table(truth / "dwellings.parquet", columns=["postcode", "district", "ward"])
    pq.write_table(dwellings.group_by(["postcode", "district", "ward"]).aggregate([]), out / "geography.parquet")
    sources = pq.read_table(
        truth / "source_records.parquet", columns=["source_kind", "source_record_id", "true_person_id"]
    )
    parts = []
    for csv_path in sorted(agency.glob("*.csv")):
        kind = csv_path.stem
        if kind not in contracts.contracts:
            continue
        table = read_agency_file(csv_path, contracts.contract(kind))
        target = out / "datasets" / kind / version_id(kind)
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / DATA_FILE)
        mask = pc.equal(sources.column("source_kind"), kind)
        truth_rows = sources.filter(mask)
        lines = pa.table(
            {"source_record_id": table.column("source_record_id"), "line_number": table.column("source_line")}
        )
        joined = truth_rows.join(lines, "source_record_id", join_type="left outer")
        parts.append(
            pa.table(
                {
                    "dataset_version_id": pa.array([version_id(kind)] * joined.num_rows, type=pa.string()),
                    "kind": joined.column("source_kind"),
                    "source_record_id": joined.column("source_record_id"),
                    "line_number": joined.column("line_number"),
                    "person_id": person_id(joined.column("true_person_id")),
                    "match_probability": pa.array([1.0] * joined.num_rows, type=pa.float64()),
                }
            )
        )
    pq.write_table(pa.concat_tables(parts), out / "record_person.parquet")
    return out
