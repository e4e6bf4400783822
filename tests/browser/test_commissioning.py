"""The commissioner's and the provider's journeys in Chromium, each page checked with axe-core (no serious or
critical violation): the commissioner goes from need against capacity to need by district (with its rates per 1,000
residents from the imported area statistics), to the market position statement (a version written, its PDF
downloaded), to a gap's service, adds a service to the catalogue, and reads the contracts; the provider enters the
quarter's return, pre-filled, and sees nothing of another provider's contract.

The cohort, the catalogue and the contracts are made directly (their rules are tested in wholefamily/commissioning)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_PASSWORD
from wholefamily.domain.reporting.quarters import last_complete_quarter
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = {"serious", "critical"}
TODAY = timezone.localdate()
LAST = last_complete_quarter(TODAY)


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def _user(username: str, role: Role, **extra: Any) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=BROWSER_PASSWORD, **extra)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    StaffProfile.objects.create(user=user, job_title=role.label)
    return user


def _county() -> dict[str, Any]:
    from wholefamily.commissioning.services import create_contract, save_service
    from wholefamily.governance.models import Team
    from wholefamily.identification.models import CohortFamily, IdentificationRun

    north = Team.objects.create(name="North Families Team", district="Northmoor")
    Team.objects.create(name="South Families Team", district="Southvale")
    commissioner = _user("carol.commissioner", Role.COMMISSIONER)
    provider = _user("pam.provider", Role.PROVIDER, first_name="Pam", last_name="Reed")
    other = _user("olly.other", Role.PROVIDER)
    run = IdentificationRun.objects.create(
        programme="supporting-families-2022", programme_version=1, programme_title="Supporting Families",
        as_of_on=TODAY - dt.timedelta(days=20), snapshot="/tmp/none", status=IdentificationRun.Status.SUCCEEDED,
        started_at=timezone.now(),
    )  # fmt: skip
    for n in range(9):
        CohortFamily.objects.create(run=run, family_id=f"F{n}", household_id=f"H{n}", district="Northmoor",
                                    ward="Ward", problems_met="crime;financial_stability;housing", problem_count=3,
                                    change="first_run", team=north)  # fmt: skip
    common = {
        "description": "", "tier": "tier_3", "min_age": 0, "max_age": 17, "capacity_unit": "places",
        "hours_per_family": None, "evidence_source": "", "contract_reference": "", "ends_on": None,
        "starts_on": LAST.previous().starts_on,
    }  # fmt: skip
    work = save_service(service=None, by=commissioner, data={
        **common, "name": "Work programme", "provider": "Example Employment Trust", "delivery": "commissioned",
        "target_needs": ["financial_stability"], "districts": ["Northmoor"], "capacity": 3,
        "unit_cost": Decimal("620"), "evidence_rating": "local", "provides_key_worker": False,
    })  # fmt: skip
    therapy = save_service(service=None, by=commissioner, data={
        **common, "name": "Family therapy", "provider": "Other Therapies", "delivery": "commissioned",
        "target_needs": ["crime"], "districts": ["Northmoor", "Southvale"], "capacity": 40,
        "unit_cost": Decimal("95"), "evidence_rating": "proven", "provides_key_worker": True,
    })  # fmt: skip
    for service, reference, user in ((work, "WORK-1", provider), (therapy, "THER-1", other)):
        create_contract(service=service, reference=reference, starts_on=LAST.previous().starts_on,
                        ends_on=TODAY + dt.timedelta(days=700), value=Decimal("50000"),
                        indicators=["referrals", "hours_of_service", "engagement_rate"], provider_users=[user],
                        by=commissioner)  # fmt: skip
    return {"work": work}


def _area_statistics(folder: Path) -> None:
    """The ward's population, so that the needs page shows rates: 9 families of 3,000 residents is 3.0 per 1,000."""
    from wholefamily.ingest.services import import_file

    path = folder / "area_statistics.csv"
    path.write_text(
        "source_record_id,ward_code,ward_name,district,estimate_on,population,population_0_17,households,"
        "deprivation_decile,under_18_conceptions\n"
        f"W1,E05000001,Ward,Northmoor,{TODAY.year - 1}-06-30,3000,700,1200,2,\n",
        encoding="utf-8",
    )
    assert import_file(path=path, kind="area_statistics", profile="synthetic-county", by=None).status == "accepted"


def test_the_commissioner_finds_a_gap_and_the_provider_enters_its_return(
    live_server, page, sign_in, screenshot, settings, tmp_path
):
    settings.DATA_DIR = tmp_path / "data"
    _county()
    _area_statistics(tmp_path)
    sign_in("carol.commissioner")
    page.get_by_role("link", name="Services", exact=True).click()
    expect(page.get_by_role("heading", name="Services and interventions")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="Need against capacity").click()
    table = page.get_by_role("table", name="By service and district")
    expect(table).to_contain_text("6 families beyond the places")  # 9 families, 3 places
    _assert_accessible(page)
    screenshot("need-against-capacity")
    page.get_by_role("link", name="Need by district and ward").click()
    expect(page.get_by_role("table", name="Ranked by district")).to_contain_text("Northmoor")
    expect(page.get_by_role("table", name="Ranked by the rate per 1,000 residents")).to_contain_text("3.0")
    _assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Market position statement").click()
    page.get_by_role("link", name="Write the first version").click()
    page.get_by_label("The strategic direction").fill("Fewer families reaching statutory services.")
    page.get_by_label("Commissioning intentions").fill("Grow the work programme in Northmoor.")
    page.get_by_role("button", name="Date and keep this version").click()
    expect(page.get_by_role("table", name="Gaps: need beyond the places")).to_contain_text("Work programme")
    _assert_accessible(page)
    screenshot("market-position-statement")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download version 1 as PDF").click()
    assert download.value.suggested_filename == "market-position-statement-v1.pdf"
    page.goto(f"{live_server.url}/commissioning/capacity/")
    table = page.get_by_role("table", name="By service and district")
    table.get_by_role("link", name="Work programme").click()
    expect(page.get_by_role("heading", name="Work programme")).to_be_visible()
    _assert_accessible(page)
    page.goto(f"{live_server.url}/commissioning/services/new/")
    page.get_by_role("button", name="Save the service").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.get_by_role("heading", name="Contracts and monitoring returns")).to_be_visible()
    _assert_accessible(page)

    page.context.clear_cookies()
    sign_in("pam.provider")
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.get_by_text("WORK-1: Work programme")).to_be_visible()
    expect(page.get_by_text("THER-1")).to_have_count(0)  # another provider's contract
    page.get_by_role("link", name=LAST.label).first.click()
    expect(page.get_by_label("Number of referrals")).to_have_value("0")  # pre-filled from the council's records
    page.get_by_label("Percentage of engagement").fill("two hundred")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("link", name="Percentage of engagement must be a number")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Percentage of engagement").fill("80")
    page.get_by_label("Number of hours of service").fill("150")
    page.get_by_label("What is working well").fill("Evening visits.")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_text("has been submitted")).to_be_visible()
    _assert_accessible(page)
    screenshot("provider-contract")
