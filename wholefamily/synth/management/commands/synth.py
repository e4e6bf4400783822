"""`wholefamily synth`: generate a synthetic county (agency files and the truth behind them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wholefamily.synth.generator import Parameters, generate


class _RichReporter:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def stage(self, name: str, total: int) -> Callable[[int], None]:
        task = self.progress.add_task(name, total=total)

        def advance(step: int = 1) -> None:
            self.progress.advance(task, step)

        return advance


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise CommandError(f"--start must be YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = "Generate a synthetic county: DIR/agency/<kind>.csv, DIR/truth/*.parquet and DIR/manifest.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--population", type=int, default=50_000, help="residents at the start (default 50,000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--start", type=_date, default="2013-09-01", help="first day (aligned to its term)")
        parser.add_argument("--years", type=int, default=5, help="years of history (at least 2)")
        parser.add_argument("--out", type=Path, required=True, help="output directory")
        parser.add_argument(
            "--worked-share", type=float, default=None, help="share of 2015-eligible families worked with"
        )
        parser.add_argument(
            "--effect-size", type=float, default=None, help="relative fall in problems once worked with"
        )
        parser.add_argument("--noise-scale", type=float, default=1.0, help="multiplies every noise rate")
        parser.add_argument(
            "--evaluate-on",
            type=_date,
            action="append",
            default=[],
            help="extra date (YYYY-MM-DD) at which to judge eligibility in the truth; repeatable",
        )

    def handle(self, *args: object, **options: object) -> None:
        population = int(options["population"])  # type: ignore[call-overload]
        years = int(options["years"])  # type: ignore[call-overload]
        if population < 100:
            raise CommandError("--population must be at least 100")
        if years < 2:
            raise CommandError("--years must be at least 2")
        params = Parameters(
            population=population,
            seed=int(options["seed"]),  # type: ignore[call-overload]
            start=str(options["start"]),
            years=years,
            worked_share=options["worked_share"],  # type: ignore[arg-type]
            effect_size=options["effect_size"],  # type: ignore[arg-type]
            noise_scale=float(options["noise_scale"]),  # type: ignore[arg-type]
            evaluate_on=tuple(options["evaluate_on"]),  # type: ignore[arg-type]
        )
        out = Path(options["out"])  # type: ignore[arg-type]
        console = Console(file=self.stdout, stderr=False)  # type: ignore[arg-type]
        columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            manifest = generate(
                params, out, definitions_dir=Path(settings.DEFINITIONS_DIR), reporter=_RichReporter(progress)
            )
        eligible = manifest["eligible_at_reference"]
        self.stdout.write(
            f"County of {manifest['residents_at_reference']:,} residents on {manifest['reference_on']}: "
            f"{eligible['tf2012']} families meet the 2012 criteria, {eligible['tf2015']} the 2015 criteria; "
            f"{sum(manifest['agency_rows'].values()):,} agency records in {out / 'agency'}, "
            f"area statistics of {manifest['area_rows']['area_statistics']:,} ward-years in {out / 'area'}."
        )
