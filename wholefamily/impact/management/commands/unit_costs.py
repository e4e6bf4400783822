"""`wholefamily unit_costs import FILE [--deflator CSV] --name NAME --price-base-year YEAR`,
`wholefamily unit_costs list`, `wholefamily unit_costs template FILE.xlsx`: a council's own unit costs (ADR 0029)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.commands import acting_user
from wholefamily.impact.models import UnitCostSet
from wholefamily.impact.services import unit_costs_path
from wholefamily.impact.unit_costs import UnitCostsRefused, definition_workbook, import_unit_costs


class Command(BaseCommand):
    help = "Import a council's own unit costs (XLSX, or CSV with a deflator CSV), list those kept, or write the shape."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Validate and keep a workbook or CSV of unit costs as a new version.")
        load.add_argument("file", type=Path, help="XLSX with sheets 'costs' and 'deflator', or a costs CSV.")
        load.add_argument("--deflator", type=Path, default=None, help="The deflator CSV (year, index), with a CSV.")
        load.add_argument("--name", required=True, help="The set's name; a new content of a name is its next version.")
        load.add_argument("--price-base-year", type=int, required=True, help="The year every cost is uprated to.")
        load.add_argument("--user", default="", help="Username recorded as having imported it.")
        actions.add_parser("list", help="The unit cost sets kept, newest version first.")
        template = actions.add_parser("template", help="Write the shipped starter set as a workbook in the shape.")
        template.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for kept in UnitCostSet.objects.all():
                self.stdout.write(
                    f"{kept.name}@{kept.version}: {kept.costs} costs ({kept.unverified} unverified), "
                    f"{kept.price_base_year} prices, from {kept.file_name}, {kept.imported_at:%-d %B %Y}"
                )
            return
        if options["action"] == "template":
            definition = yaml.safe_load(unit_costs_path().read_text(encoding="utf-8"))
            options["file"].write_bytes(definition_workbook(definition))
            self.stdout.write(f"Wrote the starter unit costs in the import shape to {options['file']}")
            return
        for path in (options["file"], options["deflator"]):
            if path is not None and not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            imported = import_unit_costs(
                options["file"],
                deflator_file=options["deflator"],
                name=options["name"],
                price_base_year=options["price_base_year"],
                file_name=options["file"].name,
                by=acting_user(options["user"]),
            )
        except UnitCostsRefused as refused:
            raise CommandError(
                "The unit costs were refused; nothing was kept:\n" + "\n".join(f"  {p}" for p in refused.problems)
            ) from None
        kept = imported.unit_cost_set
        if imported.created:
            self.stdout.write(f"Kept {kept.name}@{kept.version}: {kept.costs} costs ({kept.unverified} unverified)")
        else:
            self.stdout.write(f"Already kept as {kept.name}@{kept.version}: nothing new")
