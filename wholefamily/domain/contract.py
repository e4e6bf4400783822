"""The data contract: one canonical schema per dataset kind, and the code lists its code columns use.

Read from `definitions/contract/<kind>.yaml` and `definitions/codelists/<name>.yaml`. Pure: parses plain
mappings (from YAML) into frozen dataclasses and renders the contract as Markdown; no file formats, no Django.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

PERSON_IDENTIFIER_COLUMNS: tuple[str, ...] = (
    "source_record_id",
    "source_person_id",
    "forename",
    "surname",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "uprn",
)
"""The identifier columns every kind carries, in this order."""

KIND_IDENTIFIER_COLUMNS: tuple[str, ...] = ("pupil_number", "nhs_number", "ni_number", "social_care_id", "police_id")


class ContractError(ValueError):
    """A contract or code list definition file is malformed."""


class ColumnType(enum.StrEnum):
    STRING = "string"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    CODE = "code"


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Codelist:
    name: str
    version: int
    description: str
    source: tuple[str, ...]
    codes: tuple[Code, ...]

    @property
    def values(self) -> frozenset[str]:
        return frozenset(code.code for code in self.codes)

    def codes_where(self, attribute: str, value: Any = True) -> frozenset[str]:
        """The codes whose `attribute` equals `value` (e.g. benefit types with is_out_of_work true)."""
        return frozenset(code.code for code in self.codes if code.attributes.get(attribute) == value)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    is_required: bool
    description: str
    codelist: str | None = None
    minimum: Decimal | dt.date | None = None
    maximum: Decimal | dt.date | None = None
    max_length: int | None = None
    is_future_allowed: bool = False


@dataclass(frozen=True)
class Check:
    """A rule across columns of one row: `not_before` (dates) or `sum_not_greater` (numbers)."""

    rule: str
    columns: tuple[str, ...]
    other: str
    message: str


CHECK_RULES = frozenset({"not_before", "sum_not_greater"})


@dataclass(frozen=True)
class Contract:
    kind: str
    version: int
    description: str
    source: tuple[str, ...]
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...]
    checks: tuple[Check, ...] = ()
    period_column: str | None = None
    holds_person_records: bool = True
    """False for a kind of area figures (no person in any row): linkage never reads it."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.is_required)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _as_tuple_of_str(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def _bound(value: Any, column_type: ColumnType, where: str) -> Decimal | dt.date | None:
    if value is None:
        return None
    if column_type is ColumnType.DATE:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError as error:
            raise ContractError(f"{where}: bound {value!r} is not an ISO date") from error
    if column_type in (ColumnType.INTEGER, ColumnType.DECIMAL):
        return Decimal(str(value))
    raise ContractError(f"{where}: min/max only apply to date, integer and decimal columns")


def parse_column(raw: Mapping[str, Any], *, where: str) -> Column:
    try:
        name = str(raw["name"])
        column_type = ColumnType(raw["type"])
    except (KeyError, ValueError) as error:
        raise ContractError(f"{where}: column needs a name and a type in {[t.value for t in ColumnType]}") from error
    codelist = raw.get("codelist")
    if column_type is ColumnType.CODE and not codelist:
        raise ContractError(f"{where}: code column {name!r} names no codelist")
    return Column(
        name=name,
        type=column_type,
        is_required=bool(raw.get("required", False)),
        description=str(raw.get("description", "")),
        codelist=str(codelist) if codelist else None,
        minimum=_bound(raw.get("min"), column_type, f"{where}.{name}"),
        maximum=_bound(raw.get("max"), column_type, f"{where}.{name}"),
        max_length=int(raw["max_length"]) if raw.get("max_length") is not None else None,
        is_future_allowed=bool(raw.get("is_future_allowed", False)),
    )


def parse_contract(raw: Mapping[str, Any]) -> Contract:
    """Build a contract from its YAML mapping, checking it is self-consistent."""
    kind = str(raw.get("kind", ""))
    if not kind:
        raise ContractError("contract has no kind")
    columns = tuple(parse_column(item, where=kind) for item in raw.get("columns") or ())
    names = [column.name for column in columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ContractError(f"{kind}: duplicate columns {duplicates}")
    holds_person_records = bool(raw.get("holds_person_records", True))
    if holds_person_records:
        missing = [name for name in PERSON_IDENTIFIER_COLUMNS if name not in names]
        if missing:
            raise ContractError(f"{kind}: missing person identifier columns {missing}")
    else:
        # Every delivery still names its rows (bad rows are reported by it, duplicates found by it); no other column
        # may identify a person.
        if "source_record_id" not in names:
            raise ContractError(f"{kind}: missing source_record_id")
        personal = sorted(set(names) & set(PERSON_IDENTIFIER_COLUMNS[1:] + KIND_IDENTIFIER_COLUMNS))
        if personal:
            raise ContractError(f"{kind}: holds no person records but has person identifier columns {personal}")
    checks = tuple(
        Check(
            rule=str(item["rule"]),
            columns=_as_tuple_of_str(item.get("columns") or item.get("column")),
            other=str(item["other"]),
            message=str(item.get("message", "")),
        )
        for item in raw.get("checks") or ()
    )
    contract = Contract(
        kind=kind,
        version=int(raw.get("version", 0)),
        description=str(raw.get("description", "")),
        source=_as_tuple_of_str(raw.get("source")),
        columns=columns,
        unique_key=_as_tuple_of_str(raw.get("unique_key")) or ("source_record_id",),
        checks=checks,
        period_column=str(raw["period_column"]) if raw.get("period_column") else None,
        holds_person_records=holds_person_records,
    )
    _check_references(contract)
    return contract


def _check_references(contract: Contract) -> None:
    names = set(contract.column_names)
    referenced = set(contract.unique_key)
    for check in contract.checks:
        if check.rule not in CHECK_RULES:
            raise ContractError(f"{contract.kind}: unknown check rule {check.rule!r}")
        referenced |= {*check.columns, check.other}
    if contract.period_column:
        referenced.add(contract.period_column)
    unknown = sorted(referenced - names)
    if unknown:
        raise ContractError(f"{contract.kind}: rules name unknown columns {unknown}")
    if contract.period_column and not (
        contract.column(contract.period_column).type is ColumnType.DATE or contract.period_column == "academic_year"
    ):
        raise ContractError(f"{contract.kind}: period_column must be a date column or academic_year")


def parse_codelist(raw: Mapping[str, Any]) -> Codelist:
    name = str(raw.get("name", ""))
    if not name:
        raise ContractError("code list has no name")
    codes: list[Code] = []
    for item in raw.get("codes") or ():
        attributes = {key: value for key, value in item.items() if key not in {"code", "label"}}
        codes.append(Code(code=str(item["code"]), label=str(item.get("label", "")), attributes=attributes))
    values = [code.code for code in codes]
    if len(values) != len(set(values)):
        raise ContractError(f"code list {name}: duplicate codes")
    if not codes:
        raise ContractError(f"code list {name}: no codes")
    return Codelist(
        name=name,
        version=int(raw.get("version", 0)),
        description=str(raw.get("description", "")),
        source=_as_tuple_of_str(raw.get("source")),
        codes=tuple(codes),
    )


@dataclass(frozen=True)
class ContractSet:
    """Every kind's contract with the code lists they use."""

    contracts: Mapping[str, Contract]
    codelists: Mapping[str, Codelist]

    def contract(self, kind: str) -> Contract:
        try:
            return self.contracts[kind]
        except KeyError as error:
            raise ContractError(f"unknown dataset kind {kind!r}; known: {', '.join(sorted(self.contracts))}") from error

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self.contracts))

    @property
    def person_kinds(self) -> tuple[str, ...]:
        """The kinds whose rows are about persons: what linkage links."""
        return tuple(kind for kind in self.kinds if self.contracts[kind].holds_person_records)


def _load_yaml(path: Path) -> Mapping[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, Mapping):
        raise ContractError(f"{path}: not a mapping")
    return loaded


def load_contract_set(definitions_dir: Path) -> ContractSet:
    """Load `contract/*.yaml` and `codelists/*.yaml` under the definitions directory."""
    codelist_paths = sorted((definitions_dir / "codelists").glob("*.yaml"))
    codelists = {codelist.name: codelist for codelist in (parse_codelist(_load_yaml(path)) for path in codelist_paths)}
    contracts: dict[str, Contract] = {}
    for path in sorted((definitions_dir / "contract").glob("*.yaml")):
        contract = parse_contract(_load_yaml(path))
        if path.stem != contract.kind:
            raise ContractError(f"{path}: file name does not match kind {contract.kind!r}")
        for column in contract.columns:
            if column.codelist and column.codelist not in codelists:
                raise ContractError(f"{contract.kind}.{column.name}: unknown code list {column.codelist!r}")
        contracts[contract.kind] = contract
    return ContractSet(contracts=contracts, codelists=codelists)


def _bounds_text(column: Column) -> str:
    parts: list[str] = []
    if column.minimum is not None:
        parts.append(f"≥ {column.minimum}")
    if column.maximum is not None:
        parts.append(f"≤ {column.maximum}")
    if column.max_length is not None:
        parts.append(f"≤ {column.max_length} chars")
    if column.is_future_allowed:
        parts.append("may be in the future")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(contracts: ContractSet, *, preamble: Sequence[str] = ()) -> str:
    """The contract as Markdown (docs/data-contract.md is generated from this)."""
    lines: list[str] = [*preamble]
    lines += ["## Kinds", ""]
    for kind in contracts.kinds:
        lines.append(f"- [`{kind}`](#{kind.replace('_', '-')}): {contracts.contract(kind).description}")
    lines.append("")
    for kind in contracts.kinds:
        lines += _render_contract(contracts.contract(kind))
    lines += ["## Code lists", ""]
    for name in sorted(contracts.codelists):
        lines += _render_codelist(contracts.codelists[name])
    return "\n".join(lines).rstrip() + "\n"


def _render_contract(contract: Contract) -> list[str]:
    lines = [f"### {contract.kind}", "", f"{contract.description} (contract version {contract.version})", ""]
    if not contract.holds_person_records:
        lines += ["Holds no person records: linkage does not read this kind.", ""]
    lines += ["Serves:", "", *[f"- {source}" for source in contract.source], ""]
    lines += ["| column | type | required | code list | bounds | description |", "|---|---|---|---|---|---|"]
    for column in contract.columns:
        codelist = f"[{column.codelist}](#codelist-{column.codelist.replace('_', '-')})" if column.codelist else ""
        lines.append(
            f"| `{column.name}` | {column.type.value} | {'yes' if column.is_required else ''} | {codelist} "
            f"| {_cell(_bounds_text(column))} | {_cell(column.description)} |"
        )
    lines += ["", f"Duplicate rows: same `{'`, `'.join(contract.unique_key)}`."]
    for check in contract.checks:
        lines.append(f"Check `{check.rule}`: {', '.join(check.columns)} against {check.other} ({check.message}).")
    if contract.period_column == "academic_year":
        lines.append("Period covered: 1 September of the earliest `academic_year` to 31 August after the latest.")
    elif contract.period_column:
        lines.append(f"Period covered: from the earliest to the latest `{contract.period_column}`.")
    lines.append("")
    return lines


def _render_codelist(codelist: Codelist) -> list[str]:
    attribute_names = sorted({key for code in codelist.codes for key in code.attributes})
    lines = [f'<a id="codelist-{codelist.name.replace("_", "-")}"></a>', f"### Code list `{codelist.name}`", ""]
    lines += [codelist.description, "", *[f"Source: {source}" for source in codelist.source], ""]
    header = ["code", "label", *attribute_names]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for code in codelist.codes:
        cells = [f"`{code.code}`", _cell(code.label), *[str(code.attributes.get(name, "")) for name in attribute_names]]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def academic_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """An English academic year by the calendar year it starts in: 1 September to 31 August."""
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def identifier_columns_of(columns: Iterable[str]) -> tuple[str, ...]:
    """The person identifier columns among `columns` (shared plus kind-specific), in contract order."""
    present = set(columns)
    return tuple(name for name in (*PERSON_IDENTIFIER_COLUMNS, *KIND_IDENTIFIER_COLUMNS) if name in present)
