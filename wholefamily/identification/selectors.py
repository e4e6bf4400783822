"""Identification reads, always scoped to the user asking (governance.access)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from wholefamily.domain.criteria.need import AreaNeed, need_by_area
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.identification.models import CohortFamily, IdentificationRun, Judgement
from wholefamily.identification.services import load_programme_definition

RUN_READERS = (
    Role.PROGRAMME_MANAGER,
    Role.DATA_ANALYST,
    Role.ADMINISTRATOR,
    Role.AUDITOR,
    Role.TEAM_MANAGER,
    Role.KEY_WORKER,
    Role.COMMISSIONER,
)
NEED_READERS = (Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.ADMINISTRATOR, Role.AUDITOR, Role.COMMISSIONER)


def runs(*, for_user: Any) -> QuerySet[IdentificationRun]:
    """Runs (aggregate figures only) for staff who work with cohorts or commission from them."""
    if not (getattr(for_user, "is_superuser", False) or access.has_role(for_user, *RUN_READERS)):
        return IdentificationRun.objects.none()
    return IdentificationRun.objects.select_related("started_by")


def cohort(
    *,
    for_user: Any,
    run: IdentificationRun,
    district: str = "",
    ward: str = "",
    problem: str = "",
    route: str = "",
    change: str = "",
    search: str = "",
) -> QuerySet[CohortFamily]:
    """The run's families this user may see (county-wide roles: all; key workers and team managers: their
    team's), filtered."""
    families = access.scope(for_user, run.families.all(), team_field="team")
    if district:
        families = families.filter(district=district)
    if ward:
        families = families.filter(ward=ward)
    if problem:
        families = families.filter(
            Q(problems_met=problem)
            | Q(problems_met__startswith=f"{problem};")
            | Q(problems_met__endswith=f";{problem}")
            | Q(problems_met__contains=f";{problem};")
        )
    if route:
        families = families.filter(qualifying_route=route)
    families = families.filter(change=change) if change else families.filter(is_qualifying=True)
    if search:
        families = families.filter(
            Q(family_id__icontains=search)
            | Q(household_id__icontains=search)
            | Q(household_id__in=_households_named(search))
        )
    return families.order_by("district", "ward", "family_id")


def _households_named(search: str) -> QuerySet[Any]:
    """Household ids whose address or postcode holds `search`, or where someone with that surname lives or lived."""
    from wholefamily.linkage.models import Household

    compact = search.replace(" ", "").upper()
    return Household.objects.filter(
        Q(address__icontains=search)
        | Q(postcode__icontains=search)
        | Q(postcode__iexact=compact)
        | Q(memberships__person__surname__iexact=search)
    ).values("household_id")


def family(*, for_user: Any, run: IdentificationRun, family_id: str) -> CohortFamily:
    """One family of a run, or 404/403 (audited); a permitted view is audited too (personal record)."""
    return access.get_object_for(for_user, run.families.all(), team_field="team", family_id=family_id)


def area_need(*, for_user: Any, run: IdentificationRun, by_ward: bool = True) -> list[AreaNeed] | None:
    """Need by district and ward from the run's evaluated families (aggregates, no personal data); None when the
    user's roles do not include need by area."""
    if not (getattr(for_user, "is_superuser", False) or access.has_role(for_user, *NEED_READERS)):
        return None
    output = Path(run.output_dir)
    if (
        not run.output_dir
        or not (output / "families.parquet").is_file()
        or not (output / "residents.parquet").is_file()
    ):
        raise Http404("The run's evaluated families are no longer in the data store.")
    programme = load_programme_definition(run.programme)
    return need_by_area(
        programme,
        families=pq.read_table(output / "families.parquet").to_pylist(),
        residents=pq.read_table(output / "residents.parquet").to_pylist(),
        by_ward=by_ward,
    )


def judgements(*, for_user: Any, programme: str, household_id: str, person_ids: list[str]) -> QuerySet[Judgement]:
    """Judgements on a family or its members, for a user who may see the family (checked by the caller)."""
    if not access.user_roles(for_user) and not getattr(for_user, "is_superuser", False):
        return Judgement.objects.none()
    return (
        Judgement.objects.filter(programme=programme)
        .filter(Q(household_id=household_id) | Q(person_id__in=person_ids))
        .select_related("entered_by", "withdrawn_by")
    )


def programme_choices() -> list[tuple[str, str]]:
    """The shipped programme definitions, as (code, "title (vN)")."""
    programmes = {
        p.code: p
        for p in (load_programme_definition(path.stem) for path in sorted(Path(settings.PROGRAMMES_DIR).glob("*.yaml")))
    }  # each parsed once per version of its file
    return [(code, f"{p.title} (v{p.version})") for code, p in sorted(programmes.items())]
