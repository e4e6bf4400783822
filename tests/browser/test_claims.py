"""Internal audit validates a results claim from its evidence pack, and a programme manager reads the funding table
against forecast; the pages pass an axe-core accessibility check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}


def _staff(username: str, role: Role) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    StaffProfile.objects.create(user=user, team=None, job_title="Test")
    return user


def _claim() -> Any:
    from django.utils import timezone

    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.claims.tests.test_views import PACK

    run = ClaimRun.objects.create(programme="tf-2012", window="2014-07", as_of_on=dt.date(2014, 7, 31),
                                  rules="tf-2012 v1", snapshot="s", started_at=timezone.now())  # fmt: skip
    return Claim.objects.create(run=run, programme="tf-2012", window="2014-07", reference="tf-2012/2014-07/F-1",
                                family_id="F-1", household_id="H1", results=["crime_asb_education"],
                                amount_pence=70_000, evidence=PACK, state_changed_at=timezone.now())  # fmt: skip


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_auditor_validates_a_claim_and_manager_reads_funding(live_server, page, screenshot):
    claim = _claim()
    _staff("ines.audit", Role.AUDITOR)
    _staff("pat.manager", Role.PROGRAMME_MANAGER)

    _sign_in(page, live_server, "ines.audit")
    page.get_by_role("link", name="View Results claims").click()
    expect(page.get_by_role("heading", name="Results claims", level=1)).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name=claim.reference).click()
    expect(page.get_by_role("heading", name=f"Claim {claim.reference}")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("dv1:SAT000000001")
    _assert_accessible(page)
    screenshot("claim-evidence-pack")
    page.get_by_label("Validated by internal audit").check()
    page.get_by_label("Why").fill("Attendance returns checked against the school's register")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is now validated by internal audit")).to_be_visible()

    page.context.clear_cookies()
    _sign_in(page, live_server, "pat.manager")
    page.goto(f"{live_server.url}/claims/funding/?programme=tf-2012&estimated_families=2630")
    expect(page.get_by_role("table", name="Funding forecast")).to_contain_text("£8,768,000")
    expect(page.get_by_role("img", name="Bar chart: results payments forecast and paid, by year")).to_be_visible()
    _assert_accessible(page)
    screenshot("claims-funding")
