"""`wholefamily claims --programme P --window W --out claims.csv [--conditions-out F] [--snapshot DIR]
[--sample-percent N --seed S]`: the claims (a row per claim) and every family of the window, payable or not (a row
per family, result, condition and member: status, period, records and why a family is not paid)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.claims.models import Claim, EvaluatedFamily
from wholefamily.claims.services import ClaimsError, compute_claims, draw_spot_check
from wholefamily.domain.validation import safe_row
from wholefamily.governance.commands import acting_user
from wholefamily.identification.engine.engines import ENGINES
from wholefamily.identification.engine.snapshot import SnapshotError

CSV_COLUMNS = ("reference", "programme", "window", "family_id", "household_id", "case", "results", "amount",
               "state", "is_sampled", "rules", "start_on", "evidence_records")  # fmt: skip


def _refs(evidence: dict[str, Any]) -> list[str]:
    refs: list[str] = []
    for result in evidence.get("results", []):
        for condition in result.get("conditions", []):
            for member in condition.get("members", []):
                refs.extend(member.get("refs", []))
    return sorted(set(refs))


def write_claims_csv(claims: list[Claim], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for claim in claims:
            writer.writerow(
                safe_row(
                    [
                        claim.reference,
                        claim.programme,
                        claim.window,
                        claim.family_id,
                        claim.household_id,
                        claim.case.reference if claim.case else "",
                        ";".join(claim.results),
                        f"{claim.amount_pence // 100}.{claim.amount_pence % 100:02d}",
                        claim.state,
                        "yes" if claim.is_sampled else "no",
                        claim.evidence.get("rules", ""),
                        claim.evidence.get("start_on", ""),
                        ";".join(_refs(claim.evidence)),
                    ]
                )
            )


CONDITION_COLUMNS = ("programme", "window", "as_of", "family_id", "household_id", "case", "payable", "why_not_payable",
                     "result", "result_status", "result_reason", "condition", "condition_status", "condition_reason",
                     "period_from", "period_to", "member", "member_status", "before", "after", "records")  # fmt: skip


def _condition_rows(family: EvaluatedFamily) -> list[list[str]]:
    pack = family.evidence
    base = [family.programme, family.window, str(pack.get("as_of", "")), family.family_id, family.household_id,
            family.case.reference if family.case else "", ";".join(family.results) or "no",
            family.why_not_payable]  # fmt: skip
    rows = []
    for result in pack.get("results", []):
        head = [*base, result["result"], result.get("status_label", result["status"]), result["reason"]]
        for condition in result.get("conditions", []) or [{}]:
            part = [
                condition.get("condition", ""),
                condition.get("status_label", condition.get("status", "")),
                condition.get("reason", ""),
                condition.get("period_from") or "",
                condition.get("period_to") or "",
            ]
            members = condition.get("members") or [None]
            for member in members:
                detail = (
                    [
                        member["label"],
                        member.get("status_label", member["status"]),
                        member["before"],
                        member["after"],
                        ";".join(member["refs"]),
                    ]
                    if member
                    else ["", "", "", "", ""]
                )
                rows.append([*head, *part, *detail])
    return rows


def write_conditions_csv(families: list[EvaluatedFamily], path: Path) -> None:
    """Every family of the window, payable or not: a row per result, condition and member measured."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONDITION_COLUMNS)
        for family in families:
            writer.writerows(_condition_rows(family))


class Command(BaseCommand):
    help = "Compute a claim window's results claims from the linked data (draft, with evidence packs) and write CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="Programme code: programmes/results/<code>.yaml.")
        parser.add_argument("--window", required=True, help="Claim window code from the results rules, e.g. 2013-01.")
        parser.add_argument("--out", required=True, type=Path, help="CSV: a row per claim.")
        parser.add_argument(
            "--conditions-out",
            type=Path,
            default=None,
            help="CSV: every family of the window, a row per result, condition and member (default: OUT with "
            "-conditions before the suffix).",
        )
        parser.add_argument("--snapshot", type=Path, default=None, help="Linked snapshot (default: current run).")
        parser.add_argument("--datasets", type=Path, default=None, help="Dataset store (default DATA_DIR/datasets).")
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument("--sample-percent", type=Decimal, default=None, help="Draw a spot-check sample.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the spot-check sample.")
        parser.add_argument("--user", default="", help="Username recorded as having computed the claims.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            run, _ = compute_claims(
                programme=options["programme"],
                window=options["window"],
                snapshot_dir=options["snapshot"],
                datasets_root=options["datasets"],
                engine=options["engine"],
                by=user,
            )
        except (ClaimsError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        if options["sample_percent"] is not None:
            sample = draw_spot_check(
                programme=run.programme,
                window=run.window,
                percent=options["sample_percent"],
                seed=options["seed"],
                by=user,
            )
            self.stdout.write(
                f"  spot check: {len(sample)} claims ({options['sample_percent']}%, seed {options['seed']})"
            )
        claims = list(Claim.objects.filter(programme=run.programme, window=run.window).select_related("case"))
        write_claims_csv(claims, options["out"])
        out: Path = options["out"]
        conditions_out = options["conditions_out"] or out.with_name(f"{out.stem}-conditions{out.suffix or '.csv'}")
        evaluated = list(EvaluatedFamily.objects.filter(run=run).select_related("case").order_by("family_id"))
        write_conditions_csv(evaluated, conditions_out)
        total = sum(claim.amount_pence for claim in claims)
        self.stdout.write(
            f"Run {run.pk}: {run.rules}, window {run.window} (as of {run.as_of_on}): {run.families:,} families, "
            f"{len(claims):,} claims, £{total // 100:,}.{total % 100:02d}"
        )
        payable = sum(1 for family in evaluated if family.is_payable)
        self.stdout.write(f"  claims: {options['out']}")
        self.stdout.write(
            f"  every family ({len(evaluated):,}, {payable:,} payable, {len(evaluated) - payable:,} not, each with "
            f"why): {conditions_out}"
        )
