"""Files the claims app writes: the funding forecast as XLSX (numbers as numbers, money in pounds)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from wholefamily.domain.claims.funding import Forecast, ForecastRow
from wholefamily.domain.validation import safe_row

_MONEY = '"£"#,##0.00'


def _pounds(amount_pence: int) -> Decimal:
    return Decimal(amount_pence) / 100


def _percent(value: Decimal | None) -> float | None:
    # A percentage cell holds a fraction (0.8 shows as 80%); the percentages are whole numbers, so this is exact.
    return None if value is None else float(value / 100)


def write_forecast_xlsx(forecast: Forecast, path: Path) -> None:
    """One sheet, the forecast table with a total row; the definition and estimate above it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Funding forecast"
    funding = forecast.funding
    sheet.append(safe_row([f"{funding.title} (funding definition {funding.code} v{funding.version})"]))
    sheet.append(["Estimated families", forecast.estimated_families])
    sheet.append(["Funded families", forecast.funded_families])
    sheet.append([])
    header = ["Year", "Families", "Attachment fee %", "Attachment fee", "Results payment %", "Results payment", "Total"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    rows: list[ForecastRow] = [*forecast.rows, forecast.total]
    for row in rows:
        sheet.append(
            [
                row.year,
                row.families,
                _percent(row.attachment_percent),
                _pounds(row.attachment_pence),
                _percent(row.results_percent),
                _pounds(row.results_pence),
                _pounds(row.total_pence),
            ]
        )
        line = sheet.max_row
        for column in ("C", "E"):
            sheet[f"{column}{line}"].number_format = "0%"
        for column in ("D", "F", "G"):
            sheet[f"{column}{line}"].number_format = _MONEY
    for column, width in zip("ABCDEFG", (12, 10, 16, 16, 18, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
