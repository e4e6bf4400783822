"""The upload form for a delivery: kind, profile, policy, provenance and the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings

from wholefamily.domain.validation import available_profiles
from wholefamily.governance.models import DataSharingAgreement
from wholefamily.ingest.models import Policy
from wholefamily.ingest.services import contracts
from wholefamily.web.forms import DayMonthYearField, ErrorSummaryMixin
from wholefamily.web.labels import label_for

ACCEPTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".parquet")


def _profile_choices() -> list[tuple[str, str]]:
    names = {
        name
        for kind in contracts().kinds
        for name in available_profiles(Path(settings.DEFINITIONS_DIR) / "profiles", kind=kind)
    }
    return [(name, name) for name in sorted(names)]


class UploadForm(ErrorSummaryMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of data set", error_messages={"required": "Select the kind of data set"})
    profile = forms.ChoiceField(
        label="Source profile",
        help_text="How this supplier's file is laid out (column names, codes, dates, encoding).",
        error_messages={"required": "Select the source profile"},
    )
    policy = forms.ChoiceField(
        label="If some rows are bad",
        choices=Policy.choices,
        initial=Policy.REJECT,
        widget=forms.RadioSelect,
    )
    supplier = forms.CharField(label="Supplier (optional)", required=False, max_length=200)
    data_sharing_agreement = forms.ModelChoiceField(
        label="Data-sharing agreement (optional)", queryset=DataSharingAgreement.objects.all(), required=False
    )
    period_start_on = DayMonthYearField(
        label="Start of the period covered", required=False, help_text="Optional. For example, 1 4 2015"
    )
    period_end_on = DayMonthYearField(
        label="End of the period covered", required=False, help_text="Optional. For example, 31 3 2016"
    )
    received_on = DayMonthYearField(
        label="Date received", required=False, help_text="Optional: today if left empty. For example, 7 4 2016"
    )
    file = forms.FileField(
        label="File (CSV, XLSX or Parquet)", error_messages={"required": "Choose the file to import"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", "Select a kind"),
            *((kind, label_for(kind)) for kind in contracts().kinds),
        ]
        cast(forms.ChoiceField, self.fields["profile"]).choices = [("", "Select a profile"), *_profile_choices()]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError("The file must be a CSV, XLSX or Parquet file")
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, profile = cleaned.get("kind"), cleaned.get("profile")
        if kind and profile:
            names = available_profiles(Path(settings.DEFINITIONS_DIR) / "profiles", kind=kind)
            if profile not in names:
                self.add_error(
                    "profile", f"Profile {profile} has no layout for {kind}; choose one of: {', '.join(names)}"
                )
        start, end = cleaned.get("period_start_on"), cleaned.get("period_end_on")
        if start and end and end < start:
            self.add_error("period_end_on", "The period covered must end on or after its start")
        return cleaned

    def import_run_fields(self) -> dict[str, Any]:
        """What `create_import_run` takes from a valid form (the upload page and the API's deliveries)."""
        data = self.cleaned_data
        fields = ("kind", "profile", "policy", "supplier", "data_sharing_agreement", "period_start_on")
        return {name: data[name] for name in (*fields, "period_end_on", "received_on")} | {
            "file_name": data["file"].name
        }
