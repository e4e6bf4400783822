"""A commissioner reads the impact page (effects, balance, trend charts with tables) and the cost-benefit page (bars
with tables, exports) in Chromium; both pass an axe-core check (no serious or critical violation).

The stored runs are made directly (their computation is tested in wholefamily/impact/tests)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_PASSWORD
from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = {"serious", "critical"}


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()


def _runs() -> None:
    from wholefamily.impact.models import ImpactEffect, ImpactRun, SavingsRun

    run = ImpactRun.objects.create(
        outcomes_definition="impact-outcomes@1", snapshot="/tmp/s", worked_with=130, pool=300, matched=128,
        unmatched=2, comparison_used=180, started_at=timezone.now(),
        balance=[{"feature": "members", "treated_mean": 4.1, "pool_mean": 4.3, "matched_mean": 4.1, "before": -0.12,
                  "after": 0.01}],
        trends={"domestic_abuse": [[-3, 0.44, 0.45], [-2, 0.44, 0.45], [-1, 0.44, 0.46], [0, 0.40, 0.44],
                                   [1, 0.30, 0.43], [2, 0.25, 0.40], [3, 0.22, 0.38]]},
    )  # fmt: skip
    ImpactEffect.objects.create(
        run=run, outcome="domestic_abuse", label="Domestic abuse incident involving a member aged 16 or over",
        estimate=-0.134, low=-0.208, high=-0.060, p_value=0.001, treated_before=0.44, treated_after=0.25,
        comparison_before=0.45, comparison_after=0.40, pre_trend=0.015, pre_trend_low=-0.02, pre_trend_high=0.05,
    )  # fmt: skip
    SavingsRun.objects.create(
        unit_costs="starter-unit-costs@1", price_base_year=2024, snapshot="/tmp/s", families=13, total_before=600000,
        total_after=380000, by_type={"fiscal": 106000, "economic": 64000, "social": 50000},
        by_agency=[{"agency": "Police", "cost_before": 91000, "cost_after": 58000, "saving": 33000},
                   {"agency": "Children's social care", "cost_before": 14000, "cost_after": 7000, "saving": 7000}],
        by_problem=[{"problem": "crime", "cost_before": 91000, "cost_after": 58000, "saving": 33000}],
        by_cost=[{"cost": "offence", "label": "An offence dealt with by the police", "agency": "Police",
                  "type": "fiscal", "unit": "event", "unit_cost": 3086.0, "source": "Unit cost database (unverified)",
                  "verified": False, "before": 30, "after": 19, "cost_before": 91000, "cost_after": 58000}],
        programme_cost=52000, optimism_bias=0.4, unverified=["offence", "deflator"], sample_share=0.1,
        programme_cost_from="budget", budget_lines=41, potential_method="starter-potential-savings@1",
        potential=[{"risk": "care", "label": "A child taken into care", "families_at_risk": 6, "probability": 0.1,
                    "averted": 0.25, "events_averted": 0.15, "quantity": 52, "unit": "week", "unit_cost": 4500.0,
                    "type": "fiscal", "agency": "Children's social care", "saving": 35100.0,
                    "assumption": "Illustrative (unverified)", "verified": False}],
        started_at=timezone.now(),
    )  # fmt: skip


def test_commissioner_reads_impact_and_cost_benefit(live_server, page, sign_in, screenshot):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username="carol.commissioner", password=BROWSER_PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=Role.COMMISSIONER.value)[0])
    StaffProfile.objects.create(user=user, job_title="Commissioner")
    _runs()
    sign_in("carol.commissioner")
    page.goto(f"{live_server.url}/impact/")
    expect(page.get_by_role("heading", name="Impact against comparison families")).to_be_visible()
    expect(page.get_by_role("table", name="Effect on the worked-with families")).to_contain_text("-0.134")
    expect(page.get_by_text("parallel trends")).to_be_visible()
    _assert_accessible(page)
    screenshot("impact")
    page.goto(f"{live_server.url}/impact/savings/")
    expect(page.get_by_role("heading", name="Cost savings and cost-benefit")).to_be_visible()
    expect(page.get_by_role("table", name="Cost-benefit")).to_contain_text("Net benefit")
    expect(page.get_by_text("Some unit costs are unverified")).to_be_visible()
    expect(page.get_by_role("table", name="Cost-benefit")).to_contain_text("from the budget lines")
    potential = page.get_by_role("table", name="Potential savings, by the stated method")
    expect(potential).to_contain_text("A child taken into care")
    expect(potential).to_contain_text("£35,100")
    _assert_accessible(page)
    screenshot("cost-benefit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the cost-benefit workbook (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_data_analyst_imports_unit_costs_and_starts_the_runs(live_server, page, sign_in, screenshot, tmp_path):
    """The unit costs page (a refused file's lines and reasons, then a kept set), and the two run forms; axe-clean."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile
    from wholefamily.jobs.models import Job

    user = get_user_model().objects.create_user(username="dana.analyst", password=BROWSER_PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=Role.DATA_ANALYST.value)[0])
    StaffProfile.objects.create(user=user, job_title="Data analyst")
    _runs()
    sign_in("dana.analyst")
    page.goto(f"{live_server.url}/impact/savings/")
    page.get_by_role("link", name="Unit costs").click()
    expect(page.get_by_role("heading", name="Unit costs", level=1)).to_be_visible()
    _assert_accessible(page)

    bad = tmp_path / "costs.csv"
    bad.write_text("code,label,colour\nx,y,z\n", encoding="utf-8")
    page.get_by_label("Name of the set").fill("council-costs")
    page.get_by_label("Price base year").fill("2024")
    deflator = tmp_path / "deflator.csv"
    deflator.write_text("year,index\n2024,100\n", encoding="utf-8")
    page.get_by_label("Unit costs (XLSX, or CSV)").set_input_files(str(bad))
    page.get_by_label("Deflator (CSV, only with CSV unit costs)").set_input_files(str(deflator))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Why the file was refused")).to_be_visible()
    expect(page.get_by_text("unknown columns colour")).to_be_visible()
    _assert_accessible(page)
    screenshot("unit-costs-refused")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the starter set as a workbook to fill in (XLSX)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    page.get_by_label("Name of the set").fill("council-costs")
    page.get_by_label("Price base year").fill("2024")
    page.get_by_label("Unit costs (XLSX, or CSV)").set_input_files(str(template))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="council-costs, version 1")).to_be_visible()
    expect(page.get_by_role("table", name="The costs")).to_contain_text("An offence dealt with by the police")
    _assert_accessible(page)
    screenshot("unit-cost-set")

    page.goto(f"{live_server.url}/impact/savings/")
    page.get_by_role("link", name="Cost the savings again").click()
    expect(page.get_by_role("heading", name="Cost the savings")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("A reproducible sample").check()
    page.get_by_label("Optimism bias, per cent").fill("")
    page.get_by_role("button", name="Cost the savings").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("Optimism bias, per cent").fill("40")
    page.get_by_label("Unit costs").select_option(label="council-costs, version 1")
    page.get_by_role("button", name="Cost the savings").click()
    page.wait_for_url("**/jobs/**")
    assert Job.objects.get(kind="run_savings").title == "Cost the savings of a 10% sample"

    page.goto(f"{live_server.url}/impact/")
    page.get_by_role("link", name="Analyse the impact again").click()
    expect(page.get_by_role("heading", name="Analyse the impact")).to_be_visible()
    _assert_accessible(page)
    page.get_by_role("button", name="Analyse the impact").click()
    page.wait_for_url("**/jobs/**")
    assert Job.objects.filter(kind="run_impact").exists()
