# mypy: disable-error-code="no-any-return"
"""Families' headline problems through time: a latent family risk, profiles drawn with the calibrated prevalence,
a keep-or-redraw chain between terms, and the worked-with families who lose problems by the effect size.

States are kept per household, problem and period. In the three periods (12 months) ending on the reference date a
family's states are constant, so that the events made from them give the truth-side evaluator exactly the
configured number of eligible families (definitions/synth/prevalence.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wholefamily.synth.calendar import Calendar, age_on, random_days

PROBLEMS = ("crime", "education", "need_help", "work", "domestic_abuse", "health")
CRIME, EDUCATION, NEED_HELP, WORK, DOMESTIC_ABUSE, HEALTH = range(6)


@dataclass
class Timeline:
    """Where everyone lives each period, and each household's problems."""

    household_at: np.ndarray  # (people, periods) household at the period's end (-1: not born); window: at reference
    states: np.ndarray  # (households, problems, periods) bool
    counterfactual: np.ndarray  # the states worked-with families would have had without the work
    effect_from: np.ndarray  # (households,) first period the worked-with effect applies, or a large number
    worked_with: dict[str, np.ndarray]  # household, start_on
    families_at_reference: np.ndarray  # household ids
    targets: dict[str, int]
    residents_at_reference: int


def households_at_period_ends(memberships: dict[str, np.ndarray], people: int, calendar: Calendar) -> np.ndarray:
    at = np.full((people, calendar.periods), -1, dtype=np.int32)
    start, end = memberships["start"], memberships["end"]
    for period, day in enumerate(calendar.ends):
        live = (start <= day) & ((end < 0) | (end >= day))
        at[memberships["owner"][live], period] = memberships["value"][live]
    window = calendar.window
    at[:, window.start : window.stop] = at[:, [calendar.reference_period]]
    return at


def school_age(dob: np.ndarray, calendar: Calendar) -> np.ndarray:
    """(people, periods): of compulsory school age (Reception to Year 11) in the period's academic year."""
    out = np.zeros((len(dob), calendar.periods), dtype=bool)
    for period, year in enumerate(calendar.academic_years):
        age = age_on(dob, int((np.datetime64(f"{year}-08-31") - np.datetime64("1970-01-01")).astype(int)))
        out[:, period] = (age >= 4) & (age <= 15)
    return out


def _gumbel_top(rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, count: int) -> np.ndarray:
    if count > len(candidates):
        raise ValueError(f"only {len(candidates)} families can carry the problems asked of {count}")
    keys = np.log(weights) - np.log(-np.log(rng.random(len(candidates))))
    return candidates[np.argsort(-keys, kind="stable")[:count]]


def _feasible(
    dob: np.ndarray, at: np.ndarray, is_school_age: np.ndarray, calendar: Calendar, households: int, period: int
) -> tuple[np.ndarray, np.ndarray]:
    """(households, problems): which problems a family could show through the 12 months ending with `period`; and
    (households,): whether it has an adult of working age throughout (2012 work needs an adult on benefits)."""
    first_period = max(0, period - 2)
    first = int(calendar.starts[first_period])
    last = int(calendar.ends[period])
    age_first = age_on(dob, first)
    at_end = at[:, period]
    present = (at_end >= 0) & (age_first >= 0)  # there through the whole window
    age_last = age_on(dob, last)
    feasible = np.zeros((households, len(PROBLEMS)), dtype=bool)

    def any_member(mask: np.ndarray) -> np.ndarray:
        return np.bincount(at_end[present & mask], minlength=households) > 0

    feasible[:, CRIME] = any_member(age_first >= 10)
    feasible[:, EDUCATION] = any_member(np.asarray(is_school_age[:, first_period : period + 1].all(axis=1)))
    feasible[:, NEED_HELP] = any_member(age_last < 18)
    feasible[:, WORK] = any_member(((age_first >= 18) & (age_last <= 64)) | ((age_first >= 16) & (age_last <= 18)))
    feasible[:, DOMESTIC_ABUSE] = any_member(age_first >= 16)
    feasible[:, HEALTH] = any_member(np.ones_like(present))
    return feasible, any_member((age_first >= 18) & (age_last <= 64))


def _stationary(spec: dict[str, Any], risk: np.ndarray) -> np.ndarray:
    shares = np.array([spec["stationary_share"][name] for name in PROBLEMS])
    logit = np.log(shares / (1 - shares))
    loading = spec["risk_loading"]
    b = np.array([loading[name] for name in PROBLEMS]) if isinstance(loading, dict) else np.full(len(PROBLEMS), loading)
    return 1 / (1 + np.exp(-(logit[None, :] + b[None, :] * risk[:, None] - b[None, :] ** 2 / 2)))


def _assign_reference(
    rng: np.random.Generator,
    spec: dict[str, Any],
    families: np.ndarray,
    feasible: tuple[np.ndarray, np.ndarray],
    risk: np.ndarray,
    pi: np.ndarray,
    n2012: int,
    n2015: int,
) -> np.ndarray:
    """(families, problems) states at the reference date with exact eligible counts."""
    states = np.zeros((len(families), len(PROBLEMS)), dtype=bool)
    f = feasible[0][families]
    core = f[:, CRIME] & f[:, EDUCATION] & feasible[1][families]
    weights = np.exp(1.5 * risk[families])
    group_a = _gumbel_top(rng, np.flatnonzero(core), weights[core], n2012)
    states[group_a, CRIME] = states[group_a, EDUCATION] = states[group_a, WORK] = True
    for name, share in spec["extra_problem_share_of_2012_families"].items():
        index = PROBLEMS.index(name)
        states[group_a, index] = f[group_a, index] & (rng.random(len(group_a)) < share)
    rest = np.ones(len(families), dtype=bool)
    rest[group_a] = False
    capable = rest & (f.sum(axis=1) >= 2)
    group_b = _gumbel_top(rng, np.flatnonzero(capable), weights[capable], max(0, n2015 - n2012))
    count_weights = np.array(spec["other_2015_problem_count_weights"], dtype=float)
    wanted = np.minimum(
        rng.choice(len(count_weights), size=len(group_b), p=count_weights / count_weights.sum()) + 2,
        f[group_b].sum(axis=1),
    )
    priority = np.where(f[group_b], rng.random((len(group_b), len(PROBLEMS))), np.inf)
    rank = np.argsort(np.argsort(priority, axis=1), axis=1)
    chosen = rank < wanted[:, None]
    all_core = chosen[:, CRIME] & chosen[:, EDUCATION] & chosen[:, WORK]
    chosen[all_core, WORK] = False  # not all three 2012 problems: that family would be in the 2012 count
    states[group_b] = chosen
    rest[group_b] = False
    # Everyone else: the chain's own draw, cut to at most one problem.
    others = np.flatnonzero(rest)
    draw = (rng.random((len(others), len(PROBLEMS))) < pi[families[others]]) & f[others]
    keep = np.where(draw, rng.random(draw.shape), -1.0).argmax(axis=1)
    has_any = draw.any(axis=1)
    states[others[has_any], keep[has_any]] = True
    return states


def _profiles(
    rng: np.random.Generator,
    spec: dict[str, Any],
    calendar: Calendar,
    period: int,
    *,
    dob: np.ndarray,
    at: np.ndarray,
    is_school_age: np.ndarray,
    risk: np.ndarray,
    pi: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, dict[str, int], int]:
    """Fresh problem profiles of every household for one period, with the calibrated number of eligible families."""
    households = len(risk)
    at_end = at[:, period]
    residents = int((at_end >= 0).sum())
    # Away from the reference window a family's profile may change inside a 12-month window, which the evaluator sees
    # as a union of problems: the correction factors offset that (measured, see prevalence.yaml).
    correction = spec.get("off_reference_correction", {}) if period != calendar.reference_period else {}
    targets = {
        name: round(spec["targets"][name]["families_per_1000_residents"] * correction.get(name, 1.0) * residents / 1000)
        for name in ("tf2012", "tf2015")
    }
    age_end = age_on(dob, int(calendar.ends[period]))
    families = np.unique(at_end[(at_end >= 0) & (age_end < 18)])
    feasible = _feasible(dob, at, is_school_age, calendar, households, period)
    profiles = rng.random((households, len(PROBLEMS))) < pi
    profiles[families] = _assign_reference(
        rng, spec, families, feasible, risk, pi, targets["tf2012"], targets["tf2015"]
    )
    return profiles, families, targets, residents


def build_timeline(
    rng: np.random.Generator,
    spec: dict[str, Any],
    calendar: Calendar,
    *,
    dob: np.ndarray,
    memberships: dict[str, np.ndarray],
    risk: np.ndarray,
    worked_share: float,
    effect_size: float,
) -> Timeline:
    """Problem states: each term a household keeps its profile (chance `persistence`) or takes a fresh one drawn with
    the calibrated prevalence, so every term carries about the target numbers; the reference window is exact.

    Worked-with families: from the first full term after their start, each problem they would have had (the chain
    runs on underneath, unchanged) is absent with probability `effect_size`.
    """
    people = len(dob)
    households = len(risk)
    at = households_at_period_ends(memberships, people, calendar)
    is_school_age = school_age(dob, calendar)
    pi = _stationary(spec, risk)
    persistence = float(spec["persistence"])
    window = calendar.window
    reference, families, targets, residents = _profiles(
        rng, spec, calendar, calendar.reference_period, dob=dob, at=at, is_school_age=is_school_age, risk=risk, pi=pi
    )
    states = np.zeros((households, len(PROBLEMS), calendar.periods), dtype=bool)
    states[:, :, window.start : window.stop] = reference[:, :, None]
    # Keep-or-redraw with fresh profiles of the same distribution is reversible: run it backwards, then forwards.
    for period in [*range(window.start - 1, -1, -1), *range(window.stop, calendar.periods)]:
        neighbour = period + 1 if period < window.start else period - 1
        fresh, *_ = _profiles(
            rng, spec, calendar, period, dob=dob, at=at, is_school_age=is_school_age, risk=risk, pi=pi
        )
        keep = rng.random(households) < persistence
        states[:, :, period] = np.where(keep[:, None], states[:, :, neighbour], fresh)
    # Worked-with families and their start dates.
    eligible = families[reference[families].sum(axis=1) >= 2]
    chosen = np.sort(rng.choice(eligible, size=round(worked_share * len(eligible)), replace=False))
    start_on = random_days(
        rng,
        np.full(len(chosen), calendar.reference_on + 1),
        np.full(len(chosen), calendar.reference_on + int(spec["worked_with"]["start_within_days"])),
    )
    effect_from = np.full(households, 10**6, dtype=np.int32)
    effect_from[chosen] = np.searchsorted(calendar.starts, start_on, side="left")
    counterfactual = states.copy()
    for period in range(window.stop, calendar.periods):
        treated = np.flatnonzero(effect_from <= period)
        dropped = rng.random((len(treated), len(PROBLEMS))) < effect_size
        states[treated, :, period] &= ~dropped
    return Timeline(
        household_at=at,
        states=states,
        counterfactual=counterfactual,
        effect_from=effect_from,
        worked_with={"household": chosen.astype(np.int32), "start_on": start_on},
        families_at_reference=families,
        targets=targets,
        residents_at_reference=residents,
    )
