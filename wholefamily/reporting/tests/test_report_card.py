"""The report cards recompute by another route: a sample of figures counted straight from the records with the ORM
agrees with the card; small numbers are hidden; only programme managers and commissioners read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.urls import reverse

from wholefamily.cases.models import Allocation, Assessment, Case, Review, TafMeeting
from wholefamily.reporting import selectors
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db
SPAN = (QUARTER.starts_on, QUARTER.ends_on)


def _figures(card: selectors.ReportCard) -> dict[str, selectors.MeasureView]:
    return {m.code: m for section in card.sections for m in section.measures}


def test_a_sample_of_pathway_figures_agrees_with_direct_counts(county: Any) -> None:
    card = selectors.report_card(for_user=county.programme_manager, element="pathway", quarter=QUARTER)
    figures = _figures(card)
    open_in_quarter = Case.objects.filter(opened_on__lte=SPAN[1]).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=SPAN[0])
    )
    reviews = Review.objects.filter(held_on__range=SPAN)
    expected = {
        "families_worked_with": str(open_in_quarter.count()),
        "families_started": str(Case.objects.filter(opened_on__range=SPAN).count()),
        "families_closed": str(Case.objects.filter(closed_on__range=SPAN).count()),
        "assessments": str(Assessment.objects.filter(assessed_on__range=SPAN).count()),
        "taf_meetings": str(TafMeeting.objects.filter(held_on__range=SPAN).count()),
        "reviews_on_time": f"{100 * reviews.filter(held_on__lte=F('due_on')).count() / reviews.count():.0f}%",
    }
    assert {code: figures[code].current.text for code in expected} == expected
    assert figures["families_started"].current.text == "14"
    # Two families dropped out: a count of 1 to 4 is hidden.
    dropped = Case.objects.filter(closed_on__range=SPAN, closure_destination="disengaged").count()
    assert dropped == 2
    assert figures["dropped_out"].current.text == "fewer than 5"
    assert figures["dropped_out"].current.is_hidden


def test_key_worker_figures_agree_with_direct_counts(county: Any) -> None:
    card = selectors.report_card(for_user=county.commissioner, element="key_worker", quarter=QUARTER)
    figures = _figures(card)
    with_worker = (
        Allocation.objects.filter(allocated_at__date__lte=SPAN[1])
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=SPAN[0]))
        .values("case")
        .distinct()
        .count()
    )
    assert figures["families_with_key_worker"].current.text == str(with_worker)
    allocated = Allocation.objects.filter(allocated_at__date__range=SPAN).count()
    assert figures["allocations"].current.text == str(allocated)
    assert card.time_with_families is not None


def test_the_trend_covers_the_quarters_before_and_a_filter_narrows(county: Any) -> None:
    card = selectors.report_card(
        for_user=county.programme_manager, element="pathway", quarter=QUARTER, chosen={"district": "Southvale"}
    )
    started = _figures(card)["families_started"]
    assert [q for q, _ in started.trend][-1] == QUARTER
    assert len(started.trend) == selectors.TREND_QUARTERS
    assert started.trend[0][1].text == "0"
    southvale = Case.objects.filter(team__district="Southvale", opened_on__range=SPAN).count()
    assert started.current.text == str(southvale) == "5"


def test_the_plan_results_table_hides_small_cells_and_what_would_reveal_them(county: Any) -> None:
    card = selectors.report_card(for_user=county.programme_manager, element="pathway", quarter=QUARTER)
    table = card.plan_results.table
    assert table.grand_total is not None and table.grand_total.text(card.rule) == "8"
    assert all(cell.is_hidden for row in table.rows for cell in row if 0 < cell.count < 5)


def test_only_programme_managers_and_commissioners_read_the_cards(county: Any, client: Any) -> None:
    with pytest.raises(PermissionDenied):
        selectors.report_card(for_user=county.key_worker, element="pathway")
    client.force_login(county.key_worker)
    assert client.get(reverse("reporting:pathway_card")).status_code == 403
    client.force_login(county.commissioner)
    response = client.get(reverse("reporting:pathway_card"), {"quarter": QUARTER.code, "district": "Northmoor"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Family 1" not in content and "F-0001" not in content
    assert "fewer than 5" in content
    assert 'role="img"' in content
