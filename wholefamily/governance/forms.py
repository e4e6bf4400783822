from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from wholefamily.domain.roles import TEAM_SCOPED_ROLES, Role
from wholefamily.governance.models import AuditEvent, Team
from wholefamily.web.forms import DayMonthYearField, ErrorSummaryMixin, GovukForm


class AuditFilterForm(ErrorSummaryMixin, forms.Form):
    actor_label = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.CharField(label="Action", required=False, max_length=60)
    object_type = forms.CharField(label="Object type", required=False, max_length=100)
    object_id = forms.CharField(label="Object id", required=False, max_length=64)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices])
    since_on = DayMonthYearField(label="Since", required=False, help_text="For example, 27 3 2026")


class ApprovalRequestForm(GovukForm):
    request = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why is this needed?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why this is needed"},
    )


class ApprovalDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        error_messages={"required": "Choose approve or refuse"},
    )
    note = forms.CharField(label="Note (needed if you refuse)", widget=forms.Textarea, required=False, max_length=2000)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "refuse" and not str(cleaned.get("note", "")).strip():
            self.add_error("note", "Say why you are refusing it")
        return cleaned


ROLE_CHOICES = [(role.value, role.label) for role in Role]


def _team_field() -> forms.ModelChoiceField[Team]:
    return forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.all(),
        required=False,
        empty_label="No team (county-wide roles)",
        help_text="Key workers and team managers see only their own team's families.",
    )


class StaffChangeForm(GovukForm):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role"},
    )
    team = _team_field()
    job_title = forms.CharField(label="Job title", max_length=120, required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        roles = {Role(value) for value in cleaned.get("roles", [])}
        if roles & TEAM_SCOPED_ROLES and not cleaned.get("team"):
            self.add_error("team", "Choose a team: key workers and team managers work in one")
        return cleaned


class PasswordField(forms.CharField):
    def __init__(self, label: str, help_text: str = "") -> None:
        super().__init__(
            label=label,
            widget=forms.PasswordInput(render_value=False),
            strip=False,
            max_length=128,
            help_text=help_text,
        )


class StaffCreateForm(StaffChangeForm):
    username = forms.RegexField(
        label="Username",
        regex=r"^[\w.@+-]{3,150}$",
        help_text="Letters, numbers and . @ + - _ only.",
        error_messages={"invalid": "Enter a username of letters, numbers and . @ + - _ only"},
    )
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Email address", required=False)
    password = PasswordField("Temporary password", help_text="At least 12 characters; give it to them in person.")
    field_order = ["username", "first_name", "last_name", "email", "roles", "team", "job_title", "password"]

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another")
        return username

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            names = {key: cleaned.get(key, "") for key in ("username", "first_name", "last_name", "email")}
            probe = get_user_model()(**names)
            try:
                validate_password(str(password), user=probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class PasswordResetForm(GovukForm):
    password = PasswordField("New password", help_text="At least 12 characters; give it to them in person.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        validate_password(password, user=self.user)
        return password


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        error_messages={"required": "Enter the code"},
    )


class SubjectAccessForm(GovukForm):
    person_id = forms.RegexField(
        label="Person id",
        regex=r"^[A-Za-z0-9\-]{1,64}$",
        help_text="The person's stable id, from their linked person page or a family's member.",
        error_messages={"required": "Enter the person id", "invalid": "Enter a person id of letters, numbers and -"},
    )


class PasswordChangeForm(ErrorSummaryMixin, auth_forms.PasswordChangeForm):
    """Django's password change (current password, then the new one twice), with the error summary's links."""


class ReidentificationForm(GovukForm):
    """A list of pseudonyms from a pseudonymised export, and why the people behind them are needed (ADR 0020)."""

    pseudonyms = forms.CharField(
        label="Pseudonyms",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        max_length=30_000,
        help_text="From a pseudonymised export: one a line, or separated by commas or spaces. At most 1,000.",
        error_messages={"required": "Enter at least one pseudonym"},
    )
    reason = forms.CharField(
        label="Why do you need to know who they are?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The person who approves reads this.",
        error_messages={"required": "Say why you need to know who they are"},
    )

    def clean_pseudonyms(self) -> list[str]:
        from wholefamily.domain.pseudonyms import PseudonymListError, parse_list

        try:
            return parse_list(self.cleaned_data["pseudonyms"])
        except PseudonymListError as error:
            raise forms.ValidationError(str(error)) from None


class TeamForm(GovukForm):
    name = forms.CharField(label="Team name", max_length=120, error_messages={"required": "Enter the team's name"})
    district = forms.CharField(
        label="District", max_length=120, error_messages={"required": "Enter the district the team serves"}
    )
    caseload_limit = forms.IntegerField(
        label="Caseload limit per worker",
        help_text="The most families one key worker holds at a time.",
        min_value=1,
        max_value=50,
        error_messages={
            "required": "Enter the caseload limit",
            "invalid": "The caseload limit must be a whole number, like 8",
            "min_value": "The caseload limit must be 1 or more",
            "max_value": "The caseload limit must be 50 or fewer",
        },
    )

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        others = Team.objects.filter(name__iexact=name)
        if self.team is not None:
            others = others.exclude(pk=self.team.pk)
        if others.exists():
            raise forms.ValidationError("There is already a team with this name")
        return name
