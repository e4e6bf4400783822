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


class SavingsRun(models.Model):
    """Actual savings of the worked-with families (or a reproducible sample of them), costed, with the cost-benefit
    figures (ADR 0024). Totals and breakdowns are kept as computed; pounds in the price base year's prices."""

    unit_costs = models.CharField(max_length=80, help_text="Unit cost definition name and version.")
    price_base_year = models.PositiveIntegerField()
    snapshot = models.CharField(max_length=500)
    sample_share = models.FloatField(default=1.0, help_text="1 for the whole cohort, 0.1 for a 10% sample.")
    seed = models.IntegerField(default=0)
    families = models.PositiveIntegerField(default=0)
    total_before = models.FloatField(default=0)
    total_after = models.FloatField(default=0)
    by_type = models.JSONField(default=dict)
    by_problem = models.JSONField(default=list)
    by_agency = models.JSONField(default=list)
    by_family = models.JSONField(default=list)
    by_cost = models.JSONField(default=list, help_text="Per unit cost: use and cost before and after.")
    programme_cost = models.FloatField(default=0)
    programme_cost_from = models.CharField(
        max_length=10,
        choices=[("given", "Given"), ("budget", "Budget spend")],
        default="given",
        help_text="Given by whoever ran it, or the approved personalised budget spend of the costed families.",
    )
    budget_lines = models.PositiveIntegerField(default=0, help_text="Budget spend lines summed into the cost.")
    optimism_bias = models.FloatField(default=0.4)
    unverified = models.JSONField(default=list, help_text="Codes of the unit costs whose values are unverified.")
    potential_method = models.CharField(max_length=80, blank=True, help_text="Potential savings method and version.")
    potential = models.JSONField(
        default=list, help_text="Per risk (care, custody): families at risk, events averted, the potential saving."
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Savings {self.pk} ({self.started_at:%Y-%m-%d})"

    @property
    def unverified_labels(self) -> list[str]:
        """The unverified unit costs in words (their labels), for pages, exports and the board pack."""
        labels = {str(row.get("cost")): str(row.get("label")) for row in self.by_cost}
        return [labels.get(code) or code.replace("_", " ") for code in self.unverified]


class UnitCostSet(models.Model):
    """A council's own unit costs, imported from an XLSX workbook or CSV files in the shape of the unit cost
    definition (ADR 0029): kept whole and as imported, one version per name and content, chosen for a savings run."""

    name = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    price_base_year = models.PositiveIntegerField()
    definition = models.JSONField(help_text="The definition in the shape of definitions/impact/unit-costs.yaml.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the definition: one version per content.")
    file_name = models.CharField(max_length=255, blank=True)
    costs = models.PositiveIntegerField(default=0)
    unverified = models.PositiveIntegerField(default=0, help_text="Costs not marked verified.")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="impact_unit_cost_set_one_per_version"),
            models.UniqueConstraint(fields=["name", "sha256"], name="impact_unit_cost_set_one_per_content"),
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"
