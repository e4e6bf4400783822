"""`wholefamily datasets`: list dataset versions with their provenance."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wholefamily.ingest.models import DatasetVersion


class Command(BaseCommand):
    help = "List dataset versions (newest first) with their provenance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", default="")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        versions = DatasetVersion.objects.select_related("imported_by", "data_sharing_agreement")
        if options["kind"]:
            versions = versions.filter(kind=options["kind"])
        rows = list(versions[: options["limit"]])
        if not rows:
            self.stdout.write("No dataset versions.")
            return
        for version in rows:
            period = f"{version.period_start_on or '?'}..{version.period_end_on or '?'}"
            agreement = version.data_sharing_agreement.reference if version.data_sharing_agreement else "-"
            by = version.imported_by.get_username() if version.imported_by else "-"
            self.stdout.write(
                f"{version.version_id}  {version.kind:<27} {version.profile:<24} rows {version.rows_accepted:>9,} "
                f"(+{version.rows_quarantined:,} quarantined)  period {period}  received {version.received_on}  "
                f"agreement {agreement}  by {by}  at {version.imported_at:%Y-%m-%d %H:%M}  sha256 {version.sha256[:12]}"
            )
