"""Forms for the catalogue and referrals, with GOV.UK error messages. HTTP concerns only: the rules live in
services and the domain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from wholefamily.cases.forms import long_text_field, radio_field, text_field
from wholefamily.commissioning.definitions import (
    catalogue_definition,
    district_choices,
    monitoring_definition,
    problem_choices,
)
from wholefamily.commissioning.models import Service
from wholefamily.domain.commissioning import NEXT_STATES, Indicator, ReferralState
from wholefamily.web.forms import GovukForm, date_field


def checkboxes(label: str, choices: list[tuple[str, str]], *, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": f"Select the {label.lower()}", "invalid_choice": f"Select the {label.lower()}"},
    )


def whole_number(label: str, *, required: bool = True, min_value: int = 0, max_value: int = 1_000_000) -> Any:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be {min_value} or more",
            "max_value": f"{label} must be {max_value:,} or fewer",
        },
    )


class ServiceForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    name = text_field("Name of the service")
    provider = text_field("Provider")
    delivery = radio_field("In-house or commissioned", list(Service.Delivery.choices))
    description = long_text_field("Description", required=False)
    target_needs = checkboxes("Headline problems it targets", [])
    tier = radio_field("Tier of need", [])
    min_age = whole_number("Youngest age", max_value=120)
    max_age = whole_number("Oldest age", max_value=120)
    districts = checkboxes("Districts it reaches", [])
    capacity = whole_number("Capacity a quarter", min_value=1)
    capacity_unit = radio_field("Capacity counted in", list(Service.CapacityUnit.choices))
    hours_per_family = whole_number("Hours a family receives in a quarter", required=False, min_value=1)
    unit_cost = forms.DecimalField(
        label="Unit cost in pounds (per place or per hour)",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={
            "required": "Enter the unit cost",
            "invalid": "Unit cost must be an amount in pounds, like 950 or 95.50",
            "min_value": "Unit cost cannot be negative",
            "max_digits": "Unit cost must be less than £100,000,000",
            "max_decimal_places": "Unit cost must be in pounds and pence",
        },
    )
    evidence_rating = radio_field("Evidence of effectiveness", [])
    evidence_source = text_field("Source of the evidence", required=False, max_length=300)
    provides_key_worker = forms.BooleanField(label="The service gives the family a key worker", required=False)
    contract_reference = text_field("Contract reference", required=False, max_length=60)
    starts_on = date_field("Start date")
    ends_on = date_field("End date", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        definition = catalogue_definition()
        self.fields["target_needs"].choices = problem_choices()  # type: ignore[attr-defined]
        self.fields["districts"].choices = district_choices()  # type: ignore[attr-defined]
        self.fields["tier"].choices = [(t.code, t.label) for t in definition.tiers]  # type: ignore[attr-defined]
        self.fields["evidence_rating"].choices = [  # type: ignore[attr-defined]
            (r.code, r.label) for r in definition.evidence_ratings
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("min_age") is not None and data.get("max_age") is not None and data["min_age"] > data["max_age"]:
            self.add_error("max_age", "Oldest age must be the youngest age or more")
        if data.get("capacity_unit") == Service.CapacityUnit.HOURS and not data.get("hours_per_family"):
            self.add_error("hours_per_family", "Enter the hours a family receives in a quarter")
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "End date must be on or after the start date")
        return data


class FilterForm(forms.Form):
    """The catalogue's filters (a GET form: a wrong value is ignored, never an error page)."""

    need = forms.ChoiceField(label="Headline problem", required=False)
    district = forms.ChoiceField(label="District", required=False)
    delivery = forms.ChoiceField(label="In-house or commissioned", required=False)
    tier = forms.ChoiceField(label="Tier of need", required=False)
    rating = forms.ChoiceField(label="Evidence", required=False)
    search = forms.CharField(label="Name or provider", required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        definition = catalogue_definition()
        anything = [("", "Any")]
        choices = {
            "need": problem_choices(),
            "district": district_choices(),
            "delivery": list(Service.Delivery.choices),
            "tier": [(t.code, t.label) for t in definition.tiers],
            "rating": [(r.code, r.label) for r in definition.evidence_ratings],
        }
        for name, options in choices.items():
            self.fields[name].choices = anything + options  # type: ignore[attr-defined]


class ReferForm(GovukForm):
    service = forms.ChoiceField(
        label="Service", error_messages={"required": "Select the service", "invalid_choice": "Select the service"}
    )
    referred_on = date_field("Date of the referral")

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.pk): s for s in services}
        self.fields["service"].choices = [("", "Choose a service")] + [  # type: ignore[attr-defined]
            (str(s.pk), f"{s.name} ({s.provider})") for s in services
        ]

    def chosen(self) -> Service:
        return self.services[self.cleaned_data["service"]]


class StepForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    to = radio_field("Next step", [])
    on = date_field("Date it happened")
    note = text_field("Why (needed when declined)", required=False, max_length=500)

    def __init__(self, *args: Any, state: ReferralState, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s.value, s.label) for s in NEXT_STATES[state]]  # type: ignore[attr-defined]


class ContractForm(GovukForm):
    service = forms.ChoiceField(
        label="Commissioned service",
        error_messages={"required": "Select the service", "invalid_choice": "Select the service"},
    )
    reference = text_field("Contract reference", max_length=60)
    starts_on = date_field("Start date")
    ends_on = date_field("End date")
    value = forms.DecimalField(
        label="Value a year in pounds",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": "Enter the value a year",
            "invalid": "Value a year must be an amount in pounds, like 120000",
            "min_value": "Value a year cannot be negative",
            "max_digits": "Value a year must be less than £10,000,000,000",
            "max_decimal_places": "Value a year must be in pounds and pence",
        },
    )
    indicators = checkboxes("Indicators the provider reports", [])
    provider_users = forms.MultipleChoiceField(
        label="The provider's staff who enter the returns",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select the provider's staff from the list"},
    )

    def __init__(self, *args: Any, services: list[Service], providers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.pk): s for s in services}
        self.providers = {str(u.pk): u for u in providers}
        self.fields["service"].choices = [("", "Choose a service")] + [  # type: ignore[attr-defined]
            (str(s.pk), f"{s.name} ({s.provider})") for s in services
        ]
        self.fields["indicators"].choices = [  # type: ignore[attr-defined]
            (i.code, i.label) for i in monitoring_definition().indicators
        ]
        self.fields["provider_users"].choices = [  # type: ignore[attr-defined]
            (str(u.pk), u.get_full_name() or u.get_username()) for u in providers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "End date must be on or after the start date")
        return data


class ReturnForm(GovukForm):
    """The quarterly return: a box per indicator of the contract (pre-filled where the service computes it) and the
    Annexe's narrative sections."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, indicators: list[Indicator], narrative: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_codes = [i.code for i in indicators]
        self.narrative_codes = [n.code for n in narrative]
        for indicator in indicators:
            name = f"figure_{indicator.code}"
            limit = Decimal(100) if indicator.kind == "percent" else Decimal(100_000_000)
            self.fields[name] = forms.DecimalField(
                label=indicator.label,
                required=False,
                min_value=0,
                max_value=limit,
                decimal_places=2,
                max_digits=12,
                help_text="Worked out by the service from its referrals: check it." if indicator.computed else "",
                error_messages={
                    "invalid": f"{indicator.label} must be a number",
                    "min_value": f"{indicator.label} cannot be negative",
                    "max_value": f"{indicator.label} must be {limit:,} or less",
                    "max_decimal_places": f"{indicator.label} must have 2 decimal places or fewer",
                    "max_digits": f"{indicator.label} is too large",
                },
            )
        for item in narrative:
            self.fields[f"narrative_{item.code}"] = long_text_field(item.label, required=False)

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for code in self.indicator_codes:
            value = self.cleaned_data.get(f"figure_{code}")
            if value is not None:
                out[code] = float(value) if value != value.to_integral_value() else int(value)
        return out

    def narrative(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"narrative_{code}", "").strip() for code in self.narrative_codes}


class MarketPositionForm(GovukForm):
    title = text_field("Title")
    summary = long_text_field(
        "The strategic direction", help_text="Why the council commissions, and what it wants to change."
    )
    intentions = long_text_field(
        "Commissioning intentions", help_text="What will be commissioned, grown, changed or stopped, and when."
    )
    to_providers = long_text_field("To providers", required=False, help_text="What providers are asked to do.")
