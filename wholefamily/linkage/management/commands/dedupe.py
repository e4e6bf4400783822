"""`wholefamily dedupe FILE --out clusters.csv`: find the persons in one file of the `persons` layout."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.dataplane import spreadsheets
from wholefamily.jobs.cli_progress import RichProgress, console_for
from wholefamily.linkage.engine.definition import load_definition
from wholefamily.linkage.engine.prepare import InputDataset
from wholefamily.linkage.engine.run import link_datasets


class Command(BaseCommand):
    help = (
        "Deduplicate one file in the persons layout (CSV or Parquet): writes one row per input record with its "
        "cluster id and match probability. Nothing is stored in the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--out", type=Path, required=True, help="CSV to write (source_record_id, ...).")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"there is no file at {path}")
        definition = load_definition(definitions_dir=Path(settings.DEFINITIONS_DIR))
        dataset = InputDataset(dataset_version_id=path.name, kind="persons", path=path)
        with tempfile.TemporaryDirectory(prefix="wholefamily-dedupe-") as tmp:
            arguments: dict[str, Any] = {
                "definition": definition, "out_dir": Path(tmp), "run_id": "dedupe", "engine": options["engine"],
            }  # fmt: skip
            try:
                if options["no_progress"]:
                    result = link_datasets([dataset], **arguments)
                else:
                    with RichProgress(console=console_for(self.stdout._out)) as progress:
                        result = link_datasets([dataset], progress=progress, **arguments)
            except ValueError as error:
                raise CommandError(str(error)) from None
            table = pq.read_table(
                Path(tmp) / "record_person.parquet",
                columns=["source_record_id", "line_number", "person_id", "match_probability"],
            ).rename_columns(["source_record_id", "line_number", "cluster_id", "match_probability"])
            table = table.sort_by("line_number")
            spreadsheets.write_csv(table, options["out"])  # formula-safe (ADR 0014)
        figures = result.figures
        self.stdout.write(
            f"{figures['records']:,} records in {figures['persons']:,} clusters written to {options['out']} "
            f"({figures['wall_s']} s)."
        )
