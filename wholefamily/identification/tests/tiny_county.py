"""Hand-built tiny linked snapshots for golden tests: a few people, households and agency records as Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from wholefamily.domain.contract import ContractSet
from wholefamily.identification.engine.perfect import ARROW_TYPES
from wholefamily.identification.engine.snapshot import DATA_FILE, Snapshot


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class TinyCounty:
    """Build people, memberships and records, then `snapshot()` writes them in the linked-snapshot layout."""

    def __init__(self, directory: Path, contracts: ContractSet) -> None:
        self.directory = directory
        self.contracts = contracts
        self.persons: list[dict[str, Any]] = []
        self.memberships: list[dict[str, Any]] = []
        self.households: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.judgements: list[dict[str, Any]] = []

    def member(
        self,
        person_id: str,
        *,
        dob: Any,
        household: str = "H1",
        start_on: Any = "2000-01-01",
        end_on: Any = None,
        district: str = "North",
        ward: str = "North Central",
    ) -> TinyCounty:
        if not any(person["person_id"] == person_id for person in self.persons):
            self.persons.append(
                {"person_id": person_id, "forename": "A", "surname": "B", "date_of_birth": _date(dob), "sex": "U"}
            )
        self.households.setdefault(
            household, {"household_id": household, "uprn": None, "postcode": None, "district": district, "ward": ward}
        )
        self.memberships.append(
            {
                "person_id": person_id,
                "household_id": household,
                "role": "member",
                "start_on": _date(start_on),
                "end_on": _date(end_on),
            }
        )
        return self

    def record(self, kind: str, person_id: str, **fields: Any) -> str:
        rows = self.records.setdefault(kind, [])
        record_id = f"{kind[:3].upper()}{len(rows) + 1:04d}"
        rows.append({"person_id": person_id, "source_record_id": record_id, **fields})
        return record_id

    def judgement(
        self,
        programme: str,
        indicator: str,
        *,
        person_id: str | None = None,
        household_id: str | None = None,
        entered_on: Any = "2015-01-01",
        withdrawn_on: Any = None,
    ) -> None:
        self.judgements.append({
            "judgement_id": f"J{len(self.judgements) + 1}", "programme": programme, "indicator": indicator,
            "person_id": person_id, "household_id": household_id, "entered_on": _date(entered_on),
            "withdrawn_on": _date(withdrawn_on),
        })  # fmt: skip

    def snapshot(self) -> Snapshot:
        out = self.directory
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(self.persons, schema=pa.schema([
            ("person_id", pa.string()), ("forename", pa.string()), ("surname", pa.string()),
            ("date_of_birth", pa.date32()), ("sex", pa.string())])), out / "persons.parquet")  # fmt: skip
        pq.write_table(pa.Table.from_pylist(self.memberships, schema=pa.schema([
            ("person_id", pa.string()), ("household_id", pa.string()), ("role", pa.string()),
            ("start_on", pa.date32()), ("end_on", pa.date32())])), out / "memberships.parquet")  # fmt: skip
        pq.write_table(pa.Table.from_pylist(list(self.households.values()), schema=pa.schema([
            ("household_id", pa.string()), ("uprn", pa.string()), ("postcode", pa.string()),
            ("district", pa.string()), ("ward", pa.string())])), out / "households.parquet")  # fmt: skip
        links: list[dict[str, Any]] = []
        for kind, rows in self.records.items():
            contract = self.contracts.contract(kind)
            schema = pa.schema(
                [(c.name, ARROW_TYPES[c.type]) for c in contract.columns] + [("source_line", pa.int64())]
            )
            table_rows = []
            for line, row in enumerate(rows, start=2):
                full = {name: None for name in schema.names}
                for key, value in row.items():
                    if key in full:
                        column_type = schema.field(key).type
                        full[key] = _date(value) if column_type == pa.date32() else value
                full["source_line"] = line
                table_rows.append(full)
                links.append(
                    {
                        "dataset_version_id": f"v-{kind}",
                        "kind": kind,
                        "source_record_id": row["source_record_id"],
                        "line_number": line,
                        "person_id": row["person_id"],
                        "match_probability": 1.0,
                    }
                )
            target = out / "datasets" / kind / f"v-{kind}"
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(table_rows, schema=schema), target / DATA_FILE)
        (out / "datasets").mkdir(exist_ok=True)
        pq.write_table(pa.Table.from_pylist(links, schema=pa.schema([
            ("dataset_version_id", pa.string()), ("kind", pa.string()), ("source_record_id", pa.string()),
            ("line_number", pa.int64()), ("person_id", pa.string()), ("match_probability", pa.float64())])),
            out / "record_person.parquet")  # fmt: skip
        judgements = None
        if self.judgements:
            judgements = out / "judgements.parquet"
            pq.write_table(pa.Table.from_pylist(self.judgements, schema=pa.schema([
                ("judgement_id", pa.string()), ("programme", pa.string()), ("indicator", pa.string()),
                ("person_id", pa.string()), ("household_id", pa.string()), ("entered_on", pa.date32()),
                ("withdrawn_on", pa.date32())])), judgements)  # fmt: skip
        return Snapshot.open(out, judgements=judgements)
