"""The job: one run of long background work, its state and progress as users see it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from wholefamily.domain.progress import is_stalled, percent_done

STALLED = "stalled"  # shown, never stored: a running job whose worker has gone quiet


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
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="The worker's last sign of life: set at start and by every progress write."
    )
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
    def is_stalled(self) -> bool:
        """Running, but nothing heard from its worker for longer than WHOLEFAMILY_JOB_STALE_AFTER."""
        return self.status == self.Status.RUNNING and is_stalled(
            last_heartbeat_at=self.heartbeat_at or self.started_at,
            now=timezone.now(),
            stale_after=settings.WHOLEFAMILY_JOB_STALE_AFTER,
        )

    @property
    def shown_status(self) -> str:
        """The status users see: "stalled" instead of "running" when the worker has gone quiet."""
        return STALLED if self.is_stalled else str(self.status)

    @property
    def shown_status_label(self) -> str:
        return "Stalled" if self.is_stalled else self.get_status_display()

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return percent_done(self.done, self.total)
