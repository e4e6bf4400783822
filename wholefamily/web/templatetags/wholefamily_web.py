"""Template tags for the layout and the shared partials: the council's name, dates, labels, durations, table cells,
pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from wholefamily.web import dates, pages
from wholefamily.web import labels as labels_module
from wholefamily.web.components import TableCell
from wholefamily.web.forms import PARTS, DateParts

register = template.Library()


@register.simple_tag
def council_name() -> str:
    """The council running this installation (settings.WHOLEFAMILY_COUNCIL_NAME); needs no request."""
    return str(settings.WHOLEFAMILY_COUNCIL_NAME)


@register.filter
def duration_in_words(value: timedelta | None) -> str:
    """A duration as people say it: "15 minutes", "1 hour and 30 minutes". Rounds up to the minute."""
    if value is None:
        return ""
    minutes = max(1, -(-int(value.total_seconds()) // 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " and ".join(parts)


@register.simple_tag
def elided_page_range(page: Page[Any]) -> list[int | str]:
    """Page numbers around the current one, with Paginator.ELLIPSIS where some are left out."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def as_table_cell(value: object) -> TableCell:
    """A table partial's cell: a TableCell as it is; anything else as its text (numbers right-aligned)."""
    if isinstance(value, TableCell):
        return value
    is_numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return TableCell(text="" if value is None else str(value), is_numeric=is_numeric)


@register.filter
def govuk_date(value: dt.date | dt.datetime | str | None, default: str = "") -> str:
    """A date as GOV.UK writes it: "7 December 2026" (a datetime gives its local date). Empty values give
    `default` ("Not known", "Not yet")."""
    return dates.govuk_date(value) or default


@register.filter
def govuk_datetime(value: dt.datetime | dt.date | None, default: str = "") -> str:
    """A moment as GOV.UK writes it: "7 December 2026 at 2:05pm", in the service's time zone."""
    return dates.govuk_datetime(value) or default


@register.filter
def govuk_time(value: dt.datetime | None) -> str:
    """The time of day alone: "2:05pm", "midday", "midnight"."""
    return dates.govuk_time(value) if value is not None else ""


@register.filter
def label(value: object) -> str:
    """The words for a code (a stage, a problem, a result, a role, an audit action): see web/labels.py."""
    return labels_module.label_for(value)


@register.filter
def label_list(values: Iterable[object] | None) -> str:
    """Several codes as their labels, joined: "Crime, Education and Work"."""
    words = [labels_module.label_for(value) for value in values or ()]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


@register.filter
def object_type_label(value: str) -> str:
    """An audit event's object type as the model's name."""
    return labels_module.object_type_label(value)


@register.filter
def date_boxes(field: BoundField) -> list[dict[str, object]]:
    """A date input's three boxes (day, month, year): each one's name, label, width, value as typed or from the
    field's date, and whether it is in error."""
    parts = DateParts.of(field.value())
    in_error = getattr(field.field, "error_boxes", ()) if field.errors else ()
    return [
        {"part": part, "label": part.capitalize(), "width": 4 if part == "year" else 2,
         "value": getattr(parts, part), "is_error": part in in_error}
        for part in PARTS
    ]  # fmt: skip


@register.simple_tag(takes_context=True)
def may_open(context: template.Context, url_name: str, *args: Any) -> bool:
    """`{% may_open "cases:team" as show %}`: whether the signed-in user may open that page (web/pages.py)."""
    user = context.get("user")
    return user is not None and pages.may_open(user, url_name, *args)


@register.filter
def labels(values: Iterable[object] | str | None) -> list[str]:
    """Codes (a list, or text separated by ";" or ",") as a list of labels, for a template to lay out."""
    if isinstance(values, str):
        values = [part.strip() for part in values.replace(";", ",").split(",") if part.strip()]
    return [labels_module.label_for(value) for value in values or ()]


@register.filter
def actor_label(value: str) -> str:
    """An audit event's actor in words (a username, or "The system (loaded the demo county)")."""
    return labels_module.actor_label(value or "")


_FILE_VALUE = re.compile(r"\b(\d{4}-\d{2}-\d{2}|[a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")


@register.filter
def file_values(text: object) -> str:
    """Text describing a file's columns, with the values typed in the file (codes, ISO dates) shown as <code>."""
    escaped = str(conditional_escape(str(text)))
    return mark_safe(_FILE_VALUE.sub(r"<code>\1</code>", escaped))  # noqa: S308  (escaped above)
