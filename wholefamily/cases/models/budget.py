"""The family's personalised budget: a ledger of funds and small spends, each spend approved by a manager."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wholefamily.cases.models._choices import choices_of
from wholefamily.domain.pathway import LedgerKind, LedgerStatus


class BudgetLine(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(max_length=10, choices=choices_of(LedgerKind))
    status = models.CharField(max_length=10, choices=choices_of(LedgerStatus))
    amount_pence = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    entered_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_pence}p {self.description}"
