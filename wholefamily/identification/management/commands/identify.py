"""`wholefamily identify --programme P --as-of D --snapshot DIR --out cohort.csv [--evidence evidence.csv]`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.identification.engine.engines import ENGINES
from wholefamily.identification.engine.outputs import write_csv
from wholefamily.identification.engine.snapshot import SnapshotError
from wholefamily.identification.services import IdentificationError, identify_families
from wholefamily.jobs.cli_progress import RichProgress, console_for


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Find the families who meet a programme's criteria as of a date, with the evidence for each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="Programme code, e.g. tf-2015 (programmes/*.yaml).")
        parser.add_argument("--as-of", required=True, type=_date, help="Date the criteria are evaluated on.")
        parser.add_argument("--snapshot", required=True, type=Path, help="Linked snapshot directory.")
        parser.add_argument("--datasets", type=Path, default=None, help="Dataset store (default DATA_DIR/datasets).")
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument("--out", type=Path, default=None, help="Cohort CSV: one row per qualifying family.")
        parser.add_argument("--evidence", type=Path, default=None, help="Evidence CSV: one row per indicator met.")
        parser.add_argument("--user", default="", help="Username recorded as having started the run.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        arguments = dict(
            programme=options["programme"],
            as_of_on=options["as_of"],
            snapshot_dir=options["snapshot"],
            datasets_root=options["datasets"],
            engine=options["engine"],
            by=user,
        )
        try:
            if options["no_progress"]:
                run = identify_families(**arguments)
            else:
                with RichProgress(console=console_for(self.stdout._out)) as progress:
                    run = identify_families(**arguments, progress=progress)
        except (IdentificationError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        output = Path(run.output_dir)
        if options["out"]:
            write_csv(pq.read_table(output / "cohort.parquet"), options["out"])
        if options["evidence"]:
            write_csv(pq.read_table(output / "evidence.parquet"), options["evidence"])
        write = self.stdout.write
        write(f"Run {run.pk}: {run.programme} v{run.programme_version} as of {run.as_of_on} on {run.engine}")
        write(f"  {run.message} ({run.residents:,} residents) in {run.seconds:.1f} s")
        if run.previous_id:
            write(
                f"  since run {run.previous_id}: {run.newly_qualifying:,} newly qualifying, "
                f"{run.no_longer_qualifying:,} no longer qualifying, {run.unchanged:,} unchanged"
            )
        if options["out"]:
            write(f"  cohort: {options['out']}")
        if options["evidence"]:
            write(f"  evidence: {options['evidence']}")
