"""What makes a password weak beyond its length: patterns, names, and common words under simple disguises.

Pure: the Django validator (governance.passwords) supplies the names and the common-password list. ADR 0015.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# How many characters must be left once repeats and sequences are taken out.
MINIMUM_PATTERN_FREE = 8
# Generic words of a council's name that alone say nothing about it.
GENERIC_NAME_WORDS = frozenset(
    {"council", "county", "borough", "district", "city", "metropolitan", "royal", "london", "the", "and", "of"}
)
_LEET = str.maketrans({"0": "o", "1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t"})


def _steps(a: str, b: str) -> bool:
    """Whether b follows a as a repeat, an alphabet or number step (up or down), or a keyboard neighbour."""
    if a == b:
        return True
    if a.isalnum() and b.isalnum() and abs(ord(a) - ord(b)) == 1:
        return True
    return any(a in row and b in row and abs(row.index(a) - row.index(b)) == 1 for row in KEYBOARD_ROWS)


def pattern_free_length(password: str) -> int:
    """Characters left once every run of three or more repeated or sequential characters is taken out."""
    text = password.lower()
    kept, start = 0, 0
    for end in range(1, len(text) + 1):
        if end < len(text) and _steps(text[end - 1], text[end]):
            continue
        run = end - start
        if run < 3:
            kept += run
        start = end
    return kept


def unmasked(password: str) -> str:
    """The word under the disguise: leading and trailing digits and symbols off, common substitutions undone,
    letters only ("P@ssw0rd!2026" -> "password")."""
    core = re.sub(r"^[^a-z@$]+|[^a-z]+$", "", password.lower())
    return re.sub(r"[^a-z]", "", core.translate(_LEET))


def _name_forms(names: Iterable[str]) -> set[str]:
    forms = set()
    for name in names:
        words = re.findall(r"[a-z]+", name.lower())
        meaningful = [word for word in words if word not in GENERIC_NAME_WORDS]
        if meaningful:
            forms.add("".join(meaningful))
        forms.update(word for word in meaningful if len(word) >= 4)
    return {form for form in forms if len(form) >= 4}


def weaknesses(password: str, *, names: Iterable[str], common: frozenset[str]) -> list[str]:
    """Plain-English reasons the password is weak; empty when it is not."""
    reasons = []
    if pattern_free_length(password) < MINIMUM_PATTERN_FREE:
        reasons.append("It is mostly repeated characters or sequences (like aaaa, 1234 or qwerty).")
    letters = unmasked(password)
    every_letter = re.sub(r"[^a-z]", "", password.lower().translate(_LEET))
    if any(form in every_letter or form in letters for form in _name_forms(names)):
        reasons.append("It contains the name of the council or of this service.")
    elif len(letters) >= 4 and letters in common:
        reasons.append("It is a commonly used password with small changes.")
    return reasons
