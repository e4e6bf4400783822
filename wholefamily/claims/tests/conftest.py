"""The case fixtures (teams, staff, a family walked to a stage) are the cases app's: families are theirs."""

from wholefamily.cases.tests.conftest import manager, new_family, north, worker

__all__ = ["manager", "new_family", "north", "worker"]
