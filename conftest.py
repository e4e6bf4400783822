"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wholefamily.domain.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"  # noqa: S105


@pytest.fixture
def make_staff(db: Any) -> Callable[..., Any]:
    """Create a signed-up member of staff: `make_staff("kim", Role.KEY_WORKER, team=team)`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    def make(username: str, *roles: Role, team: Any = None, **extra: Any) -> Any:
        user = get_user_model().objects.create_user(username=username, password=TEST_PASSWORD, **extra)
        # get_or_create: a transactional test's flush removes the groups the roles migration made.
        user.groups.set([Group.objects.get_or_create(name=role.value)[0] for role in roles])
        StaffProfile.objects.create(user=user, team=team, job_title="Test")
        return user

    return make


@pytest.fixture
def make_team(db: Any) -> Callable[..., Any]:
    from wholefamily.governance.models import Team

    def make(name: str, district: str = "Northmoor") -> Any:
        return Team.objects.create(name=name, district=district)

    return make
