"""Linkage reads for the web, scoped to the roles that may see linkage (data analysts and administrators)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.linkage.models import Household, LinkageRun, Membership, Person, ReviewDecision

LINKAGE_ROLES = (Role.DATA_ANALYST, Role.ADMINISTRATOR)


def linkage_runs(*, for_user: Any) -> QuerySet[LinkageRun]:
    """Every linkage run, newest first; only data analysts and administrators may see them."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        raise PermissionDenied
    return LinkageRun.objects.select_related("started_by").order_by("-started_at")


def linkage_run(*, for_user: Any, run_id: str) -> LinkageRun:
    """One linkage run with its figures and quality report; data analysts and administrators only."""
    run = linkage_runs(for_user=for_user).filter(run_id=run_id).first()
    if run is None:
        raise Http404
    return run


def current_run() -> LinkageRun | None:
    return LinkageRun.objects.filter(is_current=True).first()


COMPARISONS = (
    ("forename", "Forename"), ("surname", "Surname"), ("dob", "Date of birth"), ("sex", "Sex"),
    ("household", "Address and postcode"), ("identifiers", "Agency identifier"),
    # the general person model's comparisons (ADR 0016)
    ("postcode", "Postcode"), ("address", "Address"), ("uprn", "UPRN"), ("nhs_number", "NHS number"),
    ("ni_number", "NI number"), ("pupil_number", "Pupil number"), ("email", "Email"), ("phone", "Telephone"),
)  # fmt: skip
SHOWN_FIELDS = (
    ("kind", "Dataset"), ("forename", "Forename"), ("surname", "Surname"), ("dob", "Date of birth"), ("sex", "Sex"),
    ("address", "Address"), ("postcode", "Postcode"), ("uprn", "UPRN"), ("nhs_number", "NHS number"),
    ("ni_number", "NI number"), ("pupil_number", "Pupil number"), ("social_care_id", "Social care id"),
    ("police_id", "Police id"), ("email", "Email"), ("phone", "Telephone"),
)  # fmt: skip


def _review_table(run: LinkageRun) -> list[dict[str, Any]]:
    from wholefamily.linkage.services import snapshot_dir

    path = snapshot_dir(run) / "review_pairs.parquet"
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


@lru_cache(maxsize=4)
def _review_keys(path: Path, modified_ns: int) -> frozenset[tuple[str, str]]:
    """The pairs of a run's review list, by their two profile ids; read once per file version (its modification time
    is in the key), as every analyst's home page counts them."""
    table = pq.read_table(path, columns=["profile_id_l", "profile_id_r"])
    lefts, rights = table.column("profile_id_l").to_pylist(), table.column("profile_id_r").to_pylist()
    return frozenset(zip(lefts, rights, strict=True))


# Match-probability bands a reviewer can filter the queue by: code, label, lowest, highest (exclusive).
PROBABILITY_BANDS = (
    ("high", "0.9 or more (probably the same person)", 0.9, 1.01),
    ("middle", "0.5 to 0.9", 0.5, 0.9),
    ("low", "Less than 0.5 (probably different people)", 0.0, 0.5),
)


def review_queue(
    *, for_user: Any, limit: int | None = 100, kind: str = "", band: str = ""
) -> tuple[LinkageRun | None, list[dict[str, Any]]]:
    """Grey-zone pairs of the current run nobody has decided yet, most likely matches first; `kind` keeps pairs with a
    record from that dataset, `band` pairs whose match probability is in that band (PROBABILITY_BANDS). The pairs
    show names and dates of birth: the read is audited."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        raise PermissionDenied
    run = current_run()
    if run is None:
        return None, []
    decided = set(ReviewDecision.objects.values_list("profile_id_l", "profile_id_r"))
    pending = [pair for pair in _review_table(run) if (pair["profile_id_l"], pair["profile_id_r"]) not in decided]
    pending.sort(key=lambda pair: -float(pair.get("match_probability") or 0.0))
    pending = filter_pairs(pending, kind=kind, band=band)
    shown = pending if limit is None else pending[:limit]
    record(by=for_user, action="view", object_type="linkage.review_queue", object_id=run.run_id,
           detail={"pairs": len(shown)})  # fmt: skip
    return run, shown


def filter_pairs(pairs: list[dict[str, Any]], *, kind: str = "", band: str = "") -> list[dict[str, Any]]:
    """The pairs with a record from dataset `kind`, and a match probability in `band` (unknown values: no filter)."""
    if kind:
        pairs = [pair for pair in pairs if kind in (pair.get("kind_l"), pair.get("kind_r"))]
    bounds = {code: (low, high) for code, _, low, high in PROBABILITY_BANDS}
    if band in bounds:
        low, high = bounds[band]
        pairs = [pair for pair in pairs if low <= float(pair.get("match_probability") or 0.0) < high]
    return pairs


def pair_kinds(pairs: list[dict[str, Any]]) -> list[str]:
    """The datasets the pairs' records come from (for the queue's filter)."""
    return sorted({str(kind) for pair in pairs for kind in (pair.get("kind_l"), pair.get("kind_r")) if kind})


def review_count(*, for_user: Any) -> int | None:
    """How many pairs wait for a decision; None for a user who may not review."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        return None
    run = current_run()
    if run is None:
        return 0
    from wholefamily.linkage.services import snapshot_dir

    path = snapshot_dir(run) / "review_pairs.parquet"
    if not path.exists():
        return 0
    decided = set(ReviewDecision.objects.values_list("profile_id_l", "profile_id_r"))
    return len(_review_keys(path, path.stat().st_mtime_ns) - decided)


def review_pair(*, for_user: Any, profile_id_l: str, profile_id_r: str) -> dict[str, Any]:
    """One pair of the current run's review list, with its side-by-side fields and match-weight waterfall.

    The two records' names and dates of birth are shown side by side: the read is audited."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        raise PermissionDenied
    run = current_run()
    if run is None:
        raise Http404
    for pair in _review_table(run):
        if pair["profile_id_l"] == profile_id_l and pair["profile_id_r"] == profile_id_r:
            record(by=for_user, action="view", object_type="linkage.review_pair",
                   object_id=f"{profile_id_l}/{profile_id_r}"[:64], detail={"run": run.run_id})  # fmt: skip
            return {"run": run, "pair": pair, "fields": _fields(pair), "waterfall": waterfall(pair)}
    raise Http404


def _fields(pair: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [
        (label, pair.get(f"{name}_l"), pair.get(f"{name}_r"))
        for name, label in SHOWN_FIELDS
        if pair.get(f"{name}_l") is not None or pair.get(f"{name}_r") is not None
    ]


def waterfall(pair: dict[str, Any]) -> list[dict[str, Any]]:
    """The match weight built up comparison by comparison (Splink's mw_* columns), starting from the prior."""
    steps: list[dict[str, Any]] = []
    total = float(pair.get("match_weight") or 0.0)
    contributions = 0.0
    for name, label in COMPARISONS:
        weight = pair.get(f"mw_{name}")
        if weight is None:
            continue
        weight = float(weight) + float(pair.get(f"mw_tf_adj_{name}") or 0.0)
        contributions += weight
        steps.append({"label": label, "level": pair.get(f"gamma_{name}"), "weight": round(weight, 2)})
    prior = total - contributions
    steps.insert(0, {"label": "Prior (two random records match)", "level": "", "weight": round(prior, 2)})
    running = 0.0
    for step in steps:
        running += step["weight"]
        step["running"] = round(running, 2)
        step["width"] = min(100, int(abs(step["weight"]) * 5))
        step["is_for"] = step["weight"] >= 0
    return steps


def person_detail(*, for_user: Any, person_id: str) -> dict[str, Any]:
    """A linked person with households and agency records, and why each record was linked."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        raise PermissionDenied
    person = Person.objects.filter(person_id=person_id).first()
    if person is None:
        raise Http404
    record(by=for_user, action="linkage.person.view", obj=person)
    records = list(person.records.all())
    memberships = list(person.memberships.select_related("household").order_by("start_on"))
    return {"person": person, "records": records, "memberships": memberships}


@dataclass(frozen=True)
class HouseholdLabel:
    """How a household reads on a page: its family name (its members' surnames) and its address."""

    household_id: str
    family_name: str
    address: str
    postcode: str


def _name_case(value: str) -> str:
    return value.title() if value.isupper() or value.islower() else value


def household_labels(*, for_user: Any, household_ids: Iterable[str]) -> dict[str, HouseholdLabel]:
    """Family name and address of each household in `household_ids`, for lists that show families to people.

    The caller has already scoped `household_ids` to what the user may see (a cohort page, a search); this reads only
    those households. Family name: the most common surnames of the present members ("the Smith family", "the Smith
    and Jones family"); a household without present members uses everyone who ever lived there.
    """
    if not getattr(for_user, "is_authenticated", False):
        raise PermissionDenied
    wanted = {str(value) for value in household_ids if value}
    if not wanted:
        return {}
    households = {row.household_id: row for row in Household.objects.filter(household_id__in=wanted)}
    surnames: dict[str, Counter[str]] = {key: Counter() for key in households}
    everyone: dict[str, Counter[str]] = {key: Counter() for key in households}
    memberships = Membership.objects.filter(household__household_id__in=wanted).values_list(
        "household__household_id", "person__surname", "end_on"
    )
    for household_id, surname, end_on in memberships:
        if not surname:
            continue
        everyone[household_id][_name_case(surname)] += 1
        if end_on is None:
            surnames[household_id][_name_case(surname)] += 1
    labels = {}
    for key, household in households.items():
        counts = surnames[key] or everyone[key]
        names = [name for name, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:2]]
        family_name = f"The {' and '.join(names)} family" if names else "Family name not known"
        labels[key] = HouseholdLabel(
            household_id=key,
            family_name=family_name,
            address=household.address or "Address not known",
            postcode=household.postcode,
        )
    return labels
