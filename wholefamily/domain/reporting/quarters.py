"""Quarters of the council's financial year (April to March), the period boards and government report by.

Working Together With Families (Lancashire, 2013), section 4.2, gives funding by financial year (2012/13...); a
quarter is a quarter of that year: quarter 1 is April to June.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CODE = re.compile(r"^(\d{4})-(\d{2})-q([1-4])$")
_MONTHS: tuple[str, ...] = ("April", "May", "June", "July", "August", "September", "October", "November")
_MONTHS += ("December", "January", "February", "March")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in (2026 for 2026/27)
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"a quarter is 1 to 4, not {self.number}")

    @property
    def starts_on(self) -> dt.date:
        month = 4 + 3 * (self.number - 1)
        year = self.year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return self.next().starts_on - dt.timedelta(days=1)

    @property
    def financial_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def code(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-q{self.number}"

    @property
    def months(self) -> str:
        first, last = _MONTHS[3 * (self.number - 1)], _MONTHS[3 * (self.number - 1) + 2]
        return f"{first} to {last} {self.ends_on.year}"

    @property
    def label(self) -> str:
        """ "Quarter 3 2026/27 (October to December 2026)"."""
        return f"Quarter {self.number} {self.financial_year} ({self.months})"

    @property
    def short_label(self) -> str:
        """ "Q3 2026/27", for chart axes."""
        return f"Q{self.number} {self.financial_year}"

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.starts_on <= day <= self.ends_on

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Whether a spell from `start` (None: never started) to `end` (None: still going) touches the quarter."""
        return start is not None and start <= self.ends_on and (end is None or end >= self.starts_on)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def quarter_of(day: dt.date) -> Quarter:
    year = day.year if day.month >= 4 else day.year - 1
    return Quarter(year, (day.month - 4) % 12 // 3 + 1)


def last_complete_quarter(today: dt.date) -> Quarter:
    """The latest quarter that has ended by `today` (a board reports on a finished quarter)."""
    return quarter_of(today).previous()


def parse_quarter(code: str) -> Quarter:
    """ "2026-27-q3" -> Quarter(2026, 3); ValueError for anything else."""
    match = _CODE.match(code.strip().lower())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{code!r} is not a quarter like 2026-27-q3")
    return Quarter(int(match.group(1)), int(match.group(3)))


def quarters_ending(last: Quarter, count: int) -> tuple[Quarter, ...]:
    """`count` quarters, oldest first, ending with `last`."""
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return tuple(reversed(out))
