# mypy: disable-error-code="no-any-return"
"""The generator's clock: four-month periods that are also the three school terms of the academic year.

Autumn runs 1 September to 31 December, spring 1 January to 30 April, summer 1 May to 31 August, so three
consecutive periods are both "the last 3 terms" and "the last 12 months" when counted back from a period's end.
Dates are int32 days since 1970-01-01 throughout the package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

TERM_CODES = ("autumn", "spring", "summer")
TERM_START_MONTHS = (9, 1, 5)
POSSIBLE_SESSIONS = (140, 120, 130)
EPOCH = dt.date(1970, 1, 1)


def to_day(value: dt.date) -> int:
    return (value - EPOCH).days


def from_day(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


@dataclass(frozen=True)
class Calendar:
    starts: np.ndarray  # int32 first day of each period
    ends: np.ndarray  # int32 last day of each period
    terms: np.ndarray  # 0 autumn, 1 spring, 2 summer
    academic_years: np.ndarray  # the calendar year the academic year starts in
    reference_period: int  # the period whose last day is the calibration (reference) date

    @property
    def periods(self) -> int:
        return len(self.starts)

    @property
    def reference_on(self) -> int:
        return int(self.ends[self.reference_period])

    @property
    def window(self) -> range:
        """The three periods (12 months) ending on the reference date."""
        return range(self.reference_period - 2, self.reference_period + 1)


def term_start_on_or_before(value: dt.date) -> tuple[dt.date, int]:
    """The first day of the term containing `value`, and that term's index (0 autumn, 1 spring, 2 summer)."""
    if value.month >= 9:
        return dt.date(value.year, 9, 1), 0
    if value.month >= 5:
        return dt.date(value.year, 5, 1), 2
    return dt.date(value.year, 1, 1), 1


def _next_term_start(start: dt.date) -> dt.date:
    if start.month == 9:
        return dt.date(start.year + 1, 1, 1)
    if start.month == 1:
        return dt.date(start.year, 5, 1)
    return dt.date(start.year, 9, 1)


def build_calendar(*, start: dt.date, years: int, reference_years: int | None = None) -> Calendar:
    """Periods from the term containing `start`, three a year for `years` years; the reference date at the end of
    academic year `reference_years` (default: half the years, at least one)."""
    if years < 2:
        raise ValueError("the history needs at least 2 years (a 12-month window and time after the reference date)")
    first, term = term_start_on_or_before(start)
    starts, terms, academic_years = [], [], []
    current = first
    for index in range(3 * years):
        starts.append(to_day(current))
        terms.append((term + index) % 3)
        academic_years.append(current.year if current.month == 9 else current.year - 1)
        current = _next_term_start(current)
    starts_array = np.array(starts, dtype=np.int32)
    ends = np.append(starts_array[1:], to_day(current)).astype(np.int32) - 1
    reference_period = max(2, 3 * (years // 2 if reference_years is None else reference_years) - 1)
    return Calendar(
        starts=starts_array,
        ends=ends,
        terms=np.array(terms, dtype=np.int8),
        academic_years=np.array(academic_years, dtype=np.int32),
        reference_period=min(reference_period, 3 * years - 2),
    )


def civil_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of int32 day numbers (integer arithmetic: H. Hinnant's civil_from_days)."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def age_on(dob: np.ndarray, on: np.ndarray | int) -> np.ndarray:
    """Whole years of age on a date (birthdays counted on the day; 29 February born age on 1 March)."""
    by, bm, bd = civil_parts(np.asarray(dob))
    oy, om, od = civil_parts(np.asarray(on, dtype=np.int64))
    before_birthday = (om < bm) | ((om == bm) & (od < bd))
    return (oy - by - before_birthday).astype(np.int32)


def random_days(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """A uniform random day in [first, last] for each pair (last >= first)."""
    span = (np.asarray(last, dtype=np.int64) - np.asarray(first, dtype=np.int64) + 1).clip(min=1)
    return (np.asarray(first, dtype=np.int64) + (rng.random(span.shape) * span).astype(np.int64)).astype(np.int32)
