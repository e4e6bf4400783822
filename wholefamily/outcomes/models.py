"""Distance travelled: one assessment per family, time point and assessor, with a score per member and item."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DistanceAssessment(models.Model):
    """The scores of one family at one time point (0 = baseline B, 1 = R1, ...) by one assessor
    (Commissioning for Families with Complex Needs, Appendix D)."""

    class Assessor(models.TextChoices):
        KEY_WORKER = "key_worker", "Key worker"
        FAMILY_MEMBER = "family_member", "Family member"
        TOGETHER = "together", "Key worker and family together"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="distance_assessments")
    definition = models.CharField(max_length=80, help_text="Definition name and version, e.g. appendix_d@1.")
    time_point = models.PositiveSmallIntegerField(help_text="0 is the baseline, 1 the first review, and so on.")
    assessed_on = models.DateField()
    assessor = models.CharField(max_length=20, choices=Assessor.choices)
    family_member = models.ForeignKey(
        "cases.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The family member who scored, when the assessor is a family member.",
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "time_point", "assessor", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "time_point", "assessor"], name="distance_assessment_once_per_point"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {'B' if self.time_point == 0 else f'R{self.time_point}'} ({self.assessor})"


class DistanceScore(models.Model):
    """One item's score, 1 (none) to 5 (critical or complex), for a member (or the whole family: member is null)."""

    assessment = models.ForeignKey(DistanceAssessment, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey("cases.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "member", "item"],
                condition=models.Q(member__isnull=False),
                name="distance_score_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["assessment", "item"],
                condition=models.Q(member__isnull=True),
                name="distance_score_once_family",
            ),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="distance_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"


class OutcomeRun(models.Model):
    """One evaluation of an outcomes framework as of a date over a linked snapshot (`wholefamily outcomes`)."""

    framework = models.CharField(max_length=80)
    framework_version = models.PositiveIntegerField()
    as_of_on = models.DateField()
    engine = models.CharField(max_length=20)
    snapshot = models.CharField(max_length=500)
    dataset_versions = models.JSONField(default=dict, blank=True)
    families = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.framework} v{self.framework_version} as of {self.as_of_on}"


class OutcomeResult(models.Model):
    """A family's result on one outcome measure in a run, with each member's value, evidence and measurement points."""

    run = models.ForeignKey(OutcomeRun, on_delete=models.CASCADE, related_name="results")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    family_id = models.CharField(max_length=64, db_index=True)
    household_id = models.CharField(max_length=64, blank=True)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    problem = models.CharField(max_length=63)
    measure = models.CharField(max_length=63)
    status = models.CharField(max_length=20, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    members = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run", "family_id", "problem", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["run", "family_id", "measure"], name="outcome_result_once_per_measure")
        ]

    def __str__(self) -> str:
        return f"{self.family_id} {self.measure}: {self.status}"
