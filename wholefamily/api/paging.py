"""Cursor pagination: a page of rows after the last one seen, by primary key (ADR 0026).

The cursor is opaque to callers (the key of the last row, base64); a stable order by key means a page is never
skipped or repeated while rows are added, and each page costs one indexed query whatever its depth.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class BadCursor(ValueError):
    """The cursor was not one this API gave."""


def encode(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": key}).encode()).decode().rstrip("=")


def decode(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise BadCursor("The cursor is not one this API gave.") from None
    if isinstance(value, bool) or not isinstance(value, int | str) or (isinstance(value, str) and len(value) > 64):
        raise BadCursor("The cursor is not one this API gave.")
    return value


def page(
    queryset: models.QuerySet[M],
    *,
    cursor: str | None,
    limit: int,
    render: Callable[[M], dict[str, Any]],
    key: str = "pk",
    descending: bool = False,
) -> dict[str, Any]:
    """One page: {"items": [...], "next_cursor": str | None}."""
    limit = max(1, min(limit, MAX_LIMIT))
    ordered = queryset.order_by(f"-{key}" if descending else key)
    if cursor:
        after = decode(cursor)
        try:
            ordered = ordered.filter(**{f"{key}__lt" if descending else f"{key}__gt": after})
            rows = list(ordered[: limit + 1])
        except (ValueError, TypeError, ValidationError):
            raise BadCursor("The cursor is not one this API gave.") from None
    else:
        rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = getattr(rows[-1], key if key != "pk" else "pk") if rows and more else None
    return {"items": [render(row) for row in rows], "next_cursor": encode(_plain(last)) if last is not None else None}


def _plain(key: Any) -> Any:
    return key if isinstance(key, int | str) else str(key)
