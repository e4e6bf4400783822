"""The case pathway in Chromium: a team manager allocates a family; the key worker records an assessment, a plan,
a goal (marked achieved) and a review; the manager sees the district progress table change. Every page passes an
axe-core check."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}


def _make_team_and_family() -> dict[str, Any]:
    """A team with a manager and a key worker, and one family waiting for allocation. Groups are made here:
    a transactional test starts from an emptied database, without the role groups the migrations create."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.cases import services
    from wholefamily.domain.pathway import MemberRole, Stage
    from wholefamily.governance.models import StaffProfile, Team

    team = Team.objects.create(name="Northmoor Family Support", district="Northmoor", caseload_limit=6)
    users = {}
    for username, first, last, role in (
        ("maria.manager", "Maria", "Manager", Role.TEAM_MANAGER),
        ("kim.worker", "Kim", "Worker", Role.KEY_WORKER),
    ):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        StaffProfile.objects.create(user=user, team=team, job_title=role.label)
        users[role] = user
    case = services.open_case_from_cohort(
        team=team,
        household_id="H-BROWSER-1",
        family_name="the Ashdown family",
        members=[
            services.MemberDetails("Alex Ashdown", MemberRole.PARENTING_ADULT, "P-100"),
            services.MemberDetails("Sam Ashdown", MemberRole.CHILD, "P-101"),
        ],
        evidence_summary="Identified: school attendance and youth crime.",
        by=users[Role.TEAM_MANAGER],
    )
    for stage in (Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION):
        case = services.move_case(case=case, to=stage, by=users[Role.TEAM_MANAGER])
    return {"case": case}


def _fill_date(page: Any, legend: str, day: date | None) -> None:
    """A GOV.UK date input: three boxes in a group named by its legend (None empties them)."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day) if day else "")
    group.get_by_label("Month").fill(str(day.month) if day else "")
    group.get_by_label("Year").fill(str(day.year) if day else "")


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _sign_out(page: Any, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/sign-in/")


def _with_plan_in(page: Any, district: str) -> str:
    row = page.locator("#progress-table tbody tr", has=page.get_by_role("rowheader", name=district))
    return str(row.locator("td").first.inner_text()).strip()


def test_allocate_assess_plan_review_and_progress(live_server, page, screenshot):
    _make_team_and_family()
    base = live_server.url
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    # The team manager: progress before, the team's caseload, then allocation.
    _sign_in(page, base, "maria.manager")
    page.goto(f"{base}/families/progress/")
    expect(page.get_by_role("heading", name="Progress by district")).to_be_visible()
    assert _with_plan_in(page, "Northmoor") == "0"
    _assert_accessible(page)
    screenshot("cases-progress-before")

    page.goto(f"{base}/families/team/")
    expect(page.get_by_role("heading", name="Team caseload and allocation")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Kim Worker")).to_be_visible()
    _assert_accessible(page)
    screenshot("cases-team")
    page.get_by_role("link", name="Allocate the Ashdown family").click()
    expect(page.get_by_role("heading", name="Allocate a key worker")).to_be_visible()
    page.get_by_role("button", name="Allocate").click()  # nobody chosen: an error, not a 500
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    _assert_accessible(page)
    page.get_by_label("Kim Worker: 0 of 6 families").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("The family has been allocated.")).to_be_visible()
    expect(page.get_by_role("heading", name="the Ashdown family")).to_be_visible()
    _assert_accessible(page)
    screenshot("cases-family-allocated")
    _sign_out(page, base)

    # The key worker: caseload, assessment, plan, review.
    _sign_in(page, base, "kim.worker")
    page.get_by_role("link", name="Families", exact=True).click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("link", name="the Ashdown family").click()
    page.get_by_role("link", name="Record an assessment").click()
    expect(page.get_by_role("heading", name="Record a whole-family assessment")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Strengths and needs").fill("Warm relationships; school attendance is the main worry.")
    selects = page.locator("select[name^='score_']")
    for index in range(selects.count()):
        selects.nth(index).select_option("3")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("The assessment has been saved.")).to_be_visible()

    page.get_by_role("link", name="Agree the family plan").click()
    expect(page.get_by_role("heading", name="Agree the family plan")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("What the family wants to change").fill("Sam goes to school every day; no more arrests.")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("The family plan has been saved.")).to_be_visible()
    expect(page.get_by_text("Sam goes to school every day; no more arrests.")).to_be_visible()
    _assert_accessible(page)
    screenshot("cases-family-plan")

    # A goal, then marked achieved: a mistake first (no date), then the tag on the plan.
    page.get_by_role("link", name="Add a goal").click()
    expect(page.get_by_role("heading", name="Add a goal to the plan")).to_be_visible()
    page.get_by_label("Goal", exact=True).fill("Sam attends school every day")
    page.get_by_label("Actions").fill("Morning routine; school pick-up by the youth worker.")
    page.get_by_label("Agency responsible").fill("Ashdown Primary")
    _fill_date(page, "Due date", date(2030, 1, 1))
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("The goal has been added to the plan.")).to_be_visible()
    page.get_by_role("link", name="Mark achieved (goal: Sam attends school every day)").click()
    expect(page.get_by_role("heading", name="Mark a goal achieved")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Achieved", exact=True).check()
    _fill_date(page, "Date achieved", None)
    page.get_by_label("Note").fill("Full attendance for six weeks.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the date the goal was achieved")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    _assert_accessible(page)
    _fill_date(page, "Date achieved", date.today())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The goal has been updated.")).to_be_visible()
    goal_row = page.get_by_role("row", name=re.compile("Sam attends school every day"))
    expect(goal_row.locator(".govuk-tag")).to_have_text("Achieved")
    expect(goal_row).to_contain_text(date.today().strftime("%-d %B %Y"))
    expect(goal_row).to_contain_text("Full attendance for six weeks.")
    _assert_accessible(page)
    screenshot("cases-family-goal-achieved")

    page.get_by_role("link", name="Record a review").click()
    expect(page.get_by_role("heading", name="Record a review")).to_be_visible()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Progress against the plan").fill("Attendance up to 92%.")
    page.get_by_label("Continue the plan").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The review has been saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="Attendance up to 92%.")).to_be_visible()
    _assert_accessible(page)
    screenshot("cases-family-reviewed")
    _sign_out(page, base)

    # The manager sees the district's progress change.
    _sign_in(page, base, "maria.manager")
    page.goto(f"{base}/families/progress/")
    assert _with_plan_in(page, "Northmoor") == "1"
    _assert_accessible(page)
    screenshot("cases-progress-after")
    page.goto(f"{base}/families/reviews/")
    expect(page.get_by_role("heading", name="Reviews due")).to_be_visible()
    _assert_accessible(page)

    assert [text for text in console_errors if not text.startswith("Failed to load resource")] == []
