"""Property tests (hypothesis) on the parsers: dates, numbers, formula escaping, CSV round trips."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wholefamily.domain.validation import (
    FORMULA_PREFIXES,
    CellError,
    compile_date_format,
    date_parser,
    escape_for_spreadsheet,
    guess_date_format,
    is_formula_like,
    parse_boolean,
    parse_decimal,
    parse_integer,
)
from wholefamily.ingest.readers import CsvSource

FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d", "%d %b %Y", "%m/%d/%Y"]
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(value=dates, date_format=st.sampled_from(FORMATS))
def test_dates_round_trip_through_every_supported_format(value: dt.date, date_format: str) -> None:
    assert date_parser(date_format)(value.strftime(date_format)) == value


@given(value=st.dates(min_value=dt.date(1969, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_two_digit_years_use_the_strptime_pivot(value: dt.date) -> None:
    text = value.strftime("%d/%m/%y")
    assert compile_date_format("%d/%m/%y")(text) == dt.datetime.strptime(text, "%d/%m/%y").date()


@given(text=st.text(max_size=12))
def test_date_parsers_never_raise_and_agree_with_strptime(text: str) -> None:
    for date_format in ("%Y-%m-%d", "%d/%m/%Y"):
        parsed = date_parser(date_format)(text)
        if parsed is not None:
            assert parsed.strftime(date_format) == text or date_format == "%d/%m/%Y"
            assert dt.datetime.strptime(text, date_format).date() == parsed
    guess_date_format(text)


@given(value=st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_round_trip(value: int) -> None:
    assert parse_integer(str(value)) == value
    assert parse_integer(f"{value}.0") == value
    assert parse_integer(float(value) if abs(value) < 2**52 else value) == value


@given(value=st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(value: Decimal) -> None:
    assert parse_decimal(str(value)) == value


@given(text=st.text(max_size=20))
def test_numbers_parse_or_fail_cleanly(text: str) -> None:
    for parse in (parse_integer, parse_decimal):
        with contextlib.suppress(CellError):
            parse(text)
    with contextlib.suppress(CellError):
        parse_boolean(text, true_values=frozenset({"y"}), false_values=frozenset({"n"}))


@given(text=st.text(max_size=30))
def test_escaped_text_never_starts_a_formula(text: str) -> None:
    escaped = escape_for_spreadsheet(text)
    assert not escaped.startswith(FORMULA_PREFIXES)
    assert escaped.removeprefix("'") == text or escaped == text
    if is_formula_like(text):
        assert escaped == "'" + text


@given(number=st.integers() | st.decimals(allow_nan=False, allow_infinity=False, places=3))
def test_numbers_are_not_formulas(number: int | Decimal) -> None:
    assert not is_formula_like(str(number))


cell_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(["\n", "\t", '"']),
    max_size=15,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_csv_round_trip(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    path: Path = tmp_path_factory.mktemp("csv") / "round.csv"
    header = ["alpha", "beta", "gamma"]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    source = CsvSource(path, encoding=encoding if encoding != "utf-16" else "auto", delimiter=delimiter)
    try:
        assert source.header == header
        read = list(source.rows())
    finally:
        source.close()
    assert [cells for _, cells in read] == rows
    assert [line for line, _ in read] == list(range(2, len(rows) + 2))
