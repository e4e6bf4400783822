"""Forms of the claims pages: the state change (validation step and after) and the funding estimate."""

from __future__ import annotations

from typing import Any

from django import forms

from wholefamily.domain.claims.states import MOVES, ClaimState, next_states
from wholefamily.domain.roles import Role
from wholefamily.web.forms import GovukForm


class StateChangeForm(forms.Form):
    """Move a claim on: internal audit validates or rejects a draft from its evidence pack, saying what it checked
    or why the evidence does not hold; a programme manager records submission and payment.

    Only the moves the user's roles allow are offered. A reason is needed for every move internal audit makes (the
    record of what was checked), and for the moves the rules say need one (a rejection, a claim sent back).
    """

    to = forms.ChoiceField(
        label="Move the claim to",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what happens to the claim",
            "invalid_choice": "Select what happens to the claim",
        },
    )
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked in the evidence pack, or why the evidence does not hold.",
        error_messages={"max_length": "The reason must be 1000 characters or fewer"},
    )

    def __init__(self, *args: Any, state: ClaimState, roles: frozenset[Role] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = state
        self.moves = {
            move.target.value: move
            for move in MOVES
            if move.source is state and (roles is None or roles & move.roles or Role.ADMINISTRATOR in roles)
        }
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = [(target.value, target.label) for target in next_states(state) if target.value in self.moves]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        move = self.moves.get(data.get("to") or "")
        is_missing = not (data.get("reason") or "").strip()
        if move is not None and is_missing and (move.needs_reason or Role.AUDITOR in move.roles):
            self.add_error("reason", f"Say why the claim is {move.target.label.lower()}")
        return data

    def error_links(self) -> list[tuple[str, str]]:
        links = [(str(message), "#to") for message in self.non_field_errors()]
        links += [(str(message), "#to") for message in self.errors.get("to", [])]
        links += [(str(message), "#reason") for message in self.errors.get("reason", [])]
        return links


class EstimateForm(forms.Form):
    estimated_families = forms.IntegerField(label="Estimated families", min_value=0, max_value=1_000_000)


class ComputeWindowForm(GovukForm):
    """Compute a claim window's claims (a background job): which window, and the share of claims to spot-check."""

    window = forms.ChoiceField(
        label="Claim window",
        help_text="The programme and the date the window's results are claimed for.",
        error_messages={"required": "Select the claim window", "invalid_choice": "Select the claim window"},
    )
    sample_percent = forms.IntegerField(
        label="Spot-check sample, percent of the claims (optional)",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Internal audit checks this share of the claims in depth, drawn at random. Leave empty for none.",
        error_messages={
            "invalid": "Enter the sample as a whole number, like 10",
            "min_value": "Enter a sample of 1 percent or more",
            "max_value": "Enter a sample of 100 percent or less",
        },
    )

    def __init__(self, *args: Any, windows: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["window"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select a claim window"), *windows]
