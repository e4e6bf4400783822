"""Forms for the case pages, with GOV.UK error messages. HTTP concerns only: the rules live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from wholefamily.cases.assessment_definition import AssessmentDefinition
from wholefamily.cases.models import Consent, Member, Review
from wholefamily.cases.selectors import WorkerLoad
from wholefamily.domain.pathway import (
    Destination,
    GatekeepingDecision,
    MemberRole,
    ReferralSource,
    Transition,
)
from wholefamily.governance.models import Team
from wholefamily.web.forms import DATE_HINT, GovukForm
from wholefamily.web.forms import date_field as date_field

PRIORITIES = [(1, "High"), (2, "Medium"), (3, "Low")]


def _choices(enum_type: Any) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum_type]


def text_field(label: str, *, required: bool = True, max_length: int = 200, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def long_text_field(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be 5000 characters or fewer",
        },
    )


def radio_field(label: str, choices: list[tuple[Any, str]], *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select the {label.lower()}", "invalid_choice": f"Select the {label.lower()}"},
    )


class MoveForm(GovukForm):
    def __init__(self, *args: Any, transitions: tuple[Transition, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"] = radio_field("Next step", [(t.target.value, t.label) for t in transitions])
        self.fields["note"] = text_field("Note", required=False, max_length=250, help_text="Optional.")


class AllocateForm(GovukForm):
    def __init__(self, *args: Any, loads: list[WorkerLoad], is_reassignment: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workers = {str(load.worker.pk): load.worker for load in loads}
        choices = [
            (str(load.worker.pk), f"{load.name}: {load.open_families} of {load.limit} families") for load in loads
        ]
        self.fields["worker"] = radio_field("Key worker", choices)
        self.fields["reason"] = long_text_field(
            "Reason for reassigning" if is_reassignment else "Note",
            required=is_reassignment,
            help_text="Recorded in the family's chronology." if is_reassignment else "Optional.",
        )
        self.fields["allow_over_limit"] = forms.BooleanField(
            label="Allocate even if this takes the worker over the team's caseload limit", required=False
        )

    def worker(self) -> User:
        return self.workers[self.cleaned_data["worker"]]


class CloseForm(GovukForm):
    destination = radio_field("Where the family goes next", _choices(Destination))
    reason = long_text_field("Reason for closing")
    closed_on = date_field("Date closed")


class AssessmentForm(GovukForm):
    assessed_on = date_field("Date of the assessment")
    summary = long_text_field("Strengths and needs", help_text="In words the family would recognise.")

    def __init__(self, *args: Any, definition: AssessmentDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        score_choices = [
            ("", "Choose a score"),
            *((str(score), f"{score} {label}") for score, label in definition.scores),
        ]
        for domain in definition.domains:
            self.fields[f"score_{domain.code}"] = forms.ChoiceField(
                label=domain.label,
                choices=score_choices,
                error_messages={"required": f"Score {domain.label.lower()}"},
            )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[f"score_{d.code}"] for d in domains]) for title, domains in self.definition.sections]

    def scores(self) -> dict[str, int]:
        return {d.code: int(self.cleaned_data[f"score_{d.code}"]) for d in self.definition.domains}


class PlanForm(GovukForm):
    aims = long_text_field("What the family wants to change", help_text="The plan's aims, in the family's words.")
    agreed_on = date_field("Date the plan was agreed")
    agreement_signed_on = date_field(
        "Date the family signed the agreement", required=False, help_text=f"Leave blank if not signed yet. {DATE_HINT}"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, is_new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_new:
            del self.fields["agreed_on"]


class GoalForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    description = text_field("Goal", max_length=300)
    actions = long_text_field("Actions", help_text="Who does what to reach the goal.")
    agency = text_field("Agency responsible", max_length=120)
    due_on = date_field("Due date")

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ModelChoiceField(
            label="For whom",
            queryset=members,
            required=False,
            empty_label="The whole family",
            error_messages={"invalid_choice": "Select a member of this family"},
        )
        self.order_fields(["member"])


class GoalAchievementForm(GovukForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "The page was out of date: open the family plan again",
            "invalid": "The page was out of date: open the family plan again",
            "min_value": "The page was out of date: open the family plan again",
        },
    )
    is_achieved = forms.ChoiceField(
        label="Has the goal been achieved?",
        choices=[("yes", "Achieved"), ("no", "Not yet achieved")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the goal has been achieved",
            "invalid_choice": "Select whether the goal has been achieved",
        },
    )
    achieved_on = date_field("Date achieved", required=False, help_text=f"Only if it has been achieved. {DATE_HINT}")
    note = text_field(
        "Note", max_length=300, help_text="In a sentence: the evidence, or what is still to do. Shown on the plan."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_achieved") == "yes" and data.get("achieved_on") is None and "achieved_on" not in self.errors:
            self.add_error("achieved_on", "Enter the date the goal was achieved")
        return data


class ReviewForm(GovukForm):
    held_on = date_field("Date of the review")
    progress = long_text_field("Progress against the plan")
    outcome = radio_field("Outcome", list(Review.Outcome.choices))


class MemberForm(GovukForm):
    display_name = text_field("Name")
    born_on = date_field("Date of birth", required=False)
    role = radio_field("Role in the family", _choices(MemberRole))
    person_id = text_field(
        "Person id from the linked data", required=False, max_length=64, help_text="Optional: leave blank if unknown."
    )
    start_on = date_field("Date they joined the family")
    reason = text_field("Reason", max_length=250, help_text="For example: born, moved in.")


class MemberChangeForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    display_name = text_field("Name")
    born_on = date_field("Date of birth", required=False)
    role = radio_field("Role in the family", _choices(MemberRole))
    reason = text_field("Reason for the change", max_length=250)


class MemberLeaveForm(GovukForm):
    end_on = date_field("Date they left")
    reason = text_field("Reason they left", max_length=250, help_text="For example: moved out to live with a parent.")


class TafMeetingForm(GovukForm):
    held_on = date_field("Date of the meeting")
    attendees = long_text_field("Who attended", help_text="One person a line: name, then agency after a comma.")
    notes = long_text_field("Notes", required=False)

    def clean_attendees(self) -> list[tuple[str, str]]:
        people = []
        for line in self.cleaned_data["attendees"].splitlines():
            name, _, agency = line.partition(",")
            if name.strip():
                people.append((name.strip()[:200], agency.strip()[:120]))
        if not people:
            raise forms.ValidationError("Enter who attended")
        return people


class NoticeForm(GovukForm):
    issued_on = date_field("Date given")
    method = text_field("How it was given", max_length=120, help_text="For example: in person at a home visit.")


class ConsentForm(GovukForm):
    purpose = text_field("What the consent is for", help_text="For example: sharing information with health.")
    status = radio_field("Consent", list(Consent.Status.choices))
    recorded_on = date_field("Date")

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ModelChoiceField(
            label="Family member",
            queryset=members,
            empty_label="Choose a member",
            error_messages={"required": "Choose the family member", "invalid_choice": "Choose the family member"},
        )
        self.order_fields(["member"])


class BudgetForm(GovukForm):
    amount = forms.DecimalField(
        label="Amount in pounds",
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        decimal_places=2,
        error_messages={
            "required": "Enter the amount",
            "invalid": "Enter the amount as a number, like 25.50",
            "min_value": "Enter an amount more than £0",
            "max_value": "Enter an amount of £100,000 or less",
            "max_decimal_places": "Enter the amount in pounds and pence, like 25.50",
        },
    )
    description = text_field("What it is for")
    entered_on = date_field("Date")

    def __init__(self, *args: Any, may_add_funds: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if may_add_funds:
            self.fields["kind"] = radio_field(
                "Entry", [("spend", "Ask to spend"), ("funds", "Add funds to the budget")]
            )
            self.order_fields(["kind"])

    def amount_pence(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class SpendDecisionForm(GovukForm):
    decision = radio_field("Decision", [("approve", "Approve"), ("reject", "Reject")])


class ReferralForm(GovukForm):
    family_name = text_field("Family", help_text="How you refer to the family, for example 'the Smith family'.")
    source = radio_field("Referred through", _choices(ReferralSource))
    referrer = text_field("Referrer", help_text="Name and agency.")
    received_on = date_field("Date received")
    reason = long_text_field("Reason for the referral")
    priority = radio_field("Priority", [(str(value), label) for value, label in PRIORITIES])
    find_name = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    find_postcode = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, teams: QuerySet[Team], households: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        """`households`: (household id, "family, address") found by the search on the page; the household is
        picked from them, never typed."""
        super().__init__(*args, **kwargs)
        self.fields["household_id"] = radio_field(
            "Household in the linked data",
            [*(households or []), ("", "Not known yet, or not in the list")],
            required=False,
        )
        self.fields["household_id"].help_text = (
            "Find the family above by name or postcode, then choose their household." if households is None else ""
        )
        self.fields["team"] = forms.ModelChoiceField(
            label="Team",
            queryset=teams,
            empty_label="Choose a team" if teams.count() != 1 else None,
            error_messages={"required": "Choose the team", "invalid_choice": "Choose the team"},
        )
        self.order_fields(["team"])


class GatekeepingForm(GovukForm):
    decision = radio_field("Decision", _choices(GatekeepingDecision))
    reason = long_text_field("Reason for the decision")


class EstimateForm(GovukForm):
    families_estimated = forms.IntegerField(
        label="Families the district expects to work with",
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "required": "Enter the estimate",
            "invalid": "Enter the estimate as a whole number, like 250",
            "min_value": "Enter an estimate of 0 or more",
            "max_value": "Enter an estimate of 1,000,000 or less",
        },
    )

    def __init__(self, *args: Any, districts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"] = radio_field("District", [(d, d) for d in districts])
        self.order_fields(["district"])
