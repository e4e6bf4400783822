"""Identifier formats, the calendar and the noise primitives."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from wholefamily.synth.calendar import age_on, build_calendar, from_day, to_day
from wholefamily.synth.identifiers import nhs_numbers, ni_numbers, pupil_numbers, upn_check_letter
from wholefamily.synth.noise import barrel_variant, exact_pick, typo

UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


def _nhs_is_valid(number: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def test_nhs_numbers_are_valid_and_in_the_test_range() -> None:
    numbers = nhs_numbers(np.random.default_rng(1), 5_000)
    assert len(set(numbers)) == 5_000
    assert all(n.startswith("999") and len(n) == 10 and _nhs_is_valid(n) for n in numbers)
    assert _nhs_is_valid("9434765919")  # the NHS number used in NHS England's own documentation
    assert not _nhs_is_valid("9434765918")


def test_ni_numbers_use_the_unallocated_prefix() -> None:
    numbers = ni_numbers(np.random.default_rng(2), 5_000)
    assert len(set(numbers)) == 5_000
    assert all(re.fullmatch(r"ZZ[0-9]{6}[A-D]", n) for n in numbers)


def test_pupil_numbers_carry_a_valid_check_letter() -> None:
    numbers = pupil_numbers(np.random.default_rng(3), 2_000)
    assert len(set(numbers)) == 2_000
    assert all(len(n) == 13 and n[1:4] == "999" and upn_check_letter(n[1:]) == n[0] for n in numbers)
    # Worked example: the weighted sum of 999000000001 is 9*2 + 9*3 + 9*4 + 1*13 = 94; 94 mod 23 = 2 -> "C".
    assert upn_check_letter("999000000001") == "C"


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [("2000-03-01", "2018-02-28", 17), ("2000-03-01", "2018-03-01", 18), ("2004-02-29", "2022-02-28", 17)],
)
def test_age_on_counts_birthdays_on_the_day(dob: str, on: str, age: int) -> None:
    assert age_on(np.array([to_day(dt.date.fromisoformat(dob))]), to_day(dt.date.fromisoformat(on)))[0] == age


def test_calendar_periods_are_terms_and_the_window_is_twelve_months() -> None:
    calendar = build_calendar(start=dt.date(2013, 10, 15), years=5)
    assert from_day(int(calendar.starts[0])) == dt.date(2013, 9, 1)
    assert calendar.periods == 15
    assert from_day(calendar.reference_on) == dt.date(2015, 8, 31)
    window = calendar.window
    assert from_day(int(calendar.starts[window.start])) == dt.date(2014, 9, 1)
    assert list(calendar.terms[:4]) == [0, 1, 2, 0]


def test_typo_changes_exactly_one_thing() -> None:
    rng = np.random.default_rng(4)
    for name in ["Elizabeth", "Li", "Jo", "Muhammad"]:
        out = typo(rng, name)
        assert out != name
        assert abs(len(out) - len(name)) <= 1


def test_barrel_variant_keeps_a_part() -> None:
    rng = np.random.default_rng(5)
    assert {barrel_variant(rng, "Smith-Jones") for _ in range(50)} == {"Smith", "Jones", "Smith Jones"}


def test_exact_pick_takes_the_rounded_count() -> None:
    rng = np.random.default_rng(6)
    eligible = np.zeros(1000, dtype=bool)
    eligible[::3] = True
    picked = exact_pick(rng, eligible, 0.1)
    assert len(picked) == round(0.1 * eligible.sum())
    assert eligible[picked].all()


def test_postcode_pattern_accepts_the_fictional_area() -> None:
    assert UK_POSTCODE.match("ZZ17 4EU")
