"""Identification runs, their cohorts and evidence, and staff-entered judgement indicators."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdentificationRun(models.Model):
    """One evaluation of one programme version as of a date over one linked snapshot."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    programme = models.CharField(max_length=64, db_index=True)
    programme_version = models.PositiveIntegerField()
    programme_title = models.CharField(max_length=200)
    as_of_on = models.DateField(help_text="The date the criteria are evaluated on.")
    engine = models.CharField(max_length=12, default="duckdb")
    snapshot = models.CharField(max_length=500, help_text="The linked snapshot directory the run read.")
    dataset_versions = models.JSONField(default=dict, help_text="Dataset version ids by kind behind the snapshot.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    message = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    families_evaluated = models.PositiveIntegerField(default=0)
    families_qualifying = models.PositiveIntegerField(default=0)
    residents = models.PositiveIntegerField(default=0)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    newly_qualifying = models.PositiveIntegerField(default=0)
    no_longer_qualifying = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    output_dir = models.CharField(max_length=500, blank=True, help_text="Cohort, families and evidence as Parquet.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.programme} v{self.programme_version} as of {self.as_of_on}"


class CohortFamily(models.Model):
    """A family in a run's cohort, or a family of the previous run's cohort that no longer qualifies."""

    class Change(models.TextChoices):
        NEW = "new", "Newly qualifying"
        UNCHANGED = "unchanged", "Qualifying before and now"
        NO_LONGER = "no_longer", "No longer qualifying"
        FIRST_RUN = "first_run", "First run"

    run = models.ForeignKey(IdentificationRun, on_delete=models.CASCADE, related_name="families")
    family_id = models.CharField(max_length=64)
    household_id = models.CharField(max_length=64)
    district = models.CharField(max_length=120, blank=True)
    ward = models.CharField(max_length=120, blank=True)
    is_qualifying = models.BooleanField(default=True)
    problems_met = models.CharField(max_length=500, blank=True)
    problem_count = models.PositiveSmallIntegerField(default=0)
    qualifying_route = models.CharField(max_length=64, blank=True)
    indicators_met = models.JSONField(default=list)
    change = models.CharField(max_length=12, choices=Change.choices)
    team = models.ForeignKey(
        "governance.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The team serving the family's district (key workers see their team's families).",
    )

    class Meta:
        ordering = ["district", "family_id"]
        constraints = [models.UniqueConstraint(fields=["run", "family_id"], name="identification_family_once")]
        indexes = [models.Index(fields=["run", "change"]), models.Index(fields=["run", "district"])]

    def __str__(self) -> str:
        return f"{self.family_id} ({self.run_id})"

    @property
    def problems(self) -> list[str]:
        return [code for code in self.problems_met.split(";") if code]


class Evidence(models.Model):
    """One indicator met by one member of a cohort family, with the record behind it."""

    family = models.ForeignKey(CohortFamily, on_delete=models.CASCADE, related_name="evidence")
    person_id = models.CharField(max_length=64, blank=True)
    indicator = models.CharField(max_length=64)
    problem = models.CharField(max_length=64)
    dataset_version_id = models.CharField(max_length=64)
    source_record_id = models.CharField(max_length=64)
    line_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["problem", "indicator", "person_id", "source_record_id"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.person_id} {self.dataset_version_id}:{self.line_number}"


class Judgement(models.Model):
    """A professional's judgement that a judgement indicator holds for a person or a whole family."""

    programme = models.CharField(max_length=64)
    indicator = models.CharField(max_length=64)
    person_id = models.CharField(max_length=64, blank=True, help_text="Linked person id (or empty for a family).")
    household_id = models.CharField(max_length=64, blank=True, help_text="Family (household) id, for a family.")
    reason = models.TextField(help_text="Why: what the professional knows that makes the indicator hold.")
    effective_on = models.DateField(help_text="From when the judgement holds.")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person_id="") | ~models.Q(household_id=""),
                name="identification_judgement_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme}/{self.indicator} on {self.person_id or self.household_id}"
