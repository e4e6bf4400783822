"""`wholefamily import_cases FILE --user NAME`: bring a council's existing cases, with their history, from a CSV
(definitions/cases/existing_cases.yaml), whole or not at all; importing the same file again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.cases.imports import import_existing_cases


class Command(BaseCommand):
    help = (
        "Import existing cases with their history (opened, allocated, assessed, planned, reviewed, closed on their "
        "days) from a CSV: all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="The team or programme manager recording the cases.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if not isinstance(user, User):
            raise CommandError(f"no user {options['user']!r}")
        result = import_existing_cases(path=path, by=user)
        if not result.is_accepted:
            for problem in result.problems[:50]:
                self.stdout.write(f"  {problem}")
            more = len(result.problems) - 50
            if more > 0:
                self.stdout.write(f"  and {more:,} more")
            raise CommandError(f"{path.name}: nothing was imported ({len(result.problems):,} problems).")
        self.stdout.write(
            f"{path.name}: {len(result.imported):,} cases imported, {len(result.already_there):,} already there"
        )
