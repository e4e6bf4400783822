"""Template tags for the layout and the shared partials: the council's name, durations, table cells, pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.conf import settings
from django.core.paginator import Page

from wholefamily.web.components import TableCell

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
