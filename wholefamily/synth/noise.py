"""How an agency holds a person: its own register (ids, names, date of birth with noise) and per-record noise.

Rates come from definitions/synth/noise.yaml; each is applied to an exact count, round(rate x eligible), so that the
measured rates of a county of any size match the configured ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from wholefamily.synth.calendar import civil_parts, to_day
from wholefamily.synth.definitions import AgencyNoise

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def exact_pick(rng: np.random.Generator, eligible: np.ndarray, rate: float, *, total: int | None = None) -> np.ndarray:
    """Indexes (into `eligible`'s positions where True) of round(rate x count) chosen at random."""
    candidates = np.flatnonzero(eligible)
    count = min(len(candidates), round(rate * (len(candidates) if total is None else total)))
    return np.sort(rng.choice(candidates, size=count, replace=False)) if count else np.zeros(0, dtype=np.int64)


def typo(rng: np.random.Generator, text: str) -> str:
    """One keying error: a letter substituted, dropped, doubled or two letters transposed."""
    for _ in range(10):
        position = int(rng.integers(0, len(text)))
        operation = int(rng.integers(0, 4))
        letter = LETTERS[int(rng.integers(0, 26))]
        if operation == 0:
            out = text[:position] + (letter.upper() if position == 0 else letter) + text[position + 1 :]
        elif operation == 1 and len(text) > 2:
            out = text[:position] + text[position + 1 :]
            out = out[:1].upper() + out[1:]
        elif operation == 2:
            out = text[: position + 1] + text[position].lower() + text[position + 1 :]
        else:
            if position >= len(text) - 1:
                continue
            out = text[:position] + text[position + 1] + text[position] + text[position + 2 :]
            out = out[:1].upper() + out[1:].lower() if text[1:].islower() else out
        if out != text and out:
            return out
    return text + "e"


def barrel_variant(rng: np.random.Generator, surname: str) -> str:
    first, _, second = surname.partition("-")
    return (first, second, f"{first} {second}")[int(rng.integers(0, 3))]


@dataclass
class Register:
    """An agency's persons: one row per true person it holds (plus duplicate registrations)."""

    person: np.ndarray  # true person index, sorted
    source_person_id: np.ndarray  # object strings
    alternate_id: np.ndarray  # object strings or None: a duplicate registration's id
    identifier: np.ndarray | None  # object strings (kind identifier) or None
    alternate_identifier: np.ndarray | None
    forename: np.ndarray
    surname: np.ndarray
    dob: np.ndarray  # int32
    noise: np.ndarray  # object: ";"-joined person-level noise names

    def rows_of(self, people: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.person, people)


def build_register(
    rng: np.random.Generator,
    agency: AgencyNoise,
    people: np.ndarray,
    *,
    forenames: np.ndarray,
    surnames: np.ndarray,
    dob: np.ndarray,
    nicknames: dict[str, list[str]],
    ids: np.ndarray,
    alternate_ids: np.ndarray,
    identifiers: np.ndarray | None,
    alternate_identifiers: np.ndarray | None,
) -> Register:
    """Apply the agency's person-level noise (names, date of birth, duplicates) to the true identities."""
    n = len(people)
    rates = agency.rates
    forename = forenames[people].copy()
    surname = surnames[people].copy()
    born = dob[people].copy()
    noise: list[list[str]] = [[] for _ in range(n)]
    taken = np.zeros(n, dtype=bool)

    def mark(rows: np.ndarray, name: str) -> None:
        taken[rows] = True
        for row in rows.tolist():
            noise[row].append(name)

    has_barrel = np.array(["-" in s for s in surname.tolist()], dtype=bool)
    has_nickname = np.array([f in nicknames for f in forename.tolist()], dtype=bool)
    rows = exact_pick(rng, has_barrel, rates["double_barrel_variant"])
    surname[rows] = [barrel_variant(rng, s) for s in surname[rows].tolist()]
    mark(rows, "double_barrel_variant")
    rows = exact_pick(rng, has_nickname & ~taken, rates["nickname"], total=int(has_nickname.sum()))
    forename[rows] = [nicknames[f][int(rng.integers(0, len(nicknames[f])))] for f in forename[rows].tolist()]
    mark(rows, "nickname")
    rows = exact_pick(rng, ~taken, rates["name_swap"], total=n)
    forename[rows], surname[rows] = surname[rows].copy(), forename[rows].copy()
    mark(rows, "name_swap")
    rows = exact_pick(rng, ~taken, rates["typo_forename"], total=n)
    forename[rows] = [typo(rng, f) for f in forename[rows].tolist()]
    mark(rows, "typo_forename")
    rows = exact_pick(rng, ~taken, rates["typo_surname"], total=n)
    surname[rows] = [typo(rng, s) for s in surname[rows].tolist()]
    mark(rows, "typo_surname")
    year, month, day = civil_parts(born)
    swappable = (day <= 12) & (day != month)
    rows = exact_pick(rng, swappable, rates["dob_day_month_swap"])
    if len(rows):
        born[rows] = [
            to_day(dt.date(int(y), int(d), int(m))) for y, m, d in zip(year[rows], month[rows], day[rows], strict=True)
        ]
    for row in rows.tolist():
        noise[row].append("dob_day_month_swap")
    duplicated = exact_pick(rng, np.ones(n, dtype=bool), rates["duplicate_person_id"])
    alternate = np.full(n, None, dtype=object)
    alternate[duplicated] = alternate_ids[: len(duplicated)]
    alternate_identifier = None
    if identifiers is not None:
        alternate_identifier = np.full(n, None, dtype=object)
        if alternate_identifiers is not None:
            alternate_identifier[duplicated] = alternate_identifiers[: len(duplicated)]
        else:
            alternate_identifier[duplicated] = identifiers[duplicated]
    for row in duplicated.tolist():
        noise[row].append("duplicate_person_id")
    return Register(
        person=people,
        source_person_id=ids,
        alternate_id=alternate,
        identifier=identifiers,
        alternate_identifier=alternate_identifier,
        forename=forename,
        surname=surname,
        dob=born,
        noise=np.array([";".join(items) for items in noise], dtype=object),
    )
