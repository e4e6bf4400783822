"""`wholefamily dedupe FILE --out clusters.csv`: find the persons in one file of the `persons` layout."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.dataplane import spreadsheets
from wholefamily.jobs.cli_progress import RichProgress, console_for
from wholefamily.linkage.engine.adapt import UnlinkableData
from wholefamily.linkage.engine.definition import load_models
from wholefamily.linkage.engine.prepare import DEFAULT_MEMORY_LIMIT, InputDataset
from wholefamily.linkage.engine.quality import report_lines
from wholefamily.linkage.engine.run import link_datasets
from wholefamily.linkage.options import add_analyst_options, column_map, memory_limit, threshold


def write_table_csv(table: pa.Table, path: Path) -> None:
    """Write one of the command's outputs as CSV (clusters and scored pairs both go through here), formula-safe
    (ADR 0014)."""
    spreadsheets.write_csv(table, path)


class Command(BaseCommand):
    help = (
        "Deduplicate one file in the persons layout (CSV or Parquet): writes one row per input record with its "
        "cluster id and match probability, and prints the run's quality report. Nothing is stored in the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--out", type=Path, required=True, help="CSV to write (source_record_id, ...).")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--pairs", type=Path, default=None,
            help="Also write every scored pair of records (match probability, weight, both sides' values) to this "
            "CSV, for clerical review.",
        )  # fmt: skip
        add_analyst_options(parser)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"there is no file at {path}")
        county, person = load_models(Path(settings.DEFINITIONS_DIR))
        try:
            mapping = column_map(options["column"])
            link = threshold(options["threshold"])
            memory = memory_limit(options["memory"]) if options["memory"] else DEFAULT_MEMORY_LIMIT
        except ValueError as error:
            raise CommandError(str(error)) from None
        dataset = InputDataset(dataset_version_id=path.name, kind="persons", path=path, column_map=mapping)
        with tempfile.TemporaryDirectory(prefix="wholefamily-dedupe-") as tmp:
            arguments: dict[str, Any] = {
                "definition": county, "person_definition": person, "model": options["model"],
                "link_threshold": link, "out_dir": Path(tmp), "run_id": "dedupe", "engine": options["engine"],
                "memory_limit": memory, "write_scored_pairs": options["pairs"] is not None,
            }  # fmt: skip
            try:
                if options["no_progress"]:
                    result = link_datasets([dataset], **arguments)
                else:
                    with RichProgress(console=console_for(self.stdout._out)) as progress:
                        result = link_datasets([dataset], progress=progress, **arguments)
            except (UnlinkableData, ValueError) as error:  # bad input: a plain sentence, never a traceback
                raise CommandError(str(error)) from None
            table = pq.read_table(
                Path(tmp) / "record_person.parquet",
                columns=["source_record_id", "line_number", "person_id", "match_probability"],
            ).rename_columns(["source_record_id", "line_number", "cluster_id", "match_probability"])
            write_table_csv(table.sort_by("line_number"), options["out"])
            if options["pairs"] is not None:
                write_table_csv(pq.read_table(Path(tmp) / "scored_pairs.parquet"), options["pairs"])
        figures = result.figures
        self.stdout.write(
            f"{figures['records']:,} records in {figures['persons']:,} clusters written to {options['out']} "
            f"({figures['wall_s']} s)."
        )
        if options["pairs"] is not None:
            self.stdout.write(f"Scored pairs for clerical review written to {options['pairs']}.")
        for line in report_lines(figures["quality"]):
            self.stdout.write(line)
