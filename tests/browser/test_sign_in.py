"""A member of staff signs in, sees their dashboard, and the pages pass an axe-core accessibility check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}


def _make_staff_member() -> Any:
    """A demo-like key worker who also manages the team. Groups are made here: a transactional test
    starts from an emptied database, without the role groups the migrations create."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile, Team

    team = Team.objects.create(name="Northmoor Family Support", district="Northmoor")
    user = get_user_model().objects.create_user(
        username="alex.morgan", password=PASSWORD, first_name="Alex", last_name="Morgan"
    )
    for role in (Role.KEY_WORKER, Role.TEAM_MANAGER):
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    StaffProfile.objects.create(user=user, team=team, job_title="Family practitioner")
    return user


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def test_sign_in_dashboard_and_not_found_are_accessible(live_server, page, screenshot):
    _make_staff_member()
    # Every asset loads and no script fails (a CSP violation shows as a console error).
    console_errors: list[str] = []
    failed_responses: list[tuple[int, str]] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("response", lambda reply: reply.status >= 400 and failed_responses.append((reply.status, reply.url)))

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
    expect(page).to_have_title("Sign in \u2013 WholeFamily \u2013 Demo County Council")
    # GOV.UK Frontend's JavaScript ran (external files only: the CSP forbids inline scripts).
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    _assert_accessible(page)
    screenshot("sign-in")

    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    screenshot("sign-in-error")

    page.get_by_label("Username").fill("alex.morgan")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Key worker")).to_be_visible()
    expect(page.get_by_role("heading", name="Team manager")).to_be_visible()
    expect(page.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    _assert_accessible(page)
    screenshot("dashboard")

    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    _assert_accessible(page)
    screenshot("not-found")

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    expect(page.get_by_text("You have signed out")).to_be_visible()
    _assert_accessible(page)
    screenshot("signed-out")

    assert failed_responses == [(404, f"{live_server.url}/no-such-page/")]
    assert [text for text in console_errors if not text.startswith("Failed to load resource")] == []
