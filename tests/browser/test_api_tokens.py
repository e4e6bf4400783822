"""The API's pages in Chromium: a key worker makes a token (shown once), sees it listed, revokes it; the API's
reference page. Every page passes axe-core; the token made on the page works against the API until revoked."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_PASSWORD
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == [], results.generate_report()


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 (the test server)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_key_worker_makes_uses_and_revokes_a_token(live_server, page, sign_in, screenshot):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile, Team

    team = Team.objects.create(name="Northmoor Family Support", district="Northmoor")
    user = get_user_model().objects.create_user(username="kim.worker", password=BROWSER_PASSWORD, first_name="Kim",
                                                last_name="Worker")  # fmt: skip
    user.groups.add(Group.objects.get_or_create(name=Role.KEY_WORKER.value)[0])
    StaffProfile.objects.create(user=user, team=team, job_title="Key worker")
    base = live_server.url

    page.goto(f"{base}/api/v1/")
    expect(page.get_by_role("heading", name="WholeFamily API reference")).to_be_visible()
    _assert_accessible(page)
    screenshot("api-reference")

    sign_in("kim.worker")
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="Make, see and revoke your API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="Make an API token").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("What is the token for?").fill("Children's case system")
    page.get_by_label(
        "Families on the programme: members, stage, key worker, plan and goals, reviews: read", exact=True
    ).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="API token made")).to_be_visible()
    _assert_accessible(page)
    screenshot("api-token-made")
    token = page.locator("#api-token").input_value()
    assert token.startswith("wf_")
    assert _status(f"{base}/api/v1/cases", token) == 200

    page.get_by_role("link", name="Back to your API tokens").click()
    expect(page.get_by_role("cell", name="Children's case system", exact=True)).to_be_visible()
    assert token not in page.content()
    page.get_by_role("button", name="Revoke the token Children's case system").click()
    expect(page.get_by_text("has been revoked")).to_be_visible()
    _assert_accessible(page)
    assert _status(f"{base}/api/v1/cases", token) == 401
