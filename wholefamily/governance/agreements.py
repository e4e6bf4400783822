"""Data-sharing agreements (ADR 0015): every dataset kind is imported under a registered agreement in force on the
day the delivery was received. Registering is a service; `agreement_for_import` is the check ingest makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import DataSharingAgreement

AnyUser = AbstractBaseUser | AnonymousUser


class AgreementError(Exception):
    """No agreement lets this import go ahead; the message says what to do."""


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def agreement_for_import(
    *, kind: str, on: dt.date, agreement: DataSharingAgreement | None = None
) -> DataSharingAgreement:
    """The agreement that covers `kind` on `on`: the one named, or else the latest in force. Refuses, with a
    message, a named agreement that does not cover the kind or is not in force, and a kind no agreement covers."""
    if agreement is not None:
        if kind not in agreement.kinds:
            raise AgreementError(
                f"The data-sharing agreement {agreement.reference} does not cover {kind} data. "
                "Import it under an agreement that does, or add the kind to this one."
            )
        if agreement.start_on > on:
            raise AgreementError(
                f"The data-sharing agreement {agreement.reference} starts on {_long_date(agreement.start_on)}, "
                f"after this delivery was received ({_long_date(on)})."
            )
        if agreement.end_on is not None and agreement.end_on < on:
            raise AgreementError(
                f"The data-sharing agreement {agreement.reference} ended on {_long_date(agreement.end_on)}. "
                "Nothing can be imported under it until it is renewed."
            )
        return agreement
    covering = [a for a in DataSharingAgreement.objects.order_by("-start_on", "-pk") if kind in a.kinds]
    in_force = [a for a in covering if a.start_on <= on and (a.end_on is None or a.end_on >= on)]
    if in_force:
        return in_force[0]
    if covering:
        latest = covering[0]
        ended = f"ended on {_long_date(latest.end_on)}" if latest.end_on and latest.end_on < on else "is not in force"
        raise AgreementError(
            f"The data-sharing agreement for {kind} data ({latest.reference}) {ended}. "
            "Nothing of this kind can be imported until an agreement in force covers it."
        )
    raise AgreementError(
        f"No data-sharing agreement covers {kind} data. Register one (wholefamily register_agreement) before "
        "importing it."
    )


@transaction.atomic
def register_agreement(
    *,
    reference: str,
    name: str,
    partner: str,
    parties: str,
    purpose: str,
    lawful_basis: str,
    kinds: list[str],
    start_on: dt.date,
    end_on: dt.date | None,
    retention_months: int | None = None,
    by: AnyUser | None,
    system_actor: str = "",
) -> DataSharingAgreement:
    """Register or update an agreement by its reference (administrators, or the system)."""
    if by is not None and not access.has_role(by, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator may register a data-sharing agreement.")
    if end_on is not None and end_on < start_on:
        raise AgreementError("The agreement ends before it starts.")
    if not kinds:
        raise AgreementError("Name at least one dataset kind the agreement covers.")
    terms: dict[str, Any] = {"name": name, "partner": partner, "parties": parties, "purpose": purpose,
                             "lawful_basis": lawful_basis, "kinds": sorted(set(kinds)), "start_on": start_on,
                             "end_on": end_on, "retention_months": retention_months}  # fmt: skip
    existing = DataSharingAgreement.objects.filter(reference=reference).first()
    if existing is not None and all(getattr(existing, key) == value for key, value in terms.items()):
        return existing  # registering the same terms again changes nothing and records nothing
    agreement, created = DataSharingAgreement.objects.update_or_create(reference=reference, defaults=terms)
    detail = {key: str(value) if isinstance(value, dt.date) else value for key, value in terms.items()}
    record(by=by, action="agreement.register" if created else "agreement.change", obj=agreement, detail=detail,
           system_actor=system_actor)  # fmt: skip
    return agreement


def create_demo_agreements(*, kinds: list[str], system_actor: str = "system:setup_demo") -> DataSharingAgreement:
    """The demo's one agreement, covering every dataset kind the county's files hold (never in production)."""
    return register_agreement(
        reference="DEMO-DSA-1",
        name="Demo county whole-family information sharing agreement",
        partner="Demo county partners",
        parties="Demo County Council\nDemo Police\nDemo schools\nDemo health trust\nDepartment for Work and Pensions",
        purpose="Identify families for the whole-family programme, support them, and measure their outcomes.",
        lawful_basis="UK GDPR Article 6(1)(e) public task; Article 9(2)(g) substantial public interest",
        kinds=kinds,
        start_on=dt.date(2000, 1, 1),
        end_on=None,
        by=None,
        system_actor=system_actor,
    )
