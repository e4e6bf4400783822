"""`wholefamily import --kind K --profile P FILE`: validate a delivery and store it as a dataset version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.models import DataSharingAgreement
from wholefamily.ingest.models import ImportRun, Policy
from wholefamily.ingest.services import ImportError_, contracts, import_file
from wholefamily.jobs.cli_progress import RichProgress, console_for


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Import a delivered file (CSV, XLSX or Parquet) as a new dataset version of a kind, through a profile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, help="Dataset kind, e.g. school_attendance.")
        parser.add_argument("--profile", required=True, help="Source profile, e.g. synthetic-county.")
        parser.add_argument("--policy", choices=Policy.values, default=Policy.REJECT)
        parser.add_argument("--supplier", default="", help="Who delivered it (default: the profile's supplier).")
        parser.add_argument("--agreement", default="", help="Reference of the data-sharing agreement.")
        parser.add_argument("--period-start", type=_date, default=None)
        parser.add_argument("--period-end", type=_date, default=None)
        parser.add_argument("--received-on", type=_date, default=None, help="Date the delivery was received.")
        parser.add_argument("--user", default="", help="Username recorded as the importer.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind not in contracts().kinds:
            raise CommandError(f"unknown kind {kind!r}; kinds: {', '.join(contracts().kinds)}")
        agreement = None
        if options["agreement"]:
            agreement = DataSharingAgreement.objects.filter(reference=options["agreement"]).first()
            if agreement is None:
                raise CommandError(f"no data-sharing agreement with reference {options['agreement']!r}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        console = console_for(self.stdout._out)
        arguments = dict(
            path=Path(options["file"]),
            kind=kind,
            profile=options["profile"],
            by=user,
            policy=options["policy"],
            supplier=options["supplier"],
            data_sharing_agreement=agreement,
            period_start_on=options["period_start"],
            period_end_on=options["period_end"],
            received_on=options["received_on"],
        )
        try:
            if options["no_progress"]:
                run = import_file(**arguments)
            else:
                with RichProgress(console=console) as progress:
                    run = import_file(**arguments, progress=progress)
        except ImportError_ as error:
            raise CommandError(str(error)) from None
        self._summary(run)
        if run.status == ImportRun.Status.REJECTED:
            raise CommandError("The delivery was refused; nothing was stored.")

    def _summary(self, run: ImportRun) -> None:
        write = self.stdout.write
        write(f"{run.get_status_display()}: {run.message}")
        write(
            f"  kind {run.kind}, profile {run.profile}, policy {run.policy}, file {run.file_name} "
            f"({run.file_size:,} bytes, sha256 {run.sha256[:16]}...)"
        )
        write(
            f"  rows read {run.rows_read:,}, accepted {run.rows_accepted:,}, bad {run.rows_bad:,}, "
            f"quarantined {run.rows_quarantined:,}, formula-like cells flagged {run.cells_flagged:,}"
        )
        for item in run.problem_summary[:15]:
            column = f"{item['column']}: " if item["column"] else ""
            write(f"  {item['count']:>8,} x {item['severity']}: {column}{item['reason']}")
        if run.problems_total:
            write(f"  Report: wholefamily import_report {run.pk}  (or /data/imports/{run.pk}/ on the web)")
