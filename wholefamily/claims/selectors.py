"""Reads for results claims and funding, scoped by the user's roles: claims (with families' evidence) for programme
managers and internal audit; the funding table also for commissioners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wholefamily.claims.definitions import funding_definition
from wholefamily.claims.models import Claim, EvaluatedFamily
from wholefamily.claims.services import paid_by_year
from wholefamily.domain.claims.funding import Forecast, forecast_funding
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record

CLAIM_READERS = (Role.PROGRAMME_MANAGER, Role.AUDITOR, Role.ADMINISTRATOR)
FUNDING_READERS = (*CLAIM_READERS, Role.COMMISSIONER)


def _require(user: Any, roles: tuple[Role, ...]) -> None:
    if not access.has_role(user, *roles):
        raise PermissionDenied


def claims_for(*, for_user: Any, programme: str = "", window: str = "", state: str = "") -> QuerySet[Claim]:
    _require(for_user, CLAIM_READERS)
    claims = Claim.objects.select_related("case")
    if programme:
        claims = claims.filter(programme=programme)
    if window:
        claims = claims.filter(window=window)
    if state:
        claims = claims.filter(state=state)
    return claims.order_by("programme", "window", "family_id")


def claim_for(*, for_user: Any, pk: int) -> Claim:
    """One claim with its evidence pack; the view of a family's evidence is audited."""
    _require(for_user, CLAIM_READERS)
    claim = Claim.objects.select_related("case", "run", "state_changed_by").filter(pk=pk).first()
    if claim is None:
        raise Http404
    record(by=for_user, action="claims.view", obj=claim)
    return claim


def evaluated_in(*, for_user: Any, programme: str, window: str) -> QuerySet[EvaluatedFamily]:
    """Every family the window's last computation looked at, payable or not."""
    _require(for_user, CLAIM_READERS)
    return (
        EvaluatedFamily.objects.filter(programme=programme, window=window).select_related("case").order_by("family_id")
    )


def evaluated_family_for(*, for_user: Any, pk: int) -> EvaluatedFamily:
    """One family's evidence in a window; the view of a family's evidence is audited."""
    _require(for_user, CLAIM_READERS)
    family = EvaluatedFamily.objects.select_related("case", "run").filter(pk=pk).first()
    if family is None:
        raise Http404
    record(by=for_user, action="claims.view_family", obj=family)
    return family


def evaluated_windows(*, for_user: Any) -> list[tuple[str, str]]:
    _require(for_user, CLAIM_READERS)
    return list(EvaluatedFamily.objects.order_by("programme", "window").values_list("programme", "window").distinct())


def windows(*, for_user: Any) -> list[tuple[str, str]]:
    _require(for_user, CLAIM_READERS)
    return list(Claim.objects.order_by("programme", "window").values_list("programme", "window").distinct())


@dataclass(frozen=True)
class FundingRow:
    year: str
    forecast_results_pence: int
    paid_results_pence: int


def funding_for(*, for_user: Any, programme: str, estimated_families: int) -> tuple[Forecast, list[FundingRow]]:
    """The forecast table and, per year, the results paid (claims in state paid) against the results forecast."""
    _require(for_user, FUNDING_READERS)
    forecast = forecast_funding(funding=funding_definition(programme), estimated_families=estimated_families)
    paid = paid_by_year(programme=programme)
    rows = [FundingRow(row.year, row.results_pence, paid.get(row.year, 0)) for row in forecast.rows]
    return forecast, rows
