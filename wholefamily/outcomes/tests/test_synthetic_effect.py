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
    for row in rows:  # a problem is achieved only if none of its measures failed or is missing
        same = {
            r["family_status"] for r in rows if (r["family_id"], r["problem"]) == (row["family_id"], row["problem"])
        }
        if row["problem_status"] == "achieved":
            assert same <= {"achieved", "not_applicable"}
    assert statuses <= {"achieved", "not_achieved", "missing", "not_applicable", "not_yet"}
    assert "achieved" in statuses and "not_achieved" in statuses
    for row in rows:
        if row["member_status"] == "not_achieved" and row["measure"] != "attendance_sustained":
            assert row["evidence"], row  # a failure always shows the records behind it
        if row["family_status"] == "achieved":
            assert row["period_from"] >= row["start_on"]


# --- the same county through the cases, the command and the family's page ---------------------------------------------


def _household_members(county, household_id: str, on: dt.date):
    memberships = pq.read_table(county / "snapshot" / "memberships.parquet").to_pylist()
    births = {
        r["person_id"]: r["date_of_birth"] for r in pq.read_table(county / "snapshot" / "persons.parquet").to_pylist()
    }
    return [
        (row["person_id"], births[row["person_id"]])
        for row in memberships
        if row["household_id"] == household_id
        and (row["start_on"] is None or row["start_on"] <= on)
        and (row["end_on"] is None or row["end_on"] >= on)
    ]


@pytest.mark.django_db
def test_cases_command_and_family_page(county, measured, make_staff, make_team, client, tmp_path):
    from django.core.management import call_command

    from wholefamily.cases import services as case_services
    from wholefamily.cases.models import Case
    from wholefamily.domain.pathway import MemberRole
    from wholefamily.domain.roles import Role
    from wholefamily.governance.models import AuditEvent
    from wholefamily.outcomes.measuring import measure_outcomes
    from wholefamily.outcomes.models import OutcomeResult

    measurement, worked = measured
    # A worked-with family with at least one measure achieved and one not: put it on the programme as a case.
    by_family: dict[str, set[str]] = {}
    for item in measurement.results:
        by_family.setdefault(item.family.family_id, set()).add(item.result.status.value)
    family_id = next(f for f, statuses in sorted(by_family.items()) if {"achieved", "not_achieved"} <= statuses)
    start_on = next(r["start_on"] for r in worked if f"H{r['household_id']}" == family_id)
    team = make_team("Northmoor Family Support")
    manager = make_staff("maria.manager", Role.TEAM_MANAGER, team=team)
    analyst = make_staff("dana.analyst", Role.DATA_ANALYST)
    members = [
        case_services.MemberDetails(
            person,
            MemberRole.CHILD if born and born > dt.date(1997, 1, 1) else MemberRole.PARENTING_ADULT,
            person,
            born,
        )
        for person, born in _household_members(county, family_id, start_on)
    ]
    case = case_services.open_case_from_cohort(
        team=team, household_id=family_id, family_name="the Synthetic family", members=members,
        evidence_summary="Worked with in the synthetic county.", programme="tf-2015", by=manager,
    )  # fmt: skip
    # The case's history is the synthetic county's: it came onto the programme on the worked-with start date.
    Case.objects.filter(pk=case.pk).update(opened_on=start_on)
    case.members.update(start_on=start_on)

    run, _ = measure_outcomes(programme="tf-2015", as_of_on=AS_OF, snapshot_dir=county / "snapshot", by=analyst)
    from_case = {r.measure: r.status for r in OutcomeResult.objects.filter(run=run, case=case)}
    assert len(from_case) == len(measurement.framework.measures)
    # Measured from the case's members or from the household's memberships, the family's results agree.
    again = measure_families_for_one(county, family_id, start_on)
    assert from_case == again
    assert AuditEvent.objects.filter(action="outcomes.measure", object_id=str(run.pk)).exists()

    client.force_login(manager)
    page = client.get(f"/outcomes/families/{case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Significant and sustained progress" in html and "Not achieved" in html
    assert "12 months before" in html and "synth-" in html  # measurement points and the records behind them

    families_csv = tmp_path / "families.csv"
    families_csv.write_text(f"household_id,start_on\n{family_id},{start_on.isoformat()}\n", encoding="utf-8")
    out = tmp_path / "outcomes.csv"
    call_command(
        "outcomes", "--programme", "tf-2015", "--as-of", AS_OF.isoformat(), "--snapshot", str(county / "snapshot"),
        "--families", str(families_csv), "--out", str(out),
    )  # fmt: skip
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('"framework","framework_version","as_of","family_id"')
    assert {line.split(",")[9].strip('"') for line in lines[1:]} == set(from_case)


def measure_families_for_one(county, family_id: str, start_on: dt.date) -> dict[str, str]:
    framework = load_framework(Path(settings.PROGRAMMES_DIR) / "outcomes" / "tf-2015.yaml")
    measurement = measure_families(
        framework,
        families=[FamilyStart(family_id, family_id, start_on)],
        as_of=AS_OF,
        snapshot=Snapshot.open(county / "snapshot"),
        contracts=load_contract_set(Path(settings.DEFINITIONS_DIR)),
    )
    return {item.measure.code: item.result.status.value for item in measurement.results}
