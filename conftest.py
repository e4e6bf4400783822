"""Fixtures shared by every app's tests."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from wholefamily.domain.roles import Role

# No per-example deadline for property tests: with the suite on two workers beside a JVM or a browser, one example can
# wait past Hypothesis's 200 ms for the CPU and fail a correct test. Speed is measured in bench/, not here (ADR 0034).
hypothesis_settings.register_profile("wholefamily", deadline=None)
hypothesis_settings.load_profile("wholefamily")

TEST_PASSWORD = "correct-horse-battery-staple"  # noqa: S105


@functools.cache
def hashed_test_password() -> str:
    """TEST_PASSWORD hashed by the service's own password hasher, once: hashing is slow on purpose (about half a
    second), and some fixtures make eight members of staff a test."""
    from django.contrib.auth.hashers import make_password

    return make_password(TEST_PASSWORD)


@pytest.fixture(autouse=True)
def data_sharing_agreement(request: pytest.FixtureRequest) -> Any:
    """Every test with a database has a data-sharing agreement in force covering every dataset kind, as a council
    registers before importing (ADR 0015). Tests of the agreement rule itself delete or replace it."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))) or bool(
        names & {"transactional_db", "live_server"}
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in names:
        request.getfixturevalue("db")
    else:
        return None
    import datetime as dt

    from wholefamily.governance.models import DataSharingAgreement
    from wholefamily.ingest.services import contracts

    return DataSharingAgreement.objects.create(
        reference="TEST-DSA-ALL", name="Test agreement", partner="Test partners", start_on=dt.date(2000, 1, 1),
        kinds=sorted(contracts().kinds), lawful_basis="Public task", parties="Test council",
    )  # fmt: skip


@pytest.fixture
def make_staff(db: Any) -> Callable[..., Any]:
    """Create a signed-up member of staff: `make_staff("kim", Role.KEY_WORKER, team=team)`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wholefamily.governance.models import StaffProfile

    def make(username: str, *roles: Role, team: Any = None, **extra: Any) -> Any:
        user = get_user_model().objects.create_user(username=username, password=None, **extra)
        user.password = hashed_test_password()  # the real hasher's hash of TEST_PASSWORD, worked out once a process
        user.save(update_fields=["password"])
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


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, the Spark comparisons that touch no database are skipped: CI runs the suite once on SQLite and
    once on PostgreSQL, and a test without a database would run the same JVM work twice for nothing (ADR 0030). So are
    those marked `spark(once=True)`, which use the database only as the DuckDB tests already do on both (ADR 0033)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return
    skip = pytest.mark.skip(reason="touches no database: the SQLite run of the suite covers it (ADR 0030)")
    once = pytest.mark.skip(reason="uses the database only to record runs: the SQLite run covers it (ADR 0033)")
    for item in items:
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        spark = item.get_closest_marker("spark")
        if spark and not uses_database:
            item.add_marker(skip)
        elif spark and spark.kwargs.get("once"):
            item.add_marker(once)
