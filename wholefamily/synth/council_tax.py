"""Council tax listings: who the council's revenues and benefits system lists at each property, on which account.

One account per household per dwelling it occupies. Adults are listed as liable (the first adult always; others as
joint holders with `joint_liable_share`); households claiming council tax reduction (more likely the higher the
household's latent risk) also list partners, dependent children and non-dependant adults. A person's listing runs
from the day they join the household at the dwelling to the day they leave it (open while they are there).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wholefamily.synth.people import CHILD

ADULT_AGE_DAYS = 18 * 365 + 4


def person_stays(memberships: dict[str, np.ndarray], dwellings: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each person's stays: a household membership clipped to one of the household's dwelling segments.

    Columns person, household, role, start, end (-1 while open) and dwelling, sorted by person then start."""
    big = np.int64(100_000)
    d_order = np.lexsort((dwellings["start"], dwellings["owner"]))
    d_owner, d_start = dwellings["owner"][d_order], dwellings["start"][d_order]
    d_end, d_value = dwellings["end"][d_order], dwellings["value"][d_order]
    keys = d_owner.astype(np.int64) * big + d_start
    m_start, m_end, m_hh = memberships["start"], memberships["end"], memberships["value"]
    first = np.maximum(np.searchsorted(keys, m_hh * big + m_start, side="right") - 1, 0)
    last_day = np.where(m_end < 0, 10**5 - 1, m_end)
    last = np.searchsorted(keys, m_hh * big + last_day, side="right") - 1
    counts = np.maximum(last - first + 1, 0)
    rows = np.repeat(np.arange(len(m_start)), counts)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    seg = first[rows] + offsets
    start = np.maximum(m_start[rows], d_start[seg])
    seg_end = np.where(d_end[seg] < 0, 10**5 - 1, d_end[seg])
    end = np.minimum(np.where(m_end[rows] < 0, 10**5 - 1, m_end[rows]), seg_end)
    keep = (end >= start) & (d_owner[seg] == m_hh[rows])
    person = memberships["owner"][rows][keep]
    household, role = m_hh[rows][keep], memberships["role"][rows][keep]
    start, end, dwelling = start[keep], end[keep], d_value[seg][keep]
    order = np.lexsort((start, person))
    end = np.where(end >= 10**5 - 1, -1, end)
    return {
        "person": person[order],
        "household": household[order],
        "role": role[order],
        "start": start[order].astype(np.int32),
        "end": end[order].astype(np.int32),
        "dwelling": dwelling[order],
    }


def listings(
    rng: np.random.Generator,
    stays: dict[str, np.ndarray],
    *,
    dob: np.ndarray,
    household_risk: np.ndarray,
    spec: dict[str, Any],
) -> dict[str, np.ndarray]:
    """The council_tax kind's rows (person, on, account_ref, listed_as, start_on, end_on)."""
    person, household, start = stays["person"], stays["household"], stays["start"]
    account_key = household.astype(np.int64) * 1_000_000 + stays["dwelling"].astype(np.int64)
    accounts, account = np.unique(account_key, return_inverse=True)
    numbers = rng.permutation(len(accounts)) + 10_000_001
    on_reduction_by_account = rng.random(len(accounts)) < 1 / (
        1 + np.exp(-(spec["reduction_logit"] + spec["reduction_risk_loading"] * household_risk[accounts // 1_000_000]))
    )
    on_reduction = on_reduction_by_account[account]
    is_adult = (start - dob[person]) >= ADULT_AGE_DAYS
    is_child_role = stays["role"] == CHILD
    adult_member = is_adult & ~is_child_role
    # the account holder: the first adult listed on each account (by start, then person)
    order = np.lexsort((person, start, ~adult_member, account))
    first_of_account = np.zeros(len(person), dtype=bool)
    boundaries = np.r_[True, account[order][1:] != account[order][:-1]]
    first_of_account[order[boundaries & adult_member[order]]] = True
    joint = adult_member & ~first_of_account & (rng.random(len(person)) < spec["joint_liable_share"])
    liable = first_of_account | joint
    listed = liable | on_reduction
    listed_as = np.where(
        liable,
        "liable",
        np.where(adult_member, "partner", np.where(is_adult, "non_dependant", "dependant")),
    ).astype(object)
    index = np.flatnonzero(listed)
    return {
        "person": person[index].astype(np.int32),
        "on": start[index],
        "account_ref": np.array([f"CT{number:08d}" for number in numbers[account[index]]], dtype=object),
        "listed_as": listed_as[index],
        "start_on": start[index],
        "end_on": stays["end"][index],
    }
