"""Contracts and quarterly monitoring returns: a commissioner records a contract with its specification's indicators;
the provider's user enters the quarter's return with the figures the service computes pre-filled, sees only its own
contracts and no family; late and missing returns are flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wholefamily.commissioning import services
from wholefamily.commissioning.models import Contract, QuarterlyReturn
from wholefamily.commissioning.tests.conftest import TODAY
from wholefamily.domain.commissioning import CatalogueError, ReferralState
from wholefamily.domain.reporting.quarters import last_complete_quarter
from wholefamily.domain.roles import Role

pytestmark = pytest.mark.django_db
LAST = last_complete_quarter(TODAY)


@pytest.fixture
def providers(make_staff: Any) -> dict[str, Any]:
    return {
        "own": make_staff("pat.provider", Role.PROVIDER, first_name="Pat", last_name="Provider"),
        "other": make_staff("olly.other", Role.PROVIDER),
    }


@pytest.fixture
def contract(staff: dict[str, Any], providers: dict[str, Any], make_service: Any) -> Contract:
    service = make_service(name="Multi-systemic therapy", delivery="commissioned",
                           starts_on=LAST.previous().starts_on)  # fmt: skip
    return services.create_contract(
        service=service, reference="MST-001", starts_on=LAST.previous().starts_on,
        ends_on=TODAY + dt.timedelta(days=700), value=Decimal("250000"),
        indicators=["hours_of_service", "referrals", "cases_allocated", "inappropriate_referrals", "response_days",
                    "goals_achieved", "engagement_rate"],
        provider_users=[providers["own"]], by=staff["commissioner"],
    )  # fmt: skip


def test_a_commissioner_records_a_contract_from_the_page(client: Any, staff: dict[str, Any], providers: Any,
                                                         make_service: Any) -> None:  # fmt: skip
    service = make_service(delivery="commissioned")
    make_service(name="In-house service", delivery="in_house")
    client.force_login(staff["commissioner"])
    page = client.get("/commissioning/contracts/new/").content.decode()
    assert "In-house service" not in page and "Pat Provider" in page
    day = LAST.starts_on
    response = client.post("/commissioning/contracts/new/", {
        "service": service.pk, "reference": "FIP-9", "starts_on_day": day.day, "starts_on_month": day.month,
        "starts_on_year": day.year, "ends_on_day": 31, "ends_on_month": 3, "ends_on_year": day.year + 3,
        "value": "120000", "indicators": ["referrals", "hours_of_service"], "provider_users": [providers["own"].pk],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = Contract.objects.get()
    assert contract.indicators == ["hours_of_service", "referrals"]
    assert list(contract.provider_users.all()) == [providers["own"]]
    bad = client.post("/commissioning/contracts/new/", {"service": "nonsense", "value": "-1"})
    assert bad.status_code == 200 and "Select the service" in bad.content.decode()


def test_only_provider_users_enter_returns(staff: dict[str, Any], providers: Any, make_service: Any) -> None:
    service = make_service(delivery="commissioned")
    with pytest.raises(CatalogueError, match="provider role"):
        services.create_contract(service=service, reference="X", starts_on=TODAY, ends_on=TODAY, value=Decimal(1),
                                 indicators=["referrals"], provider_users=[staff["worker"]],
                                 by=staff["commissioner"])  # fmt: skip
    with pytest.raises(CatalogueError, match="Only a commissioned service"):
        services.create_contract(service=make_service(name="In", delivery="in_house"), reference="Y", starts_on=TODAY,
                                 ends_on=TODAY, value=Decimal(1), indicators=["referrals"], provider_users=[],
                                 by=staff["commissioner"])  # fmt: skip


def test_the_provider_enters_the_return_with_the_computed_figures_pre_filled(
    client: Any, staff: dict[str, Any], providers: Any, contract: Contract, family_with_goal: Any
) -> None:
    # Three referrals in the quarter: two started (decided after 4 and 6 days), one declined.
    for n, (step, days) in enumerate([("started", 4), ("started", 6), ("declined", 2)]):
        goal = family_with_goal(f"the Family {n}")
        referral = services.refer(goal=goal, service=contract.service, referred_on=LAST.starts_on, by=staff["worker"])
        referral.referred_on = LAST.starts_on  # a past quarter: the steps are dated within it
        referral.save()
        decided = LAST.starts_on + dt.timedelta(days=days)
        to = ReferralState.DECLINED if step == "declined" else ReferralState.ACCEPTED
        referral = services.step_referral(referral=referral, to=to, on=decided, note="Not eligible",
                                          by=staff["worker"])  # fmt: skip
        if step == "started":
            services.step_referral(referral=referral, to=ReferralState.STARTED, on=decided, note="",
                                   by=staff["worker"])  # fmt: skip
    url = f"/commissioning/contracts/{contract.pk}/returns/{LAST.code}/"
    client.force_login(providers["own"])
    page = client.get(url).content.decode()
    assert 'name="figure_referrals" type="text" inputmode="decimal" autocomplete="off" value="3"' in page
    assert 'name="figure_inappropriate_referrals" type="text" inputmode="decimal" autocomplete="off" value="1"' in page
    assert 'name="figure_response_days" type="text" inputmode="decimal" autocomplete="off" value="4"' in page
    assert "the Family 0" not in page and "Pat Ashworth" not in page
    response = client.post(url, {
        "figure_referrals": "3", "figure_cases_allocated": "2", "figure_hours_of_service": "180",
        "figure_engagement_rate": "250", "narrative_progress_against_aims": "Good progress",
    })  # fmt: skip
    assert response.status_code == 200 and "Percentage of engagement must be 100 or less" in response.content.decode()
    response = client.post(url, {
        "figure_referrals": "3", "figure_cases_allocated": "2", "figure_hours_of_service": "180",
        "figure_engagement_rate": "85.5", "narrative_progress_against_aims": "Good progress",
        "narrative_working_well": "Home visits",
    })  # fmt: skip
    assert response.status_code == 302
    saved = QuarterlyReturn.objects.get()
    assert saved.figures == {"hours_of_service": 180, "referrals": 3, "cases_allocated": 2, "engagement_rate": 85.5}
    assert saved.computed["referrals"] == 3 and saved.computed["inappropriate_referrals"] == 1
    assert saved.narrative["progress_against_aims"] == "Good progress"
    # The commissioner reads it beside the council's own figures, and cannot enter it.
    client.force_login(staff["commissioner"])
    page = client.get(url).content.decode()
    assert "Good progress" in page and "85.5" in page
    assert "fewer than 5" in page  # the council's own count of 3 referrals, hidden from all but the provider
    assert client.post(url, {"figure_referrals": "1"}).status_code == 403


def test_a_provider_sees_only_its_own_contracts_and_no_family(
    client: Any, staff: dict[str, Any], providers: Any, contract: Contract, family_with_goal: Any
) -> None:
    family_with_goal("the Whitlock family")
    client.force_login(providers["other"])
    assert "MST-001" not in client.get("/commissioning/contracts/").content.decode()
    assert client.get(f"/commissioning/contracts/{contract.pk}/").status_code == 404
    assert client.get(f"/commissioning/contracts/{contract.pk}/returns/{LAST.code}/").status_code == 404
    client.force_login(providers["own"])
    assert "MST-001" in client.get("/commissioning/contracts/").content.decode()
    for url in ("/families/", "/families/waiting/", "/commissioning/capacity/", "/commissioning/services/"):
        response = client.get(url)
        assert response.status_code in (200, 403, 404) and "Whitlock" not in response.content.decode(), url
    assert client.get("/commissioning/services/").status_code == 403
    # A quarter that is not the contract's, or not a quarter, is not there.
    assert client.get(f"/commissioning/contracts/{contract.pk}/returns/1999-00-q1/").status_code == 404
    assert client.get(f"/commissioning/contracts/{contract.pk}/returns/nonsense/").status_code == 404


def test_late_and_missing_returns_are_flagged(client: Any, staff: dict[str, Any], providers: Any,
                                              contract: Contract) -> None:  # fmt: skip
    earlier = LAST.previous()
    QuarterlyReturn.objects.create(
        contract=contract, quarter=earlier.code, figures={}, narrative={},
        submitted_on=earlier.ends_on + dt.timedelta(days=45),
        submitted_at=timezone.now(), submitted_by=providers["own"],
    )  # fmt: skip
    client.force_login(staff["commissioner"])
    page = client.get(f"/commissioning/contracts/{contract.pk}/").content.decode()
    assert "Submitted late" in page
    if LAST.ends_on + dt.timedelta(days=30) < TODAY:
        assert "Missing" in page
    else:
        assert ">Due<" in page
