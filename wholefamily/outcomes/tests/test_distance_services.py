"""Recording distance travelled: time points in order, access and audit, the rules of the definition, members who
leave, and how the family's page reads the scores (early rises as expected, missing as missing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from wholefamily.cases.tests.builders import TODAY
from wholefamily.domain.outcomes.distance import FAMILY, Movement
from wholefamily.domain.pathway import Stage
from wholefamily.governance.models import AuditEvent
from wholefamily.outcomes import selectors, services
from wholefamily.outcomes.models import DistanceAssessment, DistanceScore

pytestmark = pytest.mark.django_db


def _members(case):
    parent = case.members.get(role="parenting_adult")
    child = case.members.get(role="child")
    return str(parent.pk), str(child.pk)


def _record(case, by, scores, *, days=0, assessor="key_worker", **extra):
    return services.record_distance_travelled(
        case=case, assessed_on=TODAY + timedelta(days=days), assessor=assessor, scores=scores, by=by, **extra
    )


@pytest.fixture
def family(new_family, worker):
    return new_family(Stage.PLAN_ACTIVE, worker=worker)


def test_baseline_then_reviews_with_an_early_rise_shown_as_expected(family, worker):
    parent, child = _members(family)
    baseline = _record(
        family, worker, {(FAMILY, "housing"): 3, (child, "aspirations"): 4, (parent, "mental_health_wellbeing"): 2}
    )
    review_1 = _record(
        family,
        worker,
        {(FAMILY, "housing"): 4, (child, "aspirations"): 3, (parent, "mental_health_wellbeing"): 4},
        days=30,
    )
    review_2 = _record(
        family,
        worker,
        {(FAMILY, "housing"): 2, (child, "aspirations"): 3, (parent, "mental_health_wellbeing"): 5},
        days=120,
    )
    assert [baseline.time_point, review_1.time_point, review_2.time_point] == [0, 1, 2]
    assert DistanceScore.objects.filter(assessment__case=family).count() == 9
    assert baseline.definition == "appendix_d@1"

    view = selectors.family_distance(for_user=worker, case=family)
    assert [p.code for p in view.time_points] == ["B", "R1", "R2"]
    by_subject = {s.subject.key: s for s in view.subjects}
    housing = next(r for r in by_subject[FAMILY].rows if r.item.code == "housing")
    assert [c.score for c in housing.cells] == [3, 4, 2]
    assert [c.movement for c in housing.cells] == [Movement.NOT_SCORED, Movement.MORE_NEED_FOUND, Movement.LESS_NEED]
    assert housing.travelled == 1
    assert by_subject[FAMILY].has_early_rise
    mental = next(r for r in by_subject[parent].rows if r.item.code == "mental_health_wellbeing")
    assert mental.cells[2].movement is Movement.MORE_NEED and mental.travelled == -3  # a later rise is not excused
    # Items never scored stay "not scored" and are left out of the averages.
    general = next(r for r in by_subject[child].rows if r.item.code == "general_health")
    assert [c.score for c in general.cells] == [None, None, None] and general.travelled is None
    assert by_subject[child].means == (4.0, 3.0, 3.0)
    assert by_subject[FAMILY].chart is not None and len(by_subject[FAMILY].chart.series) == 3

    events = AuditEvent.objects.filter(action="outcomes.record_distance_travelled", outcome="success")
    assert [e.detail["time_point"] for e in events.order_by("pk")] == ["B", "R1", "R2"]


def test_each_assessor_has_their_own_time_points(family, worker):
    parent, _ = _members(family)
    _record(family, worker, {(FAMILY, "housing"): 3})
    member = family.members.get(pk=int(parent))
    by_family = _record(family, worker, {(FAMILY, "housing"): 2}, assessor="family_member", family_member=member)
    assert by_family.time_point == 0
    view = selectors.family_distance(for_user=worker, case=family, assessor="family_member")
    assert view.assessor == "family_member" and view.assessors_recorded == ("key_worker", "family_member")


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({}, "at least one"),
        ({(FAMILY, "aspirations"): 2}, "not an item of The whole family"),
        ({(FAMILY, "housing"): 7}, "1 to 5"),
    ],
)
def test_scores_that_break_the_definition_are_refused(family, worker, scores, message):
    with pytest.raises(services.OutcomesError, match=message):
        _record(family, worker, scores)
    assert not DistanceAssessment.objects.exists()


def test_a_child_item_on_a_parent_is_refused(family, worker):
    parent, _ = _members(family)
    with pytest.raises(services.OutcomesError, match="not an item of Pat Test"):
        _record(family, worker, {(parent, "aspirations"): 2})


def test_a_review_dated_before_the_previous_time_point_is_refused(family, worker):
    _record(family, worker, {(FAMILY, "housing"): 3}, days=10)
    with pytest.raises(services.OutcomesError, match="before the baseline"):
        _record(family, worker, {(FAMILY, "housing"): 2}, days=5)


def test_family_member_assessor_needs_the_member(family, worker):
    with pytest.raises(services.OutcomesError, match="which family member"):
        _record(family, worker, {(FAMILY, "housing"): 3}, assessor="family_member")


def test_a_member_who_left_keeps_their_scores_but_is_not_scored_after_leaving(family, worker, manager):
    from wholefamily.cases import services as case_services

    _, child = _members(family)
    _record(family, worker, {(child, "aspirations"): 4, (FAMILY, "housing"): 3})
    member = family.members.get(pk=int(child))
    case_services.end_membership(
        member=member, end_on=TODAY + timedelta(days=5), reason="Moved to live with an aunt", by=worker
    )
    with pytest.raises(services.OutcomesError, match="not the family or one of its current members"):
        _record(family, worker, {(child, "aspirations"): 3}, days=40)
    _record(family, worker, {(FAMILY, "housing"): 2}, days=40)
    view = selectors.family_distance(for_user=worker, case=family)
    left = next(s for s in view.subjects if s.subject.key == child)
    assert left.note.startswith("Left the family on")
    aspirations = next(r for r in left.rows if r.item.code == "aspirations")
    assert [c.score for c in aspirations.cells] == [4, None] and aspirations.travelled is None


def test_a_key_worker_who_is_not_allocated_cannot_record_and_the_refusal_is_audited(family, colleague):
    with pytest.raises(PermissionDenied):
        _record(family, colleague, {(FAMILY, "housing"): 3})
    assert not DistanceAssessment.objects.exists()
    assert AuditEvent.objects.filter(action="outcomes.record_distance_travelled", outcome="denied").count() == 1


def test_another_teams_staff_see_nothing(family, worker, outsider):
    _record(family, worker, {(FAMILY, "housing"): 3})
    assert selectors.distance_assessments_for(for_user=worker).count() == 1
    assert selectors.distance_assessments_for(for_user=outsider).count() == 0
    assert selectors.family_distance(for_user=outsider, case=family).time_points == ()


def test_closed_cases_take_no_more_scores(family, worker, manager):
    from wholefamily.cases import services as case_services
    from wholefamily.domain.pathway import Destination

    case_services.close_case(
        case=family, destination=Destination.OUTCOMES_ACHIEVED, reason="Done", closed_on=TODAY, by=manager
    )
    family.refresh_from_db()
    with pytest.raises(services.OutcomesError, match="closed"):
        _record(family, worker, {(FAMILY, "housing"): 3})
