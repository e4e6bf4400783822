"""The family-by-term panel the impact analysis reads, built over the linked snapshot with DuckDB (ADR 0023).

Each family (worked with, or a comparison family given the start date it is compared from) has the members its
household had on the start date (the snapshot's memberships). Its terms are counted from the term holding the start:
term 0 holds the start and is left out of the comparison (the work had only begun), terms -3..-1 are the 12 months
before and 1..3 the 12 months after. Each outcome (definitions/impact/outcomes.yaml) is 1 in a term when any member
shows it then. Pre-start features for the propensity score: the family's count of terms with each outcome before the
start, the number of outcomes shown, its size, children, the youngest and eldest member's ages and its district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from wholefamily.dataplane.scratch import duckdb_temp_directory
from wholefamily.domain.contract import ContractSet
from wholefamily.identification.engine import inputs
from wholefamily.identification.engine.engines import DuckDbEngine
from wholefamily.identification.engine.snapshot import Snapshot

RULES = ("events", "spell", "absence")
TERM_CODES = ("autumn", "spring", "summer")
TERM_START_MONTHS = (9, 1, 5)


class OutcomeDefinitionError(ValueError):
    """The outcomes definition is malformed."""


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    kind: str
    rule: str
    date_column: str = ""
    min_age: int | None = None
    column: str = ""
    codes: tuple[str, ...] = ()
    threshold_percent: float = 10.0


@dataclass(frozen=True)
class OutcomeSet:
    name: str
    version: int
    source: str
    terms_before: int
    terms_after: int
    outcomes: tuple[Outcome, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({outcome.kind for outcome in self.outcomes}))


def load_outcomes(path: Path) -> OutcomeSet:
    """The outcomes definition, validated: known rules, the columns each rule needs, unique codes."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("outcomes"), list) or not data["outcomes"]:
        raise OutcomeDefinitionError(f"{path.name}: needs a list of outcomes")
    outcomes = []
    for item in data["outcomes"]:
        rule = item.get("rule")
        if rule not in RULES:
            raise OutcomeDefinitionError(f"{path.name}: outcome {item.get('code')!r}: rule must be one of {RULES}")
        if rule == "events" and not item.get("date_column"):
            raise OutcomeDefinitionError(f"{path.name}: outcome {item['code']!r}: an events rule needs date_column")
        outcomes.append(
            Outcome(
                code=str(item["code"]),
                label=str(item["label"]),
                kind=str(item["kind"]),
                rule=rule,
                date_column=str(item.get("date_column", "")),
                min_age=item.get("min_age"),
                column=str(item.get("column", "")),
                codes=tuple(str(code) for code in item.get("codes", ())),
                threshold_percent=float(item.get("threshold_percent", 10)),
            )
        )
    codes = [outcome.code for outcome in outcomes]
    if len(set(codes)) != len(codes):
        raise OutcomeDefinitionError(f"{path.name}: outcome codes must be unique")
    return OutcomeSet(
        name=str(data.get("name", path.stem)),
        version=int(data.get("version", 1)),
        source=str(data.get("source", "")),
        terms_before=int(data.get("terms_before", 3)),
        terms_after=int(data.get("terms_after", 3)),
        outcomes=tuple(outcomes),
    )


@dataclass(frozen=True)
class FamilyStart:
    """A family in the analysis: worked with from `start_on`, or a comparison family compared from `start_on`."""

    household_id: str
    start_on: dt.date
    is_worked_with: bool


def term_of(day: dt.date) -> tuple[int, int]:
    """(academic year, term index) of the school term holding `day`."""
    if day.month >= 9:
        return day.year, 0
    return day.year - 1, (2 if day.month >= 5 else 1)


def term_bounds(academic_year: int, term: int) -> tuple[dt.date, dt.date]:
    year = academic_year if term == 0 else academic_year + 1
    start = dt.date(year, TERM_START_MONTHS[term], 1)
    end = dt.date(year, 12, 31) if term == 0 else (dt.date(year, 4, 30) if term == 1 else dt.date(year, 8, 31))
    return start, end


def shifted(academic_year: int, term: int, by: int) -> tuple[int, int]:
    index = academic_year * 3 + term + by
    return index // 3, index % 3


def _terms_table(families: Sequence[FamilyStart], before: int, after: int) -> pa.Table:
    rows: dict[str, list[Any]] = {k: [] for k in ("household_id", "k", "academic_year", "term", "t_start", "t_end")}
    for family in families:
        year, term = term_of(family.start_on)
        for k in range(-before, after + 1):
            y, t = shifted(year, term, k)
            start, end = term_bounds(y, t)
            for key, value in zip(rows, (family.household_id, k, y, TERM_CODES[t], start, end), strict=True):
                rows[key].append(value)
    return pa.table(rows)


def _outcome_sql(outcome: Outcome) -> str:
    """(household_id, k) of the family-terms in which a member shows the outcome."""
    ev = f"ev_{outcome.kind}"
    base = (
        f"FROM {ev} e JOIN fam_links m ON m.dataset_version_id = e.dataset_version_id "
        "AND m.source_record_id = e.source_record_id JOIN fam_terms ft ON ft.household_id = m.household_id"
    )
    if outcome.rule == "events":
        column = outcome.date_column
        where = f"e.{column} BETWEEN ft.t_start AND ft.t_end"
        if outcome.min_age is not None:
            where += f" AND m.date_of_birth <= e.{column} - INTERVAL {int(outcome.min_age)} YEAR"
    elif outcome.rule == "spell":
        where = "e.start_on <= ft.t_end AND (e.end_on IS NULL OR e.end_on >= ft.t_start)"
    else:
        where = (
            "e.academic_year = ft.academic_year AND e.term = ft.term AND e.possible_sessions > 0 AND "
            "(COALESCE(e.authorised_absence_sessions, 0) + COALESCE(e.unauthorised_absence_sessions, 0)) * 100 "
            f">= {float(outcome.threshold_percent)} * e.possible_sessions"
        )
    if outcome.codes:
        codes = ", ".join("'" + code.replace("'", "''") + "'" for code in outcome.codes)
        where += f" AND e.{outcome.column} IN ({codes})"
    return f"SELECT DISTINCT ft.household_id, ft.k {base} WHERE {where}"


@dataclass(frozen=True)
class Panel:
    """`terms`: household_id, k, one 0/1 column per outcome. `families`: household_id, start_on, is_worked_with,
    district and the pre-start features (FEATURES)."""

    terms: Any  # pandas.DataFrame
    families: Any  # pandas.DataFrame
    outcomes: OutcomeSet
    seconds: float


def feature_names(outcomes: OutcomeSet) -> list[str]:
    return [
        *(f"before_{outcome.code}" for outcome in outcomes.outcomes),
        "outcomes_before",
        "members",
        "children",
        "youngest_age",
        "eldest_age",
    ]


def open_snapshot(snapshot: Snapshot, kinds: Sequence[str], contracts: ContractSet) -> DuckDbEngine:
    """A DuckDB engine with the snapshot's persons, households (with areas), memberships, record_person and an
    `ev_<kind>` view of every version of each of `kinds`, cast to the data contract. DuckDB spills to the service's
    temp folder, made here, since DuckDB does not make its parents."""
    duckdb_temp_directory().mkdir(parents=True, exist_ok=True)
    engine = DuckDbEngine()
    for name, wanted in (
        ("persons", inputs.PERSONS),
        ("households_own", inputs.HOUSEHOLDS),
        ("memberships", inputs.MEMBERSHIPS),
        ("record_person", inputs.RECORD_PERSON),
    ):
        source = "households" if name == "households_own" else name
        columns = engine.register_parquet(f"raw_{name}", [snapshot.path(source)])
        engine.create_view(name, inputs.select_columns(f"raw_{name}", wanted, columns))
    if snapshot.geography is not None:
        columns = engine.register_parquet("raw_geography", [snapshot.geography])
        engine.create_view("geography", inputs.select_columns("raw_geography", inputs.GEOGRAPHY, columns))
        engine.create_view("households", inputs.households_with_areas("households_own", "geography"))
    else:
        engine.create_view("households", "SELECT * FROM households_own")
    for kind in kinds:
        versions = []
        for index, (version, path) in enumerate(snapshot.data_files(kind)):
            raw = f"raw_{kind}_{index}"
            versions.append((version, raw, engine.register_parquet(raw, [path])))
        engine.create_view(f"ev_{kind}", inputs.event_view_sql(contracts.contract(kind), versions))
    return engine


def build_panel(
    snapshot: Snapshot, families: Sequence[FamilyStart], outcomes: OutcomeSet, *, contracts: ContractSet
) -> Panel:
    """The panel of `families` over the linked `snapshot` (DuckDB)."""
    import time

    began = time.perf_counter()
    engine = open_snapshot(snapshot, outcomes.kinds, contracts)
    try:
        connection = engine.connection
        family_table = pa.table(
            {
                "household_id": [family.household_id for family in families],
                "start_on": pa.array([family.start_on for family in families], type=pa.date32()),
                "is_worked_with": [family.is_worked_with for family in families],
            }
        )
        terms_table = _terms_table(families, outcomes.terms_before, outcomes.terms_after)
        connection.register("fam_input", family_table)
        connection.register("fam_terms_input", terms_table)
        engine.create_view("fam", "SELECT * FROM fam_input", is_materialized=True)
        engine.create_view("fam_terms", "SELECT * FROM fam_terms_input", is_materialized=True)
        engine.create_view(
            "fam_members",
            "SELECT DISTINCT f.household_id, m.person_id, p.date_of_birth, f.start_on FROM fam f "
            "JOIN memberships m ON m.household_id = f.household_id AND (m.start_on IS NULL OR m.start_on <= "
            "f.start_on) AND (m.end_on IS NULL OR m.end_on >= f.start_on) LEFT JOIN persons p ON p.person_id = "
            "m.person_id",
            is_materialized=True,
        )
        # The families' members' records only, once: each outcome then joins its events to this small table rather
        # than to the whole county's record links (at a million residents the whole join spills to disk).
        engine.create_view(
            "fam_links",
            "SELECT rp.dataset_version_id, rp.source_record_id, m.household_id, m.date_of_birth FROM record_person rp "
            "JOIN fam_members m ON m.person_id = rp.person_id",
            is_materialized=True,
        )
        selects = ["SELECT ft.household_id, ft.k"]
        joins = []
        for index, outcome in enumerate(outcomes.outcomes):
            engine.create_view(f"out_{index}", _outcome_sql(outcome), is_materialized=True)
            selects.append(f"CASE WHEN o{index}.k IS NULL THEN 0 ELSE 1 END AS {outcome.code}")
            joins.append(
                f"LEFT JOIN out_{index} o{index} ON o{index}.household_id = ft.household_id AND o{index}.k = ft.k"
            )
        terms = engine.fetch(
            f"{', '.join(selects)} FROM fam_terms ft {' '.join(joins)} ORDER BY ft.household_id, ft.k"
        ).to_pandas()
        ages = engine.fetch(
            "SELECT f.household_id, f.start_on, f.is_worked_with, COALESCE(h.district, 'Unknown') AS district, "
            "COUNT(m.person_id) AS members, "
            "SUM(CASE WHEN date_diff('year', m.date_of_birth, f.start_on) < 16 THEN 1 ELSE 0 END) AS children, "
            "COALESCE(MIN(date_diff('year', m.date_of_birth, f.start_on)), 0) AS youngest_age, "
            "COALESCE(MAX(date_diff('year', m.date_of_birth, f.start_on)), 0) AS eldest_age "
            "FROM fam f LEFT JOIN fam_members m ON m.household_id = f.household_id "
            "LEFT JOIN (SELECT household_id, MIN(district) AS district FROM households GROUP BY household_id) h "
            "ON h.household_id = f.household_id GROUP BY ALL ORDER BY f.household_id"
        ).to_pandas()
    finally:
        engine.close()
    codes = [outcome.code for outcome in outcomes.outcomes]
    before = terms[terms["k"] < 0].groupby("household_id")[codes].sum()
    before.columns = [f"before_{code}" for code in codes]
    before["outcomes_before"] = (before > 0).sum(axis=1)
    families_frame = ages.merge(before, left_on="household_id", right_index=True, how="left").fillna(
        {name: 0 for name in before.columns}
    )
    families_frame["is_worked_with"] = families_frame["is_worked_with"].astype(bool)
    return Panel(terms=terms, families=families_frame, outcomes=outcomes, seconds=time.perf_counter() - began)
