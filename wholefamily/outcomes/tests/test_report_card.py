"""The "Is anyone better off?" report card (Commissioning for Families with Complex Needs, Appendix E): the grouping
rules, the aggregates with small groups not shown, the bar chart, and the page with its access rules."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from wholefamily.domain.outcomes import bars, report
from wholefamily.domain.outcomes.distance import FAMILY
from wholefamily.domain.outcomes.report import FamilyFacts, PlanResult

DEFINITION = Path(__file__).resolve().parents[3] / "definitions" / "distance-travelled" / "report-card.yaml"


@pytest.fixture(scope="module")
def card():
    return report.load_report_card(DEFINITION)


@pytest.mark.parametrize(
    ("mean", "tier"),
    [
        (None, "Not scored"),
        (1.0, "Low tier 2"),
        (2.5, "Low tier 2"),
        (2.51, "Tier 2-3"),
        (3.5, "Tier 2-3"),
        (3.6, "Tier 3"),
    ],
)
def test_tier_from_the_baseline_mean(card, mean, tier):
    assert card.tier(mean) == tier


@pytest.mark.parametrize(
    ("born_on", "group"),
    [
        (dt.date(2020, 1, 2), "Youngest child under 5"),  # 4 on 1 January 2025
        (dt.date(2020, 1, 1), "Youngest child 5 to 10"),  # 5 that day
        (dt.date(2009, 1, 2), "Youngest child 11 to 15"),
        (dt.date(2007, 1, 2), "Youngest child 16 or 17"),  # 17, a day short of 18
        (dt.date(2007, 1, 1), "No child recorded"),  # 18 that day: not a child
        (None, "No child recorded"),
    ],
)
def test_age_group_of_the_youngest_child(card, born_on, group):
    assert card.age_group(born_on, dt.date(2025, 1, 1)) == group


@pytest.mark.parametrize(
    ("closed", "disengaged", "goals", "expected"),
    [
        (False, False, [True, True], PlanResult.OPEN),
        (True, True, [True, True], PlanResult.DROPPED_OUT),
        (True, False, [True, True], PlanResult.WHOLLY),
        (True, False, [True, False], PlanResult.PARTIALLY),
        (True, False, [False], PlanResult.NOT_ACHIEVED),
        (True, False, [], PlanResult.NOT_ACHIEVED),
    ],
)
def test_plan_results(closed, disengaged, goals, expected):
    assert report.plan_result(is_closed=closed, is_disengaged=disengaged, goals_achieved=goals) is expected


def test_family_distance_uses_items_scored_at_both_times():
    baseline = {(FAMILY, "housing"): 4, (FAMILY, "income"): 3, ("7", "aspirations"): 5}
    latest = {(FAMILY, "housing"): 2, ("7", "aspirations"): 5, ("7", "general_health"): 1}
    assert report.family_distance(baseline, latest) == 1.0  # (2 + 0) / 2
    assert report.family_distance(baseline, {}) is None


def test_aggregate_hides_averages_of_small_groups():
    facts = [FamilyFacts("Tier 3", "a", "North", "Family worker", 1.0, PlanResult.WHOLLY)] * 5
    facts += [FamilyFacts("Tier 3", "a", "South", "Family worker", -1.0, PlanResult.DROPPED_OUT)] * 4
    facts += [FamilyFacts("Tier 3", "a", "South", "Family worker", None, PlanResult.OPEN)]
    rows = {row.group: row for row in report.aggregate(facts, "district", smallest_group=5)}
    assert (rows["North"].families, rows["North"].reviewed, rows["North"].mean_distance) == (5, 5, 1.0)
    assert rows["North"].less_need == 5 and rows["North"].plans[PlanResult.WHOLLY] == 5
    assert rows["South"].mean_distance is None and rows["South"].is_suppressed and rows["South"].reviewed == 4
    assert rows["South"].plans[PlanResult.DROPPED_OUT] == 4 and rows["South"].plans[PlanResult.OPEN] == 1
    whole = report.aggregate(facts, "tier", smallest_group=5)
    assert len(whole) == 1 and whole[0].mean_distance == pytest.approx(1 / 9)


def test_bar_chart_spans_zero_and_negative_values():
    chart = bars.bar_chart([("North", 1.5), ("South", -0.5)], width=400, label_width=100)
    north, south = chart.bars
    assert south.x < chart.zero_x == pytest.approx(north.x)
    assert south.x + south.width == pytest.approx(chart.zero_x)
    assert north.width > south.width > 0
    assert chart.ticks[0].text == "-0.5" and chart.ticks[-1].value >= 1.5
    assert (north.text, south.text, south.text_anchor) == ("+1.50", "-0.50", "end")


# --- the page -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_card_page(client, new_family, worker, manager, make_staff):
    from wholefamily.cases import services as case_services
    from wholefamily.cases.tests.builders import TODAY
    from wholefamily.domain.pathway import Destination, Stage
    from wholefamily.domain.roles import Role
    from wholefamily.governance.models import AuditEvent
    from wholefamily.outcomes import services

    for number in range(6):
        case = new_family(Stage.PLAN_ACTIVE, worker=worker, name=f"the Family {number}")
        services.record_distance_travelled(
            case=case, assessed_on=TODAY, assessor="key_worker", scores={(FAMILY, "housing"): 4}, by=worker
        )
        services.record_distance_travelled(
            case=case,
            assessed_on=TODAY + timedelta(days=30),
            assessor="key_worker",
            scores={(FAMILY, "housing"): 2 if number < 5 else 5},
            by=worker,
        )
        if number == 5:
            case_services.close_case(
                case=case, destination=Destination.DISENGAGED, reason="Stopped", closed_on=TODAY, by=manager
            )
    client.force_login(manager)
    page = client.get(reverse("outcomes:report"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Families counted: <strong>6</strong>" in html
    assert 'role="img"' in html and "<rect" in html  # the chart, with its table
    assert "Tier 3" in html and "Northmoor" in html and "Youngest child 11 to 15" in html
    assert "1.50" in html  # (5 x 2 + 1 x -1) / 6
    assert AuditEvent.objects.filter(object_type="outcomes.report_card").exists()

    commissioner = make_staff("chris.commissioner", Role.COMMISSIONER)
    client.force_login(commissioner)
    assert client.get(reverse("outcomes:report")).status_code == 200  # figures only, no personal records
    client.force_login(worker)
    assert client.get(reverse("outcomes:report")).status_code == 403
