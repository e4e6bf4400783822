"""List the deliveries whose retention period has ended and the copies of their records held elsewhere (a dry run,
the default), or purge them with --purge."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wholefamily.domain.retention import long_date
from wholefamily.governance import retention


class Command(BaseCommand):
    help = "Retention: list (default) or --purge the stored deliveries past their period; floors keep claim evidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purge", action="store_true", help="Remove them (without it: list only).")
        parser.add_argument("--all", action="store_true", help="List every delivery with its verdict.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            for verdict in retention.plan():
                mark = "due" if verdict.is_due else "keep"
                self.stdout.write(f"{mark:5} {verdict.kind:28} {verdict.version_id:40} {verdict.reason}")
        due = retention.purge(dry_run=not options["purge"], by=None, system_actor="system:retention")
        verb = "Purged" if options["purge"] else "Would purge"
        for item in due:
            self.stdout.write(f"{verb} {item.kind} {item.version_id}: ended {long_date(item.expires_on)}")
            self.stdout.write(f"  and its copies: {item.copies}")
        self.stdout.write(f"{verb} {len(due)} deliveries." + ("" if options["purge"] else " Nothing was removed."))
