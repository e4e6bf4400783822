"""The synthetic county's area statistics: each ward's residents, children, households and deprivation decile on
30 June of every year of the history, counted from the people it made (the `area_statistics` kind).

The public figures a council imports (Ward-level mid-year population estimates (ONS), English Indices of
Deprivation, Conceptions in England and Wales (ONS)) are counts of the real population; here they are counts of the
generated one, so that rates per 1,000 residents divide the county's own identified families by its own residents.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from wholefamily.domain.contract import Contract
from wholefamily.synth.calendar import from_day, to_day
from wholefamily.synth.geography import Dwellings

WARD_CODE_PREFIX = "Z05"  # no statistical code starts with Z: a generated ward code can never be a real ward's
# Under-18 conceptions per 1,000 girls aged 15 to 17 a year, at average household risk: England's rate was about
# 15 to 20 in the years the demo covers (Conceptions in England and Wales (ONS)); the generator only needs a plausible
# scale, raised with the ward's household risk so that it follows deprivation.
CONCEPTIONS_PER_1000_GIRLS = 17.0


def ward_codes(dwellings: Dwellings) -> list[str]:
    return [f"{WARD_CODE_PREFIX}{index + 1:06d}" for index in range(len(dwellings.ward_names))]


def _live(segments: dict[str, np.ndarray], day: int, owners: int) -> np.ndarray:
    """Each owner's value on `day` (-1: none)."""
    out = np.full(owners, -1, dtype=np.int64)
    live = (segments["start"] <= day) & ((segments["end"] < 0) | (segments["end"] >= day))
    out[segments["owner"][live]] = segments["value"][live]
    return out


def _mid_years(first_day: int, last_day: int) -> list[int]:
    first, last = from_day(first_day), from_day(last_day)
    days = [to_day(dt.date(year, 6, 30)) for year in range(first.year, last.year + 1)]
    return [day for day in days if first_day <= day <= last_day]


def _aged_under(dob: np.ndarray, day: int, years: int) -> np.ndarray:
    """Born on `day` or before and not yet `years` old on it (`day` is a 30 June, never a 29 February)."""
    on = from_day(day)
    return (dob <= day) & (dob > to_day(on.replace(year=on.year - years)))


def write_area_statistics(
    rng: np.random.Generator,
    *,
    contract: Contract,
    memberships: dict[str, np.ndarray],
    dwelling_segments: dict[str, np.ndarray],
    dob: np.ndarray,
    sex: np.ndarray,
    household_risk: np.ndarray,
    dwellings: Dwellings,
    first_day: int,
    last_day: int,
    out_dir: Path,
) -> int:
    """Write `area_statistics.csv`: one row per ward and 30 June; returns the rows written.

    Population: the people who are members of a household living in a dwelling of the ward that day; households: the
    households living there. The deprivation decile ranks the wards by their households' mean latent risk at the last
    30 June, the riskiest tenth of the county's wards decile 1 (a choice: the county has too few wards to place them
    among England's, so the deciles are the county's own)."""
    wards = len(dwellings.ward_names)
    households = len(household_risk)
    codes = ward_codes(dwellings)
    days = _mid_years(first_day, last_day)
    rows: dict[str, list[object]] = {name: [] for name in contract.column_names}
    figures = []
    household_ward = np.full(households, -1, dtype=np.int64)
    for day in days:
        dwelling = _live(dwelling_segments, day, households)
        household_ward = np.where(dwelling >= 0, dwellings.ward[np.maximum(dwelling, 0)], -1)
        person_household = _live(memberships, day, len(dob))
        person_ward = np.where(person_household >= 0, household_ward[np.maximum(person_household, 0)], -1)
        living = person_ward >= 0
        children = living & _aged_under(dob, day, 18)
        girls = living & children & ~_aged_under(dob, day, 15) & (sex == 0)  # sex 0: female
        housed = household_ward >= 0
        figures.append(
            (
                day,
                np.bincount(person_ward[living], minlength=wards),
                np.bincount(person_ward[children], minlength=wards),
                np.bincount(household_ward[housed], minlength=wards),
                np.bincount(person_ward[girls], minlength=wards),
            )
        )
    housed = household_ward >= 0  # at the last 30 June
    risk_sum = np.bincount(household_ward[housed], weights=household_risk[housed], minlength=wards)
    mean_risk = risk_sum / np.maximum(np.bincount(household_ward[housed], minlength=wards), 1)
    rank = np.empty(wards, dtype=np.int64)
    rank[np.argsort(-mean_risk, kind="stable")] = np.arange(wards)
    decile = rank * 10 // wards + 1
    relative_risk = np.exp(mean_risk - mean_risk.mean())  # the latent risk is a standard normal score
    for day, population, aged_0_17, household_total, girls_15_17 in figures:
        year = from_day(day).year
        conceptions = rng.poisson(girls_15_17 * CONCEPTIONS_PER_1000_GIRLS / 1000 * relative_risk)
        for ward in range(wards):
            values = {
                "source_record_id": f"{codes[ward]}-{year}",
                "ward_code": codes[ward],
                "ward_name": dwellings.ward_names[ward],
                "district": dwellings.district_names[int(dwellings.ward_districts[ward])],
                "estimate_on": from_day(day),
                "population": int(population[ward]),
                "population_0_17": int(aged_0_17[ward]),
                "households": int(household_total[ward]),
                "deprivation_decile": int(decile[ward]),
                "under_18_conceptions": int(conceptions[ward]),
            }
            for name in contract.column_names:
                rows[name].append(values[name])
    out_dir.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(
        pa.table(rows), out_dir / f"{contract.kind}.csv", write_options=pacsv.WriteOptions(quoting_style="needed")
    )
    return len(days) * wards
