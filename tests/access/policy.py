"""The answer the access policy gives each cell of the access matrix (ADR 0002, ADR 0014, ADR 0020).

Derived, not listed: a page's roles are its view's `@page_for` (web/pages.py, what templates ask too); its methods
are its view's `require_http_methods`; the access door (`governance.access`) puts another team's object out of reach
of a team-scoped role (404). The order is the views' own: signed in, then the page's roles (403), then the method
(405), then the object (404). `PAGE_RULES` lists the pages whose answer the derivation cannot see, each with its
reason: a view that checks roles inside (with the same role constants the app uses), a page that answers a redirect
or refuses an empty form, a door that answers 404 rather than 403.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from wholefamily.domain.roles import TEAM_SCOPED_ROLES, Action, Decision, Role
from wholefamily.web.pages import ATTRIBUTE

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
ALL_ROLES = tuple(Role)


def page_roles(view: Callable[..., Any]) -> tuple[Role, ...] | None:
    roles: tuple[Role, ...] | None = getattr(view, ATTRIBUTE, None)
    return roles


def _layers(view: Callable[..., Any]) -> list[tuple[str, Any]]:
    """The view's decorators from the outside in that matter here: ("methods", verbs) and ("roles", roles)."""
    found: list[tuple[str, Any]] = []
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for cell in getattr(current, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v in HTTP_METHODS
                                                                     for v in value):  # fmt: skip
                found.append(("methods", frozenset(value)))
            elif isinstance(value, tuple) and value and all(isinstance(v, Role) for v in value):
                found.append(("roles", value))
        current = getattr(current, "__wrapped__", None)
    return found


def allowed_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods a view's `require_http_methods` (or `require_GET`/`require_POST`) lets through; None: any."""
    return next((value for kind, value in _layers(view) if kind == "methods"), None)


def methods_checked_first(view: Callable[..., Any]) -> bool:
    """Whether the method decorator is outside `@page_for` (a refused role then gets 405 for a wrong method)."""
    kinds = [kind for kind, _ in _layers(view)]
    return "methods" in kinds and "roles" in kinds and kinds.index("methods") < kinds.index("roles")


@dataclass(frozen=True)
class Rule:
    """What the derivation cannot see on one page, and why.

    `roles`: who may open it when the view checks roles inside (the app's own constant); `refused`: the answer to
    anyone else (403, or 404 when the view scopes its objects to nothing for them); `get` / `post`: the answers
    an allowed actor gets (default 200, and 400 for an empty form or 302 for a valid one); `actors`: answers that
    differ for one actor (a value per method or one for both); `other_team`: the answer to a team-scoped role
    asking for another team's object (default 404)."""

    reason: str
    roles: tuple[Role, ...] | None = None
    refused: int = 403
    get: int | None = None
    post: int | None = None
    actors: dict[str, int | dict[str, int]] = field(default_factory=dict)
    other_team: int | None = None
    door: tuple[Action, str, str | None, str | None] | None = None
    """The access door the view asks about its object: (action, the side's object, team field, worker field);
    its decision (domain.roles.decide, through governance.access.check) gives 404 out of reach, 403 forbidden."""


def expected_answer(
    *,
    key: str,
    view: Callable[..., Any],
    actor: str,
    role: Role | None,
    side: str,
    method: str,
    team_owned: bool,
    posted_valid: bool,
    rules: dict[str, Rule],
    door: Callable[[Rule], Decision] | None = None,
) -> tuple[int, str]:
    """The status the policy gives a signed-in actor (`role` None for a superuser), and which rule said so."""
    rule = rules.get(key) or rules.get(key.split(":", 1)[0] + ":*")
    declared = page_roles(view)
    roles: Collection[Role] | None = declared if declared is not None else (rule.roles if rule else None)
    methods = allowed_methods(view)
    wrong_method = methods is not None and method not in methods
    # A role checked inside the view comes after every decorator; `@page_for` may sit inside or outside the method's.
    if wrong_method and (declared is None or methods_checked_first(view)):
        return 405, "require_http_methods"
    if role is not None and roles is not None and role not in roles:
        return (rule.refused if rule and declared is None else 403), ("@page_for" if declared else f"PAGE_RULES[{key}]")
    if wrong_method:
        return 405, "require_http_methods"
    if rule is not None and rule.door is not None and door is not None:
        decision = door(rule)
        if decision is Decision.INVISIBLE:
            return 404, "access door: out of reach"
        if decision is Decision.FORBIDDEN:
            return 403, "access door: forbidden"
    elif team_owned and side == "other" and role in TEAM_SCOPED_ROLES:
        return (rule.other_team if rule and rule.other_team is not None else 404), "access door: out of reach"
    override = rule.actors.get(actor) if rule else None
    if isinstance(override, dict) and method in override:
        return override[method], f"PAGE_RULES[{key}] for {actor}"
    if isinstance(override, int):
        return override, f"PAGE_RULES[{key}] for {actor}"
    if method == "GET":
        return (rule.get if rule and rule.get is not None else 200), "allowed"
    if posted_valid:
        return 302, "allowed: valid form"
    if rule and rule.post is not None:
        return rule.post, f"PAGE_RULES[{key}]"
    return 400, "allowed: empty form"
