"""Ingest records: each import attempt with its validation report, and the immutable dataset versions.

The data themselves are Parquet under `settings.DATA_DIR/datasets/<kind>/<version_id>/`; these rows are their
provenance (who delivered what, under which agreement, covering which period, checked how).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Policy(models.TextChoices):
    REJECT = "reject", "Reject the delivery if any row is bad"
    QUARANTINE = "quarantine", "Keep the good rows; quarantine the bad rows with their reasons"


class DatasetVersion(models.Model):
    """One accepted delivery of one kind: immutable once written."""

    version_id = models.CharField(max_length=64, unique=True, help_text="Folder name under datasets/<kind>/.")
    kind = models.CharField(max_length=40, db_index=True)
    contract_version = models.PositiveIntegerField()
    profile = models.CharField(max_length=80)
    supplier = models.CharField(max_length=200, blank=True)
    data_sharing_agreement = models.ForeignKey(
        "governance.DataSharingAgreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start_on = models.DateField(null=True, blank=True)
    period_end_on = models.DateField(null=True, blank=True)
    received_on = models.DateField()
    policy = models.CharField(max_length=12, choices=Policy.choices)
    rows_read = models.PositiveIntegerField()
    rows_accepted = models.PositiveIntegerField()
    rows_quarantined = models.PositiveIntegerField(default=0)
    cells_flagged = models.PositiveIntegerField(default=0, help_text="Formula-like text stored as text.")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sha256", "kind", "profile"], name="ingest_version_unique_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.version_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("Dataset versions are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def relative_path(self) -> str:
        return f"datasets/{self.kind}/{self.version_id}"


class ImportRun(models.Model):
    """One attempt to import a delivery, with its outcome and validation report."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        DUPLICATE = "duplicate", "Already imported"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    profile = models.CharField(max_length=80)
    policy = models.CharField(max_length=12, choices=Policy.choices, default=Policy.REJECT)
    supplier = models.CharField(max_length=200, blank=True)
    data_sharing_agreement = models.ForeignKey(
        "governance.DataSharingAgreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start_on = models.DateField(null=True, blank=True)
    period_end_on = models.DateField(null=True, blank=True)
    received_on = models.DateField()
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.TextField(blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    rows_quarantined = models.PositiveIntegerField(default=0)
    cells_flagged = models.PositiveIntegerField(default=0)
    problems_total = models.PositiveIntegerField(default=0)
    problem_summary = models.JSONField(default=list, blank=True)
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs"
    )
    job_id = models.CharField(max_length=36, blank=True)
    version_id = models.CharField(max_length=64, blank=True, help_text="The version folder this run writes.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import of {self.file_name} as {self.kind} ({self.status})"

    @property
    def problems_stored(self) -> int:
        return self.problems.count()


class ImportProblem(models.Model):
    """One line of a validation report: where (line, column), why, the value, and whether it is an error."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: about the whole file.")
    column = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    value = models.TextField(blank=True)
    severity = models.CharField(max_length=8, default="error")

    class Meta:
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["run", "line"], name="ingest_problem_run_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"
