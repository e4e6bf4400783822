"""Stored impact analyses (ADR 0023): each run with its matching and balance, and its effect per outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImpactRun(models.Model):
    """One analysis of worked-with families against matched comparison families."""

    outcomes_definition = models.CharField(max_length=80, help_text="Outcomes definition name and version.")
    snapshot = models.CharField(max_length=500, help_text="The linked snapshot directory the analysis read.")
    seed = models.IntegerField(default=0, help_text="Seed for the comparison families' start dates.")
    worked_with = models.PositiveIntegerField(default=0)
    pool = models.PositiveIntegerField(default=0, help_text="Families that met the criteria, not worked with.")
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    comparison_used = models.PositiveIntegerField(default=0)
    balance = models.JSONField(default=list, help_text="Standardised differences before and after matching.")
    trends = models.JSONField(default=dict, help_text="Mean of each outcome by term, worked-with and comparison.")
    seconds = models.FloatField(default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Impact analysis {self.pk} ({self.started_at:%Y-%m-%d})"


class ImpactEffect(models.Model):
    """The difference in differences of one outcome, with its 95% confidence interval and pre-period check."""

    run = models.ForeignKey(ImpactRun, on_delete=models.CASCADE, related_name="effects")
    outcome = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    estimate = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    p_value = models.FloatField()
    treated_before = models.FloatField()
    treated_after = models.FloatField()
    comparison_before = models.FloatField()
    comparison_after = models.FloatField()
    pre_trend = models.FloatField()
    pre_trend_low = models.FloatField()
    pre_trend_high = models.FloatField()

    class Meta:
        ordering = ["run", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "outcome"], name="impact_effect_one_per_outcome")]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.estimate:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"
