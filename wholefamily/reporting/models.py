"""A board pack as it was sent: one quarter's figures, its PDF and its workbook, dated and versioned (ADR 0022)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wholefamily.domain.reporting.quarters import parse_quarter


class BoardPack(models.Model):
    """One build of a quarter's board pack. Never changed once built: a new build is a new version."""

    quarter = models.CharField(max_length=12, help_text="The financial quarter, e.g. 2026-27-q2.")
    version = models.PositiveIntegerField(help_text="1 for the quarter's first pack, 2 for the next build...")
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    council = models.CharField(max_length=200)
    figures = models.JSONField(help_text="Every figure of the pack, suppressed, as the PDF and workbook show them.")
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    xlsx = models.BinaryField()
    xlsx_sha256 = models.CharField(max_length=64)
    small_numbers = models.CharField(max_length=40, help_text="The small-numbers rule applied, e.g. fewer than 5 (v1).")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-quarter", "-version"]
        constraints = [models.UniqueConstraint(fields=["quarter", "version"], name="board_pack_quarter_version_once")]

    def __str__(self) -> str:
        return f"Board pack {self.quarter} version {self.version}"

    @property
    def quarter_label(self) -> str:
        return parse_quarter(self.quarter).label


class CaseAudit(models.Model):
    """A quality audit of one sampled case file (definitions/reporting/case-file-audit.yaml). Its free text stays
    here: the report card counts the answers only."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="file_audits")
    quarter = models.CharField(max_length=12, help_text="The quarter whose sample the case was drawn in.")
    definition = models.CharField(max_length=80, help_text="The audit definition and version, e.g. case_file_audit v1.")
    answers = models.JSONField(default=dict, help_text="Each question's code and the option chosen.")
    gaps = models.TextField(blank=True, help_text="The gaps in multi-agency support the auditor found.")
    notes = models.TextField(blank=True)
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audited_at = models.DateTimeField()

    class Meta:
        ordering = ["quarter", "case__reference"]
        constraints = [models.UniqueConstraint(fields=["case", "quarter"], name="case_audit_once_a_quarter")]

    def __str__(self) -> str:
        return f"Case file audit {self.quarter} {self.case_id}"


class FeedbackRequest(models.Model):
    """A single-use link for a family member or a partner to answer the feedback questionnaire
    (definitions/reporting/feedback.yaml). Only the token's SHA-256 is kept; the answer's comment stays here: the
    report card counts the answers only."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="feedback_requests")
    occasion = models.CharField(max_length=20, help_text="When it was asked: at a review or at closure.")
    respondent = models.CharField(max_length=20, help_text="Who is asked: a family member or a partner agency.")
    first_name = models.CharField(max_length=60, help_text="The only thing of the family the answer page shows.")
    token_sha256 = models.CharField(max_length=64, unique=True)
    definition = models.CharField(max_length=80, help_text="The questionnaire and version, e.g. ... v1.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, help_text="Each question's code and the option chosen.")
    comment = models.TextField(blank=True, help_text="Never shown on a report.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Feedback request {self.pk} ({self.occasion}, {self.respondent})"


class FeedbackLookup(models.Model):
    """One look-up of a feedback link from an address (its SHA-256, never the address), kept for the rate limit's
    window only: the limit holds across every process and server of the service, since they share the database."""

    address_hash = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "at"], name="feedback_lookup_address_at")]

    def __str__(self) -> str:
        return f"{self.address_hash[:8]} at {self.at:%Y-%m-%d %H:%M:%S}"


class ServiceReview(models.Model):
    """The narrative of a quarter's service review report (Commissioning for Families with Complex Needs, Appendix C
    section 13.3), written in the service. Each save is the quarter's next version; a board pack keeps the text of
    the version current when it was built."""

    quarter = models.CharField(max_length=12, help_text="The financial quarter, e.g. 2026-27-q2.")
    version = models.PositiveIntegerField()
    progress_against_aims = models.TextField(blank=True)
    what_works = models.TextField(blank=True)
    difficulties = models.TextField(blank=True)
    feedback = models.TextField(blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    SECTIONS = (
        ("progress_against_aims", "Progress against aims"),
        ("what_works", "What works"),
        ("difficulties", "Difficulties"),
        ("feedback", "Feedback"),
    )

    class Meta:
        ordering = ["-quarter", "-version"]
        constraints = [models.UniqueConstraint(fields=["quarter", "version"], name="service_review_quarter_version")]

    def __str__(self) -> str:
        return f"Service review {self.quarter} v{self.version}"

    @property
    def sections(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in self.SECTIONS]
