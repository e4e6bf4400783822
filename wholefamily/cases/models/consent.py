"""Fair processing notices given to a family and the consent its members gave, refused or withdrew."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FairProcessingNotice(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="fair_processing_notices")
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=120, help_text="How it was given, e.g. in person, by post.")

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"Fair processing notice for {self.case} on {self.issued_on}"


class Consent(models.Model):
    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=200, help_text="What the consent is for, e.g. sharing with health.")
    status = models.CharField(max_length=20, choices=Status.choices)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"Consent {self.status} by {self.member} for {self.purpose}"
