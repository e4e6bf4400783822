"""`wholefamily identify --programme P --as-of D [--snapshot DIR] [--out cohort.csv] [--evidence evidence.csv]
[--families families.csv]`: the snapshot defaults to the current linkage run's; `--families` writes every family
evaluated (not only the cohort) with the indicators it met, its address, district and ward."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.identification.engine.engines import ENGINES
from wholefamily.identification.engine.outputs import write_csv
from wholefamily.identification.engine.snapshot import SnapshotError
from wholefamily.identification.services import IdentificationError, current_snapshot_dir, identify_families
from wholefamily.jobs.cli_progress import RichProgress, console_for


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


FAMILY_COLUMNS = ("family_id", "household_id", "address", "postcode", "district", "ward", "qualifies", "problem_count",
                  "problems_met", "qualifying_route", "indicators_met")  # fmt: skip


def every_family(output: Path, snapshot_dir: Path) -> pa.Table:
    """Every family the run evaluated with whether it qualifies, the indicators it met (';'-separated codes), and its
    household's address and postcode from the snapshot; district and ward from the postcode lookup."""
    families = pq.read_table(output / "families.parquet")
    cohort = set(pq.read_table(output / "cohort.parquet", columns=["family_id"]).column("family_id").to_pylist())
    path = snapshot_dir / "households.parquet"
    columns = [name for name in ("household_id", "address", "postcode") if name in pq.read_schema(path).names]
    where = {
        row["household_id"]: (row.get("address") or "", row.get("postcode") or "")
        for row in pq.read_table(path, columns=columns).to_pylist()
    }
    fixed = {"family_id", "household_id", "district", "ward", "problems_met", "problem_count", "qualifying_route"}
    indicators = [
        name
        for name, kind in zip(families.schema.names, families.schema.types, strict=True)
        if name not in fixed and not name.startswith("problem_") and pa.types.is_integer(kind)
    ]
    met = [
        [name if value else "" for value in pc.fill_null(families.column(name), 0).to_pylist()] for name in indicators
    ]
    rows: dict[str, list[object]] = {column: [] for column in FAMILY_COLUMNS}
    for index, family in enumerate(families.select(sorted(fixed)).to_pylist()):
        address, postcode = where.get(family["household_id"], ("", ""))
        rows["family_id"].append(family["family_id"])
        rows["household_id"].append(family["household_id"])
        rows["address"].append(address)
        rows["postcode"].append(postcode)
        rows["district"].append(family["district"] or "")
        rows["ward"].append(family["ward"] or "")
        rows["qualifies"].append("yes" if family["family_id"] in cohort else "no")
        rows["problem_count"].append(family["problem_count"])
        rows["problems_met"].append(family["problems_met"] or "")
        rows["qualifying_route"].append(family["qualifying_route"] or "")
        rows["indicators_met"].append(";".join(codes[index] for codes in met if codes[index]))
    return pa.table(rows)


class Command(BaseCommand):
    help = "Find the families who meet a programme's criteria as of a date, with the evidence for each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="Programme code, e.g. tf-2015 (programmes/*.yaml).")
        parser.add_argument("--as-of", required=True, type=_date, help="Date the criteria are evaluated on.")
        parser.add_argument(
            "--snapshot",
            type=Path,
            default=None,
            help="Linked snapshot folder (default: the current linkage run's).",
        )
        parser.add_argument("--datasets", type=Path, default=None, help="Dataset store (default DATA_DIR/datasets).")
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument("--out", type=Path, default=None, help="Cohort CSV: one row per qualifying family.")
        parser.add_argument("--evidence", type=Path, default=None, help="Evidence CSV: one row per indicator met.")
        parser.add_argument(
            "--families",
            type=Path,
            default=None,
            help="CSV of every family evaluated, qualifying or not: indicators met, address, district and ward.",
        )
        parser.add_argument("--user", default="", help="Username recorded as having started the run.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            snapshot_dir = options["snapshot"] or current_snapshot_dir()
        except IdentificationError as error:
            raise CommandError(str(error)) from None
        arguments = dict(
            programme=options["programme"],
            as_of_on=options["as_of"],
            snapshot_dir=snapshot_dir,
            datasets_root=options["datasets"],
            engine=options["engine"],
            by=user,
        )
        try:
            if options["no_progress"]:
                run = identify_families(**arguments)
            else:
                with RichProgress(console=console_for(self.stdout._out)) as progress:
                    run = identify_families(**arguments, progress=progress)
        except (IdentificationError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        output = Path(run.output_dir)
        if options["out"]:
            write_csv(pq.read_table(output / "cohort.parquet"), options["out"])
        if options["evidence"]:
            write_csv(pq.read_table(output / "evidence.parquet"), options["evidence"])
        if options["families"]:
            write_csv(every_family(output, Path(snapshot_dir)), options["families"])
        write = self.stdout.write
        write(f"Run {run.pk}: {run.programme} v{run.programme_version} as of {run.as_of_on} on {run.engine}")
        write(f"  {run.message} ({run.residents:,} residents) in {run.seconds:.1f} s")
        if run.previous_id:
            write(
                f"  since run {run.previous_id}: {run.newly_qualifying:,} newly qualifying, "
                f"{run.no_longer_qualifying:,} no longer qualifying, {run.unchanged:,} unchanged"
            )
        if options["out"]:
            write(f"  cohort: {options['out']}")
        if options["evidence"]:
            write(f"  evidence: {options['evidence']}")
        if options["families"]:
            write(f"  every family evaluated: {options['families']}")
