"""The access matrix (ADR 0014): every URL pattern the resolver knows, by every role, by own team / other team /
anonymous, for GET and POST.

For each request it asserts the exact answer the policy gives (tests/access/policy.py, ADR 0020: the view's
`@page_for` roles and methods, the access door's decision, and the exceptions in `rules.PAGE_RULES` with their
reasons; the sign-in page for anonymous users; the admin's door), posts valid forms for the main POST pages
(`world.VALID_POSTS`), and asserts that no page of one team shows another team's people to a
team-scoped role or any person to a commissioner, that nothing is written across teams, and that every page
showing a person's record wrote an audit event for that request. Keywords are filled from `world.FILLERS`;
a URL the registry cannot fill fails the test with what to add. All failures are reported at once.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access.policy import expected_answer
from tests.access.rules import PAGE_RULES
from tests.access.world import CANARIES, OTHER, OWN, VALID_POSTS, World, build_world, filler_for
from wholefamily.domain.roles import TEAM_SCOPED_ROLES, Role
from wholefamily.governance.models import AuditEvent

ANONYMOUS = "anonymous"
SUPERUSER = "superuser"
ACTORS = [*(role.value for role in Role), SUPERUSER]
# Pages anyone may open without signing in. Everything else sends an anonymous visitor to sign in.
PUBLIC = {
    ":login",
    ":logout",
    "web:favicon",
    "reporting:feedback_answer",
    "admin:login",
    "admin:logout",
    "admin:jsi18n",
    "api_pages:reference",
}
# The API's operations answer bearer tokens, not the session: tests/access/test_api_matrix.py walks every one of them
# (own team, other team, no token, expired token, wrong scope) and fails on any it does not cover.
API_NAMESPACES = {"api"}
# Answers a signed-out visitor may get instead of the sign-in page: a script's JSON 401, the admin's own login.
ANONYMOUS_OTHER_ANSWERS = {"jobs:job_progress": {401, 405}}
# Actions that only read: an audit event of any other action by a refused actor would be a write.
READ_ACTIONS = re.compile(r"(^|[._])(view|export|download)")
TEXT_TYPES = ("text/html", "application/json", "text/csv", "text/plain")


@dataclass(frozen=True)
class Pattern:
    namespace: str
    name: str | None
    route: str
    kwargs: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.namespace}:{self.name or self.route}"

    @property
    def key(self) -> str:
        return f"{self.namespace}:{self.name or ''}"


def url_patterns() -> list[Pattern]:
    """Every pattern of the project's resolver, with its namespace and the keyword arguments it takes."""
    found: list[Pattern] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                kwargs = tuple(entry.pattern.regex.groupindex)
                found.append(Pattern(namespace, entry.name, prefix + str(entry.pattern), kwargs))

    walk(get_resolver().url_patterns, "", "")
    return found


def build_url(pattern: Pattern, values: dict[str, Any]) -> str:
    """The path for `pattern` with `values` put in (routes and regular expressions alike)."""
    path = pattern.route
    for name, value in values.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), path)
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    return "/" + path.replace("^", "").replace("$", "")


def contexts_for(pattern: Pattern, world: World, missing: list[str]) -> dict[str, dict[str, Any]]:
    """The keyword values for the own side and, when the URL names a team's object, the other side (which is then
    the only one a team-scoped role may not reach)."""
    fillers = {}
    for kwarg in pattern.kwargs:
        filler = filler_for(pattern.namespace, pattern.name, kwarg)
        if filler is None:
            missing.append(
                f"{pattern.label} ({pattern.route}): no filler for {kwarg!r}; add "
                f"'{pattern.namespace}:{kwarg}' (or '{pattern.key}:{kwarg}') to FILLERS in tests/access/world.py"
            )
            return {}
        fillers[kwarg] = filler
    sides = [OWN, OTHER] if any(f.team_owned for f in fillers.values()) else [OWN]
    return {side: {k: f.value(world, side) for k, f in fillers.items()} for side in sides}


def door_decision(rule: Any, *, world: World, side: str, user: Any) -> Any:
    """The access door's decision for this user on the side's object the rule names (governance.access.check)."""
    from wholefamily.governance import access

    action, attribute, team_field, worker_field = rule.door
    obj = getattr(world.sides[side], attribute)
    return access.check(user, action, obj, team_field=team_field, is_personal=True, worker_field=worker_field)


def _shows(content: str, side: str) -> bool:
    return any(word in content for word in CANARIES[side])


def _expected(pattern: Pattern, actor: str, side: str, method: str, status: int, location: str) -> str | None:
    """Why this answer is wrong, or None if it is right."""
    if status >= 500:
        return "server error"
    if actor == ANONYMOUS:
        if pattern.key in PUBLIC or (pattern.namespace == "admin" and status in {200, 302}):
            admin_ok = pattern.namespace != "admin" or pattern.key in PUBLIC or "/admin/login/" in location
            return None if admin_ok else f"admin answered {status} without sign-in ({location})"
        if status in ANONYMOUS_OTHER_ANSWERS.get(pattern.key, set()):
            return None
        if status == 302 and location.startswith(settings.LOGIN_URL if "/" in settings.LOGIN_URL else "/sign-in/"):
            return None
        return f"anonymous got {status} {location}, not the sign-in page"
    if pattern.namespace == "admin" and actor != SUPERUSER and pattern.key not in PUBLIC:
        if status == 302 and "/admin/login/" in location:
            return None
        return f"Django's admin answered {status} to a non-superuser"
    if status not in {200, 302, 400, 401, 403, 404, 405, 409}:
        return f"unexpected status {status}"
    role = Role(actor) if actor != SUPERUSER else None
    if side == OTHER and role in TEAM_SCOPED_ROLES and status not in {403, 404, 405}:
        return f"another team's object answered {status} (expected 404 out of reach)"
    if role is Role.COMMISSIONER and pattern.kwargs and status in {200, 302} and pattern.namespace in PERSONAL_APPS:
        return f"a commissioner got {status} on a personal record"
    return None


TEAM_SCOPED_VALUES = {role.value for role in TEAM_SCOPED_ROLES}
PERSONAL_APPS = {"cases", "outcomes", "linkage"}


@pytest.mark.django_db
def test_every_url_every_role_every_team(tmp_path: Any, settings: Any, capsys: Any) -> None:
    settings.DATA_DIR = tmp_path
    settings.SESSION_SAVE_EVERY_REQUEST = False  # one session write a request is all the matrix's time otherwise
    started = time.monotonic()
    world = build_world(tmp_path)
    patterns = url_patterns()
    missing: list[str] = []
    failures: list[str] = []
    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    other_team: Counter[int] = Counter()  # answers to team-scoped roles asking for another team's objects
    clients: dict[str, Client] = {}
    for actor in [ANONYMOUS, *ACTORS]:
        client = Client()
        if actor != ANONYMOUS:
            client.force_login(world.users[actor])
        clients[actor] = client

    cells = 0
    by_status: Counter[tuple[str, int]] = Counter()  # (why, status) of the cells judged by the policy
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    resolver = get_resolver()
    for pattern in patterns:
        if pattern.namespace in API_NAMESPACES:
            continue
        contexts = contexts_for(pattern, world, missing)
        team_owned = OTHER in contexts
        for side, values in contexts.items():
            url = build_url(pattern, values)
            view = resolver.resolve(url).func
            for actor in [ANONYMOUS, *ACTORS]:
                if actor == ANONYMOUS and side == OTHER:
                    continue
                client = clients[actor]
                for method in ("GET", "POST"):
                    cells += 1
                    cell = f"{method} {url} [{pattern.label}] as {actor} ({side} team)"
                    valid = VALID_POSTS.get(pattern.key) if method == "POST" else None
                    form = valid(world, side) if valid else {}
                    try:
                        response = client.get(url) if method == "GET" else client.post(url, form)
                    except Exception as error:
                        failures.append(f"{cell}: raised {type(error).__name__}: {error}")
                        continue
                    status = response.status_code
                    statuses[status] += 1
                    location = response.get("Location", "")
                    wrong = _expected(pattern, actor, side, method, status, location)
                    if wrong:
                        failures.append(f"{cell}: {wrong}")
                    elif actor != ANONYMOUS and pattern.namespace != "admin":
                        want, why = expected_answer(
                            key=pattern.key, view=view, actor=actor,
                            role=Role(actor) if actor != SUPERUSER else None, side=side, method=method,
                            team_owned=team_owned, posted_valid=bool(form), rules=PAGE_RULES,
                            door=partial(door_decision, world=world, side=side, user=world.users[actor]),
                        )  # fmt: skip
                        by_status[(why.split("[")[0].split(":")[0], status)] += 1
                        if status != want:
                            failures.append(f"{cell}: answered {status}, the policy says {want} ({why})")
                    counts["allowed" if status in {200, 302} and actor != ANONYMOUS else str(status)] += 1
                    if side == OTHER and actor in TEAM_SCOPED_VALUES:
                        other_team[status] += 1
                    content_type = response.get("Content-Type", "")
                    content = (
                        response.content.decode("utf-8", "replace")
                        if not getattr(response, "streaming", False) and content_type.startswith(TEXT_TYPES)
                        else ""
                    )
                    events = list(AuditEvent.objects.filter(id__gt=last_id))
                    last_id = max((e.id for e in events), default=last_id)
                    mine = [e for e in events if actor != ANONYMOUS and e.actor_id == world.users[actor].pk]
                    role = Role(actor) if actor not in {ANONYMOUS, SUPERUSER} else None
                    if role in TEAM_SCOPED_ROLES and _shows(content, OTHER):
                        failures.append(f"{cell}: shows another team's person")
                        counts["cross-team reads"] += 1
                    if role is Role.COMMISSIONER and (_shows(content, OWN) or _shows(content, OTHER)):
                        failures.append(f"{cell}: shows a person to a commissioner")
                    if (_shows(content, OWN) or _shows(content, OTHER)) and not any(
                        e.outcome == AuditEvent.Outcome.SUCCESS for e in mine
                    ):
                        failures.append(f"{cell}: showed a person's record without an audit event")
                        counts["unaudited reads"] += 1
                    writes = [
                        e.action
                        for e in mine
                        if e.outcome == AuditEvent.Outcome.SUCCESS and not READ_ACTIONS.search(e.action)
                    ]
                    if writes and role in TEAM_SCOPED_ROLES and side == OTHER:
                        failures.append(f"{cell}: wrote across teams ({', '.join(writes)})")
                        counts["cross-team writes"] += 1
                    if writes and role is Role.AUDITOR and pattern.namespace in PERSONAL_APPS:
                        failures.append(f"{cell}: an auditor changed a case record ({', '.join(writes)})")
                    if pattern.name in {"logout"} and actor != ANONYMOUS:
                        client.force_login(world.users[actor])
    seconds = time.monotonic() - started
    judged = sum(by_status.values())
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(patterns)} URL patterns, {len(ACTORS)} signed-in actors + anonymous, "
            f"{cells} requests in {seconds:.1f} s ({judged} answers checked against the policy, "
            f"{len(PAGE_RULES)} page rules, {sum(1 for k in VALID_POSTS)} pages posted valid forms); "
            f"answers {dict(sorted(statuses.items()))}; "
            f"cross-team reads {counts['cross-team reads']}, cross-team writes {counts['cross-team writes']}, "
            f"unaudited reads {counts['unaudited reads']}; another team's objects to team-scoped roles: "
            f"{dict(sorted(other_team.items()))}"
        )
        print("answers by what decided them: " + ", ".join(f"{why} {status}: {n}" for (why, status), n in
                                                          sorted(by_status.items())))  # fmt: skip
    assert not missing, "URL keywords the matrix cannot fill:\n" + "\n".join(missing)
    assert not failures, f"{len(failures)} of {cells} cells wrong:\n" + "\n".join(failures)
