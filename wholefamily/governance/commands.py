"""What the service's commands share about who runs them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError


def acting_user(username: str) -> AbstractBaseUser | None:
    """The user a command's `--user` names, recorded as having done the work; None when none is named. A name that
    is nobody's stops the command with one sentence."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user
