"""A referral into the programme and its gatekeeping decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wholefamily.cases.models._choices import choices_of
from wholefamily.domain.pathway import GatekeepingDecision, ReferralSource


class Referral(models.Model):
    team = models.ForeignKey("governance.Team", on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(max_length=40, choices=choices_of(ReferralSource))
    referrer = models.CharField(max_length=200, help_text="Who referred, and from which agency.")
    received_on = models.DateField()
    family_name = models.CharField(max_length=200)
    household_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(help_text="What the referrer is worried about.")
    priority = models.PositiveSmallIntegerField(default=2, choices=[(1, "High"), (2, "Medium"), (3, "Low")])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    decision = models.CharField(max_length=30, choices=choices_of(GatekeepingDecision), blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="referral")

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Referral {self.pk}: {self.family_name}"

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)
