"""Pseudonymised data for analysts, and turning pseudonyms back into people behind the two-person rule (ADR 0020).

An analyst exports an identification run's cohort one row a member, each person under a keyed pseudonym
(`domain.pseudonyms`) with an age band, not a name or date of birth. To contact some of them (a sample for an
evaluation, say) the analyst asks for a re-identification of a list of pseudonyms; a second authorised person
approves exactly that list (`governance.approvals`, kind `reidentification`); then, and only for the person who
asked, the service says who each is. Every step is audited, each person re-identified as a read of that person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Q

from wholefamily.domain import pseudonyms
from wholefamily.domain.roles import Role
from wholefamily.governance import access, approvals
from wholefamily.governance.audit import record
from wholefamily.governance.models import Approval

AnyUser = AbstractBaseUser | AnonymousUser

EXPORTERS = (Role.DATA_ANALYST, Role.PROGRAMME_MANAGER)
COLUMNS = (
    "pseudonym", "family_pseudonym", "role", "sex", "age_band", "district", "ward", "problems_met", "problem_count",
    "qualifying_route", "change", "indicators_met",
)  # fmt: skip


class PseudonymKeyMissing(ImproperlyConfigured):
    """No key for pseudonyms: production refuses to start without one, so this is a misconfigured test or tool."""


def key() -> str:
    value = str(getattr(settings, "WHOLEFAMILY_PSEUDONYM_KEY", "") or "")
    if not value:
        raise PseudonymKeyMissing("WHOLEFAMILY_PSEUDONYM_KEY is not set: pseudonymised data cannot be made or read")
    return value


def may_export(user: AnyUser) -> bool:
    return access.has_role(user, *EXPORTERS)


def pseudonymised_cohort(*, run: Any, for_user: AnyUser) -> list[list[Any]]:
    """One row a member of each qualifying family of an identification run (as the linked households stood on the
    run's date), under pseudonyms; audited as an export of the run. Columns: `COLUMNS`."""
    from wholefamily.identification import selectors
    from wholefamily.identification.models import Evidence
    from wholefamily.linkage.models import Membership

    if not may_export(for_user):
        record(by=for_user, action="identification.cohort.pseudonymised_export", obj=run, outcome="denied")
        raise PermissionDenied("Pseudonymised exports are for data analysts and programme managers.")
    secret = key()
    families = {f.household_id: f for f in selectors.cohort(for_user=for_user, run=run).filter(is_qualifying=True)}
    met: dict[tuple[str, str], set[str]] = defaultdict(set)
    for family_id, person_id, indicator in Evidence.objects.filter(family__run=run).values_list(
        "family__family_id", "person_id", "indicator"
    ):
        met[(family_id, person_id)].add(indicator)
    on = run.as_of_on
    members = (
        Membership.objects.filter(household__household_id__in=list(families), start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .select_related("person", "household")
        .order_by("household__household_id", "person__person_id")
    )
    rows: list[list[Any]] = []
    seen: set[tuple[str, str]] = set()
    for membership in members.iterator(chunk_size=2000):
        family = families[membership.household.household_id]
        person = membership.person
        if (family.family_id, person.person_id) in seen:
            continue
        seen.add((family.family_id, person.person_id))
        rows.append([
            pseudonyms.person_pseudonym(person.person_id, key=secret),
            pseudonyms.family_pseudonym(family.family_id, key=secret),
            membership.role, person.sex, pseudonyms.age_band(person.date_of_birth, on=on),
            family.district, family.ward, family.problems_met, family.problem_count, family.qualifying_route,
            family.change, ";".join(sorted(met.get((family.family_id, person.person_id), set()))),
        ])  # fmt: skip
    rows.sort(key=lambda row: (row[1], row[0]))  # by pseudonyms: the order of the ids tells nothing either
    record(by=for_user, action="identification.cohort.pseudonymised_export", obj=run,
           detail={"rows": len(rows), "families": len(families)})  # fmt: skip
    return rows


# --- Re-identification ------------------------------------------------------------------------------------------


def fingerprint_of(listed: list[str]) -> str:
    return approvals.fingerprint_of([[value] for value in listed])


def subject_of(listed: list[str]) -> str:
    """What the approval names: how many, and which list (the start of its fingerprint)."""
    return f"{len(listed):,} pseudonym{'s' if len(listed) != 1 else ''} ({fingerprint_of(listed)[:12]})"


def listed_in(approval: Approval) -> list[str]:
    """The pseudonyms an approval covers, as approved (the summary holds the list the approver was shown)."""
    return str((approval.summary or {}).get("Pseudonyms listed", "")).split()


def current_for(listed: list[str]) -> Approval | None:
    return approvals.current_approval(
        kind=approvals.REIDENTIFICATION, subject=subject_of(listed), fingerprint=fingerprint_of(listed)
    )


def pending_for(listed: list[str]) -> Approval | None:
    return approvals.pending_request(
        kind=approvals.REIDENTIFICATION, subject=subject_of(listed), fingerprint=fingerprint_of(listed)
    )


def request_reidentification(*, listed: list[str], reason: str, by: AnyUser) -> Approval:
    """Ask a second person to approve re-identifying exactly these pseudonyms (audited by the approval)."""
    summary = {"Pseudonyms": f"{len(listed):,}", "Pseudonyms listed": " ".join(listed)}
    return approvals.request_approval(
        kind=approvals.REIDENTIFICATION, subject=subject_of(listed), fingerprint=fingerprint_of(listed),
        reason=reason, summary=summary, by=by,
    )  # fmt: skip


@dataclass(frozen=True)
class Reidentified:
    pseudonym: str
    person_id: str  # empty when no linked person has this pseudonym (another key, or a person since merged)
    name: str
    date_of_birth: dt.date | None


def reidentifications_for(*, for_user: AnyUser) -> list[Approval]:
    """This user's own re-identification requests, newest first."""
    if not for_user.is_authenticated:
        return []
    return list(Approval.objects.filter(kind=approvals.REIDENTIFICATION, requested_by_id=for_user.pk)[:100])


def reidentify(*, approval: Approval, by: AnyUser) -> list[Reidentified]:
    """Who each approved pseudonym is: only for the person who asked, while a second person's approval of exactly
    this list holds (7 days), and while they still hold a role that may ask. Each person found is audited as read."""
    from wholefamily.linkage.models import Person

    listed = listed_in(approval)
    refusal = ""
    if approval.kind != approvals.REIDENTIFICATION or not listed or fingerprint_of(listed) != approval.fingerprint:
        refusal = "This is not an approved list of pseudonyms."
    elif not by.is_authenticated or by.pk != approval.requested_by_id:
        refusal = "Only the person who asked sees who they are."
    elif not approvals.may_request(by, approvals.REIDENTIFICATION):
        refusal = "Your role may not re-identify pseudonymised data."
    elif current_for(listed) is None or current_for(listed) != approval:
        refusal = "A second person has not approved this list, or the approval has ended."
    if refusal:
        record(by=by, action="governance.reidentify", obj=approval, outcome="denied")
        raise PermissionDenied(refusal)
    secret, wanted = key(), set(listed)
    found: dict[str, Any] = {}
    for person in (
        Person.objects.filter(retired_by_run__isnull=True)
        .only("pk", "person_id", "forename", "surname", "date_of_birth")
        .iterator(chunk_size=5000)
    ):
        value = pseudonyms.person_pseudonym(person.person_id, key=secret)
        if value in wanted:
            found[value] = person
    result = []
    with transaction.atomic():
        for value in listed:
            match = found.get(value)
            if match is None:
                result.append(Reidentified(value, "", "", None))
                continue
            name = " ".join(part for part in (match.forename, match.surname) if part)
            result.append(Reidentified(value, match.person_id, name, match.date_of_birth))
            record(by=by, action="view", object_type="linkage.person", object_id=match.person_id,
                   detail={"for": "reidentification", "approval": approval.pk})  # fmt: skip
        record(by=by, action="governance.reidentify", obj=approval,
               detail={"pseudonyms": len(listed), "found": len(found)})  # fmt: skip
    return result
