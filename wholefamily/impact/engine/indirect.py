"""Indirect impact indicators: the share of the programme's families' members and of the county's residents who
had each indicator (an exclusion, coming into care, custody, ...) in a window, over the linked snapshot with DuckDB.

The definition is `definitions/reporting/indirect-impact.yaml`; it reuses the impact analysis's rules of what counts
(events in the window, a spell overlapping it, persistent absence in a term; `engine.panel`) and its snapshot views
(`panel.open_snapshot`). Residents are the people in a household on the window's last day, ages on that day. Counts
are of people, not events, and are returned whole: the small-numbers rule is the caller's (reporting).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from wholefamily.domain.contract import ColumnType, ContractSet
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.impact.engine.panel import TERM_CODES, open_snapshot, term_bounds, term_of

RULES = ("events", "spell", "absence")


class IndicatorDefinitionError(ValueError):
    """The indirect impact definition is malformed."""


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    among: str
    kind: str
    rule: str
    date_column: str = ""
    column: str = ""
    codes: tuple[str, ...] = ()
    threshold_percent: float = 10.0
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class IndicatorSet:
    name: str
    version: int
    source: tuple[str, ...]
    window_months: int
    indicators: tuple[Indicator, ...]
    choices: tuple[tuple[str, str, str], ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({indicator.kind for indicator in self.indicators}))


def load_indicators(path: Path, contracts: ContractSet) -> IndicatorSet:
    """The definition, validated whole against the data contracts (every name it gives is read into a query)."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list) or not data["indicators"]:
        raise IndicatorDefinitionError(f"{path.name}: needs a list of indicators")
    errors: list[str] = []
    indicators = []
    for number, item in enumerate(data["indicators"], start=1):
        where = f"indicator {number} ({item.get('code', '?')})"
        missing = [key for key in ("code", "label", "among", "kind", "rule") if not item.get(key)]
        if missing:
            errors.append(f"{where}: missing {', '.join(missing)}")
            continue
        contract = contracts.contracts.get(str(item["kind"]))
        types = {column.name: column.type for column in contract.columns} if contract else {}
        if contract is None:
            errors.append(f"{where}: unknown kind {item['kind']!r}")
        if item["rule"] not in RULES:
            errors.append(f"{where}: rule must be one of {', '.join(RULES)}")
        if item["rule"] == "events" and types.get(str(item.get("date_column"))) is not ColumnType.DATE:
            errors.append(f"{where}: an events rule needs a date_column of {item['kind']}")
        if item["rule"] == "spell" and not {"start_on", "end_on"} <= set(types):
            errors.append(f"{where}: {item['kind']} records are not spells")
        if item.get("codes") and str(item.get("column")) not in types:
            errors.append(f"{where}: codes need a column of {item['kind']}")
        for bound in ("min_age", "max_age"):
            if item.get(bound) is not None and not isinstance(item[bound], int):
                errors.append(f"{where}: {bound} must be a whole number of years")
        indicators.append(
            Indicator(
                code=str(item["code"]),
                label=str(item["label"]),
                among=str(item["among"]),
                kind=str(item["kind"]),
                rule=str(item["rule"]),
                date_column=str(item.get("date_column") or ""),
                column=str(item.get("column") or ""),
                codes=tuple(str(code) for code in item.get("codes") or ()),
                threshold_percent=float(item.get("threshold_percent", 10)),
                min_age=item.get("min_age"),
                max_age=item.get("max_age"),
            )
        )
    codes = [indicator.code for indicator in indicators]
    if len(set(codes)) != len(codes):
        errors.append("indicator codes must be unique")
    if errors:
        raise IndicatorDefinitionError(f"{path.name}: " + "; ".join(errors))
    return IndicatorSet(
        name=str(data.get("name", path.stem)),
        version=int(data.get("version", 1)),
        source=tuple(str(s) for s in data.get("source") or ()),
        window_months=int(data.get("window_months", 12)),
        indicators=tuple(indicators),
        choices=tuple((str(c["topic"]), str(c["choice"]), str(c["reason"])) for c in data.get("choices") or ()),
    )


@dataclass(frozen=True)
class IndicatorCount:
    """People in the indicator's group and those with it, among the programme's families and in the county."""

    code: str
    label: str
    among: str
    programme_group: int
    programme_count: int
    county_group: int
    county_count: int


def terms_within(start: dt.date, end: dt.date) -> list[tuple[int, str]]:
    """(academic year, term code) of the school terms lying wholly in [start, end]."""
    found: list[tuple[int, str]] = []
    year, term = term_of(start)
    while True:
        first, last = term_bounds(year, term)
        if first > end:
            return found
        if first >= start and last <= end:
            found.append((year, TERM_CODES[term]))
        year, term = (year, term + 1) if term < 2 else (year + 1, 0)


def window_start(end: dt.date, months: int) -> dt.date:
    """The first day of the `months` months ending on `end` (31 March: 1 April of the year before, for 12)."""
    following = end + dt.timedelta(days=1)
    year, month = divmod(following.year * 12 + following.month - 1 - months, 12)
    return dt.date(year, month + 1, min(following.day, calendar.monthrange(year, month + 1)[1]))


def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _hits_sql(indicator: Indicator, start: dt.date, end: dt.date) -> str:
    """person_id of the people with the indicator in the window."""
    base = (
        f"FROM ev_{indicator.kind} e JOIN record_person rp ON rp.dataset_version_id = e.dataset_version_id "
        "AND rp.source_record_id = e.source_record_id"
    )
    if indicator.rule == "events":
        where = f"e.{indicator.date_column} BETWEEN {_date(start)} AND {_date(end)}"
    elif indicator.rule == "spell":
        where = f"e.start_on <= {_date(end)} AND (e.end_on IS NULL OR e.end_on >= {_date(start)})"
    else:
        terms = " OR ".join(
            f"(e.academic_year = {year} AND e.term = '{term}')" for year, term in terms_within(start, end)
        )
        where = (
            f"({terms or 'FALSE'}) AND e.possible_sessions > 0 AND (COALESCE(e.authorised_absence_sessions, 0) + "
            "COALESCE(e.unauthorised_absence_sessions, 0)) * 100 "
            f">= {float(indicator.threshold_percent)} * e.possible_sessions"
        )
    if indicator.codes:
        codes = ", ".join("'" + code.replace("'", "''") + "'" for code in indicator.codes)
        where += f" AND e.{indicator.column} IN ({codes})"
    return f"SELECT DISTINCT rp.person_id {base} WHERE {where}"


def _age_sql(indicator: Indicator, end: dt.date) -> str:
    conditions = ["TRUE"]
    if indicator.min_age is not None:
        conditions.append(f"r.date_of_birth <= {_date(end)} - INTERVAL {int(indicator.min_age)} YEAR")
    if indicator.max_age is not None:
        conditions.append(f"r.date_of_birth > {_date(end)} - INTERVAL {int(indicator.max_age) + 1} YEAR")
    return " AND ".join(conditions)


def indirect_counts(
    snapshot: Snapshot,
    households: Sequence[str],
    *,
    window_end: dt.date,
    indicators: IndicatorSet,
    contracts: ContractSet,
) -> list[IndicatorCount]:
    """Each indicator's people, in the programme's `households` and in the county, over the window to `window_end`."""
    start = window_start(window_end, indicators.window_months)
    engine = open_snapshot(snapshot, indicators.kinds, contracts)
    try:
        engine.connection.register("programme_input", pa.table({"household_id": sorted(set(households))}))
        engine.create_view(
            "residents",
            "SELECT m.person_id, ANY_VALUE(p.date_of_birth) AS date_of_birth, "  # noqa: S608 (dates written by us)
            "BOOL_OR(g.household_id IS NOT NULL) AS is_programme FROM memberships m "
            "LEFT JOIN persons p ON p.person_id = m.person_id "
            "LEFT JOIN programme_input g ON g.household_id = m.household_id "
            f"WHERE (m.start_on IS NULL OR m.start_on <= {_date(window_end)}) AND "
            f"(m.end_on IS NULL OR m.end_on >= {_date(window_end)}) GROUP BY m.person_id",
            is_materialized=True,
        )
        counts = []
        for indicator in indicators.indicators:
            row = engine.fetch(
                "SELECT COUNT(*) FILTER (WHERE r.is_programme) AS pg, "  # noqa: S608 (names checked on load)
                "COUNT(h.person_id) FILTER (WHERE r.is_programme) AS pc, COUNT(*) AS cg, COUNT(h.person_id) AS cc "
                f"FROM residents r LEFT JOIN ({_hits_sql(indicator, start, window_end)}) h "
                f"ON h.person_id = r.person_id WHERE {_age_sql(indicator, window_end)}"
            ).to_pylist()[0]
            counts.append(
                IndicatorCount(
                    indicator.code,
                    indicator.label,
                    indicator.among,
                    int(row["pg"]),
                    int(row["pc"]),
                    int(row["cg"]),
                    int(row["cc"]),
                )
            )
    finally:
        engine.close()
    return counts
