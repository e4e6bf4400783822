"""Name cleaning for linkage: plain forms, nickname and short-form keys, double-barrelled surname parts.

Pure functions over strings; the linkage engine applies them to every record before Splink compares them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_NOT_NAME = re.compile(r"[^A-Z \-]")
_APOSTROPHES = re.compile("['`\u2018\u2019]")
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[ \-]+")


def plain_text(value: str | None) -> str:
    """Upper case, accents removed, anything but letters, spaces and hyphens dropped; '' when nothing is left."""
    if value is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value))
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    ascii_only = _APOSTROPHES.sub("", ascii_only)
    return _SPACES.sub(" ", _NOT_NAME.sub(" ", ascii_only)).strip(" -")


def clean_forename(value: str | None) -> str | None:
    """The first forename in plain form ('Mary-Jane' stays one name; 'John Paul' gives JOHN)."""
    text = plain_text(value)
    if not text:
        return None
    return text.split(" ")[0]


def clean_surname(value: str | None) -> str | None:
    """The surname in plain form with double-barrelled parts joined by one hyphen ('Smith - Jones' -> SMITH-JONES)."""
    parts = surname_parts(value)
    return "-".join(parts) if parts else None


def surname_parts(value: str | None) -> list[str]:
    """The parts of a possibly double-barrelled surname, in order ('Smith-Jones' -> [SMITH, JONES])."""
    text = plain_text(value)
    return [part for part in _SEPARATORS.split(text) if part]


@dataclass(frozen=True)
class NicknameTable:
    """Full forenames with their short forms; a name's keys are itself and every full form it may stand for."""

    version: int
    full_forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, *, version: int, nicknames: Mapping[str, Iterable[str]]) -> NicknameTable:
        """Build the reverse index short form -> full forms from {full form: [short forms]}."""
        index: dict[str, set[str]] = {}
        for full, shorts in nicknames.items():
            full_key = clean_forename(full)
            if not full_key:
                continue
            for short in shorts:
                short_key = clean_forename(short)
                if short_key and short_key != full_key:
                    index.setdefault(short_key, set()).add(full_key)
        return cls(version=version, full_forms={short: tuple(sorted(fulls)) for short, fulls in index.items()})

    def keys(self, forename: str | None) -> list[str]:
        """The forename and the full forms it may be short for, sorted ('BILL' -> [BILL, WILLIAM])."""
        name = clean_forename(forename)
        if not name:
            return []
        return sorted({name, *self.full_forms.get(name, ())})

    def is_same_name(self, left: str | None, right: str | None) -> bool:
        """True when the two forenames are equal or one may be a short form of the other (or both of one name)."""
        left_keys, right_keys = set(self.keys(left)), set(self.keys(right))
        return bool(left_keys & right_keys)


def edit_distance(left: str, right: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours."""
    if left == right:
        return 0
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = 0 if left_char == right_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def typo_allowance(name: str) -> int:
    """How many typing slips a searched name may have: none up to 3 letters, one up to 7, two beyond."""
    return 0 if len(name) <= 3 else 1 if len(name) <= 7 else 2


def is_close_surname(searched: str | None, candidate: str | None) -> bool:
    """Whether a searched surname finds a recorded one, both cleaned as linkage cleans them: equal, one part of a
    double-barrelled name, or within the typo allowance ('Okafor' finds 'OKAFOR', 'Okafr' and 'Smith-Okafor')."""
    wanted, found = clean_surname(searched), clean_surname(candidate)
    if not wanted or not found:
        return False
    if wanted == found or wanted in surname_parts(found):
        return True
    return edit_distance(wanted, found) <= typo_allowance(wanted)


def is_close_forename(searched: str | None, candidate: str | None, *, nicknames: NicknameTable) -> bool:
    """Whether a searched forename finds a recorded one: the same name or short form ('Bill' finds 'William'), or
    within the typo allowance."""
    wanted, found = clean_forename(searched), clean_forename(candidate)
    if not wanted or not found:
        return False
    if nicknames.is_same_name(wanted, found):
        return True
    return edit_distance(wanted, found) <= typo_allowance(wanted)
