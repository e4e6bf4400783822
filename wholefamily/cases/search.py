"""Find a family or a person by name, date of birth or postcode, among what the user may see (a selector).

Names are matched as linkage matches them: cleaned (`domain.names`), short forms through the linkage's nickname
table, and a small allowance for typing slips. Candidates are narrowed in the database first (date of birth,
postcode, the surname's first two or last three letters), then matched in Python. The scope is the access door's:
county-wide roles search every linked person; key workers and team managers the households of the families their
teams work with or have identified; roles without personal data find nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Q, QuerySet

from wholefamily.cases.models import Case
from wholefamily.domain.names import (
    NicknameTable,
    clean_forename,
    clean_surname,
    is_close_forename,
    is_close_surname,
    plain_text,
)
from wholefamily.domain.roles import COUNTY_WIDE_ROLES
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.identification.models import CohortFamily
from wholefamily.linkage.models import Membership, Person
from wholefamily.linkage.selectors import HouseholdLabel, household_labels

MAX_RESULTS = 50
MAX_CANDIDATES = 5_000


@dataclass(frozen=True)
class Found:
    """A person found, with the family (household) they live in now and the case the user may open, if any."""

    person_id: str
    name: str
    date_of_birth: dt.date | None
    household: HouseholdLabel | None
    case: Case | None


@cache
def _nicknames() -> NicknameTable:
    from wholefamily.linkage.engine.definition import load_nicknames

    return load_nicknames()


def normal_postcode(value: str) -> str:
    """A postcode as stored: upper case, one space before the last three characters ('ab12cd' -> 'AB1 2CD')."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def visible_households(*, for_user: Any) -> set[str] | None:
    """Household ids a user may search among; None: every household (county-wide roles)."""
    actor = access.actor_for(for_user)
    if actor.is_superuser or actor.roles & COUNTY_WIDE_ROLES:
        return None
    cases = access.scope(for_user, Case.objects.exclude(household_id=""), team_field="team")
    cohort = access.scope(for_user, CohortFamily.objects.all(), team_field="team")
    return set(cases.values_list("household_id", flat=True)) | set(cohort.values_list("household_id", flat=True))


def _by_name(people: QuerySet[Person], name: str) -> QuerySet[Person]:
    words = plain_text(name).split()
    surname = clean_surname(words[-1]) if words else None
    if not surname:
        return people.none()
    close = Q(surname__istartswith=surname[:2]) | Q(surname__iendswith=surname[-3:]) | Q(surname__icontains=surname)
    if len(words) == 1:  # one word: a surname or a forename
        close |= Q(forename__istartswith=surname[:2]) | Q(forename__iendswith=surname[-3:])
    return people.filter(close)


def _name_matches(person: Person, name: str) -> bool:
    words = plain_text(name).split()
    if not words:
        return True
    if len(words) == 1:
        return is_close_surname(words[0], person.surname) or is_close_forename(
            words[0], person.forename, nicknames=_nicknames()
        )
    return is_close_surname(words[-1], person.surname) and is_close_forename(
        words[0], person.forename, nicknames=_nicknames()
    )


def find_people(
    *, for_user: Any, name: str = "", date_of_birth: dt.date | None = None, postcode: str = ""
) -> list[Found]:
    """People matching every criterion given (at least one), nearest first, at most MAX_RESULTS; audited as a read
    of personal data (which criteria, how many found; never the values searched for)."""
    name, postcode = name.strip()[:100], postcode.strip()[:10]
    if not (clean_forename(name) or date_of_birth or postcode):
        return []
    people = Person.objects.filter(retired_by_run__isnull=True)
    visible = visible_households(for_user=for_user)
    if visible is not None:
        people = people.filter(memberships__household__household_id__in=visible)
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    if postcode:
        people = people.filter(memberships__household__postcode__iexact=normal_postcode(postcode))
    if name:
        people = _by_name(people, name)
    candidates = list(people.distinct().order_by("surname", "forename", "person_id")[:MAX_CANDIDATES])
    matched = sorted(
        (person for person in candidates if _name_matches(person, name)),
        key=lambda person: (person.surname.upper(), person.forename.upper(), person.person_id),
    )[:MAX_RESULTS]
    found = _with_families(for_user=for_user, people=matched, visible=visible)
    record(
        by=for_user,
        action="search.people",
        object_type="linkage.person",
        object_id="search",
        detail={
            "criteria": [key for key, value in (("name", name), ("date_of_birth", date_of_birth),
                                                 ("postcode", postcode)) if value],
            "found": len(found),
        },
    )  # fmt: skip
    return found


def _with_families(*, for_user: Any, people: list[Person], visible: set[str] | None) -> list[Found]:
    homes: dict[str, str] = {}  # person id -> the household they live in now (else the last they lived in)
    ended: dict[str, dt.date] = {}
    memberships = Membership.objects.filter(person__in=people).values_list(
        "person__person_id", "household__household_id", "end_on"
    )
    for person_id, household_id, end_on in memberships:
        if visible is not None and household_id not in visible:
            continue
        if end_on is None:
            homes[person_id] = household_id
            ended[person_id] = dt.date.max
        elif end_on > ended.get(person_id, dt.date.min):
            homes[person_id] = household_id
            ended[person_id] = end_on
    labels = household_labels(for_user=for_user, household_ids=homes.values())
    cases: dict[str, Case] = {}
    for case in access.scope(for_user, Case.objects.filter(household_id__in=set(homes.values())), team_field="team"):
        cases.setdefault(case.household_id, case)
    return [
        Found(
            person_id=person.person_id,
            name=" ".join(part for part in (_title(person.forename), _title(person.surname)) if part),
            date_of_birth=person.date_of_birth,
            household=labels.get(homes.get(person.person_id, "")),
            case=cases.get(homes.get(person.person_id, "")),
        )
        for person in people
    ]


def _title(value: str) -> str:
    return value.title() if value.isupper() or value.islower() else value
