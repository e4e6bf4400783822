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
