"""Auditors change nothing of a family's case; their verdict on a claim is an audit act (ADR 0002 as amended by
ADR 0014). Before, ADR 0002 said auditors change nothing while the claims rules let them validate and reject."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.claims.states import MOVES, ClaimState
from wholefamily.domain.roles import Action, Actor, Decision, Role, Target, decide

# What an audit act may do to a claim: judge its evidence before it is submitted (validate, reject, send back).
AUDIT_STATES = {ClaimState.DRAFT, ClaimState.VALIDATED, ClaimState.REJECTED}


def test_an_auditor_changes_no_case_record_and_only_judges_claims_before_submission():
    auditor = Actor(roles=frozenset({Role.AUDITOR}), team_ids=frozenset({1}))
    for team_ids in (frozenset({1}), frozenset({2}), frozenset()):
        for is_personal in (True, False):
            target = Target(team_ids=team_ids, is_personal=is_personal)
            assert decide(auditor, Action.VIEW, target) is Decision.ALLOW
            assert decide(auditor, Action.CHANGE, target) is Decision.FORBIDDEN
    auditor_moves = [move for move in MOVES if Role.AUDITOR in move.roles]
    assert auditor_moves, "internal audit validates claims (2012 financial framework)"
    for move in auditor_moves:
        assert {move.source, move.target} <= AUDIT_STATES, move
        assert Role.AUDITOR not in move.roles or move.target is not ClaimState.SUBMITTED


@pytest.mark.django_db
def test_an_auditor_validates_a_claim_but_cannot_close_the_family_case(client, make_staff, make_team):
    from wholefamily.cases import services
    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.domain.pathway import MemberRole, Stage
    from wholefamily.governance.models import AuditEvent

    team = make_team("North")
    manager = make_staff("maria", Role.TEAM_MANAGER, team=team)
    case = services.open_case_from_cohort(
        team=team, household_id="H-1", family_name="the Test family",
        members=[services.MemberDetails("Pat Test", MemberRole.PARENTING_ADULT, "", date(1985, 4, 2))],
        evidence_summary="x", by=manager,
    )  # fmt: skip
    run = ClaimRun.objects.create(
        programme="tf-2012", window="2015-01", as_of_on=date(2015, 8, 31), rules="r", snapshot="",
        started_at=timezone.now(),
    )  # fmt: skip
    claim = Claim.objects.create(
        run=run, programme="tf-2012", window="2015-01", reference="c1", case=case, family_id="F-1",
        household_id="H-1", state_changed_at=timezone.now(),
    )  # fmt: skip
    auditor = make_staff("audrey", Role.AUDITOR)
    client.force_login(auditor)
    response = client.post(
        reverse("claims:change_state", args=[claim.pk]),
        {"to": "validated", "reason": "Evidence checked against the records"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.VALIDATED
    assert AuditEvent.objects.filter(actor=auditor, action="claims.change_state", outcome="success").exists()
    closing = {"destination": "step_down", "reason": "x", "closed_on": "07/12/2026"}
    assert client.post(reverse("cases:close", args=[case.pk]), closing).status_code == 403
    case.refresh_from_db()
    assert case.stage != Stage.CLOSED
