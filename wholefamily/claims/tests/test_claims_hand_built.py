"""End to end through `wholefamily claims`, on hand-built families (a tiny linked snapshot, cases on the programme,
the identification runs that found them, deliveries with their declared periods): each edge of the frameworks for
tf-2012, tf-2015 and supporting-families-2022, and every family of the window in the conditions CSV and on its page,
payable or not, with why not."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wholefamily.cases.models import Case, Member
from wholefamily.claims.models import Claim, EvaluatedFamily
from wholefamily.claims.services import change_claim_state
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.pathway import Stage
from wholefamily.domain.roles import Role
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.identification.tests.tiny_county import TinyCounty
from wholefamily.ingest.models import DatasetVersion

KINDS = ("offences", "asb_interventions", "school_attendance", "exclusions", "employment", "benefits",
         "work_programme_esf", "custody_and_supervision", "health", "domestic_abuse", "social_care", "housing",
         "neet", "missing_episodes", "alternative_provision", "children_missing_education")  # fmt: skip


@pytest.fixture(scope="module")
def contracts():
    return load_contract_set(Path(settings.DEFINITIONS_DIR))


def _quiet_neighbour(county: TinyCounty) -> None:
    """One early record of every kind, for a household no case is about: every kind is delivered, and the latest
    record date of most kinds is long before the claim window (quiet datasets)."""
    county.member("N1", dob="1970-01-01", household="H9")
    early = "2010-01-05"
    for kind in KINDS:
        if kind == "school_attendance":
            county.record(kind, "N1", academic_year=2009, term="autumn", possible_sessions=100,
                          authorised_absence_sessions=0, unauthorised_absence_sessions=0)  # fmt: skip
            continue
        contract = county.contracts.contract(kind)
        dates = {c.name: early for c in contract.columns if c.type.value == "date"}
        county.record(kind, "N1", **dates)


def _declare(period_end_on: dt.date) -> None:
    """Each delivery's declared period, as an import records it (the period end of the import)."""
    for kind in KINDS:
        DatasetVersion.objects.create(
            version_id=f"v-{kind}", kind=kind, contract_version=1, profile="hand-built", period_start_on=None,
            period_end_on=period_end_on, received_on=period_end_on, policy="reject", rows_read=1, rows_accepted=1,
            sha256=f"{kind:0<64}"[:64], file_name=f"{kind}.csv", file_size=1, imported_at=timezone.now(),
        )  # fmt: skip


def _identified(programme: str, household: str, problems: str, *, as_of_on: dt.date, qualifying: bool = True) -> None:
    run = IdentificationRun.objects.create(
        programme=programme, programme_version=1, programme_title=programme, as_of_on=as_of_on, snapshot="s",
        started_at=timezone.now(), status=IdentificationRun.Status.SUCCEEDED,
    )  # fmt: skip
    CohortFamily.objects.create(run=run, family_id=household, household_id=household, problems_met=problems,
                                is_qualifying=qualifying, change="new")  # fmt: skip


def _case(new_family, worker, programme: str, household: str, start_on: dt.date, *, stage=Stage.PLAN_ACTIVE,
          closed_on=None) -> Case:  # fmt: skip
    case = new_family(stage, worker=worker, household=household, name=f"the {household} family")
    Case.objects.filter(pk=case.pk).update(
        programme=programme, plan_agreed_on=start_on if stage is Stage.PLAN_ACTIVE else None, opened_on=start_on,
        closed_on=closed_on,
    )  # fmt: skip
    Member.objects.filter(case=case).delete()  # the household's members come from the linked snapshot
    case.refresh_from_db()
    return case


def _run(tmp_path: Path, county: TinyCounty, programme: str, window: str) -> tuple[list[dict], list[dict], str]:
    county.snapshot()
    out = tmp_path / "claims.csv"
    call_command("claims", "--programme", programme, "--window", window, "--out", str(out),
                 "--snapshot", str(county.directory), "--datasets", str(county.directory / "datasets"))  # fmt: skip
    claims = list(csv.DictReader(out.open(encoding="utf-8")))
    conditions = list(csv.DictReader((tmp_path / "claims-conditions.csv").open(encoding="utf-8")))
    return claims, conditions, out.read_text(encoding="utf-8")


def _claim(case: Case) -> Claim | None:
    return Claim.objects.filter(case=case).first()


def _family(case: Case) -> EvaluatedFamily:
    return EvaluatedFamily.objects.get(case=case)


def _terms(county, person, rows):
    for year, term, authorised, unauthorised in rows:
        county.record("school_attendance", person, academic_year=year, term=term, possible_sessions=100,
                      authorised_absence_sessions=authorised, unauthorised_absence_sessions=unauthorised)  # fmt: skip


# --- tf-2012: window 2015-01 (31 January 2015); cases started 15 September 2013 ------------------------------------

T12_START = dt.date(2013, 9, 15)


@pytest.mark.django_db
def test_tf2012_end_to_end(tmp_path, contracts, new_family, worker, make_staff):
    county = TinyCounty(tmp_path / "snapshot", contracts)
    _quiet_neighbour(county)
    # H1: a Year 11 pupil who turned 16 in October 2014 is still at school: 16% unauthorised absence fails the
    # education part (read as gone on the 16th birthday, the part was neutral and the family paid).
    county.member("a1", dob="1975-01-01", household="H1").member("c1", dob="1998-10-01", household="H1")
    _terms(county, "c1", [(2012, "autumn", 0, 20), (2012, "spring", 0, 20), (2012, "summer", 0, 20),
                          (2013, "spring", 0, 16), (2013, "summer", 0, 16), (2014, "autumn", 0, 16)])  # fmt: skip
    for day in range(5):
        county.record("asb_interventions", "a1", intervention_on=dt.date(2013, 5, 1) + dt.timedelta(days=day))
    # H2: off Jobseeker's Allowance into work with a change of employer.
    county.member("a2", dob="1980-01-01", household="H2").member("c2", dob="2005-01-01", household="H2")
    county.record("benefits", "a2", benefit_type="JSA", start_on="2012-01-01", end_on="2014-05-31")
    county.record("employment", "a2", start_on="2014-06-01", end_on="2014-10-31")
    county.record("employment", "a2", start_on="2014-11-01")
    # H3: anti-social behaviour across the family: 5 before, 1 after by a member who had none (not a void).
    county.member("a3", dob="1980-01-01", household="H3").member("b3", dob="1982-01-01", household="H3")
    county.member("c3", dob="2005-01-01", household="H3")
    for day in range(5):
        county.record("asb_interventions", "a3", intervention_on=dt.date(2013, 5, 1) + dt.timedelta(days=day))
    county.record("asb_interventions", "b3", intervention_on="2014-10-01")
    _declare(dt.date(2015, 1, 31))
    cases = {}
    for household, problems in (("H1", "crime;education"), ("H2", "work"), ("H3", "crime")):
        _identified("tf-2012", household, problems, as_of_on=dt.date(2013, 9, 1))
        cases[household] = _case(new_family, worker, "tf-2012", household, T12_START)
    claims, conditions, _ = _run(tmp_path, county, "tf-2012", "2015-01")

    assert _claim(cases["H1"]) is None
    h1 = _family(cases["H1"])
    assert "Each child less than 15% unauthorised absence" in h1.why_not_payable
    absence = next(row for row in conditions if row["family_id"] == cases["H1"].reference
                   and row["condition"] == "unauthorised_absence_below_15")  # fmt: skip
    assert (absence["condition_status"], absence["member_status"]) == ("Not met", "Not met")
    assert (absence["period_from"], absence["period_to"]) == ("2014-01-01", "2014-12-31")

    employment = _claim(cases["H2"])
    assert employment is not None and employment.results == ["continuous_employment"]
    assert employment.amount_pence == 160_000  # 2013/14 rates
    refs = {row["records"] for row in conditions if row["family_id"] == cases["H2"].reference
            and row["condition"] == "continuous_employment"}  # fmt: skip
    assert any("v-employment" in ref for ref in refs)

    asb = _claim(cases["H3"])
    assert asb is not None and asb.results == ["crime_asb_education"] and asb.amount_pence == 140_000
    assert {row["reference"] for row in claims} == {asb.reference, employment.reference}

    # The auditor rejects one claim; computing the window again keeps it rejected and drafts no second claim with
    # its reference (the family is not claimed again in this window).
    auditor = make_staff("ines.audit", Role.AUDITOR)
    change_claim_state(claim=asb, to=ClaimState.REJECTED, reason="No attendance return for the last term.", by=auditor)
    _run(tmp_path, county, "tf-2012", "2015-01")
    assert sorted(Claim.objects.values_list("reference", "state")) == sorted(
        [(asb.reference, ClaimState.REJECTED), (employment.reference, ClaimState.DRAFT)]
    )


# --- tf-2015: window 2017-07 (31 July 2017); cases started 20 January 2016 -----------------------------------------

T15_START = dt.date(2016, 1, 20)


@pytest.mark.django_db
def test_tf2015_end_to_end(tmp_path, contracts, new_family, worker, make_staff):
    county = TinyCounty(tmp_path / "snapshot", contracts)
    _quiet_neighbour(county)
    # H1: found on 12% absence, authorised and unauthorised; 5% now. Measured on unauthorised absence only (4%
    # before), nobody had the problem and education could never be paid.
    county.member("a1", dob="1975-01-01", household="H1").member("c1", dob="2006-01-01", household="H1")
    _terms(county, "c1", [(2014, "spring", 8, 4), (2014, "summer", 8, 4), (2015, "autumn", 8, 4),
                          (2015, "summer", 3, 2), (2016, "autumn", 3, 2), (2016, "spring", 3, 2)])  # fmt: skip
    # H2: off Jobseeker's Allowance into work, and on in-work Universal Credit: continuous employment.
    county.member("a2", dob="1980-01-01", household="H2").member("c2", dob="2006-01-01", household="H2")
    county.record("benefits", "a2", benefit_type="JSA", start_on="2015-01-01", end_on="2016-06-30")
    county.record("employment", "a2", start_on="2016-07-01")
    county.record("benefits", "a2", benefit_type="UC", uc_conditionality_regime="working_with_requirements",
                  start_on="2016-08-01")  # fmt: skip
    # H3: a proven offence 9 months before the start (identification looks back 12 months), none since; the
    # offences delivery's latest record is that offence, but its declared period runs to the window.
    county.member("a3", dob="1975-01-01", household="H3").member("c3", dob="2002-01-01", household="H3")
    county.record("offences", "c3", offence_on="2015-04-01", is_proven=True)
    # H4: found with a crime problem in January 2016; a later run in which it no longer qualifies does not count.
    county.member("a4", dob="1975-01-01", household="H4").member("c4", dob="2002-01-01", household="H4")
    county.record("offences", "c4", offence_on="2015-06-01", is_proven=True)
    _declare(dt.date(2017, 7, 31))
    cases = {}
    for household, problems in (("H1", "education"), ("H2", "work"), ("H3", "crime"), ("H4", "crime")):
        _identified("tf-2015", household, problems, as_of_on=dt.date(2016, 1, 1))
        cases[household] = _case(new_family, worker, "tf-2015", household, T15_START)
    _identified("tf-2015", "H4", "", as_of_on=dt.date(2017, 1, 1), qualifying=False)
    claims, conditions, _ = _run(tmp_path, county, "tf-2015", "2017-07")

    for household, result in (("H1", "significant_progress"), ("H2", "continuous_employment"),
                              ("H3", "significant_progress"), ("H4", "significant_progress")):  # fmt: skip
        claim = _claim(cases[household])
        assert claim is not None, f"{household}: {_family(cases[household]).why_not_payable}"
        assert claim.results == [result] and claim.amount_pence == 80_000
    assert len(claims) == 4
    h1 = [row for row in conditions if row["family_id"] == cases["H1"].reference
          and row["condition"] == "significant_progress" and "attendance sustained" in row["member"]]  # fmt: skip
    assert h1 and h1[0]["member_status"] == "Met" and "sessions" in h1[0]["after"]
    assert _family(cases["H4"]).evidence["problems_at_identification"] == ["crime"]
    # the auditor's pages: every family of the window, and one family's conditions
    auditor = make_staff("ines.audit", Role.AUDITOR)
    client = Client()
    client.force_login(auditor)
    page = client.get(reverse("claims:families"), {"scope": "tf-2015/2017-07"}).content.decode()
    assert "4 of 4 families payable" in page
    detail = client.get(reverse("claims:family", args=[_family(cases["H2"]).pk])).content.decode()
    assert "Continuous employment" in detail and "Period looked at" in detail and "31 July 2017" in detail
    pdf = client.get(reverse("claims:family_pdf", args=[_family(cases["H2"]).pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- supporting-families-2022: window 2024-03 (31 March 2024); cases closed 30 September 2023 ----------------------

SF_START, SF_CLOSED = dt.date(2022, 9, 1), dt.date(2023, 9, 30)


@pytest.mark.django_db
def test_supporting_families_2022_end_to_end(tmp_path, contracts, new_family, worker, make_staff):
    county = TinyCounty(tmp_path / "snapshot", contracts)
    _quiet_neighbour(county)
    for household in ("H1", "H2"):
        adult, child = f"a{household[1]}", f"c{household[1]}"
        county.member(adult, dob="1985-01-01", household=household).member(child, dob="2008-01-01", household=household)
        county.record("offences", child, offence_on="2022-01-05", is_proven=True)  # 8 months before the start
    _declare(dt.date(2024, 3, 31))
    cases = {}
    for household, stage in (("H1", Stage.PLAN_ACTIVE), ("H2", Stage.ASSESSMENT)):  # H2 has no plan
        _identified("supporting-families-2022", household, "crime;expectant_parent", as_of_on=dt.date(2022, 8, 1))
        cases[household] = _case(new_family, worker, "supporting-families-2022", household, SF_START, stage=stage,
                                 closed_on=SF_CLOSED)  # fmt: skip
    claims, conditions, _ = _run(tmp_path, county, "supporting-families-2022", "2024-03")

    claim = _claim(cases["H1"])
    assert claim is not None and claim.results == ["outcomes_sustained"]
    assert claim.amount_pence == 80_000  # the funding definition's amount, not £0
    assert claim.evidence["problems_at_identification"] == ["crime"]  # an expectant parent is not a need
    assert [row["reference"] for row in claims] == [claim.reference]
    assert _claim(cases["H2"]) is None
    assert _family(cases["H2"]).why_not_payable.endswith("no claim without a plan on the case")
    statuses = {row["family_id"]: row["result_status"] for row in conditions}
    assert statuses == {cases["H1"].reference: "Met", cases["H2"].reference: "Not claimable from the case"}
    auditor = make_staff("ines.audit", Role.AUDITOR)
    client = Client()
    client.force_login(auditor)
    page = client.get(reverse("claims:family", args=[_family(cases["H2"]).pk])).content.decode()
    assert "Not payable in this window." in page and "no claim without a plan on the case" in page
