"""The adapter from identification's cohort and linkage's households to a new case.

The only module of `cases` that reads those apps' models, so a change there is mended here. The case keeps the
linkage's stable person ids with a display copy of name and date of birth, never a foreign key.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Min, Q, QuerySet

from wholefamily.cases.models import Case
from wholefamily.domain.pathway import MemberDetails, MemberRole, Stage
from wholefamily.governance.models import Team
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.linkage.models import Membership
from wholefamily.web.labels import label_for

LINKAGE_ROLES = {
    Membership.Role.CHILD: MemberRole.CHILD,
    Membership.Role.YOUNG_PERSON: MemberRole.YOUNG_PERSON,
    Membership.Role.ADULT_PARENT: MemberRole.PARENTING_ADULT,
    Membership.Role.OTHER_ADULT: MemberRole.OTHER_ADULT,
}


def household_members(household_id: str, *, on: date | None = None) -> list[MemberDetails]:
    """The household's members from the published linkage, oldest first: its current members, or those living in
    it on the day `on` (a family taken on earlier)."""
    spells = Membership.objects.filter(household__household_id=household_id)
    if on is None:
        spells = spells.filter(end_on__isnull=True)
    else:
        spells = spells.filter(
            Q(start_on__isnull=True) | Q(start_on__lte=on), Q(end_on__isnull=True) | Q(end_on__gte=on)
        )
    spells = spells.select_related("person").order_by("person__date_of_birth", "person__person_id")
    return [
        MemberDetails(
            display_name=" ".join(part for part in (spell.person.forename, spell.person.surname) if part)
            or spell.person.person_id,
            role=LINKAGE_ROLES.get(spell.role, MemberRole.OTHER_ADULT),  # type: ignore[call-overload]
            person_id=spell.person.person_id,
            born_on=spell.person.date_of_birth,
        )
        for spell in spells
    ]


def family_name_for(members: list[MemberDetails], household_id: str) -> str:
    """'the Smith family' after the adults' commonest surname; the household id when nobody is known."""
    adults = [m for m in members if m.role in {MemberRole.PARENTING_ADULT, MemberRole.OTHER_ADULT}] or members
    surnames = Counter(m.display_name.split()[-1] for m in adults if " " in m.display_name)
    return f"the {surnames.most_common(1)[0][0]} family" if surnames else f"Household {household_id}"


def evidence_summary(family: CohortFamily, run: IdentificationRun, problem_labels: dict[str, str]) -> str:
    problems = ", ".join(problem_labels.get(code, code) for code in family.problems) or "none recorded"
    route = f" by the route '{label_for(family.qualifying_route)}'" if family.qualifying_route else ""
    as_of = f"{run.as_of_on.day} {run.as_of_on:%B %Y}"
    return (
        f"Identified by {run.programme_title} (version {run.programme_version}) as of {as_of}{route}: "
        f"{family.problem_count} headline problem{'s' if family.problem_count != 1 else ''} ({problems}); "
        f"{len(family.indicators_met)} indicator{'s' if len(family.indicators_met) != 1 else ''} met."
    )


def latest_run() -> IdentificationRun | None:
    return IdentificationRun.objects.filter(status=IdentificationRun.Status.SUCCEEDED).order_by("-started_at").first()


def families_to_take_on(*, team: Team, limit: int = 50) -> tuple[IdentificationRun | None, QuerySet[CohortFamily]]:
    """The latest run's qualifying families served by `team` that are not on the programme now."""
    run = latest_run()
    if run is None:
        return None, CohortFamily.objects.none()
    on_programme = Case.objects.exclude(stage=Stage.CLOSED).exclude(household_id="").values("household_id")
    families = (
        run.families.filter(team=team, is_qualifying=True)
        .exclude(household_id__in=on_programme)
        .order_by("-problem_count", "family_id")[:limit]
    )
    return run, families


def open_case_for(family: CohortFamily) -> Case | None:
    return Case.objects.filter(household_id=family.household_id).exclude(stage=Stage.CLOSED).first()


def first_identified_on(household_id: str) -> date | None:
    """The earliest date as of which a successful identification run found the household qualifying."""
    if not household_id:
        return None
    found = CohortFamily.objects.filter(
        household_id=household_id, is_qualifying=True, run__status=IdentificationRun.Status.SUCCEEDED
    ).aggregate(first=Min("run__as_of_on"))["first"]
    return found if isinstance(found, date) else None


def membership_ends(household_id: str) -> dict[str, date]:
    """When each person's time in the household ended, for those whose time there has ended."""
    spells = Membership.objects.filter(household__household_id=household_id, end_on__isnull=False)
    return {
        person_id: end_on
        for person_id, end_on in spells.values_list("person__person_id", "end_on")
        if end_on is not None
    }


def identifying_programme(household_id: str) -> str:
    """The programme of the earliest successful identification run that found the household qualifying ("" if none)."""
    family = (
        CohortFamily.objects.filter(
            household_id=household_id, is_qualifying=True, run__status=IdentificationRun.Status.SUCCEEDED
        )
        .order_by("run__as_of_on", "run__pk")
        .select_related("run")
        .first()
    )
    return family.run.programme if family else ""
