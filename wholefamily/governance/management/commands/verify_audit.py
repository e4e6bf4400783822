"""Verify the audit log's hash chain and name the first row that breaks it (ADR 0015)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wholefamily.governance import chain
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent


class Command(BaseCommand):
    help = "Check that no audit event was changed, removed or reordered: walk the hash chain and name the first break."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = chain.verify()
        if broken is None:
            record(by=None, action="audit.verify", detail={"rows": checked}, system_actor="system:verify_audit")
            self.stdout.write(f"The audit log's chain holds: {checked:,} rows checked, none changed or missing.")
            return
        record(
            by=None,
            action="audit.verify",
            outcome=AuditEvent.Outcome.FAILED,
            detail={"rows": checked, "first_broken_row": broken.row_id, "reason": broken.reason},
            system_actor="system:verify_audit",
        )
        raise CommandError(
            f"The audit log's chain is broken at row {broken.row_id} (place {broken.sequence}): {broken.reason}. "
            f"{checked - 1:,} rows before it hold."
        )
