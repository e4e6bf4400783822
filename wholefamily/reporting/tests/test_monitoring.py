"""Service monitoring recomputed by another route: direct ORM counts of the referrals and cases agree."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import pytest
from django.db.models import Q
from django.urls import reverse

from wholefamily.cases.models import Allocation, Case, Goal, Referral
from wholefamily.reporting import selectors
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db
SPAN = (QUARTER.starts_on, QUARTER.ends_on)


def _current(report: selectors.Monitoring) -> dict[str, str]:
    return {row.code: row.values[-1].text for row in report.rows}


def test_a_sample_of_indicators_agrees_with_direct_counts(county: Any) -> None:
    report = selectors.monitoring(for_user=county.commissioner, quarter=QUARTER)
    figures = _current(report)
    received = Referral.objects.filter(received_on__range=SPAN)
    decided = Referral.objects.filter(decided_at__date__range=SPAN).exclude(decision="")
    waits = [(r.decided_at.date() - r.received_on).days for r in decided]
    finished_goals = Goal.objects.filter(plan__case__closed_on__range=SPAN)
    expected = {
        "referrals": str(received.count()),
        "allocated": str(Allocation.objects.filter(allocated_at__date__range=SPAN).count()),
        "closed": str(Case.objects.filter(closed_on__range=SPAN).count()),
        "inappropriate": str(decided.filter(~Q(decision="accept")).count()),
        "response_days": f"{statistics.median(waits):g} days",
        "goals_achieved": f"{100 * finished_goals.filter(is_achieved=True).count() / finished_goals.count():.0f}%",
    }
    assert {code: figures[code] for code in expected} == expected


def test_breakdowns_are_suppressed_with_their_totals(county: Any) -> None:
    report = selectors.monitoring(for_user=county.programme_manager, quarter=QUARTER)
    by_area = next(t for t in report.breakdowns if "by area" in t.caption)
    assert by_area.table.grand_total is not None
    assert by_area.table.grand_total.count == Referral.objects.filter(received_on__range=SPAN).count()
    for table in report.breakdowns:
        cells = [cell for row in table.table.rows for cell in row]
        assert all(cell.is_hidden for cell in cells if 0 < cell.count < 5), table.caption
    destinations = next(t for t in report.breakdowns if "destination" in t.caption)
    assert "Disengaged" in destinations.rows


def test_the_monitoring_page_shows_figures_and_says_what_is_not_recorded(county: Any, client: Any) -> None:
    client.force_login(county.commissioner)
    response = client.get(reverse("reporting:monitoring"), {"quarter": QUARTER.code})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Unit cost per hour of service" in content
    assert "Worried" not in content and "Referred family" not in content
    assert "Indirect impact: the programme's families against the county" in content
    assert "No records have been linked yet" in content  # the test county has no linked data: said, not zeros
    client.force_login(county.key_worker)
    assert client.get(reverse("reporting:monitoring")).status_code == 403


def test_an_undecided_referral_is_counted_apart(county: Any) -> None:
    assert dt.date.today() > QUARTER.ends_on
    report = selectors.monitoring(for_user=county.programme_manager, quarter=QUARTER)
    by_area = next(t for t in report.breakdowns if "by area" in t.caption)
    assert by_area.columns[-1] == "Not yet decided"
