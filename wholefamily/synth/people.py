# mypy: disable-error-code="no-any-return"
"""Residents and households of the synthetic county at the start date (definitions/synth/households.yaml, names.yaml).

`Population` holds the current state in preallocated arrays; `dynamics` moves it through time and records the
history (memberships and addresses) as segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wholefamily.synth.calendar import age_on

ROLES = ("adult", "parent", "child", "grandparent", "step_parent")
ADULT, PARENT, CHILD, GRANDPARENT, STEP_PARENT = range(5)
FEMALE, MALE = 0, 1


class NameBook:
    """Forenames (female then male) and surnames as string tables; people hold indexes into them."""

    def __init__(self, names: dict[str, Any]) -> None:
        female = list(names["forenames"]["female"])
        male = list(names["forenames"]["male"])
        self.forenames = np.array(female + male, dtype=object)
        self.female_count = len(female)
        self.male_count = len(male)
        self.surnames: list[str] = list(names["surnames"])
        self.base_surname_count = len(self.surnames)
        self._surname_index = {name: index for index, name in enumerate(self.surnames)}
        self.nicknames: dict[str, list[str]] = {key: list(value) for key, value in names["nicknames"].items()}
        self._female_weights = _zipf(len(female))
        self._male_weights = _zipf(len(male))
        self._surname_weights = _zipf(len(self.surnames))

    def draw_forenames(self, rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
        out = np.empty(len(sex), dtype=np.int32)
        is_female = sex == FEMALE
        out[is_female] = rng.choice(self.female_count, size=int(is_female.sum()), p=self._female_weights)
        out[~is_female] = self.female_count + rng.choice(
            self.male_count, size=int((~is_female).sum()), p=self._male_weights
        )
        return out

    def draw_surnames(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return rng.choice(self.base_surname_count, size=count, p=self._surname_weights).astype(np.int32)

    def double_barrelled(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Surname indexes of "First-Second" (added to the table when new); same names stay single."""
        out = first.copy()
        for position, (a, b) in enumerate(zip(first.tolist(), second.tolist(), strict=True)):
            if a == b:
                continue
            name = f"{self.surnames[a]}-{self.surnames[b]}"
            index = self._surname_index.get(name)
            if index is None:
                index = len(self.surnames)
                self.surnames.append(name)
                self._surname_index[name] = index
            out[position] = index
        return out


def _zipf(count: int) -> np.ndarray:
    weights = 1.0 / (np.arange(count) + 8.0)
    return weights / weights.sum()


@dataclass
class Population:
    """Current state of every resident and household, with room to grow (births, new households)."""

    capacity: int
    household_capacity: int
    sex: np.ndarray = field(init=False)
    dob: np.ndarray = field(init=False)
    forename: np.ndarray = field(init=False)
    surname: np.ndarray = field(init=False)
    household: np.ndarray = field(init=False)
    partner: np.ndarray = field(init=False)
    role: np.ndarray = field(init=False)
    count: int = 0
    household_count: int = 0
    household_dwelling: np.ndarray = field(init=False)
    household_risk: np.ndarray = field(init=False)
    household_formed_on: np.ndarray = field(init=False)
    household_ended_on: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n, h = self.capacity, self.household_capacity
        self.sex = np.zeros(n, dtype=np.int8)
        self.dob = np.zeros(n, dtype=np.int32)
        self.forename = np.zeros(n, dtype=np.int32)
        self.surname = np.zeros(n, dtype=np.int32)
        self.household = np.full(n, -1, dtype=np.int32)
        self.partner = np.full(n, -1, dtype=np.int32)
        self.role = np.zeros(n, dtype=np.int8)
        self.household_dwelling = np.full(h, -1, dtype=np.int64)
        self.household_risk = np.zeros(h, dtype=np.float32)
        self.household_formed_on = np.zeros(h, dtype=np.int32)
        self.household_ended_on = np.full(h, -1, dtype=np.int32)

    def add_people(
        self,
        *,
        sex: np.ndarray,
        dob: np.ndarray,
        forename: np.ndarray,
        surname: np.ndarray,
        household: np.ndarray | int,
        role: np.ndarray | int,
    ) -> np.ndarray:
        """Append people; returns their indexes."""
        count = len(sex)
        if self.count + count > self.capacity:
            raise MemoryError("population capacity exceeded")
        index = np.arange(self.count, self.count + count, dtype=np.int32)
        self.sex[index], self.dob[index], self.forename[index] = sex, dob, forename
        self.surname[index], self.household[index], self.role[index] = surname, household, role
        self.count += count
        return index

    def add_households(self, *, count: int, formed_on: int, risk: np.ndarray) -> np.ndarray:
        if self.household_count + count > self.household_capacity:
            raise MemoryError("household capacity exceeded")
        index = np.arange(self.household_count, self.household_count + count, dtype=np.int32)
        self.household_risk[index] = risk
        self.household_formed_on[index] = formed_on
        self.household_count += count
        return index


@dataclass
class _Members:
    """Member rows of households being built: local household number and attributes."""

    household: list[np.ndarray] = field(default_factory=list)
    sex: list[np.ndarray] = field(default_factory=list)
    age: list[np.ndarray] = field(default_factory=list)
    role: list[np.ndarray] = field(default_factory=list)
    surname: list[np.ndarray] = field(default_factory=list)
    partner_slot: list[np.ndarray] = field(default_factory=list)  # row offset of the partner within the same call
    twin_of_previous: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        household: np.ndarray,
        sex: np.ndarray | int,
        age: np.ndarray,
        role: int,
        surname: np.ndarray,
        *,
        partner: np.ndarray | None = None,
        twin: np.ndarray | None = None,
    ) -> None:
        n = len(household)
        self.household.append(np.asarray(household, dtype=np.int64))
        self.sex.append(np.broadcast_to(np.asarray(sex, dtype=np.int8), (n,)).copy())
        self.age.append(np.asarray(age, dtype=np.int32))
        self.role.append(np.full(n, role, dtype=np.int8))
        self.surname.append(np.asarray(surname, dtype=np.int32))
        self.partner_slot.append(np.full(n, -1, dtype=np.int64) if partner is None else partner)
        self.twin_of_previous.append(np.zeros(n, dtype=bool) if twin is None else twin)


def _children(
    rng: np.random.Generator,
    members: _Members,
    hh: np.ndarray,
    mother_age: np.ndarray,
    surname: np.ndarray,
    spec: dict[str, Any],
) -> None:
    weights = np.array(spec["count_weights"], dtype=float)
    counts = rng.choice(len(weights), size=len(hh), p=weights / weights.sum()) + 1
    rows = np.repeat(np.arange(len(hh)), counts)
    max_age = np.clip(mother_age[rows] - 19, 0, 17)
    age = (rng.random(len(rows)) * (max_age + 1)).astype(np.int32)
    # Some older mothers still have an adult child (18-23) at home.
    adult_child = (mother_age[rows] >= 42) & (rng.random(len(rows)) < 0.12)
    age = np.where(adult_child, rng.integers(18, 24, size=len(rows)), age)
    twin = np.r_[False, (rows[1:] == rows[:-1])] & (rng.random(len(rows)) < spec["twin_share"] * 2)
    members.add(hh[rows], rng.integers(0, 2, size=len(rows)), age, CHILD, surname[rows], twin=twin)


def build_households(
    rng: np.random.Generator, spec: dict[str, Any], names: NameBook, *, residents: int
) -> dict[str, np.ndarray]:
    """Member rows (household number, sex, age, role, surname, partner row, twin flag) of the start population."""
    shares = spec["composition"]
    children_spec = spec["children"]
    mean_children = float(
        np.dot(np.arange(1, 6), np.array(children_spec["count_weights"]) / sum(children_spec["count_weights"]))
    )
    sizes = {
        "single_adult": 1,
        "single_pensioner": 1,
        "pensioner_couple": 2,
        "couple_no_children": 2,
        "couple_with_children": 2 + mean_children,
        "step_family": 2.5 + mean_children,
        "lone_parent": 1 + mean_children,
        "multi_generation": 3 + mean_children,
        "sharers": 2.4,
    }
    total_share = sum(shares.values())
    mean_size = sum(shares[t] / total_share * sizes[t] for t in shares)
    household_total = max(1, round(residents / mean_size))
    type_counts = rng.multinomial(household_total, [shares[t] / total_share for t in shares])
    counts = dict(zip(shares, type_counts, strict=True))
    members = _Members()
    offset = 0

    def take(type_name: str) -> np.ndarray:
        nonlocal offset
        hh = np.arange(offset, offset + counts[type_name])
        offset += counts[type_name]
        return hh

    same_share = spec["couples"]["same_surname_share"]
    db_share = spec["children"]["double_barrelled_share"]

    def couple(hh: np.ndarray, woman_age: np.ndarray, role: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(hh)
        man_age = np.clip(woman_age + np.round(rng.normal(2, 3, n)).astype(np.int32), 18, 99)
        his = names.draw_surnames(rng, n)
        hers = np.where(rng.random(n) < same_share, his, names.draw_surnames(rng, n))
        base = sum(len(a) for a in members.household)
        members.add(hh, FEMALE, woman_age, role, hers, partner=base + n + np.arange(n))
        members.add(hh, MALE, man_age, role, his, partner=base + np.arange(n))
        return his, hers

    def child_surnames(his: np.ndarray, hers: np.ndarray) -> np.ndarray:
        differs = his != hers
        barrel = differs & (rng.random(len(his)) < db_share)
        out = np.where(differs & (rng.random(len(his)) < 0.3), hers, his)
        out[barrel] = names.double_barrelled(hers[barrel], his[barrel])
        return out

    hh = take("single_adult")
    members.add(
        hh, rng.integers(0, 2, len(hh)), rng.integers(19, 65, len(hh)), ADULT, names.draw_surnames(rng, len(hh))
    )
    hh = take("single_pensioner")
    members.add(
        hh,
        (rng.random(len(hh)) > 0.65).astype(np.int8),
        66 + rng.gamma(2.0, 5.0, len(hh)).astype(np.int32).clip(0, 33),
        ADULT,
        names.draw_surnames(rng, len(hh)),
    )
    hh = take("pensioner_couple")
    couple(hh, 66 + rng.gamma(2.0, 4.0, len(hh)).astype(np.int32).clip(0, 25), ADULT)
    hh = take("couple_no_children")
    couple(hh, rng.integers(20, 65, len(hh)), ADULT)
    hh = take("couple_with_children")
    mother_age = rng.integers(22, 51, len(hh))
    his, hers = couple(hh, mother_age, PARENT)
    _children(rng, members, hh, mother_age, child_surnames(his, hers), children_spec)
    hh = take("multi_generation")
    mother_age = rng.integers(22, 48, len(hh))
    his, hers = couple(hh, mother_age, PARENT)
    _children(rng, members, hh, mother_age, child_surnames(his, hers), children_spec)
    gran_age = np.clip(mother_age + rng.integers(22, 33, len(hh)), 45, 95)
    members.add(
        hh, (rng.random(len(hh)) > 0.65).astype(np.int8), gran_age, GRANDPARENT, names.draw_surnames(rng, len(hh))
    )
    hh = take("step_family")
    mother_age = rng.integers(24, 49, len(hh))
    his, hers = couple(hh, mother_age, PARENT)
    members.role[-1][:] = STEP_PARENT  # the man: the mother's new partner
    # The mother's children from an earlier partner keep that partner's surname (or hers).
    earlier = np.where(rng.random(len(hh)) < 0.6, names.draw_surnames(rng, len(hh)), hers)
    _children(rng, members, hh, mother_age, earlier, children_spec)
    joint = rng.random(len(hh)) < 0.4
    members.add(
        hh[joint], rng.integers(0, 2, int(joint.sum())), rng.integers(0, 4, int(joint.sum())), CHILD, his[joint]
    )
    hh = take("lone_parent")
    parent_sex = (rng.random(len(hh)) < 0.1).astype(np.int8)
    parent_age = rng.integers(18, 53, len(hh))
    own = names.draw_surnames(rng, len(hh))
    members.add(hh, parent_sex, parent_age, PARENT, own)
    kids_surname = np.where(rng.random(len(hh)) < 0.65, own, names.draw_surnames(rng, len(hh)))
    _children(rng, members, hh, parent_age, kids_surname, children_spec)
    hh = take("sharers")
    third = rng.random(len(hh)) < 0.4
    for group in (hh, hh, hh[third]):
        members.add(
            group,
            rng.integers(0, 2, len(group)),
            rng.integers(19, 41, len(group)),
            ADULT,
            names.draw_surnames(rng, len(group)),
        )
    out = {
        key: np.concatenate(getattr(members, key))
        for key in ("household", "sex", "age", "role", "surname", "partner_slot", "twin_of_previous")
    }
    out["household_total"] = np.array([household_total])
    return out


def distinct_forenames(
    rng: np.random.Generator,
    names: NameBook,
    sex: np.ndarray,
    household: np.ndarray,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Forenames for new people such that no two members of one household share one (twins included); `taken`
    holds household * 10,000 + forename keys already in use."""
    forename = names.draw_forenames(rng, sex)
    used = np.zeros(0, dtype=np.int64) if taken is None else taken
    for _ in range(20):
        keys = household.astype(np.int64) * 10_000 + forename
        order = np.argsort(keys, kind="stable")
        repeated = np.zeros(len(keys), dtype=bool)
        repeated[order[1:]] = keys[order][1:] == keys[order][:-1]
        repeated |= np.isin(keys, used)
        if not repeated.any():
            break
        forename[repeated] = names.draw_forenames(rng, sex[repeated])
    return forename


def _double_barrel_adults(
    rng: np.random.Generator, spec: dict[str, Any], names: NameBook, surname: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """A share of adults carry a double-barrelled surname of their own (couples_double_barrelled_adult_share)."""
    adults = np.flatnonzero(age >= 18)
    chosen = rng.choice(
        adults, size=round(spec["couples"]["double_barrelled_adult_share"] * len(adults)), replace=False
    )
    out = surname.copy()
    out[chosen] = names.double_barrelled(surname[chosen], names.draw_surnames(rng, len(chosen)))
    return out


def populate(
    rng: np.random.Generator, spec: dict[str, Any], names: NameBook, *, residents: int, start_on: int
) -> Population:
    """The start population: households of every type, people with dates of birth, names and partners."""
    rows = build_households(rng, spec, names, residents=residents)
    household_total = int(rows["household_total"][0])
    order = np.argsort(rows["household"], kind="stable")
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    count = len(order)
    population = Population(capacity=int(count * 1.4) + 1000, household_capacity=int(household_total * 1.8) + 1000)
    population.add_households(count=household_total, formed_on=start_on, risk=rng.standard_normal(household_total))
    age = rows["age"][order]
    dob = (start_on - age * 365.25 - rng.random(count) * 365).astype(np.int32)
    twin = rows["twin_of_previous"][order]
    for position in np.flatnonzero(twin):  # twins share a date of birth with the previous child
        dob[position] = dob[position - 1]
    sex = rows["sex"][order]
    index = population.add_people(
        sex=sex,
        dob=dob,
        forename=distinct_forenames(rng, names, sex, rows["household"][order]),
        surname=_double_barrel_adults(rng, spec, names, rows["surname"][order], age),
        household=rows["household"][order].astype(np.int32),
        role=rows["role"][order],
    )
    partner_slot = rows["partner_slot"][order]
    has_partner = partner_slot >= 0
    population.partner[index[has_partner]] = inverse[partner_slot[has_partner]]
    # People born on or after the start date do not exist yet: keep everyone born before it.
    assert (age_on(dob, start_on) >= 0).all()
    return population
