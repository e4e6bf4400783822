"""A programme manager reads the report cards and the service monitoring, builds a quarter's board pack and opens it,
and builds a return to government and downloads it; a commissioner reopens the pack as it was sent. Every page passes
an axe-core check; the PDF and the workbook open."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"


def _make_staff(username: str, *roles: Role, team: Any = None) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.set([Group.objects.get_or_create(name=role.value)[0] for role in roles])
    StaffProfile.objects.create(user=user, team=team, job_title="Family support worker")
    return user


def _make_team(name: str, district: str = "Northmoor") -> Any:
    from wholefamily.governance.models import Team

    return Team.objects.create(name=name, district=district)


def _assert_accessible(page: Any, where: str) -> None:
    results = Axe().run(page)
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == [], f"{where}: {results.generate_report()}"


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def _ink(png: bytes) -> float:
    """The share of dark pixels on the white page the viewer draws (its toolbar, thumbnails and grey background left
    out); 0 when no page has been drawn."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    view = image.crop((int(width * 0.36), 80, width, height))
    paper = view.point(lambda value: 255 if value > 245 else 0).getbbox()
    if paper is None:
        return 0.0
    sheet = view.crop(paper)
    histogram = sheet.histogram()
    return sum(histogram[:128]) / max(sum(histogram), 1)


def _check_pdf_pages(page: Any, url: str, count: int, screenshot: Any) -> None:
    """Open the PDF in Chromium's own viewer, page by page, and check each page shows something."""
    seen = set()
    for number in range(1, count + 1):
        page.goto("about:blank")
        page.goto(f"{url}#page={number}&zoom=page-fit")
        for _ in range(12):  # the viewer paints a page when it can: on a busy machine that takes a while
            page.wait_for_timeout(600)
            png = page.screenshot()
            if _ink(png) > 0.0005:
                break
        assert _ink(png) > 0.0005, f"page {number} of the board pack shows nothing"
        seen.add(png)
        if number in (1, 3):
            screenshot(f"reporting-board-pack-page-{number}")
    assert len(seen) == count


def test_report_cards_monitoring_and_a_board_pack(live_server: Any, page: Any, screenshot: Any) -> None:
    from wholefamily.domain.progress import NullProgress
    from wholefamily.extracts.tasks import build_work
    from wholefamily.jobs.models import Job
    from wholefamily.reporting.services import build_board_pack
    from wholefamily.reporting.tests.conftest import QUARTER, build_county

    county = build_county(_make_team, _make_staff)
    for user in (county.programme_manager, county.commissioner):
        user.set_password(PASSWORD)
        user.save()
    _sign_in(page, live_server, county.programme_manager.username)
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    _assert_accessible(page, "reports")

    page.goto(f"{live_server.url}/reports/report-card/pathway/?quarter={QUARTER.code}")
    expect(page.get_by_role("heading", name="Families starting")).to_be_visible()
    expect(page.get_by_role("img", name="Column chart: Families starting by quarter")).to_be_visible()
    expect(page.get_by_role("table", name="Families starting by quarter")).to_contain_text("14")
    page.get_by_label("District").select_option("Southvale")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_text("Showing only families with: district Southvale.")).to_be_visible()
    _assert_accessible(page, "pathway card")
    screenshot("reporting-pathway-card")

    page.goto(f"{live_server.url}/reports/report-card/key-worker/?quarter={QUARTER.code}")
    expect(page.get_by_role("heading", name="Families with a key worker", exact=True)).to_be_visible()
    _assert_accessible(page, "key worker card")

    page.goto(f"{live_server.url}/reports/monitoring/?quarter={QUARTER.code}")
    expect(page.get_by_role("table", name="How much do you do?")).to_contain_text("Referrals received")
    _assert_accessible(page, "monitoring")

    expect(
        page.get_by_role("heading", name="Indirect impact: the programme's families against the county")
    ).to_be_visible()

    page.goto(f"{live_server.url}/reports/service-review/?quarter={QUARTER.code}")
    expect(page.get_by_role("img", name="Column chart: referrals received by quarter")).to_be_visible()
    page.get_by_role("link", name="Write the review").click()
    page.get_by_label("Progress against aims").fill("Fourteen families started; eight finished.")
    page.get_by_label("What works").fill("Joint visits with the school nurse.")
    page.get_by_label("Difficulties").fill("x" * 5001)
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page, "write the service review, with an error")
    page.get_by_label("Difficulties").fill("Waits for housing.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("Joint visits with the school nurse.")).to_be_visible()
    expect(page.get_by_text("Version 1,")).to_be_visible()
    _assert_accessible(page, "service review")
    screenshot("reporting-service-review")

    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Board packs: a quarter's figures as a board paper and a workbook").click()
    page.get_by_role("link", name="Build a board pack").click()
    expect(page.get_by_label("Quarter")).to_be_visible()
    _assert_accessible(page, "build a board pack")
    pack = build_board_pack(quarter=QUARTER, by=county.programme_manager)  # what the background job runs

    # A return to government: built as a job, its columns read on the page, its file downloaded.
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Extracts: the family-level progress and outcomes returns of each programme").click()
    page.get_by_role("link", name="Build an extract").click()
    page.get_by_role("button", name="Build the extract").click()
    expect(page.get_by_role("link", name="Choose the extract to build")).to_be_visible()
    _assert_accessible(page, "build an extract, with an error")
    page.get_by_label("Family outcomes return, Supporting Families programme 2022 (version 1)").check()
    page.get_by_role("button", name="Build the extract").click()
    page.wait_for_url("**/jobs/**")
    job = Job.objects.get(kind="build_extract")
    build_work(str(job.pk), "supporting-families-2022-family-outcomes", county.programme_manager.pk, NullProgress())
    page.goto(f"{live_server.url}/extracts/")
    page.get_by_role("link", name="Family outcomes return, Supporting Families programme 2022").click()
    expect(page.get_by_role("table", name="Columns")).to_contain_text("need_financial_stability")
    _assert_accessible(page, "extract")
    screenshot("extract")
    href = page.get_by_role("link", name="Download the extract (CSV, 14 families)").get_attribute("href")
    extract = page.request.get(f"{live_server.url}{href}")
    assert extract.ok and extract.headers["content-type"].startswith("text/csv")
    assert extract.body().decode().count("\r\n") == 15  # the header and 14 families

    page.context.clear_cookies()
    _sign_in(page, live_server, county.commissioner.username)
    page.goto(f"{live_server.url}/reports/board-packs/")
    page.get_by_role("link", name=QUARTER.label).click()
    expect(page.get_by_role("heading", name=QUARTER.label)).to_be_visible()
    _assert_accessible(page, "board pack")
    screenshot("reporting-board-pack")

    pdf_href = page.get_by_role("link", name="Open the board paper (PDF)").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body == bytes(pack.pdf)  # reopened as it was sent
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    pages = _page_count(body)
    assert pages >= 8

    xlsx_href = page.get_by_role("link", name="Download the figures (XLSX workbook)").get_attribute("href")
    workbook = page.request.get(f"{live_server.url}{xlsx_href}")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook.body()))
    assert book.sheetnames[0] == "Contents" and "Notes on method" in book.sheetnames
    assert {"Service review", "Indirect impact"} <= set(book.sheetnames)
    review = [row[:2] for row in book["Service review"].iter_rows(values_only=True)]
    assert ("What works", "Joint visits with the school nurse.") in review  # the text the pack was built with

    _check_pdf_pages(page, f"{live_server.url}{pdf_href}", pages, screenshot)


def test_a_team_manager_audits_a_sampled_case_file(live_server: Any, page: Any, screenshot: Any) -> None:
    from wholefamily.governance.models import Team
    from wholefamily.reporting.models import CaseAudit
    from wholefamily.reporting.tests.conftest import QUARTER, build_county

    county = build_county(_make_team, _make_staff)
    manager = _make_staff("tm.north", Role.TEAM_MANAGER, team=Team.objects.get(name="North team"))
    _sign_in(page, live_server, manager.username)
    page.get_by_role("link", name="Case file audits").first.click()
    expect(page.get_by_role("heading", name="Case file audits", level=1)).to_be_visible()
    page.get_by_label("Quarter").select_option(QUARTER.code)
    page.get_by_role("button", name="Show the sample").click()
    expect(page.get_by_role("table", name=f"The sample for {QUARTER.label}")).to_be_visible()
    _assert_accessible(page, "case file audit sample")
    screenshot("reporting-case-audit-sample")

    page.get_by_role("link", name=re.compile(r"^Audit the case file of")).first.click()
    expect(page.get_by_role("heading", name="Audit the case file")).to_be_visible()
    page.get_by_label("Engaged well throughout").check()
    page.get_by_label("No - the family did not get the support it needed").check()
    page.get_by_role("button", name="Save the audit").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose an answer to: Were the solutions focused on outcomes for the family?")
    expect(summary).to_contain_text("Describe the gaps in multi-agency support")
    _assert_accessible(page, "case file audit with errors")
    screenshot("reporting-case-audit-errors")
    summary.get_by_role("link", name="Describe the gaps in multi-agency support").click()
    expect(page.get_by_label("Gaps in multi-agency support")).to_be_focused()
    page.get_by_label("Gaps in multi-agency support").fill("No housing officer came to the meetings")
    page.get_by_role("radio", name="Partly", exact=True).check()
    page.get_by_role("button", name="Save the audit").click()
    expect(page.get_by_text("Audited", exact=True).first).to_be_visible()
    assert CaseAudit.objects.count() == 1

    county.programme_manager.set_password(PASSWORD)
    county.programme_manager.save()
    page.context.clear_cookies()
    _sign_in(page, live_server, county.programme_manager.username)
    page.goto(f"{live_server.url}/reports/report-card/pathway/?quarter={QUARTER.code}")
    expect(page.get_by_role("heading", name="Case file audits")).to_be_visible()
    expect(page.get_by_role("table", name="How well did the family engage with the work?")).to_contain_text(
        "fewer than 5"
    )
    assert "No housing officer" not in page.content()
    _assert_accessible(page, "pathway card with case file audits")


def test_a_family_member_answers_a_feedback_link_without_an_account(
    live_server: Any, page: Any, screenshot: Any
) -> None:
    from wholefamily.reporting.models import FeedbackRequest
    from wholefamily.reporting.tests.conftest import build_county

    county = build_county(_make_team, _make_staff)
    county.key_worker.set_password(PASSWORD)
    county.key_worker.save()
    case = county.cases[0]
    _sign_in(page, live_server, county.key_worker.username)
    from wholefamily.cases.lookups import section_url

    page.goto(live_server.url + section_url(case, "reviews"))
    page.get_by_role("link", name="Ask the family or a partner for feedback").click()
    expect(page.get_by_role("heading", name="Ask for feedback")).to_be_visible()
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who the link is for")
    _assert_accessible(page, "feedback link with errors")
    page.get_by_label("A family member").check()
    page.get_by_label("When the case closed").check()
    page.get_by_label("Their first name").fill("Ottilie")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Feedback link made")).to_be_visible()
    _assert_accessible(page, "feedback link made")
    link = page.locator("#feedback-link").inner_text().strip()

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Tell us about the support you had")).to_be_visible()
    expect(page.get_by_text("Hello Ottilie.")).to_be_visible()
    assert case.family_name not in page.content() and case.reference not in page.content()
    _assert_accessible(page, "feedback questionnaire")
    page.get_by_label("Very satisfied").check()
    page.get_by_role("button", name="Send your answers").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose an answer to: How much has the support helped?")
    _assert_accessible(page, "feedback questionnaire with errors")
    screenshot("reporting-feedback-errors")
    page.get_by_label("A lot").check()
    page.get_by_label("Better").check()
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    _assert_accessible(page, "feedback sent")
    assert FeedbackRequest.objects.get().answers == {"satisfaction": "very", "value": "a_lot", "progress": "better"}
    assert page.goto(link).status == 404
