"""Measure families' outcomes from the linked data: the records behind each outcome measure are selected by SQL
that identification's generator writes (domain/outcomes/sql.py), on the same engines (DuckDB or Spark) over the same
linked snapshot; the pure evaluator (domain/outcomes/evaluate.py) applies each family's own windows.

Families come from the cases on the programme or from a file (household, start and end of the intervention);
members from the case (with when they joined and left) or, when not given, from the snapshot's memberships.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.criteria.windows import months_before
from wholefamily.domain.outcomes import evaluate as ev
from wholefamily.domain.outcomes.framework import Framework, MeasureRule, OutcomeMeasure, as_programme
from wholefamily.domain.outcomes.sql import PEOPLE_VIEW, coverage_sql, measure_queries
from wholefamily.identification.engine.engines import Engine, make_engine
from wholefamily.identification.engine.evaluate import register_inputs
from wholefamily.identification.engine.snapshot import Snapshot


@dataclass(frozen=True)
class MemberSpec:
    person_id: str
    label: str
    born_on: dt.date | None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None


@dataclass(frozen=True)
class FamilyStart:
    """A family worked with: its linked household, when the intervention started and ended (None: still open)."""

    family_id: str
    household_id: str
    start_on: dt.date
    end_on: dt.date | None = None
    members: tuple[MemberSpec, ...] = ()  # empty: the snapshot's memberships of the household
    district: str = ""


@dataclass(frozen=True)
class FamilyResult:
    family: FamilyStart
    measure: OutcomeMeasure
    result: ev.MeasureResult
    points: Mapping[str, tuple[str, str, str]]  # person -> value 12 months before, at the start, after the end
    measurement: ev.MeasurementPoints


@dataclass
class Measurement:
    framework: Framework
    as_of: dt.date
    engine: str
    families: list[FamilyStart]
    members: dict[str, tuple[MemberSpec, ...]]
    results: list[FamilyResult]
    records: dict[str, dict[str, list[ev.Record]]] = field(default_factory=dict)
    attendance: dict[str, dict[str, list[ev.TermAttendance]]] = field(default_factory=dict)
    covered_to: dict[str, dt.date | None] = field(default_factory=dict)
    dataset_versions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seconds: float = 0.0


DistanceScores = Mapping[tuple[str, str], tuple[int | None, tuple[int | None, ...]]]  # (family, item) -> B, reviews


def _ref(row: Mapping[str, object]) -> str:
    line = row.get("line_number")
    return f"{row['dataset_version_id']}:{row['source_record_id']}" + (f":{line}" if line is not None else "")


def _register_families(runner: Engine, families: Sequence[FamilyStart], work: Path) -> None:
    people = sorted({m.person_id for f in families for m in f.members if m.person_id})
    households = sorted({f.household_id for f in families if not f.members})
    pq.write_table(pa.table({"person_id": pa.array(people, type=pa.string())}), work / "people.parquet")
    pq.write_table(pa.table({"household_id": pa.array(households, type=pa.string())}), work / "households.parquet")
    runner.register_parquet("wf_outcome_given_people", [work / "people.parquet"])
    runner.register_parquet("wf_outcome_households", [work / "households.parquet"])
    runner.create_view(
        "wf_outcome_members",
        "SELECT m.household_id, m.person_id, m.start_on, m.end_on, p.date_of_birth FROM memberships m "
        "JOIN persons p ON p.person_id = m.person_id "
        "WHERE m.household_id IN (SELECT household_id FROM wf_outcome_households)",
    )
    runner.create_view(
        PEOPLE_VIEW,
        "SELECT person_id FROM wf_outcome_given_people UNION SELECT person_id FROM wf_outcome_members",
    )


def _snapshot_members(
    runner: Engine, families: Sequence[FamilyStart], before_months: int
) -> dict[str, tuple[MemberSpec, ...]]:
    """Members of each family's household whose membership overlaps the measurement window (12 months before the
    start to the evaluation date); with when they joined and left."""
    rows = runner.fetch("SELECT * FROM wf_outcome_members ORDER BY household_id, person_id, start_on").to_pylist()
    by_household: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_household[str(row["household_id"])].append(row)
    out: dict[str, tuple[MemberSpec, ...]] = {}
    for family in families:
        if family.members:
            out[family.family_id] = family.members
            continue
        earliest = months_before(family.start_on, before_months)
        chosen: dict[str, MemberSpec] = {}
        for row in by_household.get(family.household_id, []):
            start, end = row["start_on"], row["end_on"]
            assert start is None or isinstance(start, dt.date)
            assert end is None or isinstance(end, dt.date)
            if end is not None and end < earliest:
                continue
            person = str(row["person_id"])
            born = row["date_of_birth"]
            chosen.setdefault(
                person, MemberSpec(person, person, born if isinstance(born, dt.date) else None, start, end)
            )
        out[family.family_id] = tuple(chosen.values())
    return out


def _fetch_records(
    runner: Engine, framework: Framework, contracts: ContractSet, as_of: dt.date, measurement: Measurement
) -> None:
    for query in measure_queries(framework, contracts=contracts, as_of=as_of):
        rows = runner.fetch(query.sql).to_pylist()
        if "academic_year" in query.columns:
            attendance: dict[str, list[ev.TermAttendance]] = defaultdict(list)
            for row in rows:
                attendance[str(row["person_id"])].append(
                    ev.TermAttendance(
                        int(row["academic_year"]),
                        str(row["term"]),
                        int(row["possible"]),
                        int(row["authorised"]),
                        int(row["unauthorised"]),
                        _ref(row),
                    )
                )
            measurement.attendance[query.measure] = dict(attendance)
        else:
            records: dict[str, list[ev.Record]] = defaultdict(list)
            for row in rows:
                if row["on_date"] is not None:
                    records[str(row["person_id"])].append(ev.Record(row["on_date"], _ref(row), row["end_on"]))
            measurement.records[query.measure] = dict(records)


def _coverage(runner: Engine, framework: Framework, measure: OutcomeMeasure) -> dt.date | None:
    rows = runner.fetch(coverage_sql(measure)).to_pylist()
    if measure.rule is MeasureRule.ATTENDANCE_BELOW:
        ends = [framework.term_calendar.term(int(r["academic_year"]), str(r["term"])).end_on for r in rows]
        return max(ends, default=None)
    value = rows[0]["covered_to"] if rows else None
    return value if isinstance(value, dt.date) else None


def _member_data(
    measurement: Measurement,
    measure: OutcomeMeasure,
    spec: MemberSpec,
    family: FamilyStart,
    distance: DistanceScores,
) -> ev.MemberData:
    baseline, reviews = distance.get((family.family_id, measure.item), (None, ()))
    member = ev.MemberData(
        person_id=spec.person_id,
        label=spec.label,
        born_on=spec.born_on,
        joined_on=spec.joined_on,
        left_on=spec.left_on,
        records=tuple(measurement.records.get(measure.code, {}).get(spec.person_id, ())),
        attendance=tuple(measurement.attendance.get(measure.code, {}).get(spec.person_id, ())),
        review_scores=reviews,
        baseline_score=baseline,
    )
    had = ev.had_problem_at_start(measure, member, family.start_on, measurement.framework.term_calendar)
    return ev.MemberData(**{**member.__dict__, "had_problem": had})


def _evaluate(measurement: Measurement, distance: DistanceScores) -> None:
    framework, calendar = measurement.framework, measurement.framework.term_calendar
    for family in measurement.families:
        points = ev.measurement_points(
            start_on=family.start_on,
            end_on=family.end_on,
            as_of=measurement.as_of,
            before_months=framework.before_months,
            after_months=framework.after_months,
        )
        for measure in framework.measures:
            if measure.rule is MeasureRule.DISTANCE_TRAVELLED:
                specs: tuple[MemberSpec, ...] = (MemberSpec("family", "The whole family", None),)
            else:
                specs = measurement.members.get(family.family_id, ())
            members = [_member_data(measurement, measure, spec, family, distance) for spec in specs]
            result = ev.evaluate_measure(
                measure,
                start_on=family.start_on,
                as_of=measurement.as_of,
                members=members,
                calendar=calendar,
                covered_to=measurement.covered_to.get(measure.code),
            )
            values = {
                member.person_id: (
                    ev.point_value(measure, member, points.before_on, calendar),
                    ev.point_value(measure, member, points.start_on - dt.timedelta(days=1), calendar),
                    "" if points.after_on is None else ev.point_value(measure, member, points.after_on, calendar),
                )
                for member in members
                if member.had_problem
            }
            measurement.results.append(FamilyResult(family, measure, result, values, points))


def measure_families(
    framework: Framework,
    *,
    families: Sequence[FamilyStart],
    as_of: dt.date,
    snapshot: Snapshot,
    contracts: ContractSet,
    engine: str = "duckdb",
    distance: DistanceScores | None = None,
    declared_to: Mapping[str, dt.date] | None = None,
) -> Measurement:
    """Evaluate every outcome measure of `framework` for each family as of `as_of`, with the evidence. How far a
    measure's data reach is its kind's declared period (`declared_to`, by kind) where one is declared, else the
    latest record date."""
    started = time.perf_counter()
    runner = make_engine(engine)
    measurement = Measurement(framework, as_of, engine, list(families), {}, [])
    try:
        with tempfile.TemporaryDirectory(prefix="wf-outcomes-") as work:
            register_inputs(runner, snapshot, as_programme(framework), contracts)
            _register_families(runner, families, Path(work))
            measurement.members = _snapshot_members(runner, families, framework.before_months)
            _fetch_records(runner, framework, contracts, as_of, measurement)
            for measure in framework.measures:
                if measure.records is not None:
                    declared = (declared_to or {}).get(measure.kind)
                    measurement.covered_to[measure.code] = declared or _coverage(runner, framework, measure)
    finally:
        runner.close()
    _evaluate(measurement, distance or {})
    measurement.dataset_versions = snapshot.dataset_versions()
    measurement.seconds = time.perf_counter() - started
    return measurement


CSV_COLUMNS = (
    "framework",
    "framework_version",
    "as_of",
    "family_id",
    "household_id",
    "start_on",
    "end_on",
    "problem",
    "problem_status",
    "measure",
    "family_status",
    "reason",
    "period_from",
    "period_to",
    "person_id",
    "member_status",
    "value",
    "evidence",
    "value_12_months_before",
    "value_at_start",
    "value_after_end",
)


def as_table(measurement: Measurement) -> pa.Table:
    """One row per family, measure and member measured (one row with no member when nobody was measured); the
    problem's status combines its measures (any not achieved fails it, then any missing, else achieved)."""
    rows: list[dict[str, object]] = []
    framework = measurement.framework
    by_problem: dict[tuple[str, str], list[ev.Status]] = defaultdict(list)
    for item in measurement.results:
        by_problem[(item.family.family_id, item.measure.problem)].append(item.result.status)
    for item in measurement.results:
        base = {
            "framework": framework.code,
            "framework_version": framework.version,
            "as_of": measurement.as_of,
            "family_id": item.family.family_id,
            "household_id": item.family.household_id,
            "start_on": item.family.start_on,
            "end_on": item.family.end_on,
            "problem": item.measure.problem,
            "problem_status": ev.combine(by_problem[(item.family.family_id, item.measure.problem)]).value,
            "measure": item.measure.code,
            "family_status": item.result.status.value,
            "reason": item.result.reason,
            "period_from": item.result.period_from,
            "period_to": item.result.period_to,
        }
        members = item.result.members or (None,)
        for member in members:
            before, start, after = item.points.get(member.person_id, ("", "", "")) if member else ("", "", "")
            rows.append(
                {
                    **base,
                    "person_id": member.person_id if member else "",
                    "member_status": member.status.value if member else "",
                    "value": member.value if member else "",
                    "evidence": ";".join(member.evidence) if member else "",
                    "value_12_months_before": before,
                    "value_at_start": start,
                    "value_after_end": after,
                }
            )
    types = {
        "framework_version": pa.int64(),
        "as_of": pa.date32(),
        "start_on": pa.date32(),
        "end_on": pa.date32(),
        "period_from": pa.date32(),
        "period_to": pa.date32(),
    }
    return pa.table(
        {name: pa.array([r[name] for r in rows], type=types.get(name, pa.string())) for name in CSV_COLUMNS}
    )
