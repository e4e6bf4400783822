"""Every role on the demo: every link it is shown answers (no 403, no 404), every page reads in words and GOV.UK
dates, and a page of every type passes axe-core with no violation of any impact, in a real Chromium.

One demo county (the `load_demo_county` command, small) serves the whole module: loading it is most of the time.
Figures (pages walked per role, links refused, axe violations) are printed; run with `-s` to read them.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client

from tests.browser.walk import Walk, walk
from wholefamily.governance.management.commands.setup_demo import DEMO_PASSWORD, DEMO_USERS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POPULATION, SEED = 2_000, 1
WIDTHS = (1280, 375)


def _one_user_per_role() -> list[str]:
    """The first demo user of each role (the demo has several key workers; one walks for them all)."""
    firsts: dict[object, str] = {}
    for username, _first, _last, role, *_ in DEMO_USERS:
        firsts.setdefault(role, username)
    return list(firsts.values())


def _walk_every_role() -> dict[str, Walk]:
    walks = {}
    for username in _one_user_per_role():
        client = Client()
        client.force_login(_user(username))
        walks[username] = walk(client, username)
    return walks


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _axe(page: Any, axe: Any, url: str) -> list[str]:
    results = axe.run(page)
    return [
        f"{url}: {violation['id']} ({violation['impact']}) at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
    ]


def test_every_role_reaches_only_pages_it_may_open_and_every_page_passes_axe(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    started = time.monotonic()
    call_command("load_demo_county", "--population", str(POPULATION), "--seed", str(SEED), stdout=io.StringIO())
    loaded = time.monotonic()

    walks = _walk_every_role()
    walked = time.monotonic()

    axe, violations, checked_types = Axe(), [], set()
    axe_pages = 0
    for username, result in walks.items():
        _sign_in(page, live_server.url, username)
        # Each page type (its path; the same template whatever the query) once over all roles, and each role's
        # home page (it differs by role). Django's admin is its own design, for superusers only: not checked.
        for kind, url in result.first_of_type.items():
            path_type = kind.split("?", 1)[0]
            if url.startswith("/admin/") or (path_type in checked_types and url != "/"):
                continue
            checked_types.add(path_type)
            page.goto(f"{live_server.url}{url}")
            violations += _axe(page, axe, f"{username} {url}")
            axe_pages += 1
    finished = time.monotonic()

    print(
        f"\nDemo loaded in {loaded - started:.0f} s; link walk {walked - loaded:.0f} s; "
        f"axe on {axe_pages} pages in {finished - walked:.0f} s"
    )
    for username, result in walks.items():
        print(
            f"  {username}: {len(result.pages)} pages and {len(result.downloads)} downloads walked, "
            f"{len(result.first_of_type)} page types, {len(result.refused)} links refused, "
            f"{len(result.shown)} codes or dates shown"
        )
    print(f"  axe violations: {len(violations)}")
    refused = [f"{username}: {finding}" for username, result in walks.items() for finding in result.refused]
    shown = sorted({str(finding) for result in walks.values() for finding in result.shown})
    assert all(len(result.pages) > 3 for result in walks.values()), {u: r.pages for u, r in walks.items()}
    assert refused == [], "\n".join(refused)
    assert shown == [], "\n".join(shown)
    assert violations == [], "\n".join(violations)
