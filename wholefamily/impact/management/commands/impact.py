"""`wholefamily impact [--snapshot DIR] [--worked-with families.csv] [--pool pool.csv] [--seed N]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.identification.engine.snapshot import SnapshotError
from wholefamily.impact.services import ImpactError, read_pool, read_worked_with, run_impact


class Command(BaseCommand):
    help = "Compare worked-with families with matched comparison families: balance and difference in differences."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--snapshot", type=Path, default=None, help="Linked snapshot (default: current run).")
        parser.add_argument(
            "--worked-with", type=Path, default=None,
            help="CSV household_id,start_on (default: the cases with a linked household, from their opening).",
        )  # fmt: skip
        parser.add_argument(
            "--pool", type=Path, default=None,
            help="CSV household_id of families that met the criteria (default: the latest identification run).",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=0, help="Seed for the comparison families' start dates.")
        parser.add_argument("--user", default="", help="Username recorded as having run the analysis.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            run = run_impact(
                snapshot_dir=options["snapshot"],
                worked=read_worked_with(options["worked_with"]) if options["worked_with"] else None,
                pool=read_pool(options["pool"]) if options["pool"] else None,
                seed=options["seed"],
                by=user,
            )
        except (ImpactError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Impact analysis {run.pk}: {run.worked_with} worked-with families, {run.pool} in the comparison pool, "
            f"{run.matched} matched ({run.unmatched} without a close match), {run.seconds:.1f}s"
        )
        for effect in run.effects.all():
            self.stdout.write(
                f"  {effect.label}: {effect.estimate:+.3f} (95% CI {effect.low:+.3f} to {effect.high:+.3f}); "
                f"worked-with {effect.treated_before:.2f} -> {effect.treated_after:.2f}, "
                f"comparison {effect.comparison_before:.2f} -> {effect.comparison_after:.2f}"
            )
