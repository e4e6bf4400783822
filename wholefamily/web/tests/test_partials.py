"""The shared partials others include: summary list, table, pagination, progress bar."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from wholefamily.web.components import SummaryRow, TableCell
from wholefamily.web.templatetags.wholefamily_web import duration_in_words


def test_summary_list_action_names_its_row_for_screen_readers():
    html = render_to_string(
        "web/partials/summary_list.html",
        {"rows": [SummaryRow(key="Teams", value="3 teams", href="/teams/"), SummaryRow(key="Phase", value="Alpha")]},
    )
    assert '<a class="govuk-link" href="/teams/">View<span class="govuk-visually-hidden"> teams</span></a>' in html
    assert "govuk-summary-list__row--no-actions" in html


def test_table_has_caption_row_headers_and_numeric_cells():
    html = render_to_string(
        "web/partials/table.html",
        {
            "caption": "Families by district",
            "head": ["District", "Families"],
            "body": [[TableCell(text="Northmoor", href="/d/1/"), 12], ["Southvale", 0]],
        },
    )
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Families by district</caption>' in html
    assert '<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/d/1/">Northmoor</a></th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">12</td>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">0</td>' in html


def test_empty_table_says_so():
    html = render_to_string(
        "web/partials/table.html", {"caption": "Claims", "head": ["Family", "Amount"], "body": [], "empty_text": "None"}
    )
    assert '<td class="govuk-table__cell" colspan="2">None</td>' in html


def test_pagination_marks_current_page_and_keeps_the_query():
    page = Paginator(list(range(200)), 10).get_page(5)
    html = render_to_string("web/partials/pagination.html", {"page": page, "query": "action=view"})
    assert 'href="?action=view&amp;page=5" aria-label="Page 5" aria-current="page"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "govuk-pagination__item--ellipses" in html


def test_single_page_has_no_pagination():
    page = Paginator([1, 2], 10).get_page(1)
    assert render_to_string("web/partials/pagination.html", {"page": page}).strip() == ""


def test_progress_bar_is_named_and_has_a_text_value():
    html = render_to_string(
        "web/partials/progress_bar.html", {"id": "job-1", "label": "Linking records", "value": 40, "max": 200}
    )
    assert '<p class="govuk-body govuk-!-margin-bottom-1" id="job-1-label">Linking records</p>' in html
    assert 'max="200" value="40" aria-labelledby="job-1-label" aria-valuetext="40 of 200"' in html
    assert "40 of 200 (20%)" in html


def test_progress_bar_without_a_known_size_is_indeterminate():
    html = render_to_string("web/partials/progress_bar.html", {"id": "job-2", "label": "Starting", "value": None})
    assert "value=" not in html.split("<progress", 1)[1].split(">", 1)[0]


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0.2, "1 minute"), (1, "1 minute"), (15, "15 minutes"), (60, "1 hour"), (90, "1 hour and 30 minutes")],
)
def test_duration_in_words(minutes, words):
    assert duration_in_words(timedelta(minutes=minutes)) == words
