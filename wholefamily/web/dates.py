"""Dates and times as GOV.UK writes them ("7 December 2026", "7 December 2026 at 2:05pm"): one place, used by every
page through the template filters `govuk_date` and `govuk_datetime`.

GOV.UK style guide, "Dates" and "Times": no leading zero, the month in full, no ordinals; times in the 12-hour
clock with am/pm and no space, "midday" and "midnight" rather than 12pm and 12am.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def govuk_date(value: dt.date | dt.datetime | str | None) -> str:
    """A date (or an ISO date's text, as the data plane hands it over) as GOV.UK writes it; other text unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = dt.date.fromisoformat(text.strip())
        except ValueError:
            return text
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    if not isinstance(value, dt.date):
        return str(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def govuk_time(value: dt.datetime) -> str:
    moment = _local(value)
    if moment.minute == 0 and moment.hour == 12:
        return "midday"
    if moment.minute == 0 and moment.hour == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def govuk_datetime(value: dt.datetime | dt.date | None) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return govuk_date(value)
    return f"{govuk_date(value)} at {govuk_time(value)}"
