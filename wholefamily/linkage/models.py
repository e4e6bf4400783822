"""Linkage runs and what the current run publishes: persons, households, memberships, each person's records,
and analysts' review decisions (applied on every later run). The linked snapshot itself is Parquet under
`DATA_DIR/linkage/<run_id>/` (ADR 0004)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LinkageRun(models.Model):
    """One linkage over the then-current dataset versions; at most one succeeded run is current."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    run_id = models.CharField(max_length=40, unique=True, help_text="Folder name under DATA_DIR/linkage/.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True)
    engine = models.CharField(max_length=10, default="duckdb")
    settings_version = models.CharField(max_length=60)
    dataset_versions = models.JSONField(default=list, help_text="version_id and kind of every dataset linked.")
    figures = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    is_current = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="linkage_one_current_run"
            )
        ]

    def __str__(self) -> str:
        return f"linkage run {self.run_id} ({self.status})"


class Person(models.Model):
    """A linked person, by stable id; kept (retired) when a later run no longer has the id."""

    person_id = models.CharField(max_length=16, unique=True)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, blank=True)
    last_run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="+")
    retired_by_run = models.ForeignKey(
        LinkageRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Merged or gone."
    )

    class Meta:
        ordering = ["surname", "forename", "person_id"]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname} ({self.person_id})"


class Household(models.Model):
    household_id = models.CharField(max_length=16, unique=True)
    uprn = models.CharField(max_length=12, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    first_seen_on = models.DateField(null=True, blank=True)
    last_seen_on = models.DateField(null=True, blank=True)
    last_run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="+")
    retired_by_run = models.ForeignKey(LinkageRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["household_id"]

    def __str__(self) -> str:
        return f"household {self.household_id}"


class Membership(models.Model):
    class Role(models.TextChoices):
        CHILD = "child", "Child"
        YOUNG_PERSON = "young_person", "Young person"
        ADULT_PARENT = "adult_parent", "Adult with parenting responsibility"
        OTHER_ADULT = "other_adult", "Other adult"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=14, choices=Role.choices)
    start_on = models.DateField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "start_on"]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} as {self.role}"


class PersonRecord(models.Model):
    """One agency record of a person, with its way back to the delivery (dataset version and line)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="records")
    dataset_version_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=40)
    source_record_id = models.CharField(max_length=64)
    line_number = models.PositiveBigIntegerField()
    profile_id = models.CharField(max_length=20, db_index=True)
    match_probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "dataset_version_id", "line_number"]
        indexes = [models.Index(fields=["dataset_version_id", "source_record_id"], name="linkage_record_source")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_record_id} -> {self.person_id}"


class ReviewDecision(models.Model):
    """A data analyst's decision on a pair of profiles: same person (must-link) or different people (cannot-link)."""

    profile_id_l = models.CharField(max_length=20)
    profile_id_r = models.CharField(max_length=20)
    is_same_person = models.BooleanField()
    reason = models.TextField()
    match_probability = models.FloatField(null=True, blank=True, help_text="As scored when decided.")
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["profile_id_l", "profile_id_r"], name="linkage_one_decision_per_pair"),
            models.CheckConstraint(
                condition=models.Q(profile_id_l__lt=models.F("profile_id_r")), name="linkage_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        verdict = "same person" if self.is_same_person else "different people"
        return f"{self.profile_id_l} / {self.profile_id_r}: {verdict}"


class HouseholdCorrection(models.Model):
    """A data analyst's correction of where a person lives now; applied on every later linkage run."""

    person_id = models.CharField(max_length=16, help_text="Stable person id.")
    household_id = models.CharField(max_length=16, help_text="Stable household id the person belongs to.")
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True, help_text="Superseded corrections are kept, inactive.")

    class Meta:
        ordering = ["-corrected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_id"], condition=models.Q(is_active=True), name="linkage_one_active_correction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} lives in {self.household_id}"
