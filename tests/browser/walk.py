"""Walk the service as one signed-in user: every page reachable by links from the home page, breadth first, same
origin, GET only, bounded; what each page shows is checked on the way (labels, dates, no server paths).

The walk discovers pages rather than listing them, so pages that other work adds are walked too. Bounds: a page
*type* (its path with numbers and ids replaced, and its query's keys) is visited at most `per_type` times, and at
most `limit` pages in all.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings

from wholefamily.web.labels import page_codes

ISO_DATE = re.compile(r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w/-])")
_ID = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{12,64}|[A-Z]{1,3}-?\d[\w-]*)(?=/|$)")
_TOKEN = re.compile(r"[A-Za-z0-9_.]+")
SKIPPED_PREFIXES = ("/static/", "/sign-out/", "/favicon")
# Django's own admin is for superusers and is not written in the service's words; links there are walked (they must
# answer), their text is not checked.
UNCHECKED_TEXT_PREFIXES = ("/admin/",)
HIDDEN_TAGS = frozenset({"script", "style", "template", "code"})
ADMIN_LIMIT = 30  # Django's admin has hundreds of pages of one kind; a sample of them is enough


class _Page(HTMLParser):
    """The links and the visible text of a page (script and style left out, and command lines in <code>: a command
    line takes ISO dates and codes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_TAGS:
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def page_type(url: str) -> str:
    """A page's type: its path with ids made generic, and its query's keys ("/cases/N/?tab")."""
    parts = urlsplit(url)
    path = _ID.sub("/N", parts.path)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair and not pair.startswith("page=")})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Finding:
    page: str
    problem: str

    def __str__(self) -> str:
        return f"{self.page}: {self.problem}"


@dataclass
class Walk:
    """What one user's walk found."""

    username: str
    pages: list[str] = field(default_factory=list)  # HTML pages opened, in the order walked
    downloads: list[str] = field(default_factory=list)  # non-HTML answers (CSV, PDF, spreadsheets)
    refused: list[Finding] = field(default_factory=list)  # links that did not answer 200
    shown: list[Finding] = field(default_factory=list)  # codes, ISO dates or server paths on a page
    first_of_type: dict[str, str] = field(default_factory=dict)  # page type -> the first page of it walked


def _server_paths() -> list[str]:
    paths = {str(Path(settings.BASE_DIR)), str(Path(settings.DATA_DIR)), str(Path(settings.VAR_DIR))}
    return sorted(path for path in paths if len(path) > 4)


def check_text(url: str, html: str, codes: frozenset[str], server_paths: Iterable[str]) -> list[Finding]:
    """Codes where labels belong, ISO dates where GOV.UK dates belong, and server paths, in a page's visible text."""
    parser = _Page()
    parser.feed(html)
    text = " ".join(parser.text)
    found = [Finding(url, f"shows the code {token!r}") for token in sorted(set(_TOKEN.findall(text)) & codes)]
    found += [
        Finding(url, f"shows the date {date!r} (not as 7 December 2026)")
        for date in sorted(set(ISO_DATE.findall(text)))
    ]
    found += [Finding(url, f"shows the server path {path!r}") for path in server_paths if path in html]
    return found


def walk(client: Any, username: str, *, start: str = "/", per_type: int = 2, limit: int = 250) -> Walk:
    """Breadth first from `start` with a signed-in Django test client."""
    result = Walk(username=username)
    codes = page_codes()
    server_paths = _server_paths()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen = {start}
    per_type_count: dict[str, int] = {}
    admin_pages = 0
    while queue and len(result.pages) + len(result.downloads) < limit:
        url, linked_from = queue.popleft()
        response = client.get(url)
        if response.status_code == 302:
            target = urljoin(url, response["Location"])
            if target.startswith(("/sign-in/", "/accounts/login", "/admin/login")):
                result.refused.append(Finding(linked_from, f"links to {url}, which sends this user to sign in"))
                continue
            url, response = target, client.get(target)
        if response.status_code != 200:
            result.refused.append(Finding(linked_from, f"links to {url}, which answers {response.status_code}"))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            result.downloads.append(url)
            continue
        result.pages.append(url)
        result.first_of_type.setdefault(page_type(url), url)
        html = response.content.decode("utf-8", errors="replace")
        if not url.startswith(UNCHECKED_TEXT_PREFIXES):
            result.shown += check_text(url, html, codes, server_paths)
        parser = _Page()
        parser.feed(html)
        for href in parser.links:
            target = urldefrag(urljoin(url, href)).url
            parts = urlsplit(target)
            if parts.scheme not in {"", "http", "https"} or (parts.netloc and parts.netloc != "testserver"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local in seen or local.startswith(SKIPPED_PREFIXES):
                continue
            kind = page_type(local)
            if per_type_count.get(kind, 0) >= per_type:
                continue
            if local.startswith(UNCHECKED_TEXT_PREFIXES):
                if admin_pages >= ADMIN_LIMIT:
                    continue
                admin_pages += 1
            per_type_count[kind] = per_type_count.get(kind, 0) + 1
            seen.add(local)
            queue.append((local, url))
    return result
