"""Everything held about one person, as JSON and PDF files (a subject access request; ADR 0015)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from wholefamily.governance.subject_access import report_for, report_pdf


class Command(BaseCommand):
    help = "Write everything held about one person (by stable person id) as JSON and PDF into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id")
        parser.add_argument("--out", required=True, help="Folder to write the two files into.")
        parser.add_argument("--user", required=True, help="The administrator producing it (audited).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        try:
            report = report_for(person_id=options["person_id"], by=user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except Http404:
            raise CommandError(f"nothing is held about person {options['person_id']!r}") from None
        folder = Path(options["out"])
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"subject-access-{options['person_id']}"
        (folder / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        (folder / f"{stem}.pdf").write_bytes(report_pdf(report))
        self.stdout.write(f"Wrote {folder / stem}.json and .pdf")
