"""Reads, always scoped to the user asking."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.models import AuditEvent, DataSharingAgreement, StaffProfile, Team

AnyUser = AbstractBaseUser | AnonymousUser

AUDIT_READERS = (Role.AUDITOR, Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER)


def teams_for(*, for_user: AnyUser) -> QuerySet[Team]:
    """Teams this user may see: their own, or all for county-wide roles. Teams are not personal records."""
    teams = Team.objects.annotate(staff_count=Count("staff"))
    return access.scope(for_user, teams, team_field="pk", is_personal=False)


def staff_for(*, for_user: AnyUser, team: Team | None = None) -> QuerySet[StaffProfile]:
    staff = access.scope(for_user, StaffProfile.objects.select_related("user", "team"), team_field="team")
    return staff.filter(team=team) if team is not None else staff


def audit_events_for(
    *,
    for_user: AnyUser,
    action: str = "",
    actor_label: str = "",
    object_type: str = "",
    object_id: str = "",
    outcome: str = "",
    since_on: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log, for those who may read it (auditors, administrators, programme managers)."""
    if not access.has_role(for_user, *AUDIT_READERS):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if actor_label:
        events = events.filter(actor_label__iexact=actor_label)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if outcome:
        events = events.filter(outcome=outcome)
    if since_on:
        events = events.filter(occurred_at__date__gte=since_on)
    return events


AGREEMENT_READERS = (Role.ADMINISTRATOR, Role.DATA_ANALYST, Role.PROGRAMME_MANAGER, Role.AUDITOR)
RETENTION_READERS = (Role.ADMINISTRATOR, Role.AUDITOR)
ENDS_SOON_DAYS = 90


def agreement_status(agreement: DataSharingAgreement, *, today: date) -> tuple[str, str]:
    """In words, with the GOV.UK tag colour: not started, in force, ends within 90 days, or ended (ADR 0015: an
    ended agreement stops imports of its kinds)."""
    if agreement.start_on > today:
        return "Not started", "blue"
    if agreement.end_on is None:
        return "In force", "green"
    if agreement.end_on < today:
        return "Ended", "red"
    if (agreement.end_on - today).days <= ENDS_SOON_DAYS:
        return "Ends soon", "yellow"
    return "In force", "green"


def agreements_for(*, for_user: AnyUser) -> QuerySet[DataSharingAgreement]:
    """Data-sharing agreements (no personal data) for those who import under them or oversee them."""
    if not access.has_role(for_user, *AGREEMENT_READERS):
        return DataSharingAgreement.objects.none()
    return DataSharingAgreement.objects.order_by("end_on", "partner", "name")
