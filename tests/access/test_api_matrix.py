"""The access matrix of the API (ADR 0014, ADR 0026): every API operation, by every role, for the own team's and
the other team's records, with a good token, no token, an expired token and a token of the wrong scope.

The answer is derived from the same policy as the web's: no token or an expired one 401; a token not scoped to the
operation's resource 403; a read of one record the access door's decision (`governance.access.check`: 404 out of
reach, as the web answers); a write, the door's CHANGE decision and then the service's own rules. For every cell
it asserts no server error, no other team's person shown to a team-scoped role and no person to a commissioner,
nothing written across teams, and an audit event for every answer that showed a person's record. Every URL pattern
of the API must be walked here: a new operation without a filler fails the test with what to add.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.access.test_access_matrix import ACTORS, READ_ACTIONS, SUPERUSER, _shows, url_patterns
from tests.access.world import OTHER, OWN, World, build_world
from wholefamily.domain.roles import TEAM_SCOPED_ROLES, Action, Decision, Role
from wholefamily.governance.models import AuditEvent

PREFIX = "/api/v1"
RESOURCE_OF = {
    "cases": "cases",
    "referrals": "referrals",
    "identification-runs": "identification",
    "jobs": "jobs",
    "audit-events": "audit",
    "outcomes": "outcomes",
    "claims": "claims",
    "deliveries": "deliveries",
    "extracts": "extracts",
}
WRONG_SCOPE = {
    "cases": "jobs",
    "referrals": "cases",
    "identification": "cases",
    "jobs": "audit",
    "audit": "cases",
    "outcomes": "cases",
    "claims": "outcomes",
    "deliveries": "claims",
    "extracts": "claims",
}
PUBLIC_OPERATIONS = {"GET /api/v1/openapi.json"}


def _side_value(attribute: str) -> Callable[[World, str], Any]:
    def value(world: World, side: str) -> Any:
        obj: Any = world.sides[side]
        for part in attribute.split("."):
            obj = getattr(obj, part)
        return obj

    return value


# Path parameters by name: the side's record.
API_FILLERS: dict[str, Callable[[World, str], Any]] = {
    "case_id": _side_value("case.pk"),
    "referral_id": _side_value("referral.pk"),
    "job_id": lambda world, side: str(world.sides[side].job.pk),
    "run_id": lambda world, side: world.identification_run.pk,
    "family_id": _side_value("cohort_family.family_id"),
    "claim_id": _side_value("claim.pk"),
    "delivery_id": lambda world, side: str(world.import_run.pk),
    "extract_id": lambda world, side: world.extra["extract_id"],
}


def _plan_change(world: World, side: str) -> dict[str, Any]:
    from wholefamily.cases.models import Plan

    return {"version": Plan.objects.get(case=world.sides[side].case).version, "aims": "Children in school, every day"}


# Valid bodies for the writes: an allowed actor's call is a real change, a refused one is refused with a real body.
API_BODIES: dict[str, Callable[[World, str], dict[str, Any]]] = {
    "PUT /api/v1/cases/{case_id}/plan": _plan_change,
    "POST /api/v1/referrals": lambda world, side: {
        "team_id": world.sides[side].team.pk,
        "source": "school",
        "referrer": "Head teacher",
        "received_on": str(timezone.localdate()),
        "family_name": "the Matrix family",
        "reason": "Attendance",
    },
    "POST /api/v1/extracts": lambda world, side: {"definition": "tf-2015-family-progress"},
    "POST /api/v1/referrals/{referral_id}/decision": lambda world, side: {
        "decision": "signpost",
        "reason": "Better met by the school nurse.",
    },
}
# Writes sent as multipart form fields with a file (a data set delivery: a small CSV of the police's).
MULTIPART: dict[str, Callable[[World, str], dict[str, Any]]] = {
    "POST /api/v1/deliveries": lambda world, side: {
        "kind": "offences",
        "profile": "police-records-export",
        "received_on": "2015-08-31",
        "file": SimpleUploadedFile("offences.csv", b"crime_ref,offence_on\nC1,2015-01-02\n"),
    },
}
# Writes whose body names a team: walked with the own and the other team's.
TEAM_IN_BODY = {"POST /api/v1/referrals"}
# Operations for some roles only, by the same constant the web's pages use: the audit log for AUDIT_READERS
# (governance.selectors), claims for CLAIM_READERS (claims.selectors), deliveries for INGEST_ROLES (ingest.selectors),
# extracts for EXTRACT_READERS and EXTRACT_BUILDERS (extracts.selectors);
# with the answer an allowed role gets.
ROLE_GATES = {
    "GET /api/v1/audit-events": ("wholefamily.governance.selectors:AUDIT_READERS", 200),
    "GET /api/v1/claims": ("wholefamily.claims.selectors:CLAIM_READERS", 200),
    "GET /api/v1/claims/{claim_id}": ("wholefamily.claims.selectors:CLAIM_READERS", 200),
    "POST /api/v1/deliveries": ("wholefamily.ingest.selectors:INGEST_ROLES", 202),
    "GET /api/v1/deliveries/{delivery_id}": ("wholefamily.ingest.selectors:INGEST_ROLES", 200),
    "GET /api/v1/extracts/definitions": ("wholefamily.extracts.selectors:EXTRACT_READERS", 200),
    "GET /api/v1/extracts": ("wholefamily.extracts.selectors:EXTRACT_READERS", 200),
    "POST /api/v1/extracts": ("wholefamily.extracts.selectors:EXTRACT_BUILDERS", 202),
    "GET /api/v1/extracts/{extract_id}": ("wholefamily.extracts.selectors:EXTRACT_READERS", 200),
    "GET /api/v1/extracts/{extract_id}/file": ("wholefamily.extracts.selectors:EXTRACT_READERS", 200),
}


def _gate(label: str) -> Any:
    import importlib

    module, _, name = ROLE_GATES[label][0].partition(":")
    return getattr(importlib.import_module(module), name)


def operations() -> list[tuple[str, str]]:
    from wholefamily.api.main import api

    schema = api.get_openapi_schema(path_prefix=PREFIX)
    found = [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]
    return [*found, ("GET", f"{PREFIX}/openapi.json")]


def _resource(path: str) -> str:
    return RESOURCE_OF[path[len(PREFIX) + 1 :].split("/", 1)[0]]


def _door(world: World, side: str, user: Any, path: str, action: Action) -> Decision | None:
    """The access door's decision for the record the path names, as the web asks it (None: no single record)."""
    from wholefamily.governance import access

    if "{case_id}" in path:
        return access.check(user, action, world.sides[side].case, team_field="team", is_personal=True,
                            worker_field="key_worker")  # fmt: skip
    if "{family_id}" in path:
        return access.check(user, action, world.sides[side].cohort_family, team_field="team", is_personal=True)
    if "{referral_id}" in path:
        return access.check(user, action, world.sides[side].referral, team_field="team", is_personal=True)
    return None


def expected(world: World, side: str, actor: str, method: str, path: str) -> set[int]:
    """The answers the policy allows for a good token of `actor` (a set where the service's own rules decide)."""
    from wholefamily.governance import access
    from wholefamily.identification.selectors import RUN_READERS
    from wholefamily.jobs.selectors import OVERSEER_ROLES

    user = world.users[actor]
    label = f"{method} {path}"
    if label in ROLE_GATES:
        return {ROLE_GATES[label][1]} if access.has_role(user, *_gate(label)) else {403}
    if "{job_id}" in path:
        sees = access.has_role(user, *OVERSEER_ROLES) or world.sides[side].job.created_by_id == user.pk
        return {200} if sees else {404}
    if path == f"{PREFIX}/identification-runs" and not access.has_role(user, *RUN_READERS):
        return {200}  # the list through identification.selectors.runs, empty for a role that reads no runs
    if path.startswith(f"{PREFIX}/identification-runs") and not access.has_role(user, *RUN_READERS):
        return {404}  # the run is out of reach of a role that reads no runs (identification.selectors.runs)
    if method == "GET":
        door = _door(world, side, user, path, Action.VIEW)
        if door is None:
            return {200}
        return {200} if door.allowed else ({404} if door is Decision.INVISIBLE else {403})
    if label == "POST /api/v1/referrals":
        # The web's referral form: no team to record for 403; a team not among them 422 (the form refuses it).
        from wholefamily.cases.selectors import teams_for_new_families

        teams = teams_for_new_families(for_user=user)
        return {403} if not teams.exists() else {201} if teams.filter(pk=world.sides[side].team.pk).exists() else {422}
    door = _door(world, side, user, path, Action.CHANGE)
    assert door is not None
    if door is Decision.INVISIBLE:
        return {404}
    if door is Decision.FORBIDDEN:
        return {403}
    # Within reach for a change: the service decides (a manager's decision, a stale version, decided already).
    return {200, 403, 409, 422}


def _call(
    client: Client, method: str, url: str, headers: dict[str, str], body: dict[str, Any] | None, key: str,
    *, multipart: bool = False,
) -> Any:  # fmt: skip
    extra = {**headers, "HTTP_IDEMPOTENCY_KEY": key}
    if method == "GET":
        return client.get(url, **extra)
    if multipart:
        return client.post(url, body or {}, **extra)
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json", **extra)


@pytest.mark.django_db
def test_every_api_operation_every_role_every_team_every_token(tmp_path: Any, settings: Any, capsys: Any) -> None:
    from wholefamily.api import tokens

    settings.DATA_DIR = tmp_path
    settings.WHOLEFAMILY_API_RATE_LIMIT = 1_000_000
    started = time.monotonic()
    world = build_world(tmp_path)
    ops = operations()
    failures: list[str] = []
    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    client = Client()

    # Every URL pattern of the API is one of the operations walked here.
    walked = {re.sub(r"\{\w+\}", "<>", path) for _, path in ops}
    for pattern in url_patterns():
        # The API's root answers at api_pages:reference (listed first), which the web's matrix walks.
        if pattern.namespace == "api" and pattern.name != "api-root":
            route = "/" + re.sub(r"<(?:\w+:)?\w+>", "<>", pattern.route)
            if route not in walked:
                failures.append(f"API route {route} ({pattern.name}) is not walked: add it to the API matrix")

    def token(actor: str, scopes: list[str], *, expired: bool = False) -> dict[str, str]:
        user = world.users[actor]
        made, secret = tokens.make_token(
            user=user, name="matrix", scopes=scopes, expires_at=timezone.now() + dt.timedelta(days=1), by=user
        )
        if expired:
            type(made).objects.filter(pk=made.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    every_scope = [f"{r}:write" for r in set(RESOURCE_OF.values())]
    good = {actor: token(actor, every_scope) for actor in ACTORS}
    expired = {actor: token(actor, every_scope, expired=True) for actor in ACTORS}
    wrong = {
        resource: {actor: token(actor, [f"{WRONG_SCOPE[resource]}:write"]) for actor in ACTORS}
        for resource in set(RESOURCE_OF.values())
    }
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    cells = 0
    for method, path in ops:
        label = f"{method} {path}"
        names = re.findall(r"\{(\w+)\}", path)
        sides = [OWN, OTHER] if names or label in TEAM_IN_BODY else [OWN]
        for side in sides:
            url = path
            for name in names:
                if name not in API_FILLERS:
                    failures.append(f"{label}: no filler for {name!r}; add it to API_FILLERS")
                    break
                url = url.replace("{" + name + "}", str(API_FILLERS[name](world, side)))
            for actor in ["anonymous", *ACTORS]:
                kinds = ["none"] if actor == "anonymous" else ["good", "expired", "wrong scope"]
                for kind in kinds:
                    if label in PUBLIC_OPERATIONS and kind != "none":
                        continue
                    cells += 1
                    headers = (
                        {}
                        if kind == "none"
                        else good[actor]
                        if kind == "good"
                        else expired[actor]
                        if kind == "expired"
                        else wrong[_resource(path)][actor]
                    )
                    body = (API_BODIES | MULTIPART)[label](world, side) if label in API_BODIES | MULTIPART else None
                    cell = f"{label} as {actor} ({side} team, {kind} token) -> {url}"
                    try:
                        response = _call(
                            client, method, url, headers, body, key=f"matrix-{cells}", multipart=label in MULTIPART
                        )
                    except Exception as error:
                        failures.append(f"{cell}: raised {type(error).__name__}: {error}")
                        continue
                    status = response.status_code
                    statuses[status] += 1
                    if label in PUBLIC_OPERATIONS:
                        want = {200}
                    elif kind in {"none", "expired"}:
                        want = {401}
                    elif kind == "wrong scope":
                        want = {403}
                    else:
                        want = expected(world, side, actor, method, path)
                    if status not in want:
                        failures.append(f"{cell}: answered {status}, the policy says {sorted(want)}")
                    content = response.content.decode("utf-8", "replace")
                    events = list(AuditEvent.objects.filter(id__gt=last_id))
                    last_id = max((e.id for e in events), default=last_id)
                    user = world.users.get(actor)
                    mine = [e for e in events if user is not None and e.actor_id == user.pk]
                    role = Role(actor) if actor not in {"anonymous", SUPERUSER} else None
                    if role in TEAM_SCOPED_ROLES and _shows(content, OTHER):
                        failures.append(f"{cell}: shows another team's person")
                        counts["cross-team reads"] += 1
                    if role is Role.COMMISSIONER and (_shows(content, OWN) or _shows(content, OTHER)):
                        failures.append(f"{cell}: shows a person to a commissioner")
                    shows_a_person = _shows(content, OWN) or _shows(content, OTHER)
                    if shows_a_person and not any(e.outcome == AuditEvent.Outcome.SUCCESS for e in mine):
                        failures.append(f"{cell}: showed a person's record without an audit event")
                        counts["unaudited reads"] += 1
                    writes = [
                        e.action
                        for e in mine
                        if e.outcome == AuditEvent.Outcome.SUCCESS and not READ_ACTIONS.search(e.action)
                        and e.action != "api.make_token"
                    ]  # fmt: skip
                    if writes and (kind != "good" or (role in TEAM_SCOPED_ROLES and side == OTHER)):
                        failures.append(f"{cell}: wrote ({', '.join(writes)})")
                        counts["cross-team writes" if side == OTHER else "refused writes"] += 1
                    if writes and role is Role.AUDITOR:
                        failures.append(f"{cell}: an auditor changed a record ({', '.join(writes)})")
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nAPI access matrix: {len(ops)} operations, {len(ACTORS)} actors + no token, good / expired / "
            f"wrong-scope tokens, own and other team: {cells} requests in {seconds:.1f} s; "
            f"answers {dict(sorted(statuses.items()))}; "
            f"cross-team reads {counts['cross-team reads']}, cross-team writes {counts['cross-team writes']}, "
            f"unaudited reads {counts['unaudited reads']}"
        )
    assert not failures, f"{len(failures)} of {cells} cells wrong:\n" + "\n".join(failures)
