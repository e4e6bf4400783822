"""Window arithmetic for programme criteria: calendar months back from a date, ages, and school terms.

Pure date arithmetic (no engine): the SQL generator turns these bounds into date literals, so DuckDB and Spark
compare the same fixed dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

TERM_ORDER: tuple[str, ...] = ("autumn", "spring", "summer")


def months_before(value: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the month's end (31 March less 1 = 28/29 Feb)."""
    total = value.year * 12 + (value.month - 1) - months
    year, month = divmod(total, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def months_after(value: dt.date, months: int) -> dt.date:
    return months_before(value, -months)


def birth_date_cutoff(as_of: dt.date, age: int) -> dt.date:
    """The latest date of birth of a person aged at least `age` on `as_of`.

    A person born on 29 February has the birthday on 1 March in common years (as the synthetic county counts it).
    """
    return months_before(as_of, 12 * age)


@dataclass(frozen=True)
class MonthsWindow:
    """The last `months` calendar months ending on the as-of date: start exclusive, end inclusive."""

    months: int

    def bounds(self, as_of: dt.date) -> tuple[dt.date, dt.date]:
        """First and last day included: (as_of - months) + 1 day .. as_of."""
        return months_before(as_of, self.months) + dt.timedelta(days=1), as_of


@dataclass(frozen=True)
class Term:
    academic_year: int  # the calendar year the academic year starts in (2014 = 2014/15)
    code: str
    start_on: dt.date
    end_on: dt.date


@dataclass(frozen=True)
class TermCalendar:
    """Fixed term start days (month, day); a term ends the day before the next one starts."""

    autumn: tuple[int, int] = (9, 1)
    spring: tuple[int, int] = (1, 1)
    summer: tuple[int, int] = (5, 1)

    def term(self, academic_year: int, code: str) -> Term:
        index = TERM_ORDER.index(code)
        start = self._start(academic_year, index)
        following = self._start(academic_year + 1, 0) if index == 2 else self._start(academic_year, index + 1)
        return Term(academic_year, code, start, following - dt.timedelta(days=1))

    def _start(self, academic_year: int, index: int) -> dt.date:
        month, day = (self.autumn, self.spring, self.summer)[index]
        return dt.date(academic_year if index == 0 else academic_year + 1, month, day)

    def last_completed_terms(self, as_of: dt.date, count: int) -> tuple[Term, ...]:
        """The `count` consecutive terms that ended on or before `as_of`, oldest first."""
        year = as_of.year if (as_of.month, as_of.day) >= self.autumn else as_of.year - 1
        terms: list[Term] = []
        index = 2
        while len(terms) < count:
            term = self.term(year, TERM_ORDER[index])
            if term.end_on <= as_of:
                terms.append(term)
            index -= 1
            if index < 0:
                index, year = 2, year - 1
        return tuple(reversed(terms))


@dataclass(frozen=True)
class TermsWindow:
    """The last `terms` consecutive completed school terms (Together for Families update (Cambridgeshire, 2014):
    "the last 3 consecutive terms")."""

    terms: int

    def term_list(self, as_of: dt.date, calendar_: TermCalendar) -> tuple[Term, ...]:
        return calendar_.last_completed_terms(as_of, self.terms)

    def bounds(self, as_of: dt.date, calendar_: TermCalendar) -> tuple[dt.date, dt.date]:
        terms = self.term_list(as_of, calendar_)
        return terms[0].start_on, terms[-1].end_on


Window = MonthsWindow | TermsWindow
