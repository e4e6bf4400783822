"""The catalogue of services and interventions, and referrals to them from a family's plan goal (ADR 0027)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from wholefamily.domain.commissioning import REFERRAL_STATE_LABELS, ReferralState


class Service(models.Model):
    """A service or intervention the county's families can be referred to: in-house or commissioned, with its reach,
    capacity, cost and evidence (Commissioning for Families with Complex Needs, section 2.1: the number and
    geographical reach of services, the quality and cost of provision). Not a personal record."""

    class Delivery(models.TextChoices):
        IN_HOUSE = "in_house", "In-house"
        COMMISSIONED = "commissioned", "Commissioned"

    class CapacityUnit(models.TextChoices):
        PLACES = "places", "Places a quarter"
        HOURS = "hours", "Hours a quarter"

    name = models.CharField(max_length=200, unique=True)
    provider = models.CharField(max_length=200)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    description = models.TextField(blank=True)
    target_needs = models.JSONField(default=list, help_text="Headline problem codes of the catalogue's programme.")
    tier = models.CharField(max_length=20, help_text="A tier code of definitions/commissioning/catalogue.yaml.")
    min_age = models.PositiveSmallIntegerField(default=0)
    max_age = models.PositiveSmallIntegerField(default=99)
    districts = models.JSONField(default=list, help_text="The districts the service reaches.")
    capacity = models.PositiveIntegerField(help_text="Places or hours a quarter.")
    capacity_unit = models.CharField(max_length=10, choices=CapacityUnit.choices)
    hours_per_family = models.PositiveIntegerField(null=True, blank=True)
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2, help_text="Pounds per place or per hour.")
    evidence_rating = models.CharField(max_length=20, help_text="A rating code of catalogue.yaml.")
    evidence_source = models.CharField(max_length=300, blank=True)
    provides_key_worker = models.BooleanField(default=False)
    contract_reference = models.CharField(max_length=60, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    is_example = models.BooleanField(default=False, help_text="Demo data: an example, not a real service.")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceReferral(models.Model):
    """A referral of a family to a catalogue service, made from a goal of the family's plan: recorded, accepted or
    declined, started and ended. A personal record: it belongs to the family's case (and its team)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    goal = models.ForeignKey("cases.Goal", on_delete=models.PROTECT, related_name="service_referrals")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="service_referrals")
    state = models.CharField(
        max_length=12, choices=[(s.value, REFERRAL_STATE_LABELS[s]) for s in ReferralState], db_index=True
    )
    referred_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="Why it was declined or ended.")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["service", "state"])]

    def __str__(self) -> str:
        return f"{self.service} ({self.case_id})"

    @property
    def state_enum(self) -> ReferralState:
        return ReferralState(self.state)

    @property
    def last_on(self) -> dt.date:
        return self.ended_on or self.started_on or self.decided_on or self.referred_on


class Contract(models.Model):
    """A commissioned service's contract: its specification's monitoring indicators (Commissioning for Families with
    Complex Needs, Appendix C, section 13.1) and the provider's staff who enter its quarterly returns. Not a personal
    record."""

    service = models.OneToOneField(Service, on_delete=models.PROTECT, related_name="contract")
    reference = models.CharField(max_length=60, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, help_text="The contract's value a year, in pounds.")
    indicators = models.JSONField(
        default=list, help_text="Indicator codes of definitions/commissioning/monitoring.yaml."
    )
    provider_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="provider_contracts",
        help_text="The provider's staff (the provider role) who enter the quarterly returns.",
    )  # fmt: skip
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.service})"


class QuarterlyReturn(models.Model):
    """A provider's quarterly service review report for one contract (Appendix C, section 13.3 and its Annexe): the
    indicators' figures as entered, the figures the service computed when it was entered, and the narrative."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="returns")
    quarter = models.CharField(max_length=10, help_text="A financial-year quarter, e.g. 2026-27-q3.")
    figures = models.JSONField(default=dict)
    computed = models.JSONField(default=dict, help_text="The figures the service computed, as pre-filled.")
    narrative = models.JSONField(default=dict)
    submitted_on = models.DateField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["contract", "quarter"]
        constraints = [models.UniqueConstraint(fields=["contract", "quarter"], name="commissioning_return_once")]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.quarter}"


class MarketPositionStatement(models.Model):
    """One version of the market position statement (Commissioning for Families with Complex Needs, section 2.2): the
    commissioner's narrative and the figures of need, provision and gaps as they stood when it was dated. Never
    changed: a new version is a new row."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    dated_on = models.DateField()
    summary = models.TextField(help_text="The commissioner's introduction: the strategic direction.")
    intentions = models.TextField(help_text="Commissioning intentions: what will be commissioned, changed or stopped.")
    to_providers = models.TextField(blank=True, help_text="What providers are asked to do, and how to respond.")
    figures = models.JSONField(default=dict, help_text="Need, provision and gaps as counted on the date.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"
