"""Internal audit reads every family of a claim window, payable or not, and one family's conditions; the pages pass
an axe-core accessibility check."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_claims import _assert_accessible, _sign_in, _staff
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _families() -> Any:
    from django.utils import timezone

    from wholefamily.claims.models import ClaimRun, EvaluatedFamily
    from wholefamily.claims.tests.test_views import PACK

    run = ClaimRun.objects.create(programme="tf-2012", window="2014-07", as_of_on=dt.date(2014, 7, 31),
                                  rules="tf-2012 v1", snapshot="s", started_at=timezone.now())  # fmt: skip
    pack = copy.deepcopy(PACK)
    pack["results"][0].update(status="not_achieved", status_label="Not met")
    pack["why_not_payable"] = "Crime/anti-social behaviour and education: not met"
    return EvaluatedFamily.objects.create(run=run, programme="tf-2012", window="2014-07", family_id="F-2",
                                          household_id="H2", results=[], why_not_payable=pack["why_not_payable"],
                                          evidence=pack)  # fmt: skip


def test_auditor_reads_every_family_of_a_window(live_server, page, screenshot):
    family = _families()
    _staff("ines.audit", Role.AUDITOR)
    _sign_in(page, live_server, "ines.audit")
    page.goto(f"{live_server.url}/claims/families/?scope=tf-2012/2014-07")
    expect(page.get_by_role("heading", name="Every family in a claim window", level=1)).to_be_visible()
    expect(page.get_by_text("0 of 1 families payable")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name=family.family_id).click()
    expect(page.get_by_role("heading", name="Family F-2: not payable")).to_be_visible()
    expect(page.get_by_text("Not payable in this window.")).to_be_visible()
    _assert_accessible(page)
    screenshot("claim-window-family")
