"""Selectors: what each role sees of the families, the waiting list, reviews due and the progress table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wholefamily.cases import selectors, services
from wholefamily.cases.models import DistrictEstimate
from wholefamily.cases.tests.builders import TODAY
from wholefamily.domain.pathway import Destination, Stage
from wholefamily.domain.roles import Role

pytestmark = pytest.mark.django_db


def test_key_worker_sees_own_caseload_and_unallocated_families_only(new_family, worker, colleague, manager, outsider):
    mine = new_family(Stage.ALLOCATED, worker=worker, name="Mine")
    theirs = new_family(Stage.ALLOCATED, worker=colleague, name="Theirs")
    waiting = new_family(Stage.AWAITING_ALLOCATION, name="Waiting")
    assert set(selectors.cases_for(for_user=worker)) == {mine, waiting}
    assert set(selectors.caseload_for(for_user=worker)) == {mine}
    assert set(selectors.cases_for(for_user=manager)) == {mine, theirs, waiting}
    assert set(selectors.cases_for(for_user=outsider)) == set()


def test_county_wide_and_aggregate_roles(new_family, worker, make_staff):
    case = new_family(Stage.ALLOCATED, worker=worker)
    assert list(selectors.cases_for(for_user=make_staff("pm", Role.PROGRAMME_MANAGER))) == [case]
    assert list(selectors.cases_for(for_user=make_staff("auditor", Role.AUDITOR))) == [case]
    commissioner = make_staff("commissioner", Role.COMMISSIONER)
    assert list(selectors.cases_for(for_user=commissioner)) == []
    assert selectors.progress_by_district(for_user=commissioner)[0].district == "Northmoor"


def test_waiting_list_by_priority_then_waiting_time(new_family, manager):
    low = new_family(name="Low")
    low.priority = 3
    low.save()
    first = new_family(name="First")
    second = new_family(name="Second")
    gathering = new_family(Stage.INFORMATION_GATHERING, name="Gathering")
    assert list(selectors.waiting_list_for(for_user=manager)) == [first, second, gathering, low]
    assert selectors.waiting_time(first) >= timedelta(0)


def test_reviews_due_and_overdue(new_family, worker, manager):
    due = new_family(Stage.PLAN_ACTIVE, worker=worker)
    overdue = new_family(Stage.PLAN_ACTIVE, worker=worker)
    overdue.next_review_due_on = TODAY - timedelta(days=3)
    overdue.save()
    assert list(selectors.reviews_due_for(for_user=manager, today=TODAY, within_days=40)) == [overdue, due]
    assert list(selectors.reviews_due_for(for_user=manager, today=TODAY, within_days=0)) == [overdue]


def test_progress_table_by_district(new_family, worker, manager, south):
    DistrictEstimate.objects.create(district="Northmoor", families_estimated=10)
    new_family(Stage.IDENTIFIED)
    new_family(Stage.INFORMATION_GATHERING)
    new_family(Stage.AWAITING_ALLOCATION)
    new_family(Stage.AWAITING_ALLOCATION)
    planned = new_family(Stage.PLAN_ACTIVE, worker=worker)
    rows = {row.district: row for row in selectors.progress_by_district(for_user=manager)}
    north = rows["Northmoor"]
    assert (north.with_plan, north.awaiting_allocation, north.information_gathering) == (1, 2, 1)
    assert north.remaining == 10 - 4  # every family past "identified" counts against the estimate
    assert rows["Southvale"].with_plan == 0 and rows["Southvale"].remaining is None
    services.close_case(case=planned, destination=Destination.OTHER, reason="x", closed_on=TODAY, by=manager)
    assert {r.district: r for r in selectors.progress_by_district(for_user=manager)}["Northmoor"].with_plan == 0


def test_worker_loads(new_family, worker, colleague, north):
    new_family(Stage.ALLOCATED, worker=worker)
    new_family(Stage.PLAN_ACTIVE, worker=worker)
    loads = {load.worker: load for load in selectors.worker_loads(team=north)}
    assert loads[worker].open_families == 2 and loads[worker].limit == north.caseload_limit
    assert loads[colleague].open_families == 0
