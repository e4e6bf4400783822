"""Linkage reads for the web, scoped to the roles that may see linkage (data analysts and administrators)."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.linkage.models import LinkageRun, Person, ReviewDecision

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


def review_queue(*, for_user: Any, limit: int = 100) -> tuple[LinkageRun | None, list[dict[str, Any]]]:
    """Grey-zone pairs of the current run nobody has decided yet, most likely matches first (names and dates of
    birth: the read is audited)."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        raise PermissionDenied
    run = current_run()
    if run is None:
        return None, []
    decided = set(ReviewDecision.objects.values_list("profile_id_l", "profile_id_r"))
    pending = [pair for pair in _review_table(run) if (pair["profile_id_l"], pair["profile_id_r"]) not in decided]
    shown = pending[:limit]
    record(by=for_user, action="view", object_type="linkage.review_queue", object_id=run.run_id,
           detail={"pairs": len(shown)})  # fmt: skip
    return run, shown


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
