"""Comparison of a cohort with the previous run's: newly qualifying, no longer qualifying, unchanged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CohortChange:
    new: frozenset[str]
    no_longer: frozenset[str]
    unchanged: frozenset[str]
    is_first_run: bool = False

    def of(self, family_id: str) -> str:
        """The change code of a family in the current cohort."""
        if self.is_first_run:
            return "first_run"
        return "unchanged" if family_id in self.unchanged else "new"


def compare_cohorts(*, previous: set[str] | None, current: set[str]) -> CohortChange:
    """Families by change since the previous cohort (`previous` None: this is the programme's first run)."""
    if previous is None:
        return CohortChange(new=frozenset(current), no_longer=frozenset(), unchanged=frozenset(), is_first_run=True)
    return CohortChange(
        new=frozenset(current - previous),
        no_longer=frozenset(previous - current),
        unchanged=frozenset(current & previous),
    )
