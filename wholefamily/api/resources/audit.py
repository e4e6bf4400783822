"""The audit log, for those who may read it (auditors, administrators, programme managers), through governance's
selector as the web's audit log page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from wholefamily.api import paging
from wholefamily.api.resources.common import PageQuery, answers
from wholefamily.api.schemas import AuditPage
from wholefamily.api.security import need, via
from wholefamily.governance import access, selectors
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent

PREFIX = "/audit-events"
RESOURCE = "audit"
router = Router(tags=["Audit log"])


class AuditFilters(PageQuery):
    action: str | None = Field(None, max_length=60)
    actor: str | None = Field(None, max_length=150, description="The actor's username at the time.")
    object_type: str | None = Field(None, max_length=100)
    object_id: str | None = Field(None, max_length=64)
    outcome: AuditEvent.Outcome | None = None
    since_on: dt.date | None = None


def render(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail if isinstance(event.detail, dict) else {},
    }


@router.get("", response=answers(AuditPage), summary="Read the audit log, newest first")
def list_audit_events(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    user = need(request, RESOURCE, "read")
    if not access.has_role(user, *selectors.AUDIT_READERS):
        raise PermissionDenied("Only auditors, administrators and programme managers read the audit log.")
    events = selectors.audit_events_for(
        for_user=user,
        action=filters.action or "",
        actor_label=filters.actor or "",
        object_type=filters.object_type or "",
        object_id=filters.object_id or "",
        outcome=filters.outcome or "",
        since_on=filters.since_on,
    )
    result = paging.page(events, cursor=filters.cursor, limit=filters.limit, render=render, descending=True)
    # The log names people and the records read: reading it is a read too (after the page, so not in it).
    record(
        by=user,
        action="view",
        object_type="governance.auditevent",
        object_id="api",
        detail=via(request, rows=len(result["items"])),
    )
    return result
