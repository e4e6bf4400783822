"""The case fixtures (teams, staff, a family walked to a stage) are the cases app's: families are theirs."""

from wholefamily.cases.tests.conftest import colleague, manager, new_family, north, outsider, south, worker

__all__ = ["colleague", "manager", "new_family", "north", "outsider", "south", "worker"]
