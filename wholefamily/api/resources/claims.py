"""Results claims with their evidence packs and state history, through the claims app's selectors: only the roles
that read claims on the web (programme managers, internal audit, administrators) read them here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from wholefamily.api import paging
from wholefamily.api.resources.common import PageQuery, answers
from wholefamily.api.schemas import ClaimDetail, ClaimPage
from wholefamily.api.security import need, via
from wholefamily.claims import selectors
from wholefamily.claims.models import Claim
from wholefamily.domain.claims.states import ClaimState
from wholefamily.governance.audit import record

PREFIX = "/claims"
RESOURCE = "claims"
router = Router(tags=["Claims"])


class ClaimFilters(PageQuery):
    state: ClaimState | None = Field(None, description="Only claims in this state.")
    programme: str = Field("", max_length=64)
    window: str = Field("", max_length=20, description="Only claims of this claim window (the period claimed for).")


def _summary(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "programme": claim.programme,
        "window": claim.window,
        "family_id": claim.family_id,
        "household_id": claim.household_id,
        "case_id": claim.case_id,
        "results": [str(code) for code in claim.results] if isinstance(claim.results, list) else [],
        "amount_pence": claim.amount_pence,
        "state": claim.state,
        "state_label": ClaimState(claim.state).label,
        "state_changed_at": claim.state_changed_at,
        "is_sampled": claim.is_sampled,
    }


def _refs(value: Any) -> set[str]:
    """Every source record named in the pack (`refs`: "dataset version:record[:line]")."""
    if isinstance(value, dict):
        found = {str(ref) for ref in value.get("refs", ()) if isinstance(value.get("refs"), list)}
        return found.union(*(_refs(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(item) for item in value))
    return set()


def _detail(claim: Claim) -> dict[str, Any]:
    pack = claim.evidence if isinstance(claim.evidence, dict) else {}
    return {
        **_summary(claim),
        "rules": str(pack.get("rules") or claim.run.rules),
        "funding": str(pack.get("funding") or ""),
        "as_of": str(pack["as_of"]) if pack.get("as_of") else None,
        "snapshot": str(pack.get("snapshot") or claim.run.snapshot),
        "dataset_versions": sorted({ref.split(":", 1)[0] for ref in _refs(pack.get("results", []))}),
        "evidence": pack,
        "history": [
            {
                "from_state": change.from_state,
                "to_state": change.to_state,
                "reason": change.reason,
                "changed_by": change.changed_by.get_username() if change.changed_by else "",
                "changed_at": change.changed_at,
            }
            for change in claim.changes.select_related("changed_by")
        ],
    }


@router.get("", response=answers(ClaimPage), summary="List the results claims (programme managers, internal audit)")
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]) -> Any:
    user = need(request, RESOURCE, "read")
    claims = selectors.claims_for(
        for_user=user, programme=filters.programme, window=filters.window, state=filters.state or ""
    )
    result = paging.page(claims, cursor=filters.cursor, limit=filters.limit, render=_summary)
    # The list names families (their ids and households): a read of personal records, as the web's claim list.
    record(
        by=user,
        action="view",
        object_type="claims.claim_list",
        object_id=f"{filters.programme}/{filters.window}"[:64],
        detail=via(request, claims=len(result["items"]), state=str(filters.state or "")),
    )
    return result


@router.get(
    "/{claim_id}", response=answers(ClaimDetail), summary="One claim with its evidence pack and its state history"
)
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    user = need(request, RESOURCE, "read")
    return _detail(selectors.claim_for(for_user=user, pk=claim_id))  # audits the read of the family's evidence
