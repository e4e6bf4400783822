"""The form for a professional's judgement indicator on a family or one of its members."""

from __future__ import annotations

from typing import Any

from django import forms

from wholefamily.domain.criteria.schema import Programme, Rule
from wholefamily.web.forms import DayMonthYearField, ErrorSummaryMixin

WHOLE_FAMILY = ""


class JudgementForm(ErrorSummaryMixin, forms.Form):
    indicator = forms.ChoiceField(label="Indicator", error_messages={"required": "Select the indicator"})
    person_id = forms.ChoiceField(label="Who it is about", required=False)
    reason = forms.CharField(
        label="Why the indicator holds",
        help_text="What you know, and from whom (for example a referral from the school nurse).",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Say why the indicator holds"},
    )
    effective_on = DayMonthYearField(
        label="Holds from",
        help_text="For example, 27 3 2015",
        error_messages={"required": "Enter the date it holds from"},
    )

    def __init__(self, *args: Any, programme: Programme, members: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicator = self.fields["indicator"]
        assert isinstance(indicator, forms.ChoiceField)
        indicator.choices = [("", "Select")] + [
            (item.code, item.label) for item in programme.indicators if item.rule is Rule.JUDGEMENT
        ]
        person = self.fields["person_id"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = [(WHOLE_FAMILY, "The whole family")] + [(member, member) for member in members]


class StartRunForm(ErrorSummaryMixin, forms.Form):
    programme = forms.ChoiceField(label="Programme", error_messages={"required": "Select the programme"})
    as_of_on = DayMonthYearField(
        label="As of",
        help_text="The date the criteria are evaluated on, for example 1 4 2015",
        error_messages={"required": "Enter the as-of date", "invalid": "The as-of date must be a real date"},
    )
    engine = forms.ChoiceField(label="Engine", choices=[("duckdb", "DuckDB (this server)"), ("spark", "Spark")])

    def __init__(self, *args: Any, programmes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select"), *programmes]
