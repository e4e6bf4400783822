"""Template filters for the claims pages: the evidence pack's ISO dates as people read them ("7 December 2026")."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


def long_date(value: object) -> str:
    """An ISO date (or a date) as "7 December 2026"; anything else as it is."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return "" if value is None else str(value)
    return f"{day.day} {day:%B %Y}"


register.filter("wf_date", long_date)
