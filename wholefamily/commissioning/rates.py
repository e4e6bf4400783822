"""Rates per 1,000 residents (or children) by district and ward, from an identification and the imported area
statistics (definitions/commissioning/needs.yaml; rules in `domain/area_rates.py`), as figures and as the text the
needs page, the market position statement and its PDF show (small counts hidden, and the rates made from them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wholefamily.commissioning import selectors
from wholefamily.commissioning.definitions import needs_definition
from wholefamily.domain.area_rates import (
    AreaRate,
    AreaStatisticRate,
    area_rates,
    area_statistic_rates,
    latest_statistics,
)
from wholefamily.domain.reporting.small_numbers import SmallNumbers
from wholefamily.identification.models import IdentificationRun


@dataclass(frozen=True)
class RatesReport:
    rows: list[AreaRate]
    has_statistics: bool
    is_per_children: bool
    estimate_per_1000: Decimal | None
    estimate_source: str
    area_statistic: list[AreaStatisticRate] | None = None  # the chosen code is counted by area, not by family
    has_records: bool = True  # False: the chosen code is counted from records of a kind never imported

    @property
    def per(self) -> str:
        return "per 1,000 children" if self.is_per_children else "per 1,000 residents"


def needs_rates(run: IdentificationRun, *, by_ward: bool, code: str = "") -> RatesReport:
    """The areas of `run`'s identified families and of the area statistics, ranked by the rate of `code`."""
    statistics = latest_statistics(selectors.area_statistics(), on=run.as_of_on)
    estimate, source = selectors.programme_estimate()
    indicator = needs_definition().area_indicator(code)
    is_per_children = selectors.is_about_children(code)
    if indicator is not None:
        counts = selectors.record_counts(indicator.records, on=run.as_of_on) if indicator.records else None
        return RatesReport(
            rows=area_rates(selectors.area_families(run), statistics, by_ward=by_ward, estimate_per_1000=estimate),
            has_statistics=bool(statistics),
            is_per_children=is_per_children,
            estimate_per_1000=estimate,
            estimate_source=source,
            area_statistic=area_statistic_rates(statistics, indicator, by_ward=by_ward, counts=counts),
            has_records=not indicator.records or counts is not None,
        )
    rows = area_rates(
        selectors.area_families(run), statistics, by_ward=by_ward, code=code, is_per_children=is_per_children,
        estimate_per_1000=estimate,
    )  # fmt: skip
    return RatesReport(rows, bool(statistics), is_per_children, estimate, source)


def rate_text(rule: SmallNumbers, count: int, rate: Decimal | None) -> str:
    """A rate as shown: hidden when its count is (a rate and its population give the count back)."""
    if rate is None:
        return "not known"
    return rule.shown_as if rule.is_small(count) else f"{rate:,.1f}"


def number_text(value: int | None) -> str:
    return "not known" if value is None else f"{value:,}"


def against_text(rule: SmallNumbers, row: AreaRate) -> str:
    if row.against_estimate is None:
        return "not known"
    return rule.shown_as if rule.is_small(row.families) else f"{row.against_estimate:+,}"


def rates_table(report: RatesReport, rule: SmallNumbers, *, code_label: str = "") -> dict[str, list[Any]]:
    """The ranked table as head and body of text (the page, the statement and its PDF)."""
    head = ["Area", "Residents", "Children (0 to 17)", "Deprivation decile", "Identified families",
            "Families per 1,000 residents"]  # fmt: skip
    if code_label:
        head += [f"With {code_label}", f"With it {report.per}"]
    if report.estimate_per_1000 is not None:
        head += ["Estimated families", "Identified against the estimate"]
    body = []
    for row in report.rows:
        cells = [row.area, number_text(row.residents), number_text(row.children), number_text(row.decile),
                 rule.count_text(row.families), rate_text(rule, row.families, row.families_per_1000)]  # fmt: skip
        if code_label:
            cells += [rule.count_text(row.with_code), rate_text(rule, row.with_code, row.with_code_per_1000)]
        if report.estimate_per_1000 is not None:
            cells += [number_text(row.estimated), against_text(rule, row)]
        body.append(cells)
    return {"head": head, "body": body}


def area_statistic_table(report: RatesReport, rule: SmallNumbers, *, label: str) -> dict[str, list[Any]]:
    """The ranked table of an indicator read from the area statistics."""
    population = "Children (0 to 17)" if report.is_per_children else "Residents"
    head = ["Area", population, "Deprivation decile", label, f"{label} {report.per}"]
    body = [
        [
            row.area,
            number_text(row.population),
            number_text(row.decile),
            "not known" if row.count is None else rule.count_text(row.count),
            "not known" if row.count is None else rate_text(rule, row.count, row.per_1000),
        ]
        for row in report.area_statistic or []
    ]
    return {"head": head, "body": body}


def rate_bars(report: RatesReport, rule: SmallNumbers, *, bars: int, width: int) -> list[dict[str, object]]:
    """The first `bars` areas of the ranking as bars of their rate; a hidden or unknown rate is drawn as nothing."""
    if report.area_statistic is not None:
        points = [(row.area, row.count or 0, row.per_1000) for row in report.area_statistic[:bars]]
    else:
        points = [(row.area, row.with_code, row.with_code_per_1000) for row in report.rows[:bars]]
    top = max([rate for _area, _count, rate in points if rate is not None] + [Decimal(1)])
    return [
        {
            "area": area,
            "text": rate_text(rule, count, rate),
            "px": 0 if rate is None or rule.is_small(count) else round(width * rate / top),
            "y_label": index * 30 + 14,
            "y_bar": index * 30 + 18,
        }
        for index, (area, count, rate) in enumerate(points)
    ]


def estimate_note(report: RatesReport) -> str:
    """What the identified families are set against, in a sentence."""
    if report.estimate_per_1000 is None:
        return (
            "The programme's definition has no estimate of the number of families it expects, so the identified "
            "families are not set against an estimate."
        )
    return (
        f"The programme estimates {report.estimate_per_1000} families per 1,000 residents ({report.estimate_source}): "
        "each area's identified families are set against that estimate."
    )


def chart_points(report: RatesReport, rule: SmallNumbers) -> list[list[Any]]:
    """[area, families per 1,000 residents] in the table's order; None where the rate is hidden or not known."""
    return [
        [
            row.area,
            None if rule.is_small(row.families) or row.families_per_1000 is None else float(row.families_per_1000),
        ]
        for row in report.rows
    ]
