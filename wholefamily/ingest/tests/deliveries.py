"""Small made-up deliveries for the tests: valid canonical rows for any kind, written in any profile's layout.

No personal data: names and identifiers are invented ("Zoë Testperson-3"), postcodes use the fictional ZZ area.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from wholefamily.domain.contract import ColumnType, Contract, ContractSet
from wholefamily.domain.validation import FileFormat, SourceProfile

BASE_ON = dt.date(2014, 3, 3)
STRING_SAMPLES = {
    "forename": ["Zoë", "Siân", "Ann", "Bob", "Chloé", "Dev"],
    "surname": ["Testperson", "Exampleton-Smith", "O'Sample", "Fictional", "Madeup", "Nobody"],
    "address": ["1 Nowhere Lane, Testville", "2 Example Road, Sampleton", "Flat 3, 4 Fiction Street"],
    "postcode": ["ZZ1 1AA", "ZZ2 2BB", "ZZ3 3CC"],
}


def canonical_rows(contract: Contract, contracts: ContractSet, count: int = 3) -> list[dict[str, Any]]:
    """`count` valid rows for the kind, typed (dates as date, codes canonical)."""
    later = {check.columns[0] for check in contract.checks if check.rule == "not_before"}
    sums = {name for check in contract.checks if check.rule == "sum_not_greater" for name in check.columns}
    rows = []
    for index in range(count):
        row: dict[str, Any] = {}
        for column in contract.columns:
            name = column.name
            if column.type is ColumnType.STRING:
                samples = STRING_SAMPLES.get(name)
                value = samples[index % len(samples)] if samples else f"{name[:4].upper()}{index + 1:05d}"
                if column.max_length:
                    value = value[: column.max_length]
                row[name] = value
            elif column.type is ColumnType.DATE:
                offset = 30 if name in later else 0
                row[name] = (
                    dt.date(1970 + index % 40, 5, 17)
                    if name == "date_of_birth"
                    else BASE_ON + dt.timedelta(index + offset)
                )
            elif column.type is ColumnType.INTEGER:
                minimum = int(column.minimum) if column.minimum is not None else 0
                value = max(minimum, 2 + index if name in sums else 140) if name != "academic_year" else 2013
                row[name] = min(value, int(column.maximum)) if column.maximum is not None else value
            elif column.type is ColumnType.DECIMAL:
                row[name] = Decimal("2.5") + index
            elif column.type is ColumnType.BOOLEAN:
                row[name] = index % 2 == 0
            else:
                codes = contracts.codelists[column.codelist or ""].codes
                row[name] = codes[index % len(codes)].code
        row["source_record_id"] = f"R{index + 1:04d}"
        row["source_person_id"] = f"P{index + 1:04d}"
        rows.append(row)
    return rows


def _supplier_value(value: Any, column_name: str, profile: SourceProfile, *, is_typed: bool) -> Any:
    if value is None:
        return None if is_typed else ""
    if isinstance(value, bool):
        if is_typed:
            return value
        return ("Y" if value else "N") if "y" in profile.true_values else ("true" if value else "false")
    if isinstance(value, dt.date):
        return value if is_typed else value.strftime(profile.date_formats[0])
    inverse = {canonical: supplier for supplier, canonical in profile.code_map.get(column_name, {}).items()}
    if isinstance(value, str) and value in inverse:
        return inverse[value]
    if isinstance(value, Decimal):
        return float(value) if is_typed else str(value)
    return value


def supplier_table(rows: list[dict[str, Any]], contract: Contract, profile: SourceProfile, *, is_typed: bool):
    """(header, rows) as the profile's supplier would write them."""
    inverse = {canonical: supplier for supplier, canonical in profile.column_map.items()}
    names = list(contract.column_names)
    header = [inverse.get(name, name) for name in names]
    body = [[_supplier_value(row.get(name), name, profile, is_typed=is_typed) for name in names] for row in rows]
    return header, body


def write_delivery(
    path: Path, rows: list[dict[str, Any]], contract: Contract, profile: SourceProfile, *, sheet: str | None = None
) -> Path:
    """Write `rows` at `path` in the profile's format, encoding, delimiter, column names, codes and dates."""
    if profile.file_format is FileFormat.XLSX:
        from openpyxl import Workbook

        header, body = supplier_table(rows, contract, profile, is_typed=True)
        workbook = Workbook()
        sheet_ = workbook.active
        sheet_.title = sheet or profile.sheet or "Sheet1"
        sheet_.append(header)
        for row in body:
            sheet_.append(row)
        workbook.save(path)
        return path
    if profile.file_format is FileFormat.PARQUET:
        import pyarrow as pa
        import pyarrow.parquet as pq

        header, body = supplier_table(rows, contract, profile, is_typed=True)
        columns = list(zip(*body, strict=True))
        arrays = []
        for values in columns:
            if any(isinstance(v, float) for v in values):
                arrays.append(pa.array(values, type=pa.float64()))
            elif all(isinstance(v, dt.date) or v is None for v in values):
                arrays.append(pa.array(values, type=pa.date32()))
            else:
                arrays.append(pa.array(values))
        pq.write_table(pa.Table.from_arrays(arrays, names=header), path)
        return path
    header, body = supplier_table(rows, contract, profile, is_typed=False)
    delimiter = "," if profile.delimiter == "auto" else profile.delimiter
    encoding = "utf-8" if profile.encoding == "auto" else profile.encoding
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(body)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def canonical_csv(path: Path, rows: list[dict[str, Any]], contract: Contract) -> Path:
    """The synthetic county's layout: canonical names, UTF-8, comma, ISO dates, true/false."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    names = list(contract.column_names)
    return write_csv(path, names, [[text(row.get(name)) for name in names] for row in rows])
