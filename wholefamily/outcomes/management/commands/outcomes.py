"""`wholefamily outcomes --programme P --as-of D --out outcomes.csv [--snapshot DIR] [--families families.csv]`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.identification.engine.engines import ENGINES
from wholefamily.identification.engine.outputs import write_csv
from wholefamily.identification.engine.snapshot import SnapshotError
from wholefamily.outcomes.engine import as_table
from wholefamily.outcomes.measuring import OutcomesRunError, measure_outcomes


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Measure the programme's outcomes for its families from the linked data, as of a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="Programme code: programmes/outcomes/<code>.yaml.")
        parser.add_argument("--as-of", required=True, type=_date, help="The date the outcomes are measured on.")
        parser.add_argument("--out", required=True, type=Path, help="CSV: a row per family, measure and member.")
        parser.add_argument("--snapshot", type=Path, default=None, help="Linked snapshot (default: current run).")
        parser.add_argument("--datasets", type=Path, default=None, help="Dataset store (default DATA_DIR/datasets).")
        parser.add_argument(
            "--families", type=Path, default=None, help="CSV of household_id,start_on[,family_id,end_on]; "
            "default: the cases on the programme with a linked household.",
        )  # fmt: skip
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument("--user", default="", help="Username recorded as having started the run.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            run, measurement = measure_outcomes(
                programme=options["programme"],
                as_of_on=options["as_of"],
                snapshot_dir=options["snapshot"],
                datasets_root=options["datasets"],
                families_file=options["families"],
                engine=options["engine"],
                by=user,
            )
        except (OutcomesRunError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        write_csv(as_table(measurement), options["out"])
        counts = Counter(item.result.status.value for item in measurement.results)
        self.stdout.write(
            f"Run {run.pk}: {run.framework} v{run.framework_version} as of {run.as_of_on} on {run.engine}: "
            f"{run.families:,} families in {measurement.seconds:.1f} s"
        )
        self.stdout.write("  " + ", ".join(f"{status} {count:,}" for status, count in sorted(counts.items())))
        self.stdout.write(f"  outcomes: {options['out']}")
