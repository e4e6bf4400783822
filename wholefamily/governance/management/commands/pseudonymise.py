"""Write an identification run's cohort, one row a member, under pseudonyms: for analysis that names nobody."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.domain.validation import safe_row
from wholefamily.governance import pseudonyms


class Command(BaseCommand):
    help = "Pseudonymised cohort for analysts: one row a member of each qualifying family, persons as pseudonyms."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="The identification run (its number on the runs page).")
        parser.add_argument("--out", type=Path, required=True, help="The CSV file to write.")
        parser.add_argument("--user", required=True, help="Who asks (a data analyst or programme manager; audited).")

    def handle(self, *args: Any, **options: Any) -> None:
        from wholefamily.identification.models import IdentificationRun

        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        run = IdentificationRun.objects.filter(pk=options["run"], status=IdentificationRun.Status.SUCCEEDED).first()
        if run is None:
            raise CommandError(f"No finished identification run {options['run']}")
        try:
            rows = pseudonyms.pseudonymised_cohort(run=run, for_user=user)
        except (PermissionDenied, pseudonyms.PseudonymKeyMissing) as error:
            raise CommandError(str(error)) from None
        out: Path = options["out"]
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(pseudonyms.COLUMNS)
            writer.writerows(safe_row(row) for row in rows)  # formula-safe (ADR 0014)
        self.stdout.write(f"Wrote {len(rows):,} members of run {run.pk}'s families under pseudonyms to {out}")
