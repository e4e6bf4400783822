"""One browser test per role: each drives the role's main task from the web end to end in Debian's Chromium, and
every page on the way passes an axe-core check (no serious or critical violation).

The data are made through the services and models, as the other browser tests make theirs: a claim, linked people
in households, a case.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}


def _staff(username: str, role: Role, team: Any = None) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    StaffProfile.objects.create(user=user, team=team, job_title="Test")
    return user


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _run_worker() -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="browser-roles",
    ).run()  # fmt: skip


def _okafors() -> Any:
    """Two linked households, and the Okafor family on the programme in the North team."""
    from wholefamily.cases.models import Case
    from wholefamily.governance.models import Team
    from wholefamily.linkage.models import Household, LinkageRun, Membership, Person

    run = LinkageRun.objects.create(run_id="r1", settings_version="t", started_at=timezone.now())
    north = Team.objects.create(name="North Families Team", district="Northmoor")
    mill = Household.objects.create(household_id="H1", address="12 Mill Lane", postcode="AB1 2CD", last_run=run)
    sea = Household.objects.create(household_id="H2", address="3 Sea View", postcode="ZZ9 9ZZ", last_run=run)
    for person_id, forename, surname, born, home in (
        ("P1", "William", "Okafor", dt.date(2009, 3, 27), mill),
        ("P2", "Amy", "Okafor", dt.date(1985, 1, 2), mill),
        ("P3", "Bill", "Smith", dt.date(2010, 5, 6), sea),
    ):
        person = Person.objects.create(person_id=person_id, forename=forename, surname=surname, date_of_birth=born,
                                       last_run=run)  # fmt: skip
        Membership.objects.create(person=person, household=home, role="child")
    Case.objects.create(team=north, family_name="the Okafor family", household_id="H1", reference="F-000001",
                        programme="tf-2015", opened_on=dt.date(2026, 1, 5), stage="awaiting_allocation",
                        stage_changed_at=timezone.now())  # fmt: skip
    return north


def test_data_analyst_imports_a_delivery_twice_and_reaches_linkage_and_review(live_server, page, screenshot, settings,
                                                                              tmp_path: Path):  # fmt: skip
    from wholefamily.ingest.services import contracts
    from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows
    from wholefamily.jobs.models import Job

    settings.DATA_DIR = tmp_path / "data"
    _staff("dana.analyst", Role.DATA_ANALYST)
    contract_set = contracts()
    contract = contract_set.contract("exclusions")
    delivery = canonical_csv(tmp_path / "exclusions.csv", canonical_rows(contract, contract_set, count=4), contract)

    _sign_in(page, live_server, "dana.analyst")
    expect(page.get_by_text("0 pairs of records waiting for a decision")).to_be_visible()
    _assert_accessible(page)
    for attempt, outcome in ((1, "Accepted"), (2, "Already imported")):
        page.get_by_role("link", name="Upload Data sets").click()
        page.get_by_label("Kind of data set").select_option("exclusions")
        page.get_by_label("Source profile").select_option("synthetic-county")
        page.get_by_label("Keep the good rows").check()
        received = page.get_by_role("group", name="Date received")  # a GOV.UK date input: day, month, year
        received.get_by_label("Day").fill("1")
        received.get_by_label("Month").fill("1")
        received.get_by_label("Year").fill("2015")
        page.get_by_label("File (CSV, XLSX or Parquet)").set_input_files(str(delivery))
        page.get_by_role("button", name="Check and import").click()
        page.wait_for_url(f"{live_server.url}/jobs/**")
        _run_worker()
        page.reload()
        expect(page.locator("#job-status")).to_have_text(outcome)
        if attempt == 1:
            expect(page.locator("#job-progress-text")).to_have_text("4 of 4 done (100%).")  # counted in rows
        _assert_accessible(page)
        screenshot(f"analyst-import-{attempt}")
        page.get_by_role("link", name="Home").click()

    page.get_by_role("link", name="Linkage", exact=True).click()
    page.get_by_role("button", name="Run linkage now").click()
    page.wait_for_url(f"{live_server.url}/jobs/**")
    expect(page.get_by_role("heading", name="Link the current data sets")).to_be_visible()
    assert Job.objects.filter(kind="run_linkage", status=Job.Status.QUEUED).count() == 1
    _assert_accessible(page)
    page.get_by_role("link", name="Pairs to review").click()
    expect(page.get_by_role("heading", name="Pairs to review", level=1)).to_be_visible()
    _assert_accessible(page)


def test_programme_manager_starts_identification_and_a_claims_computation(live_server, page, screenshot):
    from wholefamily.jobs.models import Job

    _staff("pat.manager", Role.PROGRAMME_MANAGER)
    _sign_in(page, live_server, "pat.manager")
    page.get_by_role("link", name="Open Identify families").click()
    page.get_by_role("link", name="Start an identification run").click()
    page.get_by_label("Troubled Families programme 2015", exact=False).first.check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("8")
    page.get_by_label("Year").fill("2014")
    page.get_by_role("button", name="Start the run").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("is in force from 1 April 2015 to 31 March 2020")
    _assert_accessible(page)
    screenshot("manager-identification-errors")
    page.get_by_label("Year").fill("2015")
    page.get_by_role("button", name="Start the run").click()
    # No linkage run in this test's county: said plainly, on the form.
    expect(summary).to_contain_text("there is no current linkage run yet")

    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Start Compute claims").click()
    page.get_by_role("button", name="Compute the claims").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the claim window")
    _assert_accessible(page)
    page.get_by_label("Claim window").select_option("tf-2015/2018-07")
    page.get_by_label("Spot-check sample").fill("10")
    page.get_by_role("button", name="Compute the claims").click()
    page.wait_for_url(f"{live_server.url}/jobs/**")
    expect(page.get_by_role("heading", name="Compute the claims of tf-2015 window 2018-07")).to_be_visible()
    _run_worker()
    page.reload()
    expect(page.locator("#job-status")).to_have_text("Failed")  # no linkage run: a plain message, not a traceback
    expect(page.get_by_text("The claims could not be computed")).to_be_visible()
    assert Job.objects.get(kind="compute_claims").error.startswith("The claims could not be computed")
    _assert_accessible(page)

    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="View Funding").click()
    expect(page.get_by_role("heading", name="Funding", exact=False).first).to_be_visible()
    _assert_accessible(page)


def test_auditor_rejects_a_claim_with_a_reason_and_reaches_the_submission_file(live_server, page, screenshot):
    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.claims.tests.test_views import PACK

    run = ClaimRun.objects.create(programme="tf-2012", window="2014-07", as_of_on=dt.date(2014, 7, 31),
                                  rules="tf-2012 v1", snapshot="s", started_at=timezone.now())  # fmt: skip
    claim = Claim.objects.create(run=run, programme="tf-2012", window="2014-07", reference="tf-2012/2014-07/F-2",
                                 family_id="F-2", household_id="H2", results=["crime_asb_education"],
                                 amount_pence=70_000, evidence=PACK, state_changed_at=timezone.now())  # fmt: skip
    _staff("ines.audit", Role.AUDITOR)
    _sign_in(page, live_server, "ines.audit")
    page.get_by_role("link", name="View Results claims").click()
    page.get_by_role("link", name=claim.reference).click()
    page.get_by_label("Rejected").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the claim is rejected")
    _assert_accessible(page)
    screenshot("auditor-reject-error")
    page.get_by_label("Rejected").check()
    page.get_by_label("Why").fill("The attendance returns do not cover the last term")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is now rejected")).to_be_visible()
    claim.refresh_from_db()
    assert claim.state == "rejected"

    page.goto(f"{live_server.url}/claims/?scope=tf-2012/2014-07")
    page.get_by_role("link", name="Download the submission file").click()
    # The two-person rule: the file is made once a second person has approved exactly these claims.
    expect(page.get_by_text("A second person must approve this")).to_be_visible()
    _assert_accessible(page)


def test_key_worker_finds_a_family_by_a_misspelt_name(live_server, page, screenshot):
    north = _okafors()
    _staff("kim.worker", Role.KEY_WORKER, team=north)
    _sign_in(page, live_server, "kim.worker")
    page.get_by_role("link", name="Find", exact=True).click()
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name, a date of birth or a postcode")
    page.get_by_label("Name").fill("Wiliam Okafr")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    expect(page.get_by_role("cell", name="12 Mill Lane, AB1 2CD")).to_be_visible()
    _assert_accessible(page)
    screenshot("key-worker-search")
    page.get_by_label("Name").fill("Smith")  # another team's family: not found
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="0 people found")).to_be_visible()
    page.get_by_label("Name").fill("")
    page.get_by_label("Postcode").fill("ab12cd")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="the Okafor family").first.click()
    expect(page.get_by_role("heading", name="the Okafor family", exact=False).first).to_be_visible()


def test_team_manager_records_a_referral_picking_the_household_by_search(live_server, page, screenshot):
    from wholefamily.cases.models import Case, Referral

    north = _okafors()
    # One open case a family: the Okafors' earlier case is closed, so they may be referred again.
    Case.objects.filter(reference="F-000001").update(stage="closed", closed_on=dt.date(2026, 1, 6))
    _staff("tess.manager", Role.TEAM_MANAGER, team=north)
    _sign_in(page, live_server, "tess.manager")
    page.goto(f"{live_server.url}/families/referrals/new/")
    page.get_by_label("Name", exact=True).fill("okafor")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("1 household found")).to_be_visible()
    page.get_by_label("Family", exact=True).fill("the Okafor family")
    page.get_by_label("School").check()
    page.get_by_label("Referrer").fill("Head teacher, Mill Lane Primary")
    received = page.get_by_role("group", name="Date received")
    received.get_by_label("Day").fill("5")
    received.get_by_label("Month").fill("1")
    received.get_by_label("Year").fill("2026")
    page.get_by_label("Reason for the referral").fill("Attendance has fallen all term")
    page.get_by_label("Medium").check()
    page.get_by_label("The Okafor family, 12 Mill Lane").check()
    _assert_accessible(page)
    screenshot("manager-referral")
    page.get_by_role("button", name="Save the referral").click()
    expect(page.get_by_text("The referral has been recorded")).to_be_visible()
    assert Referral.objects.get().household_id == "H1"
