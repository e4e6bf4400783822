"""A key worker records a family's baseline and two reviews of distance travelled and sees the radar chart; the
pages pass an axe-core accessibility check."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from wholefamily.domain.pathway import MemberRole, Stage
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}
# The family profile at B, R1, R2: housing rises at R1 (more need found), then falls.
ITEMS = (
    "Housing",
    "Income, employment and finance",
    "Family history, relationships and wellbeing",
    "Social and community links and supports",
)
SCORES = [
    dict(zip(ITEMS, ("3", "4", "3", "2"), strict=True)),
    dict(zip(ITEMS, ("4", "3", "3", "2"), strict=True)),
    dict(zip(ITEMS, ("2", "2", "2", "1"), strict=True)),
]


def _make_family() -> Any:
    """A team, its manager and a key worker, and a family with an agreed plan allocated to the key worker."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.cases import services
    from wholefamily.governance.models import StaffProfile, Team

    team = Team.objects.create(name="Northmoor Family Support", district="Northmoor")

    def staff(username: str, role: Role, first: str, last: str) -> Any:
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        StaffProfile.objects.create(user=user, team=team, job_title="Family practitioner")
        return user

    manager = staff("maria.manager", Role.TEAM_MANAGER, "Maria", "Manager")
    worker = staff("kim.worker", Role.KEY_WORKER, "Kim", "Worker")
    case = services.open_case_from_cohort(
        team=team,
        household_id="",
        family_name="the Browser family",
        members=[
            services.MemberDetails("Pat Browser", MemberRole.PARENTING_ADULT, "P-1", date(1985, 4, 2)),
            services.MemberDetails("Jo Browser", MemberRole.CHILD, "P-2", date(2014, 9, 1)),
        ],
        evidence_summary="Education and crime.",
        by=manager,
    )
    for step in (Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION):
        case = services.move_case(case=case, to=step, by=manager)
    services.allocate_case(case=case, worker=worker, by=manager)
    case.refresh_from_db()
    return case


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def test_key_worker_records_baseline_and_two_reviews_and_sees_the_radar_chart(live_server, page, screenshot):
    case = _make_family()
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("kim.worker")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/families/{case.pk}/")
    page.get_by_role("link", name="Distance travelled").click()
    expect(page.get_by_role("heading", name="Distance travelled", level=1)).to_be_visible()
    expect(page.get_by_text("No scores have been recorded for this family yet.")).to_be_visible()
    _assert_accessible(page)

    for number, scores in enumerate(SCORES):
        page.get_by_role("link", name="Record scores").click()
        expect(page.get_by_role("heading", name="Record distance travelled scores")).to_be_visible()
        if number == 0:
            _assert_accessible(page)
            screenshot("distance-travelled-form")
        for label, value in scores.items():
            page.get_by_label(label, exact=True).select_option(value)
        page.get_by_label("Aspirations (Jo Browser)").select_option(str(4 - number))
        page.get_by_role("button", name="Save the scores").click()
        label = ["baseline", "review 1", "review 2"][number]
        expect(page.get_by_text(f"The {label} scores have been saved.")).to_be_visible()

    chart = page.get_by_role("img", name="Radar chart: The whole family, scores at each time point")
    expect(chart).to_be_visible()
    expect(chart.locator("polygon[fill-opacity]")).to_have_count(3)  # one closed shape per time point
    expect(page.get_by_role("img", name="Radar chart: Jo Browser, scores at each time point")).to_be_visible()
    table = page.get_by_role(
        "table", name="The whole family: scores at each time point (1 none to 5 critical or complex)"
    )
    expect(table.get_by_role("row", name="Housing")).to_contain_text("More need found")
    expect(table.get_by_role("row", name="Housing")).to_contain_text("Down 1")
    expect(page.get_by_text("Some scores went up at the first review").first).to_be_visible()
    _assert_accessible(page)
    screenshot("distance-travelled")
    assert [text for text in console_errors if not text.startswith("Failed to load resource")] == []


def test_manager_reads_the_report_card_and_a_familys_outcomes_page(live_server, page, screenshot):
    """The 'Is anyone better off?' report card (bar chart and tables) and a family's outcomes page before any
    measurement are accessible."""
    from datetime import timedelta

    from django.utils import timezone

    from wholefamily.domain.outcomes.distance import FAMILY
    from wholefamily.outcomes import services

    case = _make_family()
    worker = case.key_worker
    today = timezone.localdate()
    for number in range(2):
        services.record_distance_travelled(
            case=case,
            assessed_on=today + timedelta(days=number),
            assessor="key_worker",
            scores={(FAMILY, "housing"): 4 - number},
            by=worker,
        )
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("maria.manager")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Is anyone better off?")).to_be_visible()
    expect(page.get_by_role("table", name="Distance travelled by district")).to_contain_text("Northmoor")
    _assert_accessible(page)
    screenshot("report-card")

    page.goto(f"{live_server.url}/outcomes/families/{case.pk}/")
    expect(page.get_by_text("This family has not been measured yet.")).to_be_visible()
    _assert_accessible(page)
