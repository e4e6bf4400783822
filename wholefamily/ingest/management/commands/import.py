"""`wholefamily import --profile P [--kind K] FILE_OR_FOLDER...`: validate each delivery and store it as a dataset
version, several files (or every file of a folder) in one process. Each file is its own delivery, accepted or refused
whole; without --kind a file's kind is its name (school_attendance.csv is school_attendance)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.governance.models import DataSharingAgreement
from wholefamily.ingest.columnar import INGEST_ENGINES
from wholefamily.ingest.models import ImportRun, Policy
from wholefamily.ingest.services import ImportError_, contracts, import_file
from wholefamily.jobs.cli_progress import RichProgress, console_for


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


SUFFIXES = (".csv", ".xlsx", ".parquet")


def delivered_files(paths: list[Path]) -> list[Path]:
    """The files named, with every CSV, XLSX or Parquet file of a folder named (in name order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(item for item in path.iterdir() if item.is_file() and item.suffix.lower() in SUFFIXES)
            if not found:
                raise CommandError(f"{path} holds no CSV, XLSX or Parquet file")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    return files


class Command(BaseCommand):
    help = (
        "Import delivered files (CSV, XLSX or Parquet; several, or a folder) as new dataset versions, through a "
        "profile."
    )
    # The web's system checks (URL configuration, templates) take seconds to import and say nothing about a file.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", type=Path, nargs="+", metavar="FILE_OR_FOLDER")
        parser.add_argument(
            "--kind", default="", help="Dataset kind, e.g. school_attendance (default: each file's name)."
        )
        parser.add_argument("--profile", required=True, help="Source profile, e.g. synthetic-county.")
        parser.add_argument("--policy", choices=Policy.values, default=Policy.REJECT)
        parser.add_argument("--supplier", default="", help="Who delivered it (default: the profile's supplier).")
        parser.add_argument("--agreement", default="", help="Reference of the data-sharing agreement.")
        parser.add_argument("--period-start", type=_date, default=None)
        parser.add_argument("--period-end", type=_date, default=None)
        parser.add_argument("--received-on", type=_date, default=None, help="Date the delivery was received.")
        parser.add_argument("--user", default="", help="Username recorded as the importer.")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--engine",
            choices=INGEST_ENGINES,
            default=None,
            help="Engine of the CSV checks: duckdb or spark (default: the WHOLEFAMILY_INGEST_ENGINE setting, duckdb).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = delivered_files(list(options["files"]))
        kinds = {path: options["kind"] or path.stem for path in files}
        unknown = sorted({kind for kind in kinds.values() if kind not in contracts().kinds})
        if unknown:
            raise CommandError(
                f"unknown kind {', '.join(map(repr, unknown))} (give --kind, or name the file after its kind); "
                f"kinds: {', '.join(contracts().kinds)}"
            )
        agreement = None
        if options["agreement"]:
            agreement = DataSharingAgreement.objects.filter(reference=options["agreement"]).first()
            if agreement is None:
                raise CommandError(f"no data-sharing agreement with reference {options['agreement']!r}")
        user = acting_user(options["user"])
        refused = []
        for path in files:
            run = self._import(path, kinds[path], options, user, agreement)
            if run.status == ImportRun.Status.REJECTED:
                refused.append(path.name)
        if len(files) > 1:
            self.stdout.write(f"{len(files) - len(refused)} of {len(files)} files imported")
        if refused:
            if len(files) == 1:
                raise CommandError("The delivery was refused; nothing was stored.")
            raise CommandError(f"Refused, nothing stored from them: {', '.join(refused)}.")

    def _import(self, path: Path, kind: str, options: dict[str, Any], user: Any, agreement: Any) -> ImportRun:
        console = console_for(self.stdout._out)
        arguments = dict(
            path=path,
            kind=kind,
            profile=options["profile"],
            by=user,
            policy=options["policy"],
            supplier=options["supplier"],
            data_sharing_agreement=agreement,
            period_start_on=options["period_start"],
            period_end_on=options["period_end"],
            received_on=options["received_on"],
            engine=options["engine"],
        )
        try:
            if options["no_progress"]:
                run = import_file(**arguments)
            else:
                with RichProgress(console=console) as progress:
                    run = import_file(**arguments, progress=progress)
        except ImportError_ as error:
            raise CommandError(f"{path.name}: {error}") from None
        self._summary(run)
        return run

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
