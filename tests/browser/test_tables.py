"""Tables on a 375 px screen stack, GOV.UK-style: each row a block, each cell its column's header before its value
(tables.mjs gives it as a data-label), and nothing scrolls sideways; at 1280 px the same table is a table."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_PASSWORD
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _key_worker() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile, Team

    team = Team.objects.create(name="Northmoor Family Support", district="Northmoor", caseload_limit=6)
    user = get_user_model().objects.create_user(username="kim.worker", password=BROWSER_PASSWORD,
                                                first_name="Kim", last_name="Worker")  # fmt: skip
    user.groups.add(Group.objects.get_or_create(name=Role.KEY_WORKER.value)[0])
    StaffProfile.objects.create(user=user, team=team, job_title="Family key worker")


def test_a_table_stacks_at_375_pixels_and_is_a_table_at_1280(live_server: Any, page: Any, sign_in: Any) -> None:
    _key_worker()
    sign_in("kim.worker")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/teams/")
    table = page.get_by_role("table").first
    expect(table).to_be_visible()
    cell = table.locator("tbody td").nth(1)
    expect(cell).to_have_attribute("data-label", "District")
    assert cell.evaluate("cell => getComputedStyle(cell, '::before').content") == '"District"'
    assert cell.evaluate("cell => getComputedStyle(cell).display") == "block"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing scrolls sideways
    assert table.locator("thead").evaluate("head => head.getBoundingClientRect().height") <= 1  # shown by each cell
    assert Axe().run(page).response["violations"] == []

    page.set_viewport_size({"width": 1280, "height": 800})
    assert cell.evaluate("cell => getComputedStyle(cell).display") == "table-cell"
    assert cell.evaluate("cell => getComputedStyle(cell, '::before').content") == "none"
