"""Writes of the reporting: building a quarter's board pack, kept as sent (ADR 0022)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wholefamily.domain.progress import NullProgress, ProgressReporter
from wholefamily.domain.reporting.quarters import Quarter
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.jobs.models import Job
from wholefamily.reporting.definitions import small_numbers
from wholefamily.reporting.models import BoardPack, ServiceReview
from wholefamily.reporting.pack import build_figures
from wholefamily.reporting.pdf import board_pack_pdf
from wholefamily.reporting.selectors import PACK_BUILDERS
from wholefamily.reporting.workbook import board_pack_xlsx
from wholefamily.web.dates import govuk_date


def build_board_pack(
    *, quarter: Quarter, by: User, job: Job | None = None, progress: ProgressReporter | None = None
) -> BoardPack:
    """Compute the quarter's figures, draw the PDF and the workbook from them, and keep all three as the next version
    of the quarter's pack. Nothing of an earlier version changes."""
    if not access.has_role(by, *PACK_BUILDERS):
        raise PermissionDenied("Only a programme manager can build a board pack.")
    progress = progress or NullProgress()
    council = settings.WHOLEFAMILY_COUNCIL_NAME
    figures: dict[str, Any] = build_figures(user=by, quarter=quarter, council=council, progress=progress)
    built_at = timezone.now()
    built_on = govuk_date(timezone.localdate(built_at))
    built_by = by.get_full_name() or by.get_username()
    with transaction.atomic():
        # The quarter's versions are numbered in order; the unique constraint refuses a race.
        latest = BoardPack.objects.filter(quarter=quarter.code).aggregate(latest=Max("version"))["latest"] or 0
        version = latest + 1
        progress.set_message("Drawing the PDF")
        pdf = board_pack_pdf(figures, version=version, built_on=built_on, built_by=built_by)
        progress.set_message("Writing the workbook")
        xlsx = board_pack_xlsx(figures, version=version, built_on=built_on)
        rule = small_numbers()
        pack = BoardPack.objects.create(
            quarter=quarter.code,
            version=version,
            built_at=built_at,
            built_by=by,
            council=council,
            figures={**figures, "version": version, "built_on": built_on, "built_by": built_by},
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            xlsx=xlsx,
            xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
            small_numbers=f"{rule.shown_as} (v{rule.version})",
            job=job,
        )
        record(by=by, action="reporting.build_board_pack", obj=pack,
               detail={"quarter": quarter.code, "version": version, "pdf_sha256": pack.pdf_sha256})  # fmt: skip
    progress.advance(1)
    return pack


REVIEW_WRITERS = PACK_BUILDERS


def save_service_review(*, quarter: Quarter, texts: dict[str, str], by: User) -> tuple[ServiceReview, bool]:
    """Keep the quarter's narrative as its next version, audited; the same text as the current version keeps
    nothing new. Returns the current version and whether it is new."""
    if not access.has_role(by, *REVIEW_WRITERS):
        raise PermissionDenied("Only a programme manager writes the service review.")
    fields = [name for name, _ in ServiceReview.SECTIONS]
    cleaned = {name: str(texts.get(name, "")).strip() for name in fields}
    with transaction.atomic():
        current = ServiceReview.objects.select_for_update().filter(quarter=quarter.code).order_by("-version").first()
        if current is not None and all(getattr(current, name) == cleaned[name] for name in fields):
            return current, False
        review = ServiceReview.objects.create(
            quarter=quarter.code,
            version=(current.version if current else 0) + 1,
            written_by=by,
            written_at=timezone.now(),
            **cleaned,
        )
        record(by=by, action="reporting.service_review", obj=review,
               detail={"quarter": quarter.code, "version": review.version})  # fmt: skip
    return review, True
