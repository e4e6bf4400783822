"""`wholefamily funding --programme tf-2012 --estimated-families N [--out funding.xlsx]`: the forecast table, printed;
written as XLSX only where --out asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.claims.definitions import funding_definition
from wholefamily.claims.exports import write_forecast_xlsx
from wholefamily.domain.claims.funding import FundingError, forecast_funding, forecast_table


class Command(BaseCommand):
    help = "Forecast a programme's funding (attachment fees and results payments per year) from estimated families."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="Programme code: programmes/funding/<code>.yaml.")
        parser.add_argument("--estimated-families", required=True, type=int, help="The council's estimate.")
        parser.add_argument("--out", type=Path, default=None, help="Also write the table to this XLSX file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            funding = funding_definition(options["programme"])
            forecast = forecast_funding(funding=funding, estimated_families=options["estimated_families"])
        except FundingError as error:
            raise CommandError(str(error)) from None
        table = forecast_table(forecast)
        widths = [max(len(row[index]) for row in table) for index in range(len(table[0]))]
        self.stdout.write(f"{funding.title} (v{funding.version})")
        self.stdout.write(
            f"Estimated families {forecast.estimated_families:,}; funded {forecast.funded_families:,} "
            f"({funding.funded_share} of the estimate)"
        )
        for number, row in enumerate(table):
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            self.stdout.write("  ".join(cells))
            if number == 0 or number == len(table) - 2:
                self.stdout.write("  ".join("-" * width for width in widths))
        if options["out"] is not None:
            write_forecast_xlsx(forecast, options["out"])
            self.stdout.write(f"  forecast: {options['out']}")
