"""Governance in Chromium: an administrator (two-step verification required) sets it up at first sign-in, adds a
member of staff with team and role in one form, changes their role, deactivates them, and signs in again with a
code. Every page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_PASSWORD, complete_second_step
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == [], results.generate_report()


def _administrator() -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile, Team

    Team.objects.create(name="Northmoor Family Support", district="Northmoor")
    for role in Role:  # a transactional test starts without the groups the migrations made
        Group.objects.get_or_create(name=role.value)
    user = get_user_model().objects.create_user(username="ada.admin", password=BROWSER_PASSWORD, first_name="Ada",
                                                last_name="Price")  # fmt: skip
    user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    StaffProfile.objects.create(user=user, job_title="System administrator")
    return user


def test_administrator_sets_up_two_step_and_manages_staff(live_server, page, settings, sign_in, screenshot):
    settings.WHOLEFAMILY_MFA_REQUIRED = True
    _administrator()
    base = live_server.url

    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("ada.admin")
    page.get_by_label("Password", exact=True).fill(BROWSER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    page.goto(f"{base}/staff/")  # nothing else opens before the second step
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    page.get_by_label("Code from your app").fill("123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    screenshot("two-step-set-up")
    key = "".join(page.locator("#secret-key").inner_text().split())
    assert len(key) == 32
    complete_second_step(page, "ada.admin")
    # On to the page first asked for.
    expect(page).to_have_url(f"{base}/staff/")
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", level=1)).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="Add a member of staff").click()
    page.get_by_label("Username").fill("kim.walker")
    page.get_by_label("First name").fill("Kim")
    page.get_by_label("Last name").fill("Walker")
    page.get_by_label("Key worker").check()
    page.get_by_label("Team", exact=True).select_option(label="Northmoor Family Support")
    page.get_by_label("Temporary password").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("too easy to guess")
    _assert_accessible(page)
    screenshot("staff-add-error")
    page.get_by_label("Temporary password").fill("river-lantern-quietly-42")
    page.get_by_label("Key worker").check()
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_role("heading", name="Kim Walker")).to_be_visible()
    expect(page.get_by_text("Key worker", exact=True)).to_be_visible()
    _assert_accessible(page)

    page.get_by_role("link", name="Change role or team").click()
    page.get_by_label("Key worker").uncheck()
    page.get_by_label("Team manager").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Their roles and team have been changed")).to_be_visible()
    expect(page.get_by_text("Team manager", exact=True)).to_be_visible()

    page.get_by_role("link", name="Deactivate their account").click()
    _assert_accessible(page)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Deactivated: they cannot sign in")).to_be_visible()
    screenshot("staff-deactivated")

    from wholefamily.governance.models import AuditEvent

    actions = set(AuditEvent.objects.filter(actor__username="ada.admin").values_list("action", flat=True))
    assert {"mfa.set_up", "create", "staff.change", "staff.deactivate"} <= actions

    # Signed out and in again: the shared sign-in helper enters a code from the app.
    page.get_by_role("button", name="Sign out").click()
    sign_in("ada.admin")
    expect(page.get_by_role("link", name="Staff", exact=True)).to_be_visible()


def _staff(username: str, role: Role) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=BROWSER_PASSWORD, first_name=username,
                                                last_name="Test")  # fmt: skip
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    StaffProfile.objects.create(user=user, job_title=role.label)
    return user


def _validated_claim() -> None:
    import datetime as dt

    from django.utils import timezone

    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.domain.claims.states import ClaimState

    run = ClaimRun.objects.create(programme="tf-2012", window="2014-07", as_of_on=dt.date(2014, 7, 31),
                                  rules="tf-2012 v1", snapshot="s", started_at=timezone.now())  # fmt: skip
    Claim.objects.create(run=run, programme="tf-2012", window="2014-07", reference="tf-2012/2014-07/F-1",
                         family_id="F-1", household_id="H1", results=["crime_asb_education"], amount_pence=70_000,
                         evidence={"rules": "tf-2012 v1"}, state=ClaimState.VALIDATED,
                         state_changed_at=timezone.now())  # fmt: skip


def test_a_submission_file_needs_a_second_persons_approval(live_server, page, sign_in, screenshot):
    _validated_claim()
    _staff("pat", Role.PROGRAMME_MANAGER)
    _staff("ines", Role.AUDITOR)
    base = live_server.url
    download_url = f"{base}/claims/submission.csv?programme=tf-2012&window=2014-07"

    sign_in("pat")
    page.goto(download_url)
    expect(page.get_by_role("heading", name="A second person must approve this")).to_be_visible()
    expect(page.get_by_text("£700.00")).to_be_visible()
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Why is this needed?").fill("July 2014 claim window")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_text("It is waiting for a second person to decide")).to_be_visible()
    _assert_accessible(page)
    screenshot("approval-needed")
    page.get_by_role("button", name="Sign out").click()

    sign_in("ines")
    page.get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", name="Approvals", level=1)).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="Claim submission file: tf-2012/2014-07").first.click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Your decision has been recorded")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("pat")
    with page.expect_download() as download:
        page.evaluate(f"window.location.href = {download_url!r}")
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[1].startswith("tf-2012/2014-07/F-1,F-1")


def test_subject_access_page(live_server, page, sign_in):
    _staff("ada", Role.ADMINISTRATOR)
    sign_in("ada")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Subject access").click()
    expect(page.get_by_role("heading", name="Subject access")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("button", name="Download").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)


def test_an_analyst_exports_pseudonyms_and_reidentifies_some_after_a_managers_approval(
    live_server, page, sign_in, screenshot
):
    """ADR 0020 in Chromium: the cohort page's pseudonymised export, the request with a list that is wrong then right,
    a programme manager's approval, and the analyst seeing who they are. Every page passes axe-core."""
    from wholefamily.governance.tests.test_pseudonyms import build_cohort

    run = build_cohort()
    _staff("ana", Role.DATA_ANALYST)
    _staff("pat", Role.PROGRAMME_MANAGER)
    base = live_server.url

    sign_in("ana")
    page.goto(f"{base}/identification/runs/{run.pk}/")
    _assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Pseudonymised export for analysis (CSV)").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[0].startswith("pseudonym,family_pseudonym,role") and len(lines) == 3
    assert "Amy" not in "\n".join(lines)
    listed = [line.split(",", 1)[0] for line in lines[1:]]

    page.get_by_role("link", name="ask to re-identify their pseudonyms").click()
    expect(page.get_by_role("heading", name="Re-identify pseudonymised data")).to_be_visible()
    page.get_by_label("Pseudonyms").fill("P-AMY")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("These are not pseudonyms")
    _assert_accessible(page)
    page.get_by_label("Pseudonyms").fill("\n".join(listed))
    page.get_by_label("Why do you need to know who they are?").fill("Interviews for the local evaluation")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_text("Your request has been sent")).to_be_visible()
    expect(page.get_by_text("Waiting for approval")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in("pat")
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Re-identification of pseudonymised data: 2 pseudonyms").first.click()
    expect(page.get_by_text("Interviews for the local evaluation")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Your decision has been recorded")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("ana")
    page.goto(f"{base}/reidentification/")
    page.get_by_role("link", name="See who they are").first.click()
    expect(page.get_by_role("heading", name="Who they are")).to_be_visible()
    expect(page.get_by_text("2 of 2 pseudonyms found")).to_be_visible()
    expect(page.get_by_role("cell", name="Amy Testfamily")).to_be_visible()
    _assert_accessible(page)
    screenshot("reidentification-result")


def test_agreements_with_their_expiry_and_retentions_dry_run(
    live_server, page, sign_in, screenshot, settings, tmp_path
):
    """ADR 0015 and ADR 0020 in Chromium: an administrator reads the agreements (one ended, one ending soon), one
    agreement's terms, and retention's dry run listing a delivery past its period. Every page passes axe-core."""
    import datetime as dt

    from django.utils import timezone

    from wholefamily.governance.models import AuditEvent, DataSharingAgreement
    from wholefamily.ingest.models import DatasetVersion

    settings.DATA_DIR = tmp_path
    today = timezone.localdate()
    DataSharingAgreement.objects.create(
        reference="POL-2019", name="Police data 2019", partner="County Police", start_on=dt.date(2019, 1, 1),
        end_on=dt.date(2020, 12, 31), kinds=["police"], parties="County Council\nCounty Police",
        purpose="Identify families with crime and anti-social behaviour", lawful_basis="UK GDPR Article 6(1)(e)",
    )  # fmt: skip
    DataSharingAgreement.objects.create(
        reference="EDU-2024", name="School attendance", partner="County Schools", start_on=dt.date(2024, 1, 1),
        end_on=today + dt.timedelta(days=30), kinds=["school_attendance"], retention_months=36,
    )  # fmt: skip
    for name, period_end, seconds in (("2013", dt.date(2013, 3, 31), 1), ("2025", dt.date(2025, 3, 31), 2)):
        DatasetVersion.objects.create(
            version_id=f"offences-{name}", kind="offences", contract_version=1, profile="p", period_end_on=period_end,
            received_on=period_end, policy="reject", rows_read=1, rows_accepted=1, sha256=name * 16,
            file_name="f.csv", file_size=1, imported_at=timezone.now() + dt.timedelta(seconds=seconds),
        )  # fmt: skip
    _staff("ada", Role.ADMINISTRATOR)
    sign_in("ada")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Data-sharing agreements").click()
    expect(page.get_by_role("heading", name="Data-sharing agreements")).to_be_visible()
    police = page.get_by_role("row").filter(has_text="Police data 2019")
    expect(police).to_contain_text("31 December 2020")
    expect(police).to_contain_text("Ended")
    expect(page.get_by_role("row").filter(has_text="School attendance")).to_contain_text("Ends soon")
    _assert_accessible(page)
    screenshot("agreements")
    page.get_by_role("link", name="Police data 2019").click()
    expect(page.get_by_role("heading", name="Police data 2019")).to_be_visible()
    expect(page.get_by_text("UK GDPR Article 6(1)(e)")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="Back to data-sharing agreements").click()
    page.get_by_role("link", name="See what retention would remove today").click()
    expect(page.get_by_role("heading", name="Retention", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Would be removed (1)")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="offences-2013")).to_contain_text("31 March 2019")
    expect(page.get_by_role("row").filter(has_text="offences-2025")).to_contain_text("Kept until 31 March 2031")
    _assert_accessible(page)
    screenshot("retention-dry-run")
    assert AuditEvent.objects.filter(action="retention.dry_run", actor__username="ada").exists()
    assert DatasetVersion.objects.count() == 2
