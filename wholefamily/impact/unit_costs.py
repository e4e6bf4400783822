"""A council's own unit costs, imported from an XLSX workbook (sheets `costs` and `deflator`) or two CSV files in the
shape of `definitions/impact/unit-costs.yaml` (ADR 0029).

Validated like any delivery: the file is opened by the ingest readers' checks (zip bombs, XML entities, encodings,
truncation), every bad row is reported by its line and reason, a formula cell or formula-like text is refused, and
the whole file is refused on any problem (nothing is kept). Importing the same content again under the same name
returns the version already kept; new content is the name's next version. The savings run names the version it used.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.validation import DeliveryRefused, is_formula_like, safe_row
from wholefamily.governance.audit import record
from wholefamily.impact.engine.savings import UnitCostError, UnitCosts, contract_problems, parse_unit_costs
from wholefamily.impact.models import UnitCostSet

COST_COLUMNS = (
    "code",
    "label",
    "kind",
    "rule",
    "date_column",
    "column",
    "codes",
    "where_column",
    "unit",
    "value",
    "year",
    "type",
    "agency",
    "problem",
    "source",
    "verified",
)
COST_REQUIRED = ("code", "label", "kind", "rule", "unit", "value", "year", "type", "agency", "problem", "source")
DEFLATOR_COLUMNS = ("year", "index", "source", "verified")
DEFLATOR_REQUIRED = ("year", "index")
MAX_ROWS = 1000
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class UnitCostsRefused(Exception):
    """The file was refused whole; `problems` names each bad line and reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    unit_cost_set: UnitCostSet
    created: bool


# --- reading ----------------------------------------------------------------------------------------
def _sheet_rows(path: Path, sheet: str) -> list[tuple[int, list[Any]]]:
    """(line, cells) of one sheet of a workbook, the header first; a formula cell is kept as the Formula marker."""
    from wholefamily.ingest.readers import check_xlsx_archive

    check_xlsx_archive(path)
    from openpyxl import load_workbook  # after the checks: openpyxl parses with defusedxml

    handle = path.open("rb")  # a file, not a name: an upload is kept without its suffix
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for damaged files
        handle.close()
        raise DeliveryRefused(f"The workbook could not be opened: {error}.") from None
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        if sheet not in names:
            raise DeliveryRefused(
                f"The workbook has no sheet named {sheet!r} (it has: {', '.join(workbook.sheetnames)}); the unit "
                "costs go in a sheet named 'costs', the price index in one named 'deflator'."
            )
        rows = []
        for line, cells in enumerate(workbook[names[sheet]].iter_rows(), start=1):
            if line > MAX_ROWS + 1:
                raise DeliveryRefused(f"The {sheet} sheet has more than {MAX_ROWS:,} rows: refused.")
            rows.append((line, [_Formula() if cell.data_type == "f" else cell.value for cell in cells]))
        return rows
    finally:
        workbook.close()
        handle.close()


class _Formula:
    """A workbook cell holding a formula: refused, since the value the file stands for must be in the file."""


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    from wholefamily.ingest.readers import CsvSource

    if path.stat().st_size == 0:
        raise DeliveryRefused("The file is empty (0 bytes).")
    source = CsvSource(path, encoding="auto", delimiter="auto")
    try:
        rows: list[tuple[int, list[Any]]] = [(1, list(source.header))]
        for line, cells in source.rows():
            if line > MAX_ROWS + 1:
                raise DeliveryRefused(f"The file has more than {MAX_ROWS:,} rows: refused.")
            rows.append((line, cells))
        return rows
    finally:
        source.close()


def _is_workbook(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _records(
    rows: list[tuple[int, list[Any]]], *, what: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Each data row as {column: cell} with its line; problems with the header, formulas and blank lines skipped."""
    problems: list[str] = []
    if not rows or not any(cell not in (None, "") for cell in rows[0][1]):
        return [], [f"{what}: no header row (line 1 names the columns: {', '.join(columns)})"]
    header = [str(cell or "").strip().lower().replace(" ", "_") for cell in rows[0][1]]
    while header and not header[-1]:
        header.pop()
    unknown = [name or "(blank)" for name in header if name not in columns]
    if unknown:
        problems.append(f"{what}, line 1: unknown columns {', '.join(unknown)} (the columns are {', '.join(columns)})")
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(f"{what}, line 1: missing columns {', '.join(missing)}")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        problems.append(f"{what}, line 1: columns named more than once: {', '.join(repeated)}")
    if problems:
        return [], problems
    records = []
    for line, cells in rows[1:]:
        values = {name: cells[index] if index < len(cells) else None for index, name in enumerate(header)}
        if len(cells) > len(header) and any(cell not in (None, "") for cell in cells[len(header) :]):
            problems.append(f"{what}, line {line}: more cells than the header has columns")
            continue
        if all(value in (None, "") for value in values.values()):
            continue
        bad = False
        for name, value in values.items():
            if isinstance(value, _Formula):
                problems.append(f"{what}, line {line}, {name}: a formula; enter the value itself")
                bad = True
            elif isinstance(value, str) and is_formula_like(value.strip()):
                problems.append(f"{what}, line {line}, {name}: text that starts like a spreadsheet formula")
                bad = True
        if not bad:
            records.append((line, {name: v.strip() if isinstance(v, str) else v for name, v in values.items()}))
    return records, problems


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(",", "").removeprefix("£").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _year(value: Any) -> int | None:
    number = _number(value)
    if number is None or number != number.to_integral_value() or not 1900 <= number <= 2200:
        return None
    return int(number)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in YES:
        return True
    return False if text in NO else None


def _cost(line: int, row: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    where = f"costs, line {line}"
    before = len(problems)
    value = _number(row.get("value"))
    if row.get("value") not in (None, "") and value is None:
        problems.append(f"{where}, value: {row['value']!r} is not a number of pounds")
    year = _year(row.get("year"))
    if row.get("year") not in (None, "") and year is None:
        problems.append(f"{where}, year: {row['year']!r} is not a year such as 2019")
    verified = _flag(row.get("verified"))
    if verified is None:
        problems.append(f"{where}, verified: {row['verified']!r} is not yes or no")
    if len(problems) > before:
        return None
    item: dict[str, Any] = {
        key: str(row[key]) for key in ("code", "label", "kind", "rule", "unit", "type", "agency", "problem", "source")
        if row.get(key) not in (None, "")
    }  # fmt: skip
    if value is not None:
        item["value"] = int(value) if value == value.to_integral_value() else float(value)
    if year is not None:
        item["year"] = year
    item["verified"] = bool(verified)
    for key in ("date_column", "column"):
        if row.get(key) not in (None, ""):
            item[key] = str(row[key])
    if row.get("codes") not in (None, ""):
        item["codes"] = [code.strip() for code in str(row["codes"]).replace(",", ";").split(";") if code.strip()]
    if row.get("where_column") not in (None, ""):
        item["where"] = {"column": str(row["where_column"]), "is_true": True}
    return item


def read_definition(
    costs_file: Path, *, deflator_file: Path | None = None, name: str, price_base_year: int, file_name: str = ""
) -> tuple[dict[str, Any], UnitCosts]:
    """The definition a workbook (or a costs CSV and a deflator CSV) stands for, validated whole against the data
    contracts; `UnitCostsRefused` names every problem by line and reason."""
    try:
        if _is_workbook(costs_file):
            if deflator_file is not None:
                raise DeliveryRefused("A workbook holds its own deflator sheet; give a deflator file only with CSV.")
            cost_rows, deflator_rows = _sheet_rows(costs_file, "costs"), _sheet_rows(costs_file, "deflator")
        else:
            if deflator_file is None:
                raise DeliveryRefused("Unit costs in CSV need a second CSV file of the deflator (year, index).")
            if _is_workbook(deflator_file):
                raise DeliveryRefused("The deflator file is a workbook; with CSV unit costs give the deflator as CSV.")
            cost_rows, deflator_rows = _csv_rows(costs_file), _csv_rows(deflator_file)
    except DeliveryRefused as error:
        raise UnitCostsRefused([str(error)]) from None
    problems: list[str] = []
    name = name.strip()
    if not name or len(name) > 80 or is_formula_like(name):
        problems.append("the name must be 1 to 80 characters and not start like a formula")
    costs, cost_problems = _records(cost_rows, what="costs", columns=COST_COLUMNS, required=COST_REQUIRED)
    deflators, deflator_problems = _records(
        deflator_rows, what="deflator", columns=DEFLATOR_COLUMNS, required=DEFLATOR_REQUIRED
    )
    problems += cost_problems + deflator_problems
    index: dict[str, float] = {}
    verified, sources = True, []
    for line, row in deflators:
        year, number = _year(row.get("year")), _number(row.get("index"))
        if year is None or number is None or number <= 0:
            problems.append(f"deflator, line {line}: needs a year such as 2019 and an index number more than 0")
            continue
        if str(year) in index:
            problems.append(f"deflator, line {line}: year {year} is given twice")
        index[str(year)] = float(number)
        verified = verified and bool(_flag(row.get("verified")))
        if row.get("source") not in (None, ""):
            sources.append(str(row["source"]))
    items, labels = [], []
    for line, row in costs:
        item = _cost(line, row, problems)
        if item is not None:
            items.append(item)
            labels.append(f"costs, line {line}")
    if not costs and not cost_problems:
        problems.append("costs: no unit costs below the header")
    definition = {
        "name": name,
        "version": 1,
        "price_base_year": price_base_year,
        "currency": "GBP",
        "source": f"Imported from {file_name or costs_file.name}",
        "deflator": {"verified": verified and bool(index), "source": "; ".join(dict.fromkeys(sources)), "index": index},
        "costs": items,
    }
    parsed, named = None, []
    if items:
        try:
            parsed = parse_unit_costs(definition, labels=labels)
            named = list(zip(labels, parsed.costs, strict=True))
        except UnitCostError as error:
            problems += error.problems
            named = error.costs
    problems += contract_problems(named, load_contract_set(Path(settings.DEFINITIONS_DIR)))
    if problems or parsed is None:
        raise UnitCostsRefused(problems or ["no unit costs"])
    return definition, parsed


# --- keeping ----------------------------------------------------------------------------------------
def _content_hash(definition: dict[str, Any]) -> str:
    content = {key: value for key, value in definition.items() if key not in ("version", "source")}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def import_unit_costs(
    costs_file: Path,
    *,
    deflator_file: Path | None = None,
    name: str,
    price_base_year: int,
    file_name: str = "",
    by: AbstractBaseUser | AnonymousUser | None = None,
) -> Imported:
    """Validate and keep a council's unit costs as the name's next version, all or nothing, audited; the same
    content again gives the version already kept."""
    actor: Any = by if by is not None and by.is_authenticated else None
    try:
        definition, parsed = read_definition(
            costs_file, deflator_file=deflator_file, name=name, price_base_year=price_base_year, file_name=file_name
        )
    except UnitCostsRefused as refused:
        record(
            by=actor,
            action="impact.unit_costs_import",
            object_type="impact.unitcostset",
            object_id="refused",
            outcome="failed",
            detail={"file": (file_name or costs_file.name)[:255], "problems": len(refused.problems)},
            system_actor="" if actor else "system:unit-costs",
        )
        raise
    digest = _content_hash(definition)
    name = definition["name"]
    for _attempt in range(3):
        existing = UnitCostSet.objects.filter(name=name, sha256=digest).first()
        if existing is not None:
            return Imported(existing, created=False)
        try:
            with transaction.atomic():
                version = (UnitCostSet.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0) + 1
                definition["version"] = version
                kept = UnitCostSet.objects.create(
                    name=name,
                    version=version,
                    price_base_year=price_base_year,
                    definition=definition,
                    sha256=digest,
                    file_name=(file_name or costs_file.name)[:255],
                    costs=len(parsed.costs),
                    unverified=len(parsed.unverified),
                    imported_by=actor,
                    imported_at=timezone.now(),
                )
                record(
                    by=actor,
                    action="impact.unit_costs_import",
                    obj=kept,
                    detail={"name": name, "version": version, "costs": len(parsed.costs)},
                    system_actor="" if actor else "system:unit-costs",
                )
            return Imported(kept, created=True)
        except IntegrityError:
            continue  # another import of the same name took the version: read again
    raise UnitCostsRefused(["another import of the same name was being kept at the same time; try again"])


def unit_costs_of(kept: UnitCostSet) -> UnitCosts:
    """A kept set as the savings engine reads it (validated again: the rules may have changed since)."""
    return parse_unit_costs(kept.definition)


def find_set(reference: str) -> UnitCostSet | None:
    """A kept set by `name@version` (or `name` for its latest version)."""
    name, _, version = reference.partition("@")
    sets = UnitCostSet.objects.filter(name=name)
    if version:
        return sets.filter(version=int(version)).first() if version.isdigit() else None
    return sets.order_by("-version").first()


# --- the shape, as a workbook to fill in ---------------------------------------------------------
def definition_workbook(definition: dict[str, Any]) -> bytes:
    """A definition (the shipped starter set, or a kept one) as a workbook in the import shape: `costs` and
    `deflator` sheets, text escaped so no cell runs as a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "costs"
    sheet.append(list(COST_COLUMNS))
    for item in definition.get("costs") or []:
        condition = item.get("where") or {}
        row = {
            **{key: item.get(key) for key in COST_COLUMNS},
            "codes": "; ".join(item.get("codes") or []) or None,
            "where_column": condition.get("column") if condition.get("is_true") else None,
            "verified": "yes" if item.get("verified") else "no",
        }
        sheet.append(safe_row(row[key] for key in COST_COLUMNS))
    deflator = definition.get("deflator") or {}
    index_sheet = workbook.create_sheet("deflator")
    index_sheet.append(list(DEFLATOR_COLUMNS))
    for year, value in sorted((deflator.get("index") or {}).items(), key=lambda pair: int(pair[0])):
        index_sheet.append(
            safe_row([int(year), value, deflator.get("source") or None, "yes" if deflator.get("verified") else "no"])
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
