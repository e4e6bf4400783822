"""The one way to write the audit log: `record()`.

Every service calls it in the same transaction as its change; reads of personal records call it too.
The request id and the client address come from the request being served (set by RequestIdMiddleware),
so services need not pass the request.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from wholefamily.governance.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None


current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "wholefamily_current_request", default=None
)


def record(
    *,
    by: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    system_actor: str = "",
) -> AuditEvent:
    """Write one audit event. `obj` fills object_type ("app_label.model") and object_id.

    Work done by the system rather than a signed-in user (a management command, a scheduled job)
    passes `by=None` and names itself in `system_actor`, e.g. "system:setup_demo".
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    context = current_request.get()
    actor = cast("User | None", by if (by is not None and by.is_authenticated) else None)
    event = AuditEvent(
        actor=actor,
        actor_label=actor.get_username() if actor is not None else system_actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        request_id=context.request_id if context else "",
        ip_address=context.ip_address if context else None,
        detail=detail or {},
    )
    event.save(force_insert=True)
    return event
