"""`wholefamily savings [--snapshot DIR] [--worked-with CSV] [--sample 0.1] [--seed N] [--programme-cost POUNDS]
[--optimism-bias 0.4] [--xlsx out.xlsx] [--pdf out.pdf]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.identification.engine.snapshot import SnapshotError
from wholefamily.impact.benefit import savings_pdf, savings_xlsx, summary_rows
from wholefamily.impact.services import ImpactError, read_worked_with, run_savings


class Command(BaseCommand):
    help = "Cost the worked-with families' service use 12 months before and after their start: savings, cost-benefit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--snapshot", type=Path, default=None, help="Linked snapshot (default: current run).")
        parser.add_argument(
            "--worked-with", type=Path, default=None, help="CSV household_id,start_on (default: cases)."
        )
        parser.add_argument("--sample", type=float, default=1.0, help="Share of families costed (0.1: a 10%% sample).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the sample (the same seed, the same sample).")
        parser.add_argument(
            "--programme-cost",
            type=float,
            default=None,
            help="Programme cost in pounds (default: the costed families' approved budget spend over their period).",
        )
        parser.add_argument("--optimism-bias", type=float, default=0.4, help="Share taken off every benefit.")
        parser.add_argument("--unit-costs", type=Path, default=None, help="Unit cost definition (YAML).")
        parser.add_argument(
            "--unit-cost-set", default=None, help="An imported unit cost set, NAME@VERSION (or NAME for its latest)."
        )
        parser.add_argument("--xlsx", type=Path, default=None, help="Write the cost-benefit workbook here.")
        parser.add_argument("--pdf", type=Path, default=None, help="Write the cost-benefit PDF here.")
        parser.add_argument("--user", default="", help="Username recorded as having run it.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        chosen = None
        if options["unit_cost_set"]:
            from wholefamily.impact.unit_costs import find_set

            chosen = find_set(options["unit_cost_set"])
            if chosen is None:
                raise CommandError(f"No imported unit cost set {options['unit_cost_set']}")
        try:
            run = run_savings(
                snapshot_dir=options["snapshot"],
                worked=read_worked_with(options["worked_with"]) if options["worked_with"] else None,
                sample_share=options["sample"],
                seed=options["seed"],
                programme_cost=options["programme_cost"],
                optimism_bias=options["optimism_bias"],
                unit_costs=options["unit_costs"],
                unit_cost_set=chosen,
                by=user,
            )
        except (ImpactError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Savings run {run.pk}")
        for label, value in summary_rows(run):
            self.stdout.write(f"  {label}: {value}")
        if run.unverified:
            self.stdout.write(f"  Unverified unit costs: {'; '.join(run.unverified_labels)}")
        for row in run.potential:
            self.stdout.write(
                f"  Potential saving, {row['label'].lower()} averted (not in the cost-benefit): £{row['saving']:,.0f} "
                f"({row['families_at_risk']} families at risk, {row['events_averted']:.1f} averted)"
            )
        if options["xlsx"]:
            options["xlsx"].write_bytes(savings_xlsx(run))
        if options["pdf"]:
            options["pdf"].write_bytes(savings_pdf(run))
