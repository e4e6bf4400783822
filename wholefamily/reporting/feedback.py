"""Family and partner feedback (ADR 0021): a key worker makes a single-use link for a case in reach (the case door,
audited); the family member or partner answers on a page needing no staff account; the whole pathway card counts the
answers (small-numbers rule), the comment never leaves the answer.

The link's token is random (`secrets`), signed with the site's key and a timestamp (`TimestampSigner`) so a made-up
or stale token is refused before the database is asked, and stored only as its SHA-256, so the database does not hold
a usable link. It is answered once, within the definition's days."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from wholefamily.cases.models import Case
from wholefamily.domain.reporting.quarters import Quarter
from wholefamily.domain.reporting.small_numbers import suppress_table
from wholefamily.governance.audit import record
from wholefamily.reporting.definitions import feedback_definition, small_numbers
from wholefamily.reporting.models import FeedbackRequest
from wholefamily.reporting.selectors import AnyUser, LabelledTable

SALT = "wholefamily.reporting.feedback"
MAX_TOKEN_LENGTH = 200


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def make_request(
    *, case: Case, occasion: str, respondent: str, first_name: str, by: AnyUser
) -> tuple[FeedbackRequest, str]:
    """A new link for the case: (the request, the token to put in the link). The token is shown once, never kept."""
    definition = feedback_definition()
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    request = FeedbackRequest.objects.create(
        case=case,
        occasion=occasion,
        respondent=respondent,
        first_name=first_name,
        token_sha256=_hash(raw),
        definition=definition.label,
        created_by=by,  # type: ignore[misc]
        created_at=now,
        expires_at=now + timedelta(days=definition.expires_after_days),
    )
    record(by=by, action="create", obj=request, detail={"case": case.reference, "occasion": occasion,
                                                        "respondent": respondent})  # fmt: skip
    return request, signing.TimestampSigner(salt=SALT).sign(raw)


def open_request(token: str) -> FeedbackRequest | None:
    """The unanswered, unexpired request the token is for, or None (unknown, forged, used or expired alike)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    max_age = timedelta(days=feedback_definition().expires_after_days)
    try:
        raw = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None
    return FeedbackRequest.objects.filter(
        token_sha256=_hash(raw), answered_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


@transaction.atomic
def answer(request_id: int, *, answers: dict[str, str], comment: str) -> bool:
    """Record the answer once: False when the link was answered meanwhile (a second tab, a double submit)."""
    updated = FeedbackRequest.objects.filter(
        pk=request_id, answered_at__isnull=True, expires_at__gt=timezone.now()
    ).update(answered_at=timezone.now(), answers=answers, comment=comment)
    if updated:
        record(by=None, action="change", object_type="reporting.feedbackrequest", object_id=str(request_id),
               system_actor="feedback link", detail=answers)  # fmt: skip
    return updated == 1


def results_tables(quarter: Quarter) -> tuple[int, list[LabelledTable]]:
    """The answers given in the quarter counted by option, one suppressed table a question: (answers, tables)."""
    definition = feedback_definition()
    answers = list(
        FeedbackRequest.objects.filter(
            answered_at__date__gte=quarter.starts_on, answered_at__date__lte=quarter.ends_on
        ).values_list("answers", flat=True)
    )
    tables = []
    for question, counts in zip(definition.questions, definition.counts(answers), strict=True):
        table = suppress_table([[count] for count in counts], small_numbers(), row_totals=False, column_totals=True)
        rows = tuple(label for _, label in question.options)
        tables.append(LabelledTable(question.label, "Answer", rows, ("Answers",), table))
    return len(answers), tables
