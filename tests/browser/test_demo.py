"""Every role on the demo county with its history (ADR 0018), in a real Chromium: the demo holds the whole cycle;
every link a role is shown answers (no 403, no 404); every page reads in words and GOV.UK dates; a page of every type
passes axe-core with no violation of any impact; and each role's main task works end to end on the demo's own
families (`demo_roles.TASKS`).

One demo county (`load_demo_county`, 15,000 residents, seed 1) serves the whole module: loading it is a good part of
the time. Figures (pages walked per role, links refused, axe violations) are printed; run with `-s` to read them.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.browser.conftest import complete_second_step
from tests.browser.demo_roles import TASKS
from tests.browser.walk import Walk, walk
from wholefamily.cases.models import Case
from wholefamily.claims.models import Claim, ClaimRun
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.pathway import Stage
from wholefamily.governance.management.commands.setup_demo import DEMO_PASSWORD, DEMO_USERS
from wholefamily.outcomes.models import DistanceAssessment

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POPULATION, SEED = 15_000, 1  # the smallest county tried that holds the figures below with a margin (ADR 0018)


def _one_user_per_role() -> list[str]:
    """The first demo user of each role (the demo has several key workers; one walks for them all)."""
    firsts: dict[object, str] = {}
    for username, _first, _last, role, *_ in DEMO_USERS:
        firsts.setdefault(role, username)
    return list(firsts.values())


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    complete_second_step(page, username)
    page.wait_for_url(f"{base}/")


def _assert_the_whole_cycle() -> dict[str, int]:
    """The demo's figures, as floors (the results rules decide how many claims are payable)."""
    today = timezone.localdate()
    run = ClaimRun.objects.order_by("-pk").first()
    assert run is not None
    claims = Claim.objects.filter(run=run)
    states = Counter(claims.values_list("state", flat=True))
    points = Counter(DistanceAssessment.objects.values_list("case_id", flat=True))
    figures = {
        "claims": claims.count(),
        "families evaluated": run.families,
        "validated": states[ClaimState.VALIDATED],
        "rejected": states[ClaimState.REJECTED],
        "sampled": claims.filter(is_sampled=True).count(),
        "scored at 2 or more time points": sum(1 for count in points.values() if count >= 2),
        "closed": Case.objects.filter(stage=Stage.CLOSED, closed_on__lte=today).count(),
        "open with history": Case.objects.filter(opened_on__lt=today).exclude(stage=Stage.CLOSED).count(),
    }
    assert figures["claims"] >= 20, figures
    assert figures["families evaluated"] > figures["claims"], figures  # payable and not payable
    assert figures["validated"] == 1 and figures["rejected"] == 1 and figures["sampled"] >= 1, figures
    assert figures["scored at 2 or more time points"] >= 3 and figures["closed"] >= 3, figures
    assert figures["open with history"] >= 1, figures
    return figures


def _axe(page: Any, axe: Any, name: str) -> list[str]:
    results = axe.run(page)
    return [
        f"{name}: {violation['id']} ({violation['impact']}) at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
    ]


def test_every_role_walks_the_demo_and_does_its_main_task(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    started = time.monotonic()
    call_command("load_demo_county", "--population", str(POPULATION), "--seed", str(SEED), stdout=io.StringIO())
    loaded = time.monotonic()
    figures = _assert_the_whole_cycle()

    walks: dict[str, Walk] = {}
    for username in _one_user_per_role():
        client = Client()
        client.force_login(_user(username))
        walks[username] = walk(client, username)
    walked = time.monotonic()

    axe, checked_types, axe_pages = Axe(), set(), 0
    violations: list[str] = []
    done: dict[str, str] = {}
    failed: list[str] = []
    base = live_server.url
    for username, result in walks.items():
        _sign_in(page, base, username)
        # Each page type (its path; the same template whatever the query) once over all roles, and each role's
        # home page (it differs by role). Django's admin is its own design, for superusers only: not checked.
        for kind, url in result.first_of_type.items():
            path_type = kind.split("?", 1)[0]
            if url.startswith("/admin/") or (path_type in checked_types and url != "/"):
                continue
            checked_types.add(path_type)
            page.goto(f"{base}{url}")
            violations.extend(_axe(page, axe, f"{username} {url}"))
            axe_pages += 1

        def check(name: str, who: str = username) -> None:
            nonlocal axe_pages
            violations.extend(_axe(page, axe, f"{who} task: {name}"))
            axe_pages += 1

        page.goto(f"{base}/")
        try:
            done[username] = TASKS[username](page, base, check)
        except Exception as error:  # every role's task is tried; all that failed are reported together
            done[username] = "FAILED"
            failed.append(f"{username} at {page.url}: {type(error).__name__}: {str(error)[:600]}")
    finished = time.monotonic()

    print(
        f"\nDemo ({POPULATION:,} residents) loaded in {loaded - started:.0f} s; link walk {walked - loaded:.0f} s; "
        f"axe on {axe_pages} pages and the tasks in {finished - walked:.0f} s"
    )
    print("  " + ", ".join(f"{name} {value}" for name, value in figures.items()))
    for username, result in walks.items():
        print(
            f"  {username}: {len(result.pages)} pages and {len(result.downloads)} downloads walked, "
            f"{len(result.first_of_type)} page types, {len(result.refused)} links refused, "
            f"{len(result.shown)} codes or dates shown; task: {done[username]}"
        )
    print(f"  axe violations: {len(violations)}")
    refused = [f"{username}: {finding}" for username, result in walks.items() for finding in result.refused]
    shown = sorted({str(finding) for result in walks.values() for finding in result.shown})
    for problem in [*failed, *refused, *shown]:
        print(f"  {problem}")
    assert all(len(result.pages) > 3 for result in walks.values()), {u: r.pages for u, r in walks.items()}
    assert failed == [], "\n".join(failed)
    assert refused == [], "\n".join(refused)
    assert shown == [], "\n".join(shown)
    assert violations == [], "\n".join(violations)
