"""Forms of the outcomes pages, with GOV.UK error messages (the field helpers are the case pages')."""

from __future__ import annotations

from typing import Any

from django import forms

from wholefamily.cases.forms import date_field, long_text_field, radio_field
from wholefamily.cases.models import Member
from wholefamily.domain.outcomes import distance
from wholefamily.outcomes.models import DistanceAssessment
from wholefamily.web.forms import DayMonthYearField, ErrorSummaryMixin, GovukForm


def score_field_name(subject_key: str, item: str) -> str:
    return f"score_{subject_key}_{item}"


class DistanceForm(GovukForm):
    """One time point of distance travelled: a 1-5 score (or "not scored") per subject and item."""

    assessed_on = date_field("Date of the scores")
    assessor = radio_field("Who gave the scores", list(DistanceAssessment.Assessor.choices))
    notes = long_text_field("Notes", required=False, help_text="Optional. What the family said about their progress.")
    # How many time points the family had when the form was opened: two people recording the baseline at once
    # must not both land (the second would silently become the first review). ADR 0014.
    recorded = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        definition: distance.DistanceDefinition,
        subjects: list[distance.Subject],
        members: list[Member],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.subjects = subjects
        self.members = {str(member.pk): member for member in members}
        self.fields["family_member"] = forms.ChoiceField(
            label="Which family member scored",
            choices=[("", "Not a family member"), *((key, m.display_name) for key, m in self.members.items())],
            required=False,
            help_text="Only when the scores are the family member's own.",
        )
        choices = [
            ("", "Not scored"),
            *((str(level.score), f"{level.score} {level.level}") for level in definition.scale),
        ]
        for subject in subjects:
            for item in distance.items_for(definition, subject):
                self.fields[score_field_name(subject.key, item.code)] = forms.ChoiceField(
                    label=item.label if subject.role == distance.FAMILY else f"{item.label} ({subject.label})",
                    choices=choices,
                    required=False,
                )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        out = []
        for subject in self.subjects:
            items = distance.items_for(self.definition, subject)
            if items:
                profile = (
                    self.definition.family_profile
                    if subject.role == distance.FAMILY
                    else self.definition.profile_for(subject.role)
                )
                title = f"{subject.label}: {profile.label.lower()}" if profile else subject.label
                out.append((title, [self[score_field_name(subject.key, item.code)] for item in items]))
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        is_member = cleaned.get("assessor") == DistanceAssessment.Assessor.FAMILY_MEMBER
        if is_member and not cleaned.get("family_member"):
            self.add_error("family_member", "Select the family member who gave the scores")
        if not is_member and cleaned.get("family_member"):
            self.add_error("family_member", "Choose a family member only when a family member gave the scores")
        if not self.scores():
            raise forms.ValidationError("Score at least one item")
        return cleaned

    def scores(self) -> dict[tuple[str, str], int]:
        out = {}
        for subject in self.subjects:
            for item in distance.items_for(self.definition, subject):
                value = self.cleaned_data.get(score_field_name(subject.key, item.code))
                if value:
                    out[(subject.key, item.code)] = int(value)
        return out

    def family_member(self) -> Member | None:
        key = self.cleaned_data.get("family_member")
        return self.members.get(key) if key else None


class MeasureForm(ErrorSummaryMixin, forms.Form):
    """Measure a programme's outcomes as of a date (a background job), with the GOV.UK date input."""

    programme = forms.ChoiceField(
        label="Outcomes framework",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcomes framework", "invalid_choice": "Select the outcomes framework"},
    )
    as_of_on = DayMonthYearField(
        label="Measure as of",
        help_text="Results are read from the data up to this date. For example, 31 7 2017",
    )

    def __init__(self, *args: Any, frameworks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = frameworks
