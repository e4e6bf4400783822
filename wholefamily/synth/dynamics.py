# mypy: disable-error-code="no-any-return"
"""Life events through time: moves, births, children leaving home, separations and new step-families.

The state lives in `Population`; the history is written as segments: who lived in which household from when to
when (memberships, end inclusive, -1 while open) and which dwelling a household occupied from when to when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wholefamily.synth.calendar import Calendar, age_on, random_days
from wholefamily.synth.people import (
    ADULT,
    CHILD,
    FEMALE,
    PARENT,
    STEP_PARENT,
    NameBook,
    Population,
    distinct_forenames,
)


class Segments:
    """Growable columns of (owner, value, role, start, end) intervals."""

    def __init__(self, capacity: int) -> None:
        self.owner = np.zeros(capacity, dtype=np.int32)
        self.value = np.zeros(capacity, dtype=np.int64)
        self.role = np.zeros(capacity, dtype=np.int8)
        self.start = np.zeros(capacity, dtype=np.int32)
        self.end = np.full(capacity, -1, dtype=np.int32)
        self.count = 0

    def open(self, owner: np.ndarray, value: np.ndarray, start: np.ndarray, role: np.ndarray | int = 0) -> np.ndarray:
        n = len(owner)
        if self.count + n > len(self.owner):
            grow = max(n, len(self.owner) // 2)
            for name in ("owner", "value", "role", "start"):
                column = getattr(self, name)
                setattr(self, name, np.concatenate([column, np.zeros(grow, dtype=column.dtype)]))
            self.end = np.concatenate([self.end, np.full(grow, -1, dtype=np.int32)])
        index = np.arange(self.count, self.count + n)
        self.owner[index], self.value[index], self.start[index], self.role[index] = owner, value, start, role
        self.count += n
        return index

    def columns(self) -> dict[str, np.ndarray]:
        n = self.count
        return {
            "owner": self.owner[:n],
            "value": self.value[:n],
            "role": self.role[:n],
            "start": self.start[:n],
            "end": self.end[:n],
        }


@dataclass
class History:
    memberships: Segments  # owner person, value household, role
    dwellings: Segments  # owner household, value dwelling index
    person_segment: np.ndarray  # open membership segment of each person
    household_segment: np.ndarray  # open dwelling segment of each household


class Vacancies:
    """Empty dwellings, taken in random order and given back when a household leaves."""

    def __init__(self, free: np.ndarray) -> None:
        self.free = free

    def take(self, count: int) -> np.ndarray:
        if count > len(self.free):
            raise RuntimeError("the county has run out of empty dwellings: raise dwellings_per_household")
        taken, self.free = self.free[:count], self.free[count:]
        return taken

    def give_back(self, dwellings: np.ndarray) -> None:
        self.free = np.concatenate([self.free, dwellings])


def start_history(
    rng: np.random.Generator, population: Population, *, dwelling_count: int, start_on: int
) -> tuple[History, Vacancies]:
    order = rng.permutation(dwelling_count)
    households = population.household_count
    population.household_dwelling[:households] = order[:households]
    vacancies = Vacancies(order[households:])
    memberships = Segments(int(population.count * 2))
    dwellings = Segments(int(households * 2))
    people = np.arange(population.count, dtype=np.int32)
    person_segment = np.full(population.capacity, -1, dtype=np.int64)
    household_segment = np.full(population.household_capacity, -1, dtype=np.int64)
    person_segment[people] = memberships.open(
        people, population.household[people], np.full(len(people), start_on), population.role[people]
    )
    hh = np.arange(households, dtype=np.int32)
    household_segment[hh] = dwellings.open(hh, population.household_dwelling[hh], np.full(households, start_on))
    return History(memberships, dwellings, person_segment, household_segment), vacancies


def _move_people(
    population: Population, history: History, people: np.ndarray, households: np.ndarray, on: np.ndarray, role: int
) -> None:
    history.memberships.end[history.person_segment[people]] = on - 1
    population.household[people] = households
    population.role[people] = role
    history.person_segment[people] = history.memberships.open(people, households, on, population.role[people])


def _new_households(
    rng: np.random.Generator,
    population: Population,
    history: History,
    vacancies: Vacancies,
    origin: np.ndarray,
    on: np.ndarray,
    inheritance: float,
) -> np.ndarray:
    risk = inheritance * population.household_risk[origin] + np.sqrt(1 - inheritance**2) * rng.standard_normal(
        len(origin)
    )
    households = population.add_households(count=len(origin), formed_on=0, risk=risk)
    population.household_formed_on[households] = on
    dwellings = vacancies.take(len(households))
    population.household_dwelling[households] = dwellings
    history.household_segment[households] = history.dwellings.open(households, dwellings, on)
    return households


def _end_households(
    population: Population, history: History, vacancies: Vacancies, households: np.ndarray, on: np.ndarray
) -> None:
    population.household_ended_on[households] = on - 1
    history.dwellings.end[history.household_segment[households]] = on - 1
    history.household_segment[households] = -1
    vacancies.give_back(population.household_dwelling[households])
    population.household_dwelling[households] = -1


def _forename_keys(population: Population, households: np.ndarray) -> np.ndarray:
    """household * 10,000 + forename of the people now living in `households`."""
    n = population.count
    living = np.isin(population.household[:n], households)
    return population.household[:n][living].astype(np.int64) * 10_000 + population.forename[:n][living]


def _pick(rng: np.random.Generator, mask: np.ndarray, probability: float) -> np.ndarray:
    candidates = np.flatnonzero(mask)
    return candidates[rng.random(len(candidates)) < probability]


def step_period(
    rng: np.random.Generator,
    population: Population,
    history: History,
    vacancies: Vacancies,
    names: NameBook,
    *,
    first: int,
    last: int,
    rates: dict[str, Any],
    spec: dict[str, Any],
    inheritance: float,
) -> None:
    """One period of life events, each person and household changing at most once."""
    n = population.count
    people = np.arange(n)
    age = age_on(population.dob[:n], first)
    hh = population.household[:n]
    sizes = np.bincount(hh, minlength=population.household_count)
    changed = np.zeros(n, dtype=bool)

    # Whole households move.
    living = np.flatnonzero(sizes > 0)
    movers = living[rng.random(len(living)) < rates["household_moves"] / 3]
    if len(movers):
        on = random_days(rng, np.full(len(movers), first), np.full(len(movers), last))
        history.dwellings.end[history.household_segment[movers]] = on - 1
        vacancies.give_back(population.household_dwelling[movers])
        new = vacancies.take(len(movers))
        population.household_dwelling[movers] = new
        history.household_segment[movers] = history.dwellings.open(movers, new, on)

    # Births to women aged 18-44 living as parents.
    partner = population.partner[:n]
    partnered = (partner >= 0) & (population.household[np.maximum(partner, 0)] == hh)
    mothers_mask = (
        (population.sex[:n] == FEMALE)
        & (age >= 18)
        & (age <= 44)
        & np.isin(population.role[:n], (PARENT, ADULT, STEP_PARENT))
    )
    mothers = np.concatenate(
        [
            _pick(rng, mothers_mask & partnered, rates["birth_to_partnered_woman_18_44"] / 3),
            _pick(
                rng,
                mothers_mask & ~partnered & (population.role[:n] == PARENT),
                rates["birth_to_lone_mother_18_44"] / 3,
            ),
        ]
    )
    if len(mothers):
        twins = rng.random(len(mothers)) < spec["children"]["twin_share"]
        mothers = np.sort(np.concatenate([mothers, mothers[twins]]))
        born = random_days(rng, np.full(len(mothers), first), np.full(len(mothers), last))
        born[1:][mothers[1:] == mothers[:-1]] = born[:-1][mothers[1:] == mothers[:-1]]
        fathers = population.partner[mothers]
        with_father = (fathers >= 0) & partnered[mothers]
        surname = np.where(with_father, population.surname[np.maximum(fathers, 0)], population.surname[mothers])
        sex = rng.integers(0, 2, len(mothers)).astype(np.int8)
        babies = population.add_people(
            sex=sex,
            dob=born,
            forename=distinct_forenames(
                rng,
                names,
                sex,
                population.household[mothers],
                taken=_forename_keys(population, population.household[mothers]),
            ),
            surname=surname,
            household=population.household[mothers],
            role=CHILD,
        )
        # First-time parents: their membership goes on in a new segment with the role of parent from the birth.
        parents = np.concatenate([mothers, fathers[with_father]])
        on = np.concatenate([born, born[with_father]])
        _, first_seen = np.unique(parents, return_index=True)
        parents, on = parents[first_seen], on[first_seen]
        new_parents = population.role[parents] == ADULT
        parents, on = parents[new_parents], on[new_parents]
        _move_people(population, history, parents, population.household[parents], on, PARENT)
        changed[parents] = True
        history.person_segment[babies] = history.memberships.open(babies, population.household[babies], born, CHILD)

    # Adult children leave home to live alone.
    leavers = _pick(
        rng, (population.role[:n] == CHILD) & (age >= 18) & (age <= 30), rates["child_leaves_home_18_30"] / 3
    )
    if len(leavers):
        on = random_days(rng, np.full(len(leavers), first), np.full(len(leavers), last))
        new = _new_households(rng, population, history, vacancies, population.household[leavers], on, inheritance)
        _move_people(population, history, leavers, new, on, ADULT)
        changed[leavers] = True

    # Couples with children separate: the man (or the step-parent) leaves.
    has_children = np.bincount(hh[(population.role[:n] == CHILD) & ~changed], minlength=population.household_count) > 0
    leaving_mask = partnered & (population.sex[:n] != FEMALE) & has_children[hh] & ~changed
    leaving = _pick(rng, leaving_mask, rates["separation_of_couple_with_children"] / 3)
    if len(leaving):
        on = random_days(rng, np.full(len(leaving), first), np.full(len(leaving), last))
        left = population.partner[leaving]
        new = _new_households(rng, population, history, vacancies, population.household[leaving], on, inheritance)
        _move_people(population, history, leaving, new, on, ADULT)
        population.partner[leaving] = -1
        population.partner[left] = -1
        population.role[left] = PARENT
        changed[leaving] = True
        changed[left] = True

    # Lone parents re-partner with a single adult of the other sex, who moves in: a step-family.
    hh = population.household[:n]
    has_children = np.bincount(hh[population.role[:n] == CHILD], minlength=population.household_count) > 0
    lone_mask = (population.role[:n] == PARENT) & ~partnered & ~changed & has_children[hh] & (age < 50)
    lone = _pick(rng, lone_mask, rates["repartnering_of_lone_parent"] / 3)
    sizes = np.bincount(hh, minlength=population.household_count)
    moved = np.zeros(population.household_count, dtype=bool)
    moved[movers] = True  # a household that moved this period does not also end in it
    single = (
        (sizes[population.household[:n]] == 1)
        & (population.role[:n] == ADULT)
        & (age >= 22)
        & (age <= 55)
        & ~changed
        & ~moved[population.household[:n]]
    )
    for sex_of_parent in (0, 1):
        parents = lone[population.sex[lone] == sex_of_parent]
        candidates = rng.permutation(people[single & (population.sex[:n] == 1 - sex_of_parent)])
        pairs = min(len(parents), len(candidates))
        if pairs == 0:
            continue
        parents, joiners = parents[:pairs], candidates[:pairs]
        on = random_days(rng, np.full(pairs, first), np.full(pairs, last))
        old = population.household[joiners]
        _move_people(population, history, joiners, population.household[parents], on, STEP_PARENT)
        _end_households(population, history, vacancies, old, on)
        population.partner[joiners] = parents
        population.partner[parents] = joiners
        changed[joiners] = True
        changed[parents] = True


def simulate(
    rng: np.random.Generator,
    population: Population,
    names: NameBook,
    calendar: Calendar,
    *,
    spec: dict[str, Any],
    dwelling_count: int,
    inheritance: float,
    progress: Callable[[int], None] | None = None,
) -> History:
    """Run the life events through every period of the calendar."""
    history, vacancies = start_history(rng, population, dwelling_count=dwelling_count, start_on=int(calendar.starts[0]))
    rates = spec["events_per_year"]
    for period in range(calendar.periods):
        step_period(
            rng,
            population,
            history,
            vacancies,
            names,
            # Nothing changes on the first day: the start population's segments begin then.
            first=int(calendar.starts[period]) + (period == 0),
            last=int(calendar.ends[period]),
            rates=rates,
            spec=spec,
            inheritance=inheritance,
        )
        if progress:
            progress(1)
    return history
