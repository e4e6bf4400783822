"""Appending to and verifying the audit log's hash chain (ADR 0015); the hashing itself is pure, in the domain.

Appends are serialised so that concurrent writers never fork the chain: on PostgreSQL a transaction-scoped
advisory lock, held until the writer's transaction ends; on SQLite the write lock every IMMEDIATE transaction
takes at BEGIN. The unique `sequence` is the backstop: a fork would fail to insert rather than be stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from wholefamily.domain.audit_chain import GENESIS, Break, ChainedRow, first_break, row_hash
from wholefamily.governance.models import AuditEvent

# Any fixed 64-bit number names the lock; this one spells "audit" in ASCII.
_ADVISORY_LOCK_KEY = 0x6175646974


def content_of(
    *,
    sequence: int | None,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    request_id: str,
    ip_address: str | None,
    detail: dict[str, Any],
) -> dict[str, Any]:
    """The chained content of a row, in the form it reads back from either database."""
    ip_field = AuditEvent._meta.get_field("ip_address")
    return {
        "sequence": sequence,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "request_id": request_id,
        "ip_address": ip_field.get_prep_value(ip_address) if ip_address else None,
        "detail": detail,
    }


def lock_and_read_head() -> tuple[int, str]:
    """Take the chain's append lock (inside the caller's transaction) and return the last row's place and hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    head = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "row_hash")
        .first()
    )
    return (int(head[0] or 0), str(head[1])) if head else (0, GENESIS)


def seal(event: AuditEvent, *, previous_sequence: int, previous_hash: str) -> None:
    """Give an unsaved event its place in the chain and its hash."""
    # Stored as it will read back (keys as strings, tuples as lists), so the hash holds on both databases.
    event.detail = json.loads(json.dumps(event.detail or {}))
    event.sequence = previous_sequence + 1
    event.previous_hash = previous_hash
    event.row_hash = row_hash(content=_content_of_event(event), previous_hash=previous_hash)


def _content_of_event(event: AuditEvent) -> dict[str, Any]:
    return content_of(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        outcome=event.outcome,
        request_id=event.request_id,
        ip_address=event.ip_address,
        detail=event.detail,
    )


def _stored_rows() -> Iterator[ChainedRow]:
    # Rows without a place (none after the chain's migration) sort last, so they show as a break.
    events = AuditEvent.objects.order_by("sequence", "id").iterator(chunk_size=2000)
    for event in events:
        yield ChainedRow(
            row_id=event.pk,
            content=_content_of_event(event),
            previous_hash=event.previous_hash,
            row_hash=event.row_hash,
        )


def verify() -> tuple[int, Break | None]:
    """Walk the whole chain; return how many rows were checked and the first break, if any."""
    checked = 0

    def counted() -> Iterator[ChainedRow]:
        nonlocal checked
        for row in _stored_rows():
            checked += 1
            yield row

    broken = first_break(counted())
    return checked, broken
