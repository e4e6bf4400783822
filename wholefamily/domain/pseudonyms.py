"""Pseudonyms for analysts' exports, as pure functions (ADR 0020): a keyed hash of a person's stable id, so an export
can be joined and counted but names nobody, and only the service, holding the key, can turn a pseudonym back.

A pseudonym is "X" and 20 hex characters (80 bits) of HMAC-SHA256 over "person:" and the person id; a family's is
"F" and the same over "family:" and the family id, so the two never collide or coincide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

PERSON_PREFIX = "X"
FAMILY_PREFIX = "F"
DIGITS = 20
PATTERN = re.compile(rf"^{PERSON_PREFIX}[0-9a-f]{{{DIGITS}}}$")
MOST_AT_ONCE = 1000
"""The most pseudonyms one re-identification may name: a list of people to contact, not a cohort."""

AGE_BANDS = ((0, 4), (5, 10), (11, 15), (16, 17), (18, 24), (25, 34), (35, 49), (50, 64), (65, 200))


class PseudonymListError(ValueError):
    """A list of pseudonyms that cannot be re-identified as it is, with a message for the person who sent it."""


def _keyed(key: str, text: str) -> str:
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGITS]


def person_pseudonym(person_id: str, *, key: str) -> str:
    if not key:
        raise ValueError("A pseudonym needs a key")
    return PERSON_PREFIX + _keyed(key, f"person:{person_id}")


def family_pseudonym(family_id: str, *, key: str) -> str:
    if not key:
        raise ValueError("A pseudonym needs a key")
    return FAMILY_PREFIX + _keyed(key, f"family:{family_id}")


def age_band(date_of_birth: dt.date | None, *, on: dt.date) -> str:
    """An age band instead of the date of birth (a date of birth with a postcode singles most people out)."""
    if date_of_birth is None:
        return ""
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return ""


def parse_list(text: str) -> list[str]:
    """The pseudonyms in what was pasted or read from a file (one a line, or separated by commas or spaces), in
    order, each once; refuses anything that is not a person's pseudonym, naming the first few, and a list too long."""
    found: list[str] = []
    wrong: list[str] = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token or token.lower() == "pseudonym":  # a file's header
            continue
        value = PERSON_PREFIX + token[1:].lower() if token[:1] in {"x", "X"} else token
        if not PATTERN.match(value):
            wrong.append(token[:30])
        elif value not in found:
            found.append(value)
    if wrong:
        shown = ", ".join(wrong[:3]) + (f" and {len(wrong) - 3} more" if len(wrong) > 3 else "")
        raise PseudonymListError(f"These are not pseudonyms from a WholeFamily export: {shown}")
    if not found:
        raise PseudonymListError("Enter at least one pseudonym")
    if len(found) > MOST_AT_ONCE:
        raise PseudonymListError(f"Enter at most {MOST_AT_ONCE:,} pseudonyms at once (you entered {len(found):,})")
    return found
