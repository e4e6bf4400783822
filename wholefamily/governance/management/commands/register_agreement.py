"""Register (or update, by reference) a data-sharing agreement: imports of its kinds go ahead only while it is in
force (ADR 0015)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.governance.agreements import AgreementError, register_agreement
from wholefamily.ingest.services import contracts


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Register a data-sharing agreement: purpose, lawful basis, parties, dataset kinds, dates and retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reference", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--partner", required=True, help="The partner sharing the data.")
        parser.add_argument("--party", action="append", default=[], help="A party to the agreement (repeat).")
        parser.add_argument("--purpose", required=True)
        parser.add_argument("--lawful-basis", required=True)
        parser.add_argument("--kind", action="append", required=True, help="A dataset kind it covers (repeat).")
        parser.add_argument("--start", required=True, help="First day in force (YYYY-MM-DD).")
        parser.add_argument("--end", default="", help="Last day in force (YYYY-MM-DD); none for open-ended.")
        parser.add_argument("--retention-months", type=int, default=None, help="Default: the retention definition.")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = sorted(set(options["kind"]) - set(contracts().kinds))
        if unknown:
            raise CommandError(f"unknown kind {', '.join(unknown)}; kinds: {', '.join(contracts().kinds)}")
        try:
            agreement = register_agreement(
                reference=options["reference"], name=options["name"], partner=options["partner"],
                parties="\n".join(options["party"]), purpose=options["purpose"],
                lawful_basis=options["lawful_basis"], kinds=options["kind"], start_on=_date(options["start"]),
                end_on=_date(options["end"]) if options["end"] else None,
                retention_months=options["retention_months"], by=None, system_actor="system:register_agreement",
            )  # fmt: skip
        except AgreementError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Registered {agreement.reference}: {', '.join(agreement.kinds)}.")
