"""The key worker's work with a family: assessment, plan and goals, reviews, Team Around the Family meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Assessment(models.Model):
    """A whole-family assessment: one score per domain of the assessment definition (baseline or review)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessments")
    definition = models.CharField(max_length=80, help_text="Definition name and version, e.g. whole_family@1.")
    assessed_on = models.DateField()
    summary = models.TextField(help_text="The family's strengths and needs, in words.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"Assessment of {self.case} on {self.assessed_on}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    domain = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "domain"], name="assessment_domain_once")]

    def __str__(self) -> str:
        return f"{self.domain}: {self.score}"


class Plan(models.Model):
    """The family plan (Team Around the Family). `version` guards against lost updates (optimistic locking)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="plan")
    aims = models.TextField(help_text="What the family wants to change, in their words.")
    agreed_on = models.DateField()
    agreement_signed_on = models.DateField(null=True, blank=True, help_text="When the family signed the agreement.")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Plan for {self.case}"


class Goal(models.Model):
    """A goal of the plan: for one member (or the whole family), its actions, the agency responsible, a due date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    member = models.ForeignKey("cases.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="goals")
    description = models.CharField(max_length=300)
    actions = models.TextField()
    agency = models.CharField(max_length=120, help_text="The agency responsible.")
    due_on = models.DateField()
    is_achieved = models.BooleanField(default=False)
    achieved_on = models.DateField(null=True, blank=True, help_text="When the key worker judged the goal achieved.")
    achievement_note = models.CharField(
        max_length=300, blank=True, help_text="The key worker's short note on whether the goal is achieved."
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class Review(models.Model):
    """A review of the plan: due one month after the plan, then quarterly
    (Commissioning for Families with Complex Needs, Appendix C §7)."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue the plan"
        RECOMMEND_CLOSURE = "recommend_closure", "Recommend closing the case"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    held_on = models.DateField()
    progress = models.TextField(help_text="Progress against the plan's goals.")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.case} on {self.held_on}"


class TafMeeting(models.Model):
    """A Team Around the Family meeting and who attended."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="taf_meetings")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"TAF meeting for {self.case} on {self.held_on}"


class TafAttendee(models.Model):
    meeting = models.ForeignKey(TafMeeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})" if self.agency else self.name
