"""Labels for codes, GOV.UK dates and the GOV.UK date input (day, month, year) with its error messages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template

from wholefamily.domain.pathway import Stage
from wholefamily.domain.roles import Role
from wholefamily.web import dates, labels
from wholefamily.web.forms import DateParts, DayMonthYearField, ErrorSummaryMixin


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("all_three", "All three national criteria"),  # a route of the 2012 programme
        ("need_help", "Children who need help"),  # a headline problem of the 2015 programme
        ("under_16", "Fewer than 16 hours a week"),  # a code list
        ("sign_in", "Signed in"),  # an audit action
        ("plan_active", "Plan active"),  # a stage
        (Stage.AWAITING_ALLOCATION, "Awaiting allocation"),
        (Role.KEY_WORKER, "Key worker"),
        ("cases.record_goal_achievement", "Cases: record goal achievement"),  # nobody labelled it: words from it
        (None, ""),
    ],
)
def test_a_code_reads_as_its_label(code: object, label: str) -> None:
    assert labels.label_for(code) == label


def test_the_labels_come_from_the_definitions_and_the_codes_a_page_must_not_show_are_known() -> None:
    vocabulary = labels.vocabulary()
    assert vocabulary["crime_asb_education"]  # a result of the 2012 payment-by-results rules
    codes = labels.page_codes()
    assert {"all_three", "need_help", "under_16", "sign_in", "plan_active", "key_worker"} <= codes
    assert "crime" not in codes  # an ordinary word is not checked on pages


def test_the_label_filters() -> None:
    template = Template("{% load wholefamily_web %}{{ code|label }} / {{ codes|label_list }}")
    page = template.render(Context({"code": "need_help", "codes": ["plan_active", "closed", "sign_in"]}))
    assert page == "Children who need help / Plan active, Closed and Signed in"


@pytest.mark.parametrize(
    ("value", "date", "moment"),
    [
        (dt.date(2026, 12, 7), "7 December 2026", "7 December 2026"),
        (dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC), "7 December 2026", "7 December 2026 at 2:05pm"),
        (dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC), "1 July 2026", "1 July 2026 at 10am"),  # British Summer Time
        (dt.datetime(2026, 1, 2, 12, tzinfo=ZoneInfo("Europe/London")), "2 January 2026", "2 January 2026 at midday"),
        (dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.UTC), "2 January 2026", "2 January 2026 at 11:30pm"),
        (None, "", ""),
    ],
)
def test_dates_read_as_gov_uk_writes_them(value: object, date: str, moment: str, settings: object) -> None:
    assert dates.govuk_date(value) == date  # type: ignore[arg-type]
    assert dates.govuk_datetime(value) == moment  # type: ignore[arg-type]


def test_the_date_filters_take_a_default() -> None:
    template = Template('{% load wholefamily_web %}{{ missing|govuk_date:"Not known" }}; {{ when|govuk_date }}')
    assert template.render(Context({"missing": None, "when": dt.date(2015, 4, 1)})) == "Not known; 1 April 2015"


class _Form(ErrorSummaryMixin, forms.Form):
    held_on = DayMonthYearField(label="Date of the review")
    signed_on = DayMonthYearField(label="Date signed", required=False)


def _post(**boxes: str) -> _Form:
    data = {f"held_on_{part}": value for part, value in boxes.items()}
    return _Form(data={"held_on_day": "", "held_on_month": "", "held_on_year": "", **data})


@pytest.mark.parametrize(
    ("boxes", "message", "anchor"),
    [
        ({}, "Enter the date of the review", "#id_held_on_day"),
        ({"day": "7", "year": "2026"}, "Date of the review must include a month", "#id_held_on_month"),
        ({"day": "7"}, "Date of the review must include a month and year", "#id_held_on_month"),
        ({"day": "31", "month": "2", "year": "2026"}, "Date of the review must be a real date", "#id_held_on_day"),
        ({"day": "7", "month": "Dec", "year": "2026"}, "Date of the review must be a real date", "#id_held_on_month"),
        ({"day": "7", "month": "12", "year": "26"}, "Year must include 4 numbers", "#id_held_on_year"),
    ],
)
def test_a_wrong_date_says_what_is_wrong_and_links_to_the_box(boxes: dict[str, str], message: str, anchor: str) -> None:
    form = _post(**boxes)
    assert not form.is_valid()
    assert form.error_links() == [(message, anchor)]


def test_a_date_from_three_boxes_or_one_piece_of_text() -> None:
    form = _post(day=" 7 ", month="12", year="2026")
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"held_on": dt.date(2026, 12, 7), "signed_on": None}
    assert _Form(data={"held_on": "27/3/2026"}).is_valid()  # a script or an older page sending one text
    assert _Form(data={"held_on": "2026-03-27"}).is_valid()


def test_the_boxes_show_back_what_was_typed_or_the_initial_date() -> None:
    bound = _post(day="31", month="2", year="2026")
    bound.is_valid()
    page = bound.as_p()  # Django's own rendering still works; the service renders web/partials/date_input.html
    assert page
    assert DateParts.of(bound["held_on"].value()) == DateParts("31", "2", "2026")
    unbound = _Form(initial={"held_on": dt.date(2015, 4, 1)})
    assert DateParts.of(unbound["held_on"].value()) == DateParts("1", "4", "2015")


def test_the_partial_renders_a_fieldset_with_three_labelled_boxes_and_the_error() -> None:
    form = _post(day="7", year="2026")
    form.is_valid()
    page = Template('{% include "web/partials/date_input.html" with field=field %}').render(
        Context({"field": form["held_on"]})
    )
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of the review</legend>' in page
    for part in ("day", "month", "year"):
        assert f'<label class="govuk-label govuk-date-input__label" for="id_held_on_{part}">' in page
    assert 'id="id_held_on_month" name="held_on_month"' in page
    assert 'govuk-input--width-2 govuk-input--error" id="id_held_on_month"' in page
    assert 'govuk-input--width-2" id="id_held_on_day"' in page  # the day was given: not marked
    assert "must include a month" in page
