"""An extract as built: the CSV file, its SHA-256 and what it was built from. Nothing of it changes afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Extract(models.Model):
    """One build of an extract definition (definitions/extracts/), kept as built (ADR 0035)."""

    definition = models.CharField(max_length=80, help_text="The extract definition's code.")
    definition_version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    programme = models.CharField(max_length=64)
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(default=0, help_text="Families in the extract (rows below the header).")
    columns = models.JSONField(default=list, help_text="Each column's name and what it holds, in order.")
    built_from = models.JSONField(
        default=dict, help_text="The identification, outcomes and claim runs the rows were read from."
    )
    content = models.BinaryField(help_text="The CSV file as built (UTF-8, a header line, CRLF line ends).")
    sha256 = models.CharField(max_length=64)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.built_at:%Y-%m-%d %H:%M})"

    @property
    def label(self) -> str:
        return f"{self.definition} v{self.definition_version}"

    @property
    def file_name(self) -> str:
        return f"{self.definition}-v{self.definition_version}-{self.pk}.csv"
