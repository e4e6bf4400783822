"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Playwright's own browser downloads are never used: set WHOLEFAMILY_CHROMIUM to use another Chromium.
`make browsers` installs Debian's package when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("WHOLEFAMILY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"
ASSETS_STAMP = Path(__file__).resolve().parents[2] / "build" / "assets" / ".built"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per test module. Playwright's sync API runs an event loop in this thread, and Django
    refuses ORM calls from a thread with a running loop unless told it is deliberate: that permission
    (DJANGO_ALLOW_ASYNC_UNSAFE) and the loop last only as long as this fixture, so the rest of the
    suite keeps Django's protection (and `check --deploy` in a subprocess does not see the variable)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make browsers` (Debian's chromium) or set WHOLEFAMILY_CHROMIUM.")
    if not ASSETS_STAMP.exists():
        pytest.fail("The front-end assets are not built: run `make assets` (scripts/build-assets).")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot(page: Any) -> Any:
    """Save a full-page PNG under test-results/browser/ (for people to look at; not compared)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


BROWSER_PASSWORD = "a-long-browser-test-password"


def _totp_code(key: bytes, *, after_step: int = -1) -> str:
    """The code an authenticator app shows now, or at the first step after `after_step` (a code is used once)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(key)
    totp.time = time.time()
    if totp.t() <= after_step:
        totp.time = (after_step + 1) * totp.step
    return f"{totp.token():06d}"


def complete_second_step(page: Any, username: str) -> None:
    """After the password: enter a code if the account has two-step verification, or set it up (reading the key
    from the page, as a person would type it into their app) if the role requires it. Does nothing otherwise."""
    import base64

    if "/account/two-step/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("Code", exact=True).fill(_totp_code(device.bin_key, after_step=device.last_t))
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
    elif "/account/two-step/set-up/" in page.url:
        key = base64.b32decode("".join(page.locator("#secret-key").inner_text().split()))
        kept = page.get_by_role("link", name="I have kept my codes")
        for attempt in range(3):  # a slow machine can cross a 30-second step between reading the code and checking it
            if attempt:
                page.wait_for_timeout(2000)  # a wrong code holds the device back a second or two (django-otp)
            page.get_by_label("Code from your app").fill(_totp_code(key))
            with page.expect_navigation():  # the form always answers with a new page: the codes, or the error
                page.get_by_role("button", name="Continue").click()
            if kept.count():
                break
        kept.click()
        page.wait_for_load_state()


@pytest.fixture
def sign_in(page: Any, live_server: Any) -> Any:
    """`sign_in("kim")`: the sign-in form, then the second step when the account needs one; lands on the dashboard
    (or the page `next` names)."""

    def go(username: str, password: str = BROWSER_PASSWORD, next_path: str = "") -> None:
        page.goto(f"{live_server.url}/sign-in/" + (f"?next={next_path}" if next_path else ""))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        complete_second_step(page, username)
        page.wait_for_url(f"{live_server.url}{next_path or '/'}")

    return go
