"""The job: one run of long background work, its state and progress as users see it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from wholefamily.domain.progress import percent_done


class Job(models.Model):
    """One run of background work (an import, a linkage run, a data store check...).

    The django-tasks result row (`task_result_id`) is the queue's record; this row is the product's:
    who started it, what it is doing now, and how it ended, in words a user can read.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED_STATUSES = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, help_text="Short code of the kind of work, e.g. check_data_store.")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    team = models.ForeignKey("governance.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True, help_text="Empty while the size of the work is unknown.")
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, for users: never a traceback.")
    result = models.JSONField(default=dict, blank=True, help_text="A small summary of what the job did.")
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="jobs_job_creator_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return percent_done(self.done, self.total)
