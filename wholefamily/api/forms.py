"""Forms of the token pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from wholefamily.api.models import ACCESS_LEVELS, RESOURCES
from wholefamily.api.tokens import MAX_DAYS
from wholefamily.domain.roles import Role
from wholefamily.governance.models import Team
from wholefamily.web.forms import GovukForm, date_field

LEVEL_WORDS = {"read": "read", "write": "read and change"}
SCOPE_CHOICES = [
    (f"{resource}:{level}", f"{description}: {LEVEL_WORDS[level]}")
    for resource, description in RESOURCES.items()
    for level in ACCESS_LEVELS
]


class TokenForm(GovukForm):
    name = forms.CharField(
        label="What is the token for?", max_length=120, help_text="For example, the children's case system."
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the token may do"},
    )
    expires_on = date_field("When does it stop working?", help_text="At most a year from today, for example 31 3 2027")
    user = forms.ModelChoiceField(
        label="Whose token is it?",
        queryset=User.objects.none(),
        required=False,
        empty_label="Yours",
        help_text="Administrators make tokens for service accounts: other systems acting under a role and team.",
    )

    def __init__(self, *args: Any, service_accounts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if service_accounts is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = service_accounts  # type: ignore[attr-defined]

    def clean_expires_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("The date it stops working must be in the future")
        if value > today + dt.timedelta(days=MAX_DAYS - 1):
            raise forms.ValidationError("A token can last at most a year")
        return value


class ServiceAccountForm(GovukForm):
    username = forms.RegexField(
        label="Name of the service account",
        regex=r"^[a-z0-9][a-z0-9._-]{2,60}$",
        help_text="Lower-case letters, numbers and . - _ only, for example childrens-case-system.",
        error_messages={"invalid": "Enter a name of lower-case letters, numbers and . - _ only"},
    )
    purpose = forms.CharField(label="Which system uses it, and for what?", max_length=300)
    role = forms.ChoiceField(label="Role", choices=[(role.value, role.label) for role in Role])
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.all(), required=False, empty_label="No team (county-wide roles)"
    )

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That name is taken: choose another")
        return username
