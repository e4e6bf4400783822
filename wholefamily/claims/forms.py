"""Forms of the claims pages: the state change (validation step and after) and the funding estimate."""

from __future__ import annotations

from typing import Any

from django import forms

from wholefamily.domain.claims.states import ClaimState, next_states


class StateChangeForm(forms.Form):
    to = forms.ChoiceField(label="Move the claim to", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when a claim is rejected or sent back.",
    )

    def __init__(self, *args: Any, state: ClaimState, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = [(target.value, target.label) for target in next_states(state)]


class EstimateForm(forms.Form):
    estimated_families = forms.IntegerField(label="Estimated families", min_value=0, max_value=1_000_000)
