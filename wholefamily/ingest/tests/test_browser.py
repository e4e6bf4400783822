"""A data analyst uploads a delivery in a real browser, the job runs, and the report pages pass axe-core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import chromium, page, screenshot  # noqa: F401 - the browser fixtures
from wholefamily.domain.roles import Role
from wholefamily.ingest.models import ImportRun
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"


def _analyst() -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username="dana.analyst", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=Role.DATA_ANALYST.value)[0])
    StaffProfile.objects.create(user=user, job_title="Data analyst")
    return user


def _assert_accessible(page: Any) -> None:  # noqa: F811
    violations = [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert violations == []


def _run_worker() -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="browser-test",
    ).run()  # fmt: skip


def test_upload_report_and_versions_in_a_browser(
    live_server: Any,
    page: Any,  # noqa: F811
    screenshot: Any,  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    from wholefamily.ingest.services import contracts

    settings.DATA_DIR = tmp_path / "data"
    _analyst()
    contract_set = contracts()
    contract = contract_set.contract("exclusions")
    rows = canonical_rows(contract, contract_set, count=5)
    rows[1]["exclusion_type"] = "expelled"
    rows[2]["start_on"] = dt.date(1890, 1, 1)
    delivery = canonical_csv(tmp_path / "exclusions.csv", rows, contract)
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    page.goto(f"{live_server.url}/sign-in/?next=/data/upload/")
    page.get_by_label("Username").fill("dana.analyst")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/data/upload/")
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    screenshot("ingest-upload-errors")

    page.get_by_label("Kind of data set").select_option("exclusions")
    page.get_by_label("Source profile").select_option("synthetic-county")
    page.get_by_label("Keep the good rows").check()
    received = page.get_by_role("group", name="Date received")  # a GOV.UK date input: day, month, year
    received.get_by_label("Day").fill("1")
    received.get_by_label("Month").fill("1")
    received.get_by_label("Year").fill("2015")
    page.get_by_label("File (CSV, XLSX or Parquet)").set_input_files(str(delivery))
    page.get_by_role("button", name="Check and import").click()
    run = ImportRun.objects.get()
    page.wait_for_url(f"{live_server.url}/data/imports/{run.pk}/")
    expect(page.get_by_text("This import is still running")).to_be_visible()

    _run_worker()
    page.reload()
    expect(page.get_by_role("heading", name="exclusions.csv Accepted")).to_be_visible()
    expect(page.get_by_text("3 rows accepted, 2 rows quarantined")).to_be_visible()
    expect(page.get_by_role("cell", name="before 1900-01-01")).to_have_count(2)  # by reason, and by line
    _assert_accessible(page)
    screenshot("ingest-report")

    page.get_by_role("link", name="Data sets").first.click()
    expect(page.get_by_role("heading", name="Dataset versions")).to_be_visible()
    _assert_accessible(page)
    screenshot("ingest-versions")
    assert [text for text in console_errors if not text.startswith("Failed to load resource")] == []
