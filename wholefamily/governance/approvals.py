"""The two-person rule (ADR 0015): an action whose result leaves the service needs a second authorised person.

A caller (the claim submission download, a re-identification) asks `current_approval` before it acts; without one
it offers `request_approval`. Who may ask and who may approve each kind is data:
definitions/governance/two-person-rule.yaml.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import Approval

AnyUser = AbstractBaseUser | AnonymousUser

CLAIM_SUBMISSION = "claim_submission"
REIDENTIFICATION = "reidentification"
# Who the navigation shows the approvals page: those who ask for or approve a claim submission (a data analyst's
# re-identification requests reach the page from the action that needs them).
APPROVAL_ROLES = (Role.PROGRAMME_MANAGER, Role.AUDITOR, Role.ADMINISTRATOR)


class ApprovalError(Exception):
    """A request or decision the rule refuses, with a message for the person who tried."""


@dataclass(frozen=True)
class ApprovalKind:
    code: str
    label: str
    requesters: frozenset[Role]
    approvers: frozenset[Role]


@dataclass(frozen=True)
class TwoPersonRule:
    kinds: dict[str, ApprovalKind]
    valid_for: timedelta


@cache
def rule() -> TwoPersonRule:
    path = Path(settings.DEFINITIONS_DIR) / "governance" / "two-person-rule.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {
        code: ApprovalKind(
            code=code,
            label=str(entry["label"]),
            requesters=frozenset(Role(name) for name in entry["requesters"]),
            approvers=frozenset(Role(name) for name in entry["approvers"]),
        )
        for code, entry in raw["kinds"].items()
    }
    return TwoPersonRule(kinds=kinds, valid_for=timedelta(days=int(raw["approval_valid_days"])))


def kind_of(code: str) -> ApprovalKind:
    try:
        return rule().kinds[code]
    except KeyError:
        raise ApprovalError(f"There is no approval of that kind ({code!r}).") from None


def fingerprint_of(rows: Iterable[Sequence[Any]]) -> str:
    """A hash of exactly what is approved (the rows of a file, in order)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(list(row), default=str, separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def may_request(user: AnyUser, kind: str) -> bool:
    return access.has_role(user, *kind_of(kind).requesters)


def may_approve(user: AnyUser, approval: Approval) -> bool:
    """An approver of this kind who is not the person who asked (a superuser is no exception)."""
    if not user.is_authenticated or user.pk == approval.requested_by_id:
        return False
    return bool(access.user_roles(user) & kind_of(approval.kind).approvers)


@transaction.atomic
def request_approval(
    *, kind: str, subject: str, fingerprint: str, reason: str, summary: dict[str, Any] | None = None, by: AnyUser
) -> Approval:
    """Ask a second person to approve `subject` as it is now (`fingerprint`); an open request for the same content
    is returned rather than repeated."""
    if not may_request(by, kind):
        raise PermissionDenied(f"You may not ask for approval of a {kind_of(kind).label.lower()}.")
    reason = reason.strip()
    if not reason:
        raise ApprovalError("Say why this is needed.")
    existing = Approval.objects.filter(
        kind=kind, subject=subject, fingerprint=fingerprint, state=Approval.State.PENDING
    ).first()
    if existing is not None:
        return existing
    approval = Approval.objects.create(  # type: ignore[misc]
        kind=kind, subject=subject, fingerprint=fingerprint, reason=reason, requested_by=by, summary=summary or {}
    )
    record(by=by, action="approval.request", obj=approval, detail={"kind": kind, "subject": subject})
    return approval


def decide_approval(*, approval: Approval, approve: bool, note: str = "", by: AnyUser) -> Approval:
    """Approve or refuse a waiting request. The person who asked can never decide it; a refused try is audited."""
    if not may_approve(by, approval):
        record(by=by, action="approval.decide", obj=approval, outcome="denied", detail={"approve": approve})
        if by.is_authenticated and by.pk == approval.requested_by_id:
            raise ApprovalError("You asked for this approval, so a second person must decide it.")
        raise PermissionDenied("You may not decide this approval.")
    if not approve and not note.strip():
        raise ApprovalError("Say why you are refusing it.")
    with transaction.atomic():
        locked = Approval.objects.select_for_update().get(pk=approval.pk)
        if locked.state != Approval.State.PENDING:
            raise ApprovalError(f"This request has already been decided ({locked.get_state_display().lower()}).")
        locked.state = Approval.State.APPROVED if approve else Approval.State.REFUSED
        locked.decided_by = by  # type: ignore[assignment]
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        detail = {"kind": locked.kind, "subject": locked.subject, "requested_by": locked.requested_by_id}
        record(by=by, action="approval.approve" if approve else "approval.refuse", obj=locked, detail=detail)
    return locked


def current_approval(*, kind: str, subject: str, fingerprint: str) -> Approval | None:
    """The approval that lets this exact content go now: approved by a second person, not expired."""
    since = timezone.now() - rule().valid_for
    return (
        Approval.objects.filter(
            kind=kind, subject=subject, fingerprint=fingerprint, state=Approval.State.APPROVED, decided_at__gte=since
        )
        .order_by("-decided_at")
        .first()
    )


def pending_request(*, kind: str, subject: str, fingerprint: str) -> Approval | None:
    return Approval.objects.filter(
        kind=kind, subject=subject, fingerprint=fingerprint, state=Approval.State.PENDING
    ).first()


def approvals_for(*, for_user: AnyUser) -> QuerySet[Approval]:
    """Requests this user asked for or may decide (of the kinds their roles approve)."""
    if not for_user.is_authenticated:
        return Approval.objects.none()
    roles = access.user_roles(for_user)
    kinds = [code for code, kind in rule().kinds.items() if roles & (kind.approvers | kind.requesters)]
    return Approval.objects.filter(kind__in=kinds).select_related("requested_by", "decided_by")
