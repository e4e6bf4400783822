"""Referrals to services from a plan goal: recorded by those who may change the family's case, moved on step by step
(accepted or declined, started, ended), refused out of order; another team's family is out of reach; waiting times
and take-up per service are counted over every family and shown through the small-numbers rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wholefamily.commissioning import selectors, services
from wholefamily.commissioning.models import ServiceReferral
from wholefamily.commissioning.tests.conftest import TODAY
from wholefamily.domain.commissioning import CatalogueError, ReferralState

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: dt.date) -> dict[str, Any]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_a_key_worker_refers_from_a_goal_and_records_each_step(
    client: Any, staff: dict[str, Any], family_with_goal: Any, make_service: Any
) -> None:
    goal = family_with_goal()
    case = goal.plan.case
    service = make_service()
    client.force_login(staff["worker"])
    page = client.get(f"/commissioning/families/{case.pk}/services/").content.decode()
    assert "Fewer arguments at home" in page and "Refer to a service" in page
    response = client.post(
        f"/commissioning/families/{case.pk}/goals/{goal.pk}/refer/",
        {"service": service.pk, **_date("referred_on", TODAY - dt.timedelta(days=20))},
    )
    assert response.status_code == 302
    referral = ServiceReferral.objects.get()
    assert (referral.case, referral.goal, referral.state) == (case, goal, ReferralState.REFERRED)
    # Out of order: a referral is decided before it starts.
    refused = client.post(
        f"/commissioning/referrals/{referral.pk}/", {"version": 1, "to": "started", **_date("on", TODAY)}
    )
    assert refused.status_code == 200 and "Select the next step" in refused.content.decode()
    for version, step, days_ago in ((1, "accepted", 15), (2, "started", 10), (3, "ended", 0)):
        response = client.post(
            f"/commissioning/referrals/{referral.pk}/",
            {"version": version, "to": step, **_date("on", TODAY - dt.timedelta(days=days_ago))},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    referral.refresh_from_db()
    assert referral.state == ReferralState.ENDED and referral.started_on == TODAY - dt.timedelta(days=10)
    assert selectors.service_take_up(service).waits == (10,)


def test_steps_out_of_order_or_dates_back_in_time_are_refused(staff: dict[str, Any], family_with_goal: Any,
                                                              make_service: Any) -> None:  # fmt: skip
    goal = family_with_goal()
    service = make_service()
    referral = services.refer(goal=goal, service=service, referred_on=TODAY - dt.timedelta(days=5),
                              by=staff["worker"])  # fmt: skip
    with pytest.raises(CatalogueError, match="cannot become ended"):
        services.step_referral(referral=referral, to=ReferralState.ENDED, on=TODAY, note="", by=staff["worker"])
    with pytest.raises(CatalogueError, match="on or after"):
        services.step_referral(referral=referral, to=ReferralState.ACCEPTED, on=TODAY - dt.timedelta(days=9),
                               note="", by=staff["worker"])  # fmt: skip
    with pytest.raises(CatalogueError, match="why the referral was declined"):
        services.step_referral(referral=referral, to=ReferralState.DECLINED, on=TODAY, note=" ", by=staff["worker"])
    with pytest.raises(CatalogueError, match="has a referral to that service already"):
        services.refer(goal=goal, service=service, referred_on=TODAY, by=staff["worker"])
    with pytest.raises(CatalogueError, match="future"):
        services.refer(goal=goal, service=make_service(name="Other"), referred_on=TODAY + dt.timedelta(days=1),
                       by=staff["worker"])  # fmt: skip


def test_another_teams_family_and_its_referrals_are_out_of_reach(
    client: Any, staff: dict[str, Any], family_with_goal: Any, make_service: Any
) -> None:
    goal = family_with_goal()
    referral = services.refer(goal=goal, service=make_service(), referred_on=TODAY, by=staff["worker"])
    client.force_login(staff["south_worker"])
    case = goal.plan.case
    assert client.get(f"/commissioning/families/{case.pk}/services/").status_code == 404
    assert client.get(f"/commissioning/families/{case.pk}/goals/{goal.pk}/refer/").status_code == 404
    assert client.get(f"/commissioning/referrals/{referral.pk}/").status_code == 404
    client.force_login(staff["commissioner"])  # figures only: no family
    assert client.get(f"/commissioning/referrals/{referral.pk}/").status_code == 404
    # A goal of another family cannot be reached through this family's address.
    other = family_with_goal("the Other family")
    client.force_login(staff["worker"])
    assert client.get(f"/commissioning/families/{case.pk}/goals/{other.pk}/refer/").status_code == 404


def test_take_up_and_waiting_times_per_service_hide_small_numbers(
    client: Any, staff: dict[str, Any], family_with_goal: Any, make_service: Any
) -> None:
    service = make_service()
    goals = [family_with_goal(f"the Family {n}") for n in range(7)]
    waits = [3, 5, 8, 13, 21]
    for goal, wait in zip(goals, waits, strict=False):
        referral = services.refer(goal=goal, service=service, referred_on=TODAY - dt.timedelta(days=wait),
                                  by=staff["worker"])  # fmt: skip
        referral = services.step_referral(referral=referral, to=ReferralState.ACCEPTED,
                                          on=TODAY - dt.timedelta(days=wait), note="", by=staff["worker"])  # fmt: skip
        services.step_referral(referral=referral, to=ReferralState.STARTED, on=TODAY, note="", by=staff["worker"])
    declined = services.refer(goal=goals[5], service=service, referred_on=TODAY, by=staff["worker"])
    services.step_referral(referral=declined, to=ReferralState.DECLINED, on=TODAY, note="Full", by=staff["worker"])
    services.refer(goal=goals[6], service=service, referred_on=TODAY, by=staff["worker"])
    figures = selectors.service_take_up(service)
    assert (figures.referred, figures.started, figures.declined, figures.waiting) == (7, 5, 1, 1)
    assert figures.take_up == pytest.approx(5 / 6) and figures.median_wait(5) == 8
    client.force_login(staff["commissioner"])
    page = client.get(f"/commissioning/services/{service.pk}/").content.decode()
    assert "8 days" in page and "83%" in page and "fewer than 5" in page  # one declined, one waiting
    assert "Family 1" not in page
