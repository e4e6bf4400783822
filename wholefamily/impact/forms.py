"""The form to import a council's own unit costs (ADR 0029)."""

from __future__ import annotations

from typing import Any

from django import forms

from wholefamily.web.forms import ErrorSummaryMixin

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UnitCostUploadForm(ErrorSummaryMixin, forms.Form):
    name = forms.CharField(
        label="Name of the set",
        max_length=80,
        help_text="For example, council-unit-costs. Importing new figures under the same name keeps them as its next "
        "version.",
        error_messages={"required": "Enter a name for the set of unit costs"},
    )
    price_base_year = forms.IntegerField(
        label="Price base year",
        min_value=1990,
        max_value=2100,
        help_text="The year every cost is uprated to by the deflator, for example 2024.",
        error_messages={
            "required": "Enter the price base year",
            "invalid": "Enter the price base year as a year, for example 2024",
            "min_value": "Enter a price base year from 1990 to 2100",
            "max_value": "Enter a price base year from 1990 to 2100",
        },
    )
    file = forms.FileField(
        label="Unit costs (XLSX, or CSV)",
        help_text="A workbook with the sheets costs and deflator, or the costs as CSV.",
        error_messages={"required": "Choose the file of unit costs"},
    )
    deflator = forms.FileField(
        label="Deflator (CSV, only with CSV unit costs)",
        required=False,
        help_text="Columns year and index (the price base year = 100), and optionally source and verified.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("file", "deflator"):
            upload = data.get(name)
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(name, "The file must be smaller than 5 MB")
        return data


class ImpactRunForm(ErrorSummaryMixin, forms.Form):
    seed = forms.IntegerField(
        label="Seed",
        initial=0,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Comparison families are compared from start dates drawn with this seed: the same seed, the same "
        "analysis.",
        error_messages={"required": "Enter the seed, for example 0", "invalid": "Enter the seed as a whole number",
                        "min_value": "Enter a seed of 0 or more", "max_value": "Enter a smaller seed"},
    )  # fmt: skip


class SavingsRunForm(ErrorSummaryMixin, forms.Form):
    scope = forms.ChoiceField(
        label="Families costed",
        choices=[("whole", "Every worked-with family"), ("sample", "A reproducible sample")],
        initial="whole",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which families to cost"},
    )
    sample_percent = forms.IntegerField(
        label="Sample, per cent of the families",
        initial=10,
        min_value=1,
        max_value=100,
        required=False,
        help_text="Only for a sample: 10 for the 10% sample councils reported.",
        error_messages={"invalid": "Enter the sample as a whole number of per cent",
                        "min_value": "Enter a sample from 1 to 100 per cent",
                        "max_value": "Enter a sample from 1 to 100 per cent"},
    )  # fmt: skip
    seed = forms.IntegerField(
        label="Seed",
        initial=0,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The same seed gives the same sample.",
        error_messages={"required": "Enter the seed, for example 0", "invalid": "Enter the seed as a whole number",
                        "min_value": "Enter a seed of 0 or more", "max_value": "Enter a smaller seed"},
    )  # fmt: skip
    programme_cost = forms.DecimalField(
        label="Programme cost in pounds (optional)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Leave empty to use the approved personalised budget spend of the families costed.",
        error_messages={"invalid": "Enter the programme cost as a number of pounds",
                        "min_value": "Enter a programme cost of 0 or more",
                        "max_digits": "Enter a smaller programme cost",
                        "max_decimal_places": "Enter the programme cost in pounds and pence"},
    )  # fmt: skip
    optimism_bias = forms.IntegerField(
        label="Optimism bias, per cent",
        initial=40,
        min_value=0,
        max_value=99,
        help_text="The share taken off every benefit.",
        error_messages={"required": "Enter the optimism bias, for example 40",
                        "invalid": "Enter the optimism bias as a whole number of per cent",
                        "min_value": "Enter an optimism bias from 0 to 99 per cent",
                        "max_value": "Enter an optimism bias from 0 to 99 per cent"},
    )  # fmt: skip
    unit_costs = forms.ChoiceField(label="Unit costs", error_messages={"required": "Choose the unit costs"})

    def __init__(self, *args: Any, unit_cost_sets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_costs"].choices = [("starter", "The starter set (unverified)"), *unit_cost_sets]  # type: ignore[attr-defined]
        self.fields["unit_costs"].initial = unit_cost_sets[0][0] if unit_cost_sets else "starter"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "sample" and data.get("sample_percent") is None and "sample_percent" not in self.errors:
            self.add_error("sample_percent", "Enter the sample as a whole number of per cent")
        return data
