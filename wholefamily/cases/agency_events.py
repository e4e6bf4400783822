"""The members' agency events from the linked data, for the family's chronology.

Each agency record of a member (linkage's `PersonRecord`: dataset kind, version and source record id) is dated by
its data contract's period column, read from the dataset version's Parquet in the ingest store. Adapter only: the
one place `cases` reads the linkage's records and the ingest store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings

from wholefamily.cases.models import Member
from wholefamily.domain.contract import ColumnType, Contract, load_contract_set
from wholefamily.ingest.store import DATA_FILE, version_dir
from wholefamily.linkage.models import PersonRecord
from wholefamily.web.labels import label_for

MAX_RECORDS = 2_000  # a family page reads at most this many agency records
DETAIL_COLUMNS = 2  # code columns shown with an event (e.g. an offence's disposal and type)
NOT_DETAIL = frozenset({"sex"})


@dataclass(frozen=True)
class AgencyEvent:
    occurred_on: date | None
    kind: str
    label: str
    member_name: str
    detail: str


@cache
def _contracts() -> dict[str, Contract]:
    return dict(load_contract_set(Path(settings.DEFINITIONS_DIR)).contracts)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and 1900 < value < 2200:  # an academic year: its autumn term
        return date(value, 9, 1)
    return None


def _label(contract: Contract) -> str:
    return contract.kind.replace("_", " ").capitalize()


def agency_events(members: Iterable[Member]) -> list[AgencyEvent]:
    """The members' agency records as dated events, newest first (undated last)."""
    names = {member.person_id: member.display_name for member in members if member.person_id}
    if not names:
        return []
    records = PersonRecord.objects.filter(person__person_id__in=names).values_list(
        "person__person_id", "kind", "dataset_version_id", "source_record_id"
    )[:MAX_RECORDS]
    wanted: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for person_id, kind, version_id, record_id in records:
        wanted[(kind, version_id)][record_id] = person_id
    events: list[AgencyEvent] = []
    for (kind, version_id), owners in wanted.items():
        events.extend(_read_version(kind, version_id, owners, names))
    return sorted(events, key=lambda e: (e.occurred_on is not None, e.occurred_on or date.min), reverse=True)


def _read_version(kind: str, version_id: str, owners: dict[str, str], names: dict[str, str]) -> list[AgencyEvent]:
    contract = _contracts().get(kind)
    path = version_dir(kind, version_id) / DATA_FILE
    if contract is None or not path.exists():
        return [
            AgencyEvent(None, kind, kind.replace("_", " ").capitalize(), names[owner], "record not in the data store")
            for owner in owners.values()
        ]
    codes = [c.name for c in contract.columns if c.type is ColumnType.CODE and c.name not in NOT_DETAIL]
    columns = ["source_record_id", *([contract.period_column] if contract.period_column else []), *codes]
    columns = list(dict.fromkeys(columns[: 2 + DETAIL_COLUMNS]))
    table = pq.read_table(path, columns=columns, filters=[("source_record_id", "in", list(owners))])
    events = []
    for row in table.to_pylist():
        shown = [name for name in codes[:DETAIL_COLUMNS] if row.get(name)]
        detail = ", ".join(f"{name.replace('_', ' ')}: {label_for(row[name]).lower()}" for name in shown)
        events.append(
            AgencyEvent(
                occurred_on=_as_date(row.get(contract.period_column)) if contract.period_column else None,
                kind=kind,
                label=_label(contract),
                member_name=names[owners[row["source_record_id"]]],
                detail=detail,
            )
        )
    return events
