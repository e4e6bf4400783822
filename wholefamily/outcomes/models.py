"""Distance travelled: one assessment per family, time point and assessor, with a score per member and item."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DistanceAssessment(models.Model):
    """The scores of one family at one time point (0 = baseline B, 1 = R1, ...) by one assessor (seed 001 App. D)."""

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
