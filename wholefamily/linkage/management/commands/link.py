"""`wholefamily link`: link every current dataset version into persons and households (with a progress bar)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.jobs.cli_progress import RichProgress, console_for
from wholefamily.linkage.services import LinkageError, run_linkage


class Command(BaseCommand):
    help = "Link the records of every current dataset version into persons and households (Splink)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--user", default="", help="Username recorded as having started the run.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        try:
            if options["no_progress"]:
                run = run_linkage(by=user, engine=options["engine"])
            else:
                with RichProgress(console=console_for(self.stdout._out)) as progress:
                    run = run_linkage(by=user, engine=options["engine"], progress=progress)
        except LinkageError as error:
            raise CommandError(str(error)) from None
        figures = run.figures
        self.stdout.write(f"Linkage run {run.run_id}: {run.message}.")
        self.stdout.write(
            f"  {figures.get('profiles', 0):,} profiles, {figures.get('pairs_scored_above_review', 0):,} pairs scored, "
            f"{figures.get('review_pairs', 0):,} pairs for review, settings {run.settings_version}, "
            f"{figures.get('wall_s')} s"
        )
        if figures.get("person_ids_kept_share") is not None:
            self.stdout.write(f"  person ids kept from the previous run: {figures['person_ids_kept_share']:.2%}")
