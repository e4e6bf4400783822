"""Rates per 1,000 residents (or children) by district and ward, the deprivation decile and the cohort against the
programme's estimate, for the needs analysis (Commissioning for Families with Complex Needs, section 2.1).

Pure: takes the identified families (`AreaFamily`) and the imported area statistics as plain rows; the rules' choices
are in definitions/commissioning/needs.yaml (`NeedsDefinition`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from wholefamily.domain.commissioning import AreaFamily

PER = 1000


class NeedsDefinitionError(ValueError):
    """definitions/commissioning/needs.yaml is malformed."""


@dataclass(frozen=True)
class RecordCount:
    """How an indicator is counted from one kind's records: the people with a record of `codes` in `code_column`
    open on the date (from `start_column` to `end_column`, empty = still open), placed by the record's postcode."""

    kind: str
    code_column: str
    codes: tuple[str, ...]
    start_column: str
    end_column: str
    person_columns: tuple[str, ...]  # the first present identifies the person


@dataclass(frozen=True)
class AreaIndicator:
    """An indicator the needs analysis counts by area itself: from an imported area statistic (`column`) or from
    one kind's records (`records`), not from the identified families."""

    code: str
    label: str
    is_per_children: bool
    column: str = ""  # the area statistics column
    records: RecordCount | None = None


def _indicator(item: Mapping[str, Any]) -> AreaIndicator:
    records = item.get("records")
    indicator = AreaIndicator(
        code=str(item["code"]),
        label=str(item["label"]),
        is_per_children=bool(item.get("per_children", False)),
        column=str(item.get("column") or ""),
        records=RecordCount(
            kind=str(records["kind"]),
            code_column=str(records["code_column"]),
            codes=tuple(str(code) for code in records["codes"]),
            start_column=str(records["start_column"]),
            end_column=str(records["end_column"]),
            person_columns=tuple(str(column) for column in records["person_columns"]),
        )
        if records
        else None,
    )
    if bool(indicator.column) == bool(indicator.records):
        raise NeedsDefinitionError(f"{indicator.code}: give either an area statistics column or records, not both")
    return indicator


@dataclass(frozen=True)
class NeedsDefinition:
    version: int
    source: tuple[str, ...]
    child_max_age: int  # an indicator whose members are at most this old is counted per 1,000 children
    area_indicators: tuple[AreaIndicator, ...]
    choices: tuple[Mapping[str, str], ...]

    def area_indicator(self, code: str) -> AreaIndicator | None:
        return next((item for item in self.area_indicators if item.code == code), None)


def parse_needs(raw: Mapping[str, Any]) -> NeedsDefinition:
    try:
        child_max_age = int(raw["child_max_age"])
        indicators = tuple(_indicator(item) for item in raw.get("area_indicators") or ())
    except (KeyError, TypeError, ValueError) as error:
        raise NeedsDefinitionError(f"needs definition: {error}") from error
    if not 0 < child_max_age < 25:
        raise NeedsDefinitionError("child_max_age must be an age of a child")
    choices = tuple(raw.get("choices") or ())
    if any(not {"topic", "choice", "reason"} <= set(choice) for choice in choices):
        raise NeedsDefinitionError("every choice needs a topic, a choice and a reason")
    return NeedsDefinition(
        version=int(raw.get("version", 0)),
        source=tuple(str(item) for item in raw.get("source") or ()),
        child_max_age=child_max_age,
        area_indicators=indicators,
        choices=choices,
    )


@dataclass(frozen=True)
class WardStatistics:
    """One ward's imported area statistics at one date."""

    district: str
    ward: str
    estimate_on: dt.date
    population: int
    population_0_17: int
    households: int
    deprivation_decile: int
    under_18_conceptions: int | None = None


def latest_statistics(rows: Sequence[WardStatistics], *, on: dt.date) -> list[WardStatistics]:
    """Each ward's figures at the latest date on or before `on` (the earliest there is when none is that old)."""
    by_ward: dict[tuple[str, str], list[WardStatistics]] = defaultdict(list)
    for row in rows:
        by_ward[_key(row.district, row.ward)].append(row)
    chosen = []
    for figures in by_ward.values():
        before = [row for row in figures if row.estimate_on <= on]
        chosen.append(max(before, key=lambda r: r.estimate_on) if before else min(figures, key=lambda r: r.estimate_on))
    return sorted(chosen, key=lambda r: (r.district, r.ward))


def _key(district: str, ward: str) -> tuple[str, str]:
    """Wards are matched by district and name, ignoring case and spaces at either end (the cohort has no ward code)."""
    return district.strip().casefold(), ward.strip().casefold()


def per_1000(count: int, population: int | None) -> Decimal | None:
    if not population:
        return None
    return (Decimal(count * PER) / population).quantize(Decimal("0.1"), ROUND_HALF_UP)


def median_decile(wards: Sequence[WardStatistics]) -> int | None:
    """A district's decile: the decile of its median resident (wards ordered by decile, weighted by population)."""
    ordered = sorted((w for w in wards if w.population > 0), key=lambda w: w.deprivation_decile)
    total = sum(w.population for w in ordered)
    running = 0
    for ward in ordered:
        running += ward.population
        if running * 2 >= total:
            return ward.deprivation_decile
    return None


@dataclass(frozen=True)
class AreaRate:
    area: str  # "District" or "District: Ward"
    families: int  # identified families in the area
    with_code: int  # of which with the chosen problem or indicator (all of them when none is chosen)
    residents: int | None  # None: no area statistics for the area
    children: int | None
    decile: int | None
    is_per_children: bool  # the code's rate is per 1,000 children
    estimated: int | None  # the programme's estimated families for the area (None: no estimate or no residents)

    @property
    def families_per_1000(self) -> Decimal | None:
        return per_1000(self.families, self.residents)

    @property
    def with_code_per_1000(self) -> Decimal | None:
        return per_1000(self.with_code, self.children if self.is_per_children else self.residents)

    @property
    def against_estimate(self) -> int | None:
        return None if self.estimated is None else self.families - self.estimated


def area_rates(
    families: Sequence[AreaFamily],
    statistics: Sequence[WardStatistics],
    *,
    by_ward: bool,
    code: str = "",
    is_per_children: bool = False,
    estimate_per_1000: Decimal | None = None,
) -> list[AreaRate]:
    """Every area with families or statistics, ranked by the rate of families with `code` (highest first; areas
    without statistics last), then by name. `statistics` are one row per ward (see `latest_statistics`)."""
    names: dict[tuple[str, str], str] = {}
    wards_of: dict[tuple[str, str], list[WardStatistics]] = defaultdict(list)
    for ward in statistics:
        key = _key(ward.district, ward.ward) if by_ward else _key(ward.district, "")
        names.setdefault(key, f"{ward.district}: {ward.ward}" if by_ward else ward.district)
        wards_of[key].append(ward)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for family in families:
        district = family.district or "No district"
        key = _key(district, family.ward or "No ward") if by_ward else _key(district, "")
        names.setdefault(key, f"{district}: {family.ward or 'No ward'}" if by_ward else district)
        counts[key][0] += 1
        counts[key][1] += not code or code in family.codes
    rows = []
    for key, name in names.items():
        wards = wards_of.get(key, [])
        residents = sum(w.population for w in wards) if wards else None
        estimated = None
        if estimate_per_1000 is not None and residents is not None:
            estimated = int((Decimal(residents) * estimate_per_1000 / PER).quantize(Decimal(1), ROUND_HALF_UP))
        rows.append(
            AreaRate(
                area=name,
                families=counts[key][0],
                with_code=counts[key][1],
                residents=residents,
                children=sum(w.population_0_17 for w in wards) if wards else None,
                decile=median_decile(wards) if wards else None,
                is_per_children=is_per_children,
                estimated=estimated,
            )
        )

    def rank(row: AreaRate) -> tuple[bool, Decimal, str]:
        rate = row.with_code_per_1000
        return rate is None, -(rate or Decimal(0)), row.area

    return sorted(rows, key=rank)


@dataclass(frozen=True)
class AreaStatisticRate:
    """An indicator read from the area statistics (not the linked records): its count and rate in an area."""

    area: str
    count: int | None
    population: int | None
    decile: int | None

    @property
    def per_1000(self) -> Decimal | None:
        return None if self.count is None else per_1000(self.count, self.population)


def area_statistic_rates(
    statistics: Sequence[WardStatistics],
    indicator: AreaIndicator,
    *,
    by_ward: bool,
    counts: Mapping[tuple[str, str], int] | None = None,
) -> list[AreaStatisticRate]:
    """An indicator's count per 1,000 (residents or children) in every area of the statistics, ranked as `area_rates`
    ranks. The count is the ward's area statistic (`indicator.column`) or, for an indicator counted from records,
    `counts` by (district, ward) (a ward missing from it has none). An area with a ward whose figure is not known has
    no count (a partial sum would understate it)."""
    found = {_key(district, ward): count for (district, ward), count in (counts or {}).items()}
    grouped: dict[str, list[WardStatistics]] = defaultdict(list)
    for ward in statistics:
        grouped[f"{ward.district}: {ward.ward}" if by_ward else ward.district].append(ward)
    rows = []
    for area, wards in grouped.items():
        if indicator.column:
            values = [getattr(w, indicator.column) for w in wards]
        else:
            values = [found.get(_key(w.district, w.ward), 0) for w in wards]
        population = sum(w.population_0_17 if indicator.is_per_children else w.population for w in wards)
        count = None if any(value is None for value in values) else sum(values)
        rows.append(AreaStatisticRate(area, count, population, median_decile(wards)))

    def rank(row: AreaStatisticRate) -> tuple[bool, Decimal, str]:
        rate = row.per_1000
        return rate is None, -(rate or Decimal(0)), row.area

    return sorted(rows, key=rank)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _name(column: str) -> str:
    if not column.isidentifier():
        raise NeedsDefinitionError(f"{column!r} is not a column name")
    return f'"{column}"'


def record_count_sql(count: RecordCount, *, records: str, lookup: str, on: dt.date) -> str:
    """SQL (DuckDB) counting the people with a record of `count.codes` open on `on`, by the district and ward of the
    postcode of each person's latest such record (one place per person); `records` and `lookup` are the Parquet
    files of the kind's version and of the postcode lookup. Columns: district, ward, people."""
    person = f"COALESCE({', '.join(_name(c) for c in count.person_columns)})"
    codes = ", ".join(_literal(code) for code in count.codes)
    start, end = _name(count.start_column), _name(count.end_column)
    day = f"DATE {_literal(on.isoformat())}"
    return (
        f"WITH open_records AS (SELECT {person} AS person, upper(replace(postcode, ' ', '')) AS pkey "  # noqa: S608
        f"FROM read_parquet({_literal(records)}) WHERE {_name(count.code_column)} IN ({codes}) AND {start} <= {day} "
        f"AND ({end} IS NULL OR {end} >= {day}) AND {person} IS NOT NULL "
        f"QUALIFY row_number() OVER (PARTITION BY {person} ORDER BY {start} DESC, source_record_id DESC) = 1), "
        f"places AS (SELECT upper(replace(postcode, ' ', '')) AS pkey, min(district) AS district, min(ward) AS ward "
        f"FROM read_parquet({_literal(lookup)}) GROUP BY ALL) "
        f"SELECT COALESCE(p.district, '') AS district, COALESCE(p.ward, '') AS ward, count(*) AS people "
        f"FROM open_records r LEFT JOIN places p USING (pkey) GROUP BY ALL ORDER BY ALL"
    )
