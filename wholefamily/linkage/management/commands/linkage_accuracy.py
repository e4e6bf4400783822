"""`wholefamily linkage_accuracy --truth DIR [RUN_ID]`: compare a linkage run with a ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.linkage.engine.accuracy import snapshot_accuracy
from wholefamily.linkage.models import LinkageRun
from wholefamily.linkage.services import snapshot_dir


class Command(BaseCommand):
    help = (
        "Pairwise precision, recall and F1, cluster measures and same-household false merges of a linkage run "
        "(default: the current one) against a ground truth folder (the synthetic county's truth/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", nargs="?", default="", help="Run id, or a snapshot folder.")
        parser.add_argument("--truth", type=Path, required=True, help="Folder with source_records.parquet.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = self._folder(options["run_id"])
        truth: Path = options["truth"]
        if not (truth / "source_records.parquet").is_file():
            raise CommandError(f"no source_records.parquet in {truth}")
        accuracy = snapshot_accuracy(folder, truth)
        if options["json"]:
            self.stdout.write(json.dumps(accuracy.as_dict(), indent=2))
            return
        a = accuracy
        self.stdout.write(f"Linkage accuracy of {folder.name} against {truth}")
        self.stdout.write(
            f"  records {a.records:,}; true pairs {a.true_pairs:,}; predicted pairs {a.predicted_pairs:,}"
        )
        self.stdout.write(f"  pairwise precision {a.precision:.4f}  recall {a.recall:.4f}  F1 {a.f1:.4f}")
        self.stdout.write(
            f"  persons: true {a.true_persons:,}, predicted {a.predicted_persons:,}, "
            f"exactly right {a.exact_clusters:,} "
            f"(cluster precision {a.cluster_precision:.4f}, recall {a.cluster_recall:.4f})"
        )
        if a.same_household_false_merges is not None:
            self.stdout.write(
                f"  same-household false merges: {a.same_household_false_merges:,} persons of "
                f"{a.persons_in_households_with_children:,} in households with children "
                f"({(a.same_household_false_merge_rate or 0):.3%})"
            )
        if a.households_compared is not None:
            self.stdout.write(
                f"  current households matching the truth: {a.households_exact:,} of {a.households_compared:,} "
                f"({(a.household_match_rate or 0):.2%}); families (with a child): {a.families_exact:,} of "
                f"{a.families_compared:,} ({(a.family_match_rate or 0):.2%})"
            )
            self.stdout.write(
                f"  residents an agency shows at their current home who have a current household: "
                f"{a.current_persons_placed:,} of {a.current_persons:,} ({(a.current_placed_rate or 0):.2%})"
            )

    def _folder(self, run_id: str) -> Path:
        if run_id and Path(run_id).is_dir():
            return Path(run_id)
        run = (
            LinkageRun.objects.filter(run_id=run_id).first()
            if run_id
            else LinkageRun.objects.filter(is_current=True).first()
        )
        if run is None:
            raise CommandError(f"no linkage run {run_id!r}" if run_id else "there is no current linkage run")
        return snapshot_dir(run)
