"""What the shared partials in templates/web/partials/ take, so views in any app can build it.

{% include "web/partials/summary_list.html" with rows=rows %}
{% include "web/partials/table.html" with caption="Teams" head=head body=body %}
{% include "web/partials/pagination.html" with page=page query=query %}
{% include "web/partials/progress_bar.html" with id="job-3" label="Linking records" value=40 max=100 %}
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SummaryRow:
    """One row of a GOV.UK summary list. With `href` it gets an action link: `action_text` shown, followed
    by the key for screen readers ("View<hidden> teams</hidden>")."""

    key: str
    value: str
    href: str = ""
    action_text: str = "View"


@dataclass(frozen=True)
class TableCell:
    """A cell of a table; numbers are right-aligned (is_numeric) and a cell may link (href)."""

    text: str
    href: str = ""
    is_numeric: bool = False


@dataclass(frozen=True)
class Figure:
    """One number on a home page, linking to the page behind it: "3 of 12" / "families on your caseload"."""

    value: str
    label: str
    href: str
    is_warning: bool = False  # something to act on (an overdue review, a caseload over its limit)
