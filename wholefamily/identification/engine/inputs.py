"""The input views every plan reads, built the same way on every engine from raw Parquet views.

Agency records are cast to the data contract's types so that DuckDB and Spark see the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from wholefamily.domain.contract import ColumnType, Contract

SQL_TYPES = {
    ColumnType.STRING: "STRING",
    ColumnType.CODE: "STRING",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
}
PERSONS = {"person_id": "STRING", "date_of_birth": "DATE", "sex": "STRING"}
HOUSEHOLDS = {"household_id": "STRING", "uprn": "STRING", "postcode": "STRING", "district": "STRING", "ward": "STRING"}
MEMBERSHIPS = {"person_id": "STRING", "household_id": "STRING", "role": "STRING", "start_on": "DATE", "end_on": "DATE"}
RECORD_PERSON = {
    "dataset_version_id": "STRING",
    "kind": "STRING",
    "source_record_id": "STRING",
    "line_number": "BIGINT",
    "person_id": "STRING",
}
JUDGEMENTS = {
    "judgement_id": "STRING",
    "programme": "STRING",
    "indicator": "STRING",
    "person_id": "STRING",
    "household_id": "STRING",
    "entered_on": "DATE",
    "withdrawn_on": "DATE",
}


def select_columns(raw: str, wanted: dict[str, str], available: Sequence[str]) -> str:
    """SELECT of `wanted` columns cast to their types; a column the raw view lacks is NULL."""
    present = set(available)
    parts = [
        f"CAST({name} AS {sql_type}) AS {name}" if name in present else f"CAST(NULL AS {sql_type}) AS {name}"
        for name, sql_type in wanted.items()
    ]
    return f"SELECT {', '.join(parts)} FROM {raw}"  # noqa: S608 - names come from constants and the contract


def empty(wanted: dict[str, str]) -> str:
    parts = ", ".join(f"CAST(NULL AS {sql_type}) AS {name}" for name, sql_type in wanted.items())
    return f"SELECT * FROM (SELECT {parts}) t WHERE 1 = 0"  # noqa: S608


def contract_columns(contract: Contract) -> dict[str, str]:
    return {column.name: SQL_TYPES[column.type] for column in contract.columns}


def event_view_sql(contract: Contract, versions: Sequence[tuple[str, str, Sequence[str]]]) -> str:
    """ev_<kind>: every version's records with dataset_version_id; `versions` = (version id, raw view, columns)."""
    wanted = contract_columns(contract)
    if not versions:
        return empty({"dataset_version_id": "STRING", **wanted})
    selects = []
    for version, raw, available in versions:
        if "'" in version:
            raise ValueError(f"dataset version id {version!r} cannot be written as a literal")
        body = select_columns(raw, wanted, available)
        selects.append(body.replace("SELECT ", f"SELECT CAST('{version}' AS STRING) AS dataset_version_id, ", 1))
    return " UNION ALL ".join(selects)


GEOGRAPHY = {"postcode": "STRING", "district": "STRING", "ward": "STRING"}


def households_with_areas(households: str, geography: str) -> str:
    """Households whose district and ward come from the postcode lookup when the snapshot has none."""
    key = "upper(replace({}, ' ', ''))"
    return (
        "SELECT h.household_id, h.uprn, h.postcode, COALESCE(h.district, g.district) AS district, "  # noqa: S608
        f"COALESCE(h.ward, g.ward) AS ward FROM {households} h LEFT JOIN (SELECT {key.format('postcode')} AS pkey, "
        f"MIN(district) AS district, MIN(ward) AS ward FROM {geography} GROUP BY {key.format('postcode')}) g "
        f"ON g.pkey = {key.format('h.postcode')}"
    )
