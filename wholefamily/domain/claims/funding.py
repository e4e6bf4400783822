"""Funding definitions (`programmes/funding/*.yaml`) and the forecast table: attachment fees and results payments
per financial year, in pence, from the council's estimated number of families
(Working Together With Families (Lancashire, 2013), s4.2).

Money is exact: pounds are read as Decimal and held as integer pence; no float touches it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml


class FundingError(ValueError):
    """A funding definition that cannot be read or does not add up."""


def pence(pounds: str | int | Decimal) -> int:
    """Exact pence from a pound amount ("700.00" -> 70000); more than two decimal places is an error."""
    try:
        value = Decimal(str(pounds)) * 100
    except InvalidOperation:
        raise FundingError(f"{pounds!r} is not an amount of money") from None
    if value != value.to_integral_value():
        raise FundingError(f"{pounds!r} has fractions of a penny")
    return int(value)


def format_pounds(amount_pence: int) -> str:
    """£2,336,000 for whole pounds, £1,234.50 otherwise."""
    sign = "-" if amount_pence < 0 else ""
    pounds, remainder = divmod(abs(amount_pence), 100)
    if remainder:
        return f"{sign}£{pounds:,}.{remainder:02d}"
    return f"{sign}£{pounds:,}"


@dataclass(frozen=True)
class FundingYear:
    year: str
    starts_on: dt.date
    ends_on: dt.date
    share_of_funded_families: Fraction
    attachment_fee_pence: int
    attachment_percent: Decimal | None
    results_pence: Mapping[str, int]

    @property
    def results_maximum_pence(self) -> int:
        """The most a family attached this year can earn in results (its cap)."""
        return max(self.results_pence.values(), default=0)


@dataclass(frozen=True)
class Funding:
    code: str
    version: int
    programme: str
    title: str
    source: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date
    per_family_maximum_pence: int
    funded_share: Fraction
    funded_rounding: str
    choices: Mapping[str, str]
    years: tuple[FundingYear, ...]

    def year_of(self, on: dt.date) -> FundingYear | None:
        """The financial year a date falls in (None outside the programme)."""
        return next((year for year in self.years if year.starts_on <= on <= year.ends_on), None)


def _fraction(text: Any, *, field: str) -> Fraction:
    try:
        value = Fraction(str(text))
    except (ValueError, ZeroDivisionError):
        raise FundingError(f"{field}: {text!r} is not a fraction like 5/6") from None
    if not 0 < value <= 1:
        raise FundingError(f"{field}: {text!r} must be more than 0 and at most 1")
    return value


def _date(value: Any, *, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FundingError(f"{field}: {value!r} is not a date") from None


def _year(raw: Mapping[str, Any], *, per_family_pence: int) -> FundingYear:
    label = str(raw.get("year", ""))
    results = raw.get("results") or {}
    if not isinstance(results, Mapping) or not results:
        raise FundingError(f"{label}: results payments are required")
    results_pence = {str(code): pence(amount) for code, amount in results.items()}
    percent: Decimal | None = None
    if "attachment_percent" in raw:
        percent = Decimal(str(raw["attachment_percent"]))
        fee = Decimal(per_family_pence) * percent / 100
        if fee != fee.to_integral_value():
            raise FundingError(f"{label}: {percent}% of the maximum is not a whole number of pence")
        attachment_pence = int(fee)
    elif "attachment_fee" in raw:
        attachment_pence = pence(raw["attachment_fee"])
    else:
        raise FundingError(f"{label}: give attachment_percent or attachment_fee")
    year = FundingYear(
        year=label,
        starts_on=_date(raw.get("starts_on"), field=f"{label} starts_on"),
        ends_on=_date(raw.get("ends_on"), field=f"{label} ends_on"),
        share_of_funded_families=_fraction(raw.get("share_of_funded_families"), field=f"{label} share"),
        attachment_fee_pence=attachment_pence,
        attachment_percent=percent,
        results_pence=results_pence,
    )
    if year.attachment_fee_pence + year.results_maximum_pence != per_family_pence:
        raise FundingError(
            f"{label}: attachment fee {format_pounds(year.attachment_fee_pence)} and results payment "
            f"{format_pounds(year.results_maximum_pence)} do not add up to {format_pounds(per_family_pence)} a family"
        )
    return year


def parse_funding(raw: Mapping[str, Any]) -> Funding:
    """A funding definition from its parsed YAML, checked: years in order and shares adding up to one."""
    per_family_pence = pence(raw.get("per_family_maximum", "0"))
    rounding = str(raw.get("funded_rounding", "nearest"))
    if rounding not in {"nearest", "down", "up"}:
        raise FundingError(f"funded_rounding: {rounding!r} is not nearest, down or up")
    years = tuple(_year(item, per_family_pence=per_family_pence) for item in raw.get("years") or [])
    if not years:
        raise FundingError("a funding definition needs at least one year")
    if sum((year.share_of_funded_families for year in years), Fraction(0)) != 1:
        raise FundingError("the years' shares of the funded families must add up to 1")
    for before, after in itertools.pairwise(years):
        if after.starts_on != before.ends_on + dt.timedelta(days=1):
            raise FundingError(f"{after.year} does not start the day after {before.year} ends")
    return Funding(
        code=str(raw["funding"]),
        version=int(raw.get("version", 1)),
        programme=str(raw.get("programme", raw["funding"])),
        title=str(raw.get("title", "")),
        source=tuple(str(item) for item in raw.get("source") or []),
        effective_from=_date(raw.get("effective_from"), field="effective_from"),
        effective_to=_date(raw.get("effective_to"), field="effective_to"),
        per_family_maximum_pence=per_family_pence,
        funded_share=_fraction(raw.get("funded_share", "1"), field="funded_share"),
        funded_rounding=rounding,
        choices={str(key): str(value) for key, value in (raw.get("choices") or {}).items()},
        years=years,
    )


def load_funding(path: Path) -> Funding:
    """Read and check one funding definition file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FundingError(f"{path}: {error}") from None
    if not isinstance(raw, Mapping) or "funding" not in raw:
        raise FundingError(f"{path}: not a funding definition")
    return parse_funding(raw)


def funded_families(*, funding: Funding, estimated_families: int) -> int:
    """The number of funded families: the estimate times the funded share, rounded as the definition says."""
    if estimated_families < 0:
        raise FundingError("the estimate cannot be negative")
    exact = funding.funded_share * estimated_families
    if funding.funded_rounding == "down":
        return math.floor(exact)
    if funding.funded_rounding == "up":
        return math.ceil(exact)
    return math.floor(exact + Fraction(1, 2))  # nearest, halves up


def spread_families(*, funding: Funding, families: int) -> tuple[int, ...]:
    """Families per year: each year brings the running total up to the floor of its running share (730/731/731)."""
    counts: list[int] = []
    running_share = Fraction(0)
    placed = 0
    for year in funding.years:
        running_share += year.share_of_funded_families
        target = math.floor(running_share * families)
        counts.append(target - placed)
        placed = target
    return tuple(counts)


@dataclass(frozen=True)
class ForecastRow:
    year: str
    families: int
    attachment_percent: Decimal | None
    attachment_pence: int
    results_percent: Decimal | None
    results_pence: int

    @property
    def total_pence(self) -> int:
        return self.attachment_pence + self.results_pence


@dataclass(frozen=True)
class Forecast:
    funding: Funding
    estimated_families: int
    funded_families: int
    rows: tuple[ForecastRow, ...]

    @property
    def total(self) -> ForecastRow:
        return ForecastRow(
            year="Total",
            families=sum(row.families for row in self.rows),
            attachment_percent=None,
            attachment_pence=sum(row.attachment_pence for row in self.rows),
            results_percent=None,
            results_pence=sum(row.results_pence for row in self.rows),
        )


def forecast_funding(*, funding: Funding, estimated_families: int) -> Forecast:
    """The funding table (Working Together With Families (Lancashire, 2013), s4.2): per year the funded families,
    attachment fee, results payment and total."""
    funded = funded_families(funding=funding, estimated_families=estimated_families)
    rows = []
    for year, families in zip(funding.years, spread_families(funding=funding, families=funded), strict=True):
        results_percent = None if year.attachment_percent is None else 100 - year.attachment_percent
        rows.append(
            ForecastRow(
                year=year.year,
                families=families,
                attachment_percent=year.attachment_percent,
                attachment_pence=families * year.attachment_fee_pence,
                results_percent=results_percent,
                results_pence=families * year.results_maximum_pence,
            )
        )
    return Forecast(funding=funding, estimated_families=estimated_families, funded_families=funded, rows=tuple(rows))


def forecast_table(forecast: Forecast) -> list[list[str]]:
    """The forecast as text rows (header first), as the command prints it and the web shows it."""
    header = ["Year", "Families", "Attachment fee %", "Attachment fee", "Results payment %", "Results payment", "Total"]

    def percent(value: Decimal | None) -> str:
        return "" if value is None else f"{value.normalize():f}%"

    rows: Sequence[ForecastRow] = (*forecast.rows, forecast.total)
    return [header] + [
        [
            row.year,
            f"{row.families:,}",
            percent(row.attachment_percent),
            format_pounds(row.attachment_pence),
            percent(row.results_percent),
            format_pounds(row.results_pence),
            format_pounds(row.total_pence),
        ]
        for row in rows
    ]


def results_payment_pence(
    *, funding: Funding, started_on: dt.date, results: Sequence[str], paid_before_pence: int = 0
) -> int:
    """What a claim for these results pays for one family: the results' amounts at the rates of the year its case
    started, never more than what is left of that year's results payment for the family (the definition's
    year_of_rates and family_cap choices). Outside the programme's years: nothing."""
    year = funding.year_of(started_on)
    if year is None:
        return 0
    unknown = sorted(set(results) - set(year.results_pence))
    if unknown:
        raise FundingError(f"{funding.code} {year.year}: no payment for the results {unknown}")
    wanted = sum(year.results_pence[code] for code in results)
    return max(0, min(wanted, year.results_maximum_pence - paid_before_pence))
