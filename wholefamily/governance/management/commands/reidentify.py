"""Re-identify a list of pseudonyms behind the two-person rule: the first time it asks for approval; once a second
person has approved exactly that list, it writes who each is (ADR 0020)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wholefamily.domain.pseudonyms import PseudonymListError, parse_list
from wholefamily.domain.validation import safe_row
from wholefamily.governance import approvals, pseudonyms


class Command(BaseCommand):
    help = "Re-identify pseudonyms: ask for a second person's approval, then (approved) write who each one is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pseudonyms", type=Path, help="A file of pseudonyms (a CSV's first column, or one a line).")
        parser.add_argument("--user", required=True, help="Who asks (a data analyst or programme manager; audited).")
        parser.add_argument("--reason", default="", help="Why the people are needed (required to ask).")
        parser.add_argument("--out", type=Path, help="Where to write who they are, once approved (CSV).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        path: Path = options["pseudonyms"]
        if not path.is_file():
            raise CommandError(f"No file {path}")
        text = "\n".join(line.split(",", 1)[0] for line in path.read_text(encoding="utf-8-sig").splitlines())
        try:
            listed = parse_list(text)
        except PseudonymListError as error:
            raise CommandError(str(error)) from None
        approved = pseudonyms.current_for(listed)
        if approved is None:
            pending = pseudonyms.pending_for(listed)
            if pending is not None:
                self.stdout.write(f"Waiting for a second person to approve request {pending.pk} ({pending.subject}).")
                return
            if not options["reason"].strip():
                raise CommandError("Say why the people are needed (--reason): a second person reads it to approve")
            try:
                asked = pseudonyms.request_reidentification(listed=listed, reason=options["reason"], by=user)
            except (PermissionDenied, approvals.ApprovalError) as error:
                raise CommandError(str(error) or "You may not ask for a re-identification") from None
            self.stdout.write(
                f"Asked for approval {asked.pk} ({asked.subject}). A programme manager or an administrator other "
                "than you approves it under Approvals; then run this again with --out."
            )
            return
        if options["out"] is None:
            raise CommandError(f"Approval {approved.pk} holds: name the file to write with --out")
        try:
            people = pseudonyms.reidentify(approval=approved, by=user)
        except (PermissionDenied, pseudonyms.PseudonymKeyMissing) as error:
            raise CommandError(str(error) or "Permission denied") from None
        out: Path = options["out"]
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["pseudonym", "person_id", "name", "date_of_birth"])
            for person in people:
                born = person.date_of_birth.isoformat() if person.date_of_birth else ""
                writer.writerow(safe_row([person.pseudonym, person.person_id, person.name, born]))
        found = sum(1 for person in people if person.person_id)
        self.stdout.write(f"Wrote who {found:,} of {len(people):,} pseudonyms are to {out} (approval {approved.pk}).")
