"""Truth-side evaluator of the 2012 and 2015 Troubled Families criteria over the noise-free events.

Small on purpose, so that it can be read against the sources; the real identification engine is checked against it.
A family is a household with a member under 18 on the date. Windows: the 12 months up to and including the date;
"the last 3 terms" are the three terms ending in that window.

- crime (2012): a member under 18 at the offence with a proven offence, or any member with an anti-social behaviour
  intervention, in the window (seed 003 criterion 1; seed 002 Appendix 1). 2015 adds an adult member in custody, on
  licence, or serving a community order or suspended sentence on the date.
- education (2012): a member whose absence over the last 3 terms is at least 15% of possible sessions (seed 003:
  attendance below 85%), or with 3+ fixed-term exclusions or a permanent exclusion in the window (seed 004 s3.3).
  2015 adds alternative provision or missing education overlapping the window (seed 002 Appendix 1).
- work (2012): an adult member on an out-of-work benefit (code list benefit_type is_out_of_work) or on Universal
  Credit with work-related conditions (uc_conditionality_regime has_work_related_conditions) on the date. 2015 adds
  a member whose latest NEET status in the window is NEET.
- need_help (2015): a social care episode overlapping the window or a missing episode in it.
- domestic_abuse (2015): a member recorded as victim or perpetrator of an incident in the window.
- health (2015): a member with a mental health, substance or alcohol misuse flag recorded in the window.
2012: all three of crime, education, work. 2015: two or more of the six.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from wholefamily.synth.calendar import age_on, from_day, to_day
from wholefamily.synth.problems import PROBLEMS

QUALIFYING_HEALTH_FLAGS = frozenset({"mental_health", "substance_misuse", "alcohol_misuse"})


def _year_before(day: int) -> int:
    value = from_day(day)
    try:
        earlier = value.replace(year=value.year - 1)
    except ValueError:  # 29 February
        earlier = dt.date(value.year - 1, 2, 28)
    return to_day(earlier) + 1


def _term_end(academic_year: np.ndarray, term: np.ndarray) -> np.ndarray:
    ends = {"autumn": (0, "12-31"), "spring": (1, "04-30"), "summer": (1, "08-31")}
    out = np.zeros(len(academic_year), dtype=np.int32)
    for name, (offset, month_day) in ends.items():
        mask = term == name
        years = academic_year[mask] + offset
        out[mask] = (
            np.array([to_day(dt.date.fromisoformat(f"{y}-{month_day}")) for y in years.tolist()], dtype=np.int32)
            if mask.any()
            else []
        )
    return out


def _in(values: np.ndarray, first: int, last: int) -> np.ndarray:
    return (values >= first) & (values <= last)


def _overlaps(start: np.ndarray, end: np.ndarray, first: int, last: int) -> np.ndarray:
    return (start <= last) & ((end < 0) | (end >= first))


def _open_on(start: np.ndarray, end: np.ndarray, day: int) -> np.ndarray:
    return (start <= day) & ((end < 0) | (end >= day))


def household_on(memberships: dict[str, np.ndarray], people: int, day: int) -> np.ndarray:
    at = np.full(people, -1, dtype=np.int64)
    live = _open_on(memberships["start"], memberships["end"], day)
    at[memberships["owner"][live]] = memberships["value"][live]
    return at


def evaluate(
    events: dict[str, Any],
    memberships: dict[str, Any],
    dob: np.ndarray,
    households: int,
    day: int,
    codes: dict[str, Any],
    *,
    absence_share: float = 0.15,
    fixed_exclusions: int = 3,
) -> dict[str, np.ndarray]:
    """Per household on `day`: is_family, each problem (2012 and 2015 forms) and eligibility for tf2012 / tf2015."""
    first = _year_before(day)
    at = household_on(memberships, len(dob), day)
    age = age_on(dob, day)
    is_family = np.bincount(at[(at >= 0) & (age < 18)], minlength=households) > 0

    def households_of(people: np.ndarray) -> np.ndarray:
        h = at[people]
        return np.bincount(h[h >= 0], minlength=households) > 0

    off = events["offences"]
    child_offence = (
        off["is_proven"] & _in(off["offence_on"], first, day) & (age_on(dob[off["person"]], off["offence_on"]) < 18)
    )
    asb = events["asb_interventions"]
    crime_2012 = households_of(off["person"][child_offence]) | households_of(
        asb["person"][_in(asb["intervention_on"], first, day)]
    )
    cus = events["custody_and_supervision"]
    under_order = _open_on(cus["start_on"], cus["end_on"], day) & (age[cus["person"]] >= 18)
    crime_2015 = crime_2012 | households_of(cus["person"][under_order])

    att = events["school_attendance"]
    term_end = _term_end(att["academic_year"], att["term"])
    last_terms = _in(term_end, first, day)
    pupils = att["person"][last_terms]
    absent = np.bincount(
        pupils,
        weights=(att["authorised_absence_sessions"] + att["unauthorised_absence_sessions"])[last_terms],
        minlength=len(dob),
    )
    possible = np.bincount(pupils, weights=att["possible_sessions"][last_terms], minlength=len(dob))
    persistent = (possible > 0) & (absent >= absence_share * np.maximum(possible, 1))
    exc = events["exclusions"]
    in_window = _in(exc["start_on"], first, day)
    fixed = np.bincount(exc["person"][in_window & (exc["exclusion_type"] == "fixed_term")], minlength=len(dob))
    permanent = np.bincount(exc["person"][in_window & (exc["exclusion_type"] == "permanent")], minlength=len(dob))
    education_2012 = households_of(np.flatnonzero(persistent | (fixed >= fixed_exclusions) | (permanent > 0)))
    ap, cme = events["alternative_provision"], events["children_missing_education"]
    education_2015 = (
        education_2012
        | households_of(ap["person"][_overlaps(ap["start_on"], ap["end_on"], first, day)])
        | households_of(cme["person"][_overlaps(cme["start_on"], cme["end_on"], first, day)])
    )

    ben = events["benefits"]
    out_of_work_types = np.array(sorted(codes["benefit_type"]["is_out_of_work"]), dtype=object)
    work_regimes = np.array(sorted(codes["uc_conditionality_regime"]["has_work_related_conditions"]), dtype=object)
    counts = np.isin(ben["benefit_type"], out_of_work_types) | (
        (ben["benefit_type"] == "UC") & np.isin(ben["uc_conditionality_regime"].astype(str), work_regimes)
    )
    on_benefit = counts & _open_on(ben["start_on"], ben["end_on"], day) & (age[ben["person"]] >= 18)
    work_2012 = households_of(ben["person"][on_benefit])
    neet = events["neet"]
    recent = _in(neet["recorded_on"], first, day)
    order = np.lexsort((neet["recorded_on"][recent], neet["person"][recent]))
    people = neet["person"][recent][order]
    statuses = neet["status"][recent][order]
    latest = np.r_[people[1:] != people[:-1], True] if len(people) else np.zeros(0, dtype=bool)
    neet_codes = np.array(sorted(codes["neet_status"]["is_neet"]), dtype=object)
    work_2015 = work_2012 | households_of(people[latest][np.isin(statuses[latest], neet_codes)])

    csc, missing = events["social_care"], events["missing_episodes"]
    need_help = households_of(csc["person"][_overlaps(csc["start_on"], csc["end_on"], first, day)]) | households_of(
        missing["person"][_in(missing["start_on"], first, day)]
    )
    da = events["domestic_abuse"]
    domestic_abuse = households_of(da["person"][_in(da["incident_on"], first, day)])
    hf = events["health"]
    health = households_of(
        hf["person"][
            _in(hf["recorded_on"], first, day)
            & np.isin(hf["flag_type"], np.array(sorted(QUALIFYING_HEALTH_FLAGS), dtype=object))
        ]
    )

    problems_2015 = {
        "crime": crime_2015,
        "education": education_2015,
        "need_help": need_help,
        "work": work_2015,
        "domestic_abuse": domestic_abuse,
        "health": health,
    }
    assert tuple(problems_2015) == PROBLEMS
    count_2015 = sum(flag.astype(np.int8) for flag in problems_2015.values())
    return {
        "is_family": is_family,
        **{f"has_{name}": flag & is_family for name, flag in problems_2015.items()},
        "has_crime_2012": crime_2012 & is_family,
        "has_education_2012": education_2012 & is_family,
        "has_work_2012": work_2012 & is_family,
        "tf2012": is_family & crime_2012 & education_2012 & work_2012,
        "tf2015": is_family & (count_2015 >= 2),
    }
