"""Results claims: a claim run per programme and window, a claim per family with its evidence pack and state, and
each state change with who and why (the audit log records the same change, ADR 0008)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wholefamily.domain.claims.states import ClaimState


class ClaimRun(models.Model):
    """One computation of a window's claims: which rules, which snapshot, by whom."""

    programme = models.CharField(max_length=64)
    window = models.CharField(max_length=20)
    as_of_on = models.DateField()
    rules = models.CharField(max_length=80, help_text="Results rules and version, e.g. tf-2012 v1.")
    funding = models.CharField(max_length=80, blank=True, help_text="Funding definition and version.")
    snapshot = models.CharField(max_length=500)
    engine = models.CharField(max_length=12, default="duckdb")
    families = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.programme} {self.window} ({self.rules})"


class Claim(models.Model):
    """A family's results claim in one window: the results, the money and the evidence pack behind them."""

    run = models.ForeignKey(ClaimRun, on_delete=models.PROTECT, related_name="claims")
    programme = models.CharField(max_length=64, db_index=True)
    window = models.CharField(max_length=20)
    reference = models.CharField(
        max_length=120, unique=True, help_text="programme/window/family, e.g. tf-2012/2013-01/F-1."
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    family_id = models.CharField(max_length=64, db_index=True)
    household_id = models.CharField(max_length=64)
    results = models.JSONField(default=list, help_text="The result codes claimed.")
    amount_pence = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=[(s.value, s.label) for s in ClaimState], default=ClaimState.DRAFT)
    evidence = models.JSONField(default=dict, help_text="The evidence pack (ADR 0008).")
    is_sampled = models.BooleanField(default=False, help_text="In the spot-check sample.")
    state_changed_at = models.DateTimeField()
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "window", "family_id"]
        indexes = [models.Index(fields=["programme", "window", "state"], name="claims_window_state")]

    def __str__(self) -> str:
        return self.reference


class ClaimStateChange(models.Model):
    """Append-only: a claim moved from one state to another, by whom and why."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim} {self.from_state} -> {self.to_state}"


class EvaluatedFamily(models.Model):
    """Every family a claim run looked at, payable or not: its results, each condition with its status, period and
    records (the evidence pack), and why it is not paid. What an auditor reads for the whole window."""

    run = models.ForeignKey(ClaimRun, on_delete=models.CASCADE, related_name="evaluated")
    programme = models.CharField(max_length=64)
    window = models.CharField(max_length=20)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    family_id = models.CharField(max_length=64)
    household_id = models.CharField(max_length=64)
    results = models.JSONField(default=list, help_text="The result codes payable in the window.")
    why_not_payable = models.TextField(blank=True, help_text="Empty when a result is payable.")
    evidence = models.JSONField(default=dict, help_text="The evidence pack (ADR 0008), for every family.")

    class Meta:
        ordering = ["programme", "window", "family_id"]
        indexes = [models.Index(fields=["programme", "window"], name="claims_evaluated_window")]

    def __str__(self) -> str:
        return f"{self.programme}/{self.window}/{self.family_id}"

    @property
    def is_payable(self) -> bool:
        return bool(self.results)
