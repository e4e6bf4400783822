"""The password deny-list, as a Django password validator (ADR 0015): repeated characters and sequences, the
council's and the service's names, and Django's list of 20,000 common passwords under simple disguises."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from wholefamily.domain.passwords import weaknesses

SERVICE_NAMES = ("WholeFamily", "Whole Family", "Troubled Families", "Supporting Families", "Families First")


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(password_validation.CommonPasswordValidator().passwords)


class DenyListValidator:
    def validate(self, password: str, user: object = None) -> None:
        names = (*SERVICE_NAMES, settings.WHOLEFAMILY_COUNCIL_NAME)
        reasons = weaknesses(password, names=names, common=common_passwords())
        if reasons:
            raise ValidationError(
                [
                    ValidationError(f"This password is too easy to guess. {why}", code="password_denied")
                    for why in reasons
                ]
            )

    def get_help_text(self) -> str:
        return (
            "Your password cannot be mostly repeated characters or sequences, contain the council's or this "
            "service's name, or be a common password with small changes."
        )
