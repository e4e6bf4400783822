"""On a synthetic county with perfect linkage, the families worked with improve by the effect size the generator
planted, measured from the linked data by the outcomes engine.

The generator drops each problem a worked-with family would have had, each term from the first full term after its
start, with probability `effect_size` (truth: worked_with.parquet; the would-be problems: family_terms.parquet).
Two problems leave an exact trace in the agency data in every term the family has them and none otherwise:
domestic abuse (an incident on a member aged 16 or over) and school attendance (a pupil missing 10% or more of the
term's sessions; background absence stays under 9%), counted in the terms a pupil of the family is on a
school roll. The engine selects those records with the tf-2015 framework's
measures (no_domestic_incident, attendance_sustained). Counting the terms in which they show, for the worked-with
families after the effect began, against the terms they would have had the problem without the work, gives the
measured reduction: it must be the planted effect size within TOLERANCE.

TOLERANCE: the dropping is a coin toss per problem-term, so with N would-be problem-terms the measured share has a
standard error of sqrt(e(1-e)/N), about 0.02 for the N of about 600 here. 0.06 is three standard errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.outcomes.framework import load_framework
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.outcomes.engine import FamilyStart, as_table, measure_families
from wholefamily.synth.generator import Parameters, generate

pytestmark = pytest.mark.slow

TOLERANCE = 0.06
AS_OF = dt.date(2018, 8, 31)  # the end of the county's history (start 2013-09-01, 5 years)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("effect-county")
    generate(
        Parameters(population=30_000, seed=3, start="2013-09-01", years=5, worked_share=0.8),
        out,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    build_perfect_snapshot(out, out / "snapshot", contracts=contracts, as_of=dt.date(2015, 8, 31))
    return out


@pytest.fixture(scope="module")
def measured(county):
    framework = load_framework(Path(settings.PROGRAMMES_DIR) / "outcomes" / "tf-2015.yaml")
    worked = pq.read_table(county / "truth" / "worked_with.parquet").to_pylist()
    families = [FamilyStart(f"H{row['household_id']}", f"H{row['household_id']}", row["start_on"]) for row in worked]
    measurement = measure_families(
        framework,
        families=families,
        as_of=AS_OF,
        snapshot=Snapshot.open(county / "snapshot"),
        contracts=load_contract_set(Path(settings.DEFINITIONS_DIR)),
    )
    return measurement, worked


def _trace(measurement, family_id: str, problem: str, start: dt.date, end: dt.date) -> bool | None:
    """Whether the problem shows in the family's records that term; None when it could not show (no pupil on a
    school roll that term: the generator marks education problems of households whatever their ages)."""
    people = {member.person_id for member in measurement.members[family_id]}
    if problem == "domestic_abuse":
        records = measurement.records["no_domestic_incident"]
        return any(start <= record.on <= end for person in people for record in records.get(person, ()))
    calendar = measurement.framework.term_calendar
    rows = [
        row
        for person in people
        for row in measurement.attendance["attendance_sustained"].get(person, ())
        if calendar.term(row.academic_year, row.term).start_on == start and row.possible > 0
    ]
    if not rows:
        return None
    return any((row.authorised + row.unauthorised) * 10 >= row.possible for row in rows)


def test_worked_with_families_improve_by_the_planted_effect_size(county, measured):
    measurement, worked = measured
    effect_size = worked[0]["effect_size"]
    terms = pq.read_table(county / "truth" / "family_terms.parquet").to_pylist()
    shown = would_have = 0
    by_problem = {}
    for problem in ("domestic_abuse", "education"):
        problem_shown = problem_would = 0
        for row in terms:
            if not (row["is_worked_with"] and row["is_effect_applied"]) or row["term_end_on"] > AS_OF:
                continue
            if problem not in (row["problems_without_work"] or "").split(";"):
                continue
            trace = _trace(measurement, f"H{row['household_id']}", problem, row["term_start_on"], row["term_end_on"])
            if trace is not None:
                problem_would += 1
                problem_shown += trace
        by_problem[problem] = (problem_shown, problem_would)
        shown += problem_shown
        would_have += problem_would
    reduction = 1 - shown / would_have
    print(f"planted {effect_size}, measured {reduction:.3f} over {would_have} would-be problem-terms: {by_problem}")
    assert would_have >= 300, "too few problem-terms for the stated tolerance"
    assert abs(reduction - effect_size) <= TOLERANCE


def test_the_engine_output_has_a_row_per_family_and_measure_with_evidence(measured):
    measurement, worked = measured
    table = as_table(measurement)
    rows = table.to_pylist()
    pairs = {(row["family_id"], row["measure"]) for row in rows}
    assert len(pairs) == len(worked) * len(measurement.framework.measures)
    statuses = {row["family_status"] for row in rows}
    assert statuses <= {"achieved", "not_achieved", "missing", "not_applicable", "not_yet"}
    assert "achieved" in statuses and "not_achieved" in statuses
    for row in rows:
        if row["member_status"] == "not_achieved" and row["measure"] != "attendance_sustained":
            assert row["evidence"], row  # a failure always shows the records behind it
        if row["family_status"] == "achieved":
            assert row["period_from"] >= row["start_on"]
