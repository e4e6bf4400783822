"""A family on the programme (a case), its members, its key worker allocations and its case event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wholefamily.cases.models._choices import choices_of
from wholefamily.domain.pathway import Destination, EventCode, MemberRole, Origin, Stage

STAGE_TAG_CLASSES: dict[str, str] = {
    Stage.CLOSED: "govuk-tag--grey",
    Stage.AWAITING_ALLOCATION: "govuk-tag--yellow",
    Stage.INFORMATION_GATHERING: "govuk-tag--light-blue",
    Stage.IDENTIFIED: "govuk-tag--light-blue",
    Stage.REVIEW: "govuk-tag--purple",
    Stage.PLAN_ACTIVE: "govuk-tag--green",
}


class Case(models.Model):
    """One family on the programme. Members refer to linked people by the linkage's stable person id."""

    reference = models.CharField(max_length=20, unique=True, help_text="The family's case reference, e.g. F-000123.")
    family_name = models.CharField(max_length=200, help_text="How staff refer to the family, e.g. 'the Smith family'.")
    household_id = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="The linked household's stable id, when known."
    )
    programme = models.CharField(max_length=80, default="supporting_families")
    team = models.ForeignKey("governance.Team", on_delete=models.PROTECT, related_name="cases")
    origin = models.CharField(max_length=20, choices=choices_of(Origin))
    evidence_summary = models.TextField(blank=True, help_text="Why the family was identified or referred.")
    stage = models.CharField(max_length=30, choices=choices_of(Stage), db_index=True)
    stage_changed_at = models.DateTimeField()
    priority = models.PositiveSmallIntegerField(
        default=2, choices=[(1, "High"), (2, "Medium"), (3, "Low")], help_text="Waiting list priority."
    )
    waiting_since_at = models.DateTimeField(null=True, blank=True, help_text="When the family joined the waiting list.")
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    opened_on = models.DateField()
    plan_agreed_on = models.DateField(null=True, blank=True)
    next_review_due_on = models.DateField(null=True, blank=True, db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_destination = models.CharField(max_length=30, choices=choices_of(Destination), blank=True)
    closure_reason = models.TextField(blank=True)
    previous_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="re_referrals",
        help_text="The family's earlier, closed case when this one is a re-referral.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["team", "stage"], name="case_team_stage_idx"),
            models.Index(fields=["key_worker", "stage"], name="case_worker_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.family_name}"

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def stage_tag_class(self) -> str:
        """The GOV.UK tag colour for the stage (computed here: an include per table row is slow)."""
        return STAGE_TAG_CLASSES.get(self.stage, "govuk-tag--blue")


class Member(models.Model):
    """A person in the family, by the linkage's stable person id, with a display copy of name and birth date.

    Leaving the family ends the membership (end_on, with a reason); the row and its history stay.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="Linkage's stable person id.")
    display_name = models.CharField(max_length=200)
    born_on = models.DateField(null=True, blank=True)
    role = models.CharField(max_length=30, choices=choices_of(MemberRole))
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Guards the details against lost updates.")

    class Meta:
        ordering = ["end_on", "born_on", "display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_current(self) -> bool:
        return self.end_on is None


class Allocation(models.Model):
    """A key worker allocated to a family, from allocated_at until ended_at; a reassignment records its reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the family was reassigned to this worker.")

    class Meta:
        ordering = ["-allocated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} to {self.worker}"


class CaseEvent(models.Model):
    """One coded event in the family's pathway. Append-only: the business history, not the audit log."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    code = models.CharField(max_length=40, choices=choices_of(EventCode))
    occurred_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_event_case_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.code}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("Case events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Case events are append-only")


class DistrictEstimate(models.Model):
    """How many families a district expects to work with (the 'remaining of estimate' of
    Working Together With Families (Lancashire, 2013), §2.4)."""

    district = models.CharField(max_length=120, unique=True)
    families_estimated = models.PositiveIntegerField()

    class Meta:
        ordering = ["district"]

    def __str__(self) -> str:
        return f"{self.district}: {self.families_estimated}"
