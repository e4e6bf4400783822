"""Referrals: the list, one referral, recording one (with an Idempotency-Key) and the gatekeeping decision.
Through the cases app's selectors and services and the access door, as the web's referral pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Header, Query, Router, Status
from pydantic import Field

from wholefamily.api import idempotency, paging
from wholefamily.api.resources.common import PageQuery, answers, team
from wholefamily.api.schemas import DecisionIn, ReferralIn, ReferralOut, ReferralPage
from wholefamily.api.security import need, via
from wholefamily.cases import selectors, services
from wholefamily.cases.lookups import audit_list
from wholefamily.cases.models import Referral
from wholefamily.domain import pathway
from wholefamily.domain.pathway import GatekeepingDecision, ReferralSource
from wholefamily.domain.roles import Action
from wholefamily.governance import access

PREFIX = "/referrals"
RESOURCE = "referrals"
router = Router(tags=["Referrals"])
KEY_HELP = "A key of your own for this write (e.g. a UUID): sending the same key again answers as the first time did."


class ReferralFilters(PageQuery):
    is_decided: bool | None = Field(None, description="Only decided (true) or undecided (false) referrals.")
    team_id: int | None = Field(None, ge=1, le=2_147_483_647)


def render(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "team": team(referral.team),
        "source": referral.source,
        "source_label": ReferralSource(referral.source).label,
        "referrer": referral.referrer,
        "received_on": referral.received_on,
        "family_name": referral.family_name,
        "household_id": referral.household_id,
        "reason": referral.reason,
        "priority": referral.priority,
        "recorded_at": referral.recorded_at,
        "decision": referral.decision,
        "decision_label": GatekeepingDecision(referral.decision).label if referral.decision else "",
        "decision_reason": referral.decision_reason,
        "decided_at": referral.decided_at,
        "case_id": referral.case_id,
    }


def _one(request: HttpRequest, referral_id: int, action: Action = Action.VIEW) -> Referral:
    return access.get_object_for(
        request.user, Referral.objects.select_related("team"), action=action, team_field="team", pk=referral_id
    )


@router.get("", response=answers(ReferralPage), summary="List the referrals you may see")
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> Any:
    user = need(request, RESOURCE, "read")
    referrals = selectors.referrals_for(for_user=user, is_decided=filters.is_decided)
    if filters.team_id is not None:
        referrals = referrals.filter(team_id=filters.team_id)
    result = paging.page(referrals, cursor=filters.cursor, limit=filters.limit, render=render)
    audit_list(user, "api-referrals", len(result["items"]), **via(request))
    return result


@router.get("/{referral_id}", response=answers(ReferralOut), summary="One referral and its decision")
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    need(request, RESOURCE, "read")
    return render(_one(request, referral_id))


@router.post("", response=answers(ReferralOut, status=201, write=True), summary="Record a referral")
def create_referral(
    request: HttpRequest,
    referral: ReferralIn,
    idempotency_key: str = Header(  # type: ignore[type-arg]
        ..., alias="Idempotency-Key", min_length=1, max_length=idempotency.KEY_MAX, description=KEY_HELP
    ),
) -> Any:
    user = need(request, RESOURCE, "write")
    teams = selectors.teams_for_new_families(for_user=user)
    if not teams.exists():
        raise PermissionDenied("Your role does not record referrals.")

    def do() -> tuple[int, Any]:
        chosen = teams.filter(pk=referral.team_id).first()
        if chosen is None:
            return 422, {"detail": "team_id is not a team you may record referrals for."}
        created = services.record_referral(
            team=chosen,
            source=referral.source,
            referrer=referral.referrer,
            received_on=referral.received_on,
            family_name=referral.family_name,
            reason=referral.reason,
            priority=referral.priority,
            household_id=referral.household_id.strip(),
            by=user,
        )
        return 201, render(Referral.objects.select_related("team").get(pk=created.pk))

    try:
        status, answer = idempotency.once(
            user=user, key=idempotency_key, operation="create_referral", body=referral.model_dump(mode="json"), do=do
        )
    except idempotency.KeyReused:
        return Status(422, {"detail": "This Idempotency-Key was first used for a different request: use a new key."})
    except services.CaseError as error:
        return Status(422, {"detail": str(error)})
    return Status(status, answer)


@router.post(
    "/{referral_id}/decision",
    response=answers(ReferralOut, write=True),
    summary="Decide on a referral (accept opens the family's case)",
)
def decide_referral(
    request: HttpRequest,
    referral_id: int,
    decision: DecisionIn,
    idempotency_key: str | None = Header(  # type: ignore[type-arg]
        None, alias="Idempotency-Key", max_length=idempotency.KEY_MAX, description=KEY_HELP
    ),
) -> Any:
    user = need(request, RESOURCE, "write")
    item = _one(request, referral_id, Action.CHANGE)

    def do() -> tuple[int, Any]:
        current = Referral.objects.get(pk=item.pk)
        if current.is_decided:
            return 409, {"detail": "This referral has already been decided.", "current_version": None}
        if not services.pathway_roles(user) & pathway.MANAGERS:
            raise PermissionDenied("Only a team or programme manager may decide on a referral.")
        decided = services.decide_referral(
            referral=current,
            decision=decision.decision,
            reason=decision.reason,
            decided_on=decision.decided_on,
            by=user,
        )
        return 200, render(Referral.objects.select_related("team").get(pk=decided.pk))

    try:
        status, answer = idempotency.once(
            user=user,
            key=idempotency_key,
            operation=f"decide_referral:{item.pk}",
            body=decision.model_dump(mode="json"),
            do=do,
        )
    except idempotency.KeyReused:
        return Status(422, {"detail": "This Idempotency-Key was first used for a different request: use a new key."})
    except services.CaseError as error:
        return Status(422, {"detail": str(error)})
    return Status(status, answer)
