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
