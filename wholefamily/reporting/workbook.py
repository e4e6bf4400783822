"""The board pack as an XLSX workbook of the same figures as its PDF (openpyxl): a contents sheet, a sheet per section,
and the notes on method. Numbers are numbers; a hidden figure is its words; all text is formula-safe (ADR 0014)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from wholefamily.domain.validation import safe_row

_MONEY = '"£"#,##0.00'
_SHEET_NAMES = {
    "card": None,  # named from the element
    "monitoring": "Service monitoring",
    "progress": "Progress by district",
    "claims": "Results claims",
    "funding": "Funding position",
    "review": "Service review",
    "indirect": "Indirect impact",
    "impact": "Impact and savings",
}


def _bold_last(sheet: Worksheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _table(sheet: Worksheet, table: dict[str, Any]) -> None:
    sheet.append(safe_row([table["caption"]]))
    _bold_last(sheet)
    sheet.append(safe_row(table["head"]))
    _bold_last(sheet)
    money = set(table.get("money_columns", []))
    for row in table["values"]:
        sheet.append(safe_row(row))
        for index in money:
            sheet.cell(row=sheet.max_row, column=index + 1).number_format = _MONEY
    sheet.append([])


def _sheet_name(section: dict[str, Any], used: set[str]) -> str:
    name = _SHEET_NAMES.get(section["kind"]) or section["title"].replace("Report card: ", "Card - ").capitalize()
    name = name[:31]
    while name in used:
        name = name[:29] + f" {len(used)}"
    used.add(name)
    return name


def board_pack_xlsx(figures: dict[str, Any], *, version: int, built_on: str) -> bytes:
    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = "Contents"
    contents.append(safe_row([figures["council"]]))
    contents.append(safe_row([f"{figures['title']}, {figures['quarter']['label']}"]))
    _bold_last(contents)
    contents.append(safe_row(["Version", version]))
    contents.append(safe_row(["Built on", built_on]))
    contents.append(safe_row(["Small numbers", f"hidden: {figures['small_numbers']}"]))
    contents.append([])
    contents.append(safe_row(["Sheet", "What it holds"]))
    _bold_last(contents)
    used = {"Contents", "Notes on method"}
    for section in figures["sections"]:
        name = _sheet_name(section, used)
        contents.append(safe_row([name, section["title"]]))
        sheet = book.create_sheet(name)
        sheet.append(safe_row([section["title"], figures["quarter"]["label"]]))
        _bold_last(sheet)
        sheet.append([])
        if section["kind"] == "card":
            for question in section["questions"]:
                quarters = [label for label, _, _ in question["measures"][0]["trend"]]
                sheet.append(safe_row([question["question"], "Unit", *quarters]))
                _bold_last(sheet)
                for measure in question["measures"]:
                    values = [text if number is None else number for _, text, number in measure["trend"]]
                    sheet.append(safe_row([measure["label"], measure["unit"], *values]))
                sheet.append([])
        for warning in section.get("warnings", []):
            sheet.append(safe_row([warning]))
            _bold_last(sheet)
        for text in section.get("paragraphs", []):
            sheet.append(safe_row([text]))
        if section.get("warnings") or section.get("paragraphs"):
            sheet.append([])
        for heading, text in section.get("narrative", []):
            sheet.append(safe_row([heading, text]))
        if section.get("narrative"):
            sheet.append([])
        for table in section.get("indicators", []):
            _table(sheet, table)
        for table in section.get("tables", []):
            _table(sheet, table)
        for name_and_reason in section.get("not_recorded", []):
            sheet.append(safe_row(["Not recorded", *name_and_reason]))
        sheet.column_dimensions["A"].width = 48
    contents.append(safe_row(["Notes on method", "How the figures are made"]))
    notes = book.create_sheet("Notes on method")
    for note in figures["notes"]:
        notes.append(safe_row([note]))
    notes.column_dimensions["A"].width = 120
    contents.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
