"""Hostile input to every form of the case pages: errors or refusals, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.cases.models import Referral
from wholefamily.cases.tests.builders import TODAY
from wholefamily.domain.pathway import ReferralSource, Stage

pytestmark = pytest.mark.django_db

JUNK = [
    {},
    {"to": "closed", "worker": "-1", "destination": "nowhere", "decision": "maybe", "kind": "steal", "role": "king"},
    {"held_on": "2026-13-45", "assessed_on": "0/0/0", "closed_on": "99999999", "due_on": "31/02/2025"},
    {"amount": "1e308", "version": "-5", "member": "abc", "status": "given", "end_on": "\x00", "is_achieved": "\x00"},
    {"version": "1", "is_achieved": "yes", "achieved_on": "1/1/1", "note": "<img src=x onerror=alert(1)>"},
    {"amount": "NaN", "version": "99999999999999999999", "member": "999999", "priority": "0"},
    {"reason": "x" * 100_000, "aims": "<img src=x onerror=alert(1)>", "attendees": ",,,\n,\n"},
    {"display_name": "\u202e\x00", "born_on": "\uff11\uff12/\uff10\uff13/\uff12\uff10\uff12\uff10", "team": "1 OR 1=1"},
]


def action_urls(case, line_pk, goal_pk):
    member = case.members.first()
    names = ["move", "allocate", "close", "assessment", "plan", "add_goal", "review", "add_member", "taf_meeting"]
    names += ["notice", "consent", "budget"]
    urls = [reverse(f"cases:{name}", args=[case.pk]) for name in names]
    urls += [reverse("cases:change_member", args=[case.pk, member.pk])]
    urls += [reverse("cases:member_left", args=[case.pk, member.pk])]
    urls += [reverse("cases:decide_spend", args=[case.pk, line_pk])]
    urls += [reverse("cases:goal_achievement", args=[case.pk, goal_pk])]
    return urls


@pytest.mark.parametrize("data", JUNK)
def test_every_case_form_survives_junk(client, manager, worker, new_family, data):
    from wholefamily.cases import services

    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    services.add_budget_funds(case=case, amount_pence=1000, description="B", entered_on=TODAY, by=manager)
    line = services.request_budget_spend(case=case, amount_pence=100, description="S", entered_on=TODAY, by=worker)
    goal = services.add_goal(
        plan=case.plan,
        expected_version=1,
        member=None,
        description="G",
        actions="A",
        agency="X",
        due_on=TODAY,
        by=worker,
    )
    client.force_login(manager)
    for url in action_urls(case, line.pk, goal.pk):
        response = client.post(url, data)
        assert response.status_code in {200, 302, 403, 404, 409}, (url, response.status_code)
        if response.status_code == 200:
            assert "<img src=x" not in response.content.decode()


@pytest.mark.parametrize("data", JUNK)
def test_referral_forms_survive_junk(client, manager, north, data):
    from wholefamily.cases import services

    referral = services.record_referral(
        team=north,
        source=ReferralSource.HEALTH,
        referrer="GP",
        received_on=TODAY,
        family_name="F",
        reason="R",
        by=manager,
    )
    client.force_login(manager)
    for url in (reverse("cases:new_referral"), reverse("cases:referral", args=[referral.pk])):
        assert client.post(url, data).status_code in {200, 302, 403}, url
    assert Referral.objects.count() in {1, 2}


def test_another_teams_user_gets_404_for_a_referral(client, outsider, manager, north):
    from wholefamily.cases import services

    referral = services.record_referral(
        team=north,
        source=ReferralSource.SCHOOL,
        referrer="Head",
        received_on=TODAY,
        family_name="F",
        reason="R",
        by=manager,
    )
    client.force_login(outsider)
    url = reverse("cases:referral", args=[referral.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "accept", "reason": "x"}).status_code == 404
    assert "F" not in [r.family_name for r in client.get(reverse("cases:referrals")).context["undecided"]]
