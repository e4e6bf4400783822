"""`wholefamily import_report RUN_ID [--output FILE]`: an import's validation report as CSV (formula-safe)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.ingest.models import ImportRun
from wholefamily.ingest.reports import problems_csv_lines


class Command(BaseCommand):
    help = "Write an import's validation report (line, column, severity, reason, value) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", help="The import run's id (printed by `wholefamily import`).")
        parser.add_argument("--output", type=Path, default=None, help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = ImportRun.objects.get(pk=options["run_id"])
        except (ImportRun.DoesNotExist, ValueError, ValidationError) as error:
            raise CommandError(f"no import run {options['run_id']!r}") from error
        if options["output"] is None:
            for line in problems_csv_lines(run):
                self.stdout.write(line, ending="")
            return
        with options["output"].open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(problems_csv_lines(run))
        self.stdout.write(f"Wrote {run.problems.count():,} problems to {options['output']}")
