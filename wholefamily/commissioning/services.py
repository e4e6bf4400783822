"""Changes to the catalogue and to referrals: validated, audited, in one transaction each (ADR 0027)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from wholefamily.cases.models import Case, Goal
from wholefamily.commissioning.definitions import catalogue_definition, monitoring_definition, problem_choices
from wholefamily.commissioning.models import Contract, QuarterlyReturn, Service, ServiceReferral
from wholefamily.domain.commissioning import (
    CatalogueError,
    QuarterReferral,
    ReferralState,
    check_step,
    computed_figures,
    places_per_quarter,
)
from wholefamily.domain.pathway import Stage
from wholefamily.domain.reporting.quarters import Quarter
from wholefamily.domain.roles import Role
from wholefamily.governance.access import user_roles
from wholefamily.governance.audit import record

SERVICE_FIELDS = (
    "name", "provider", "delivery", "description", "target_needs", "tier", "min_age", "max_age", "districts",
    "capacity", "capacity_unit", "hours_per_family", "unit_cost", "evidence_rating", "evidence_source",
    "provides_key_worker", "contract_reference", "starts_on", "ends_on",
)  # fmt: skip


class StaleServiceError(CatalogueError):
    """Someone else changed the service since the form was opened."""


def check_service(data: dict[str, Any]) -> None:
    """The catalogue's rules for one service, whatever door it comes in by (a page, the demo)."""
    definition = catalogue_definition()
    problems = {code for code, _ in problem_choices()}
    unknown = set(data["target_needs"]) - problems
    if not data["target_needs"] or unknown:
        raise CatalogueError("Select at least one headline problem the service targets")
    if data["tier"] not in {t.code for t in definition.tiers}:
        raise CatalogueError("Select the tier of need")
    if data["evidence_rating"] not in {r.code for r in definition.evidence_ratings}:
        raise CatalogueError("Select the evidence rating")
    if data["min_age"] > data["max_age"]:
        raise CatalogueError("The youngest age must not be above the oldest age")
    if not data["districts"]:
        raise CatalogueError("Select at least one district the service reaches")
    if data["ends_on"] is not None and data["ends_on"] < data["starts_on"]:
        raise CatalogueError("The end date must be on or after the start date")
    if data["unit_cost"] < Decimal(0):
        raise CatalogueError("The unit cost cannot be negative")
    places_per_quarter(
        capacity=data["capacity"],
        is_hours=data["capacity_unit"] == Service.CapacityUnit.HOURS,
        hours_per_family=data.get("hours_per_family"),
    )


@transaction.atomic
def save_service(
    *, service: Service | None, data: dict[str, Any], by: User | None, expected_version: int | None = None,
    is_example: bool = False, system_actor: str = "",
) -> Service:  # fmt: skip
    """Add a service (service None) or change one; refuses a change made over someone else's (lost update)."""
    check_service(data)
    values = {name: data.get(name) for name in SERVICE_FIELDS}
    values["description"] = values["description"] or ""
    values["evidence_source"] = values["evidence_source"] or ""
    values["contract_reference"] = values["contract_reference"] or ""
    same_name = Service.objects.filter(name=values["name"])
    if service is not None:
        same_name = same_name.exclude(pk=service.pk)
    if same_name.exists():
        raise CatalogueError("A service with that name is in the catalogue already")
    now = timezone.now()
    if service is None:
        service = Service.objects.create(
            **values, is_example=is_example, updated_at=now, updated_by=by if by and by.is_authenticated else None
        )
        record(by=by, action="create", obj=service, system_actor=system_actor)
        return service
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleServiceError("Someone else changed this service while you were editing it. Check it and try again")
    changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_at = now
    locked.updated_by = by if by and by.is_authenticated else None
    locked.save()
    record(by=by, action="change", obj=locked, detail={"fields": changed}, system_actor=system_actor)
    return locked


def open_services(on: dt.date) -> list[Service]:
    """Services a family can be referred to on a day: started, not ended."""
    return [s for s in Service.objects.all() if s.starts_on <= on and (s.ends_on is None or s.ends_on >= on)]


@transaction.atomic
def refer(*, goal: Goal, service: Service, referred_on: dt.date, by: User) -> ServiceReferral:
    """Refer the family to a service from a goal of its plan (the caller has passed the case door, CHANGE)."""
    case: Case = goal.plan.case
    today = timezone.localdate()
    if not Stage(case.stage).is_open:
        raise CatalogueError("The family's case is closed: a referral cannot be made")
    if referred_on > today:
        raise CatalogueError("The date of the referral cannot be in the future")
    if referred_on < service.starts_on or (service.ends_on is not None and referred_on > service.ends_on):
        raise CatalogueError("The service was not running on the date of the referral")
    active = ServiceReferral.objects.filter(goal=goal, service=service).exclude(
        state__in=[ReferralState.DECLINED, ReferralState.ENDED]
    )
    if active.exists():
        raise CatalogueError("This goal has a referral to that service already that has not ended")
    referral = ServiceReferral.objects.create(
        service=service, goal=goal, case=case, state=ReferralState.REFERRED, referred_on=referred_on,
        created_by=by, updated_at=timezone.now(),
    )  # fmt: skip
    record(by=by, action="create", obj=referral, detail={"service": service.pk, "goal": goal.pk})
    return referral


@transaction.atomic
def step_referral(
    *, referral: ServiceReferral, to: ReferralState, on: dt.date, note: str, by: User,
    expected_version: int | None = None,
) -> ServiceReferral:  # fmt: skip
    """Move a referral on: accepted or declined, started, ended (domain.commissioning.NEXT_STATES)."""
    locked = ServiceReferral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CatalogueError("Someone else changed this referral while you were looking at it. Check it and try again")
    check_step(locked.state_enum, to, on=on, last_on=locked.last_on, today=timezone.localdate())
    if to is ReferralState.DECLINED and not note.strip():
        raise CatalogueError("Enter why the referral was declined")
    if to in (ReferralState.ACCEPTED, ReferralState.DECLINED):
        locked.decided_on = on
    elif to is ReferralState.STARTED:
        locked.started_on = on
    else:
        locked.ended_on = on
    before = locked.state
    locked.state = to
    locked.note = note.strip() or locked.note
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    record(by=by, action="change", obj=locked, detail={"from": before, "to": to.value})
    return locked


# --- Contracts and quarterly returns -----------------------------------------------------------------------------


@transaction.atomic
def create_contract(
    *, service: Service, reference: str, starts_on: dt.date, ends_on: dt.date, value: Decimal,
    indicators: list[str], provider_users: list[User], by: User,
) -> Contract:  # fmt: skip
    """A contract for a commissioned service, with the indicators its provider reports each quarter."""
    definition = monitoring_definition()
    if service.delivery != Service.Delivery.COMMISSIONED:
        raise CatalogueError("Only a commissioned service has a contract")
    if Contract.objects.filter(service=service).exists():
        raise CatalogueError("That service has a contract already")
    if Contract.objects.filter(reference=reference).exists():
        raise CatalogueError("A contract with that reference exists already")
    if ends_on < starts_on:
        raise CatalogueError("The end date must be on or after the start date")
    known = {indicator.code for indicator in definition.indicators}
    if not indicators or set(indicators) - known:
        raise CatalogueError("Select the indicators the provider reports")
    if any(Role.PROVIDER not in user_roles(user) for user in provider_users):
        raise CatalogueError("Only staff with the provider role enter a contract's returns")
    contract = Contract.objects.create(
        service=service, reference=reference, starts_on=starts_on, ends_on=ends_on, value=value,
        indicators=[i.code for i in definition.indicators if i.code in set(indicators)], created_at=timezone.now(),
        created_by=by,
    )  # fmt: skip
    contract.provider_users.set(provider_users)
    record(by=by, action="create", obj=contract, detail={"service": service.pk})
    return contract


def quarter_referrals(contract: Contract) -> list[QuarterReferral]:
    """The contract's service's referrals as the quarter's figures need them (no family named)."""
    rows = ServiceReferral.objects.filter(service=contract.service).values_list(
        "referred_on", "decided_on", "started_on", "ended_on", "state", "goal__is_achieved"
    )
    return [
        QuarterReferral(referred, decided, started, ended, ReferralState(state), bool(achieved))
        for referred, decided, started, ended, state, achieved in rows
    ]


def prefilled(contract: Contract, quarter: Quarter) -> dict[str, Any]:
    """The contract's indicators the service computes, for the quarter: {indicator code: figure}."""
    figures = computed_figures(quarter_referrals(contract), starts_on=quarter.starts_on, ends_on=quarter.ends_on)
    definition = monitoring_definition()
    out: dict[str, Any] = {}
    for code in contract.indicators:
        indicator = definition.indicator(code)
        if indicator is not None and indicator.computed:
            out[code] = figures[indicator.computed]
    return out


@transaction.atomic
def submit_return(
    *, contract: Contract, quarter: Quarter, figures: dict[str, Any], narrative: dict[str, str], by: User,
    expected_version: int | None = None,
) -> QuarterlyReturn:  # fmt: skip
    """The provider's return for a quarter that has ended; submitting again replaces it (its version goes up)."""
    today = timezone.localdate()
    if not contract.provider_users.filter(pk=by.pk).exists():
        raise CatalogueError("Only the contract's provider enters its returns")
    if quarter.ends_on >= today:
        raise CatalogueError("A quarter's return is entered once the quarter has ended")
    if quarter.ends_on < contract.starts_on or quarter.starts_on > contract.ends_on:
        raise CatalogueError("The contract did not run in that quarter")
    unknown = set(figures) - set(contract.indicators)
    if unknown:
        raise CatalogueError("The return holds figures the contract does not ask for")
    computed = prefilled(contract, quarter)
    now = timezone.now()
    existing = QuarterlyReturn.objects.select_for_update().filter(contract=contract, quarter=quarter.code).first()
    if existing is None:
        saved = QuarterlyReturn.objects.create(
            contract=contract, quarter=quarter.code, figures=figures, computed=computed, narrative=narrative,
            submitted_on=today, submitted_at=now, submitted_by=by,
        )  # fmt: skip
        record(by=by, action="create", obj=saved, detail={"quarter": quarter.code})
        return saved
    if expected_version is not None and existing.version != expected_version:
        raise CatalogueError("Someone else changed this return while you were editing it. Check it and try again")
    existing.figures, existing.computed, existing.narrative = figures, computed, narrative
    existing.submitted_at, existing.submitted_by = now, by
    existing.version += 1
    existing.save()  # the first submission's date stays: a correction does not make a return late
    record(by=by, action="change", obj=existing, detail={"quarter": quarter.code})
    return existing
