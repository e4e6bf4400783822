"""`wholefamily link`: link every current dataset version into persons and households (with a progress bar)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.jobs.cli_progress import RichProgress, console_for
from wholefamily.linkage.engine.quality import report_lines
from wholefamily.linkage.management.commands.dedupe import write_table_csv
from wholefamily.linkage.options import add_analyst_options, column_map, memory_limit, threshold
from wholefamily.linkage.services import LinkageError, run_linkage, snapshot_dir


class Command(BaseCommand):
    help = "Link the records of every current dataset version into persons and households (Splink)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--user", default="", help="Username recorded as having started the run.")
        parser.add_argument(
            "--pairs", type=Path, default=None,
            help="Also write every scored pair of records (match probability, weight, both sides' values) to this "
            "CSV, for clerical review.",
        )  # fmt: skip
        add_analyst_options(parser)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            arguments: dict[str, Any] = {
                "by": user, "engine": options["engine"], "model": options["model"],
                "link_threshold": threshold(options["threshold"]), "column_map": column_map(options["column"]),
                "memory_limit": memory_limit(options["memory"]) if options["memory"] else None,
                "write_scored_pairs": options["pairs"] is not None,
            }  # fmt: skip
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            if options["no_progress"]:
                run = run_linkage(**arguments)
            else:
                with RichProgress(console=console_for(self.stdout._out)) as progress:
                    run = run_linkage(progress=progress, **arguments)
        except (LinkageError, ValueError) as error:
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
        if options["pairs"] is not None:
            write_table_csv(pq.read_table(snapshot_dir(run) / "scored_pairs.parquet"), options["pairs"])
            self.stdout.write(f"Scored pairs for clerical review written to {options['pairs']}.")
        if figures.get("quality"):
            for line in report_lines(figures["quality"]):
                self.stdout.write(line)
