"""Truth-side evaluator of the 2012 and 2015 Troubled Families criteria over the noise-free events.

Small on purpose, written apart from the identification engine so that each checks the other. It follows the shipped
definitions programmes/tf-2012.yaml (the "all_three" route: crime, education and work; the local discretion route is
not evaluated) and programmes/tf-2015.yaml (two or more of six problems), version 1, leaving out the indicators
that staff enter (professional referrals), which the generator never makes.

Conventions (the definitions' `choices`): a family is a household with a member aged 17 or under on the date; the
members are those living in it on the date; a child is 17 or under and an adult 18 or over on the date; "the last 12
months" runs from the day after the same date a year earlier to the date; "the last 3 terms" are the three most
recent terms that ended on or before the date; a spell with no window must be open on the date.

- crime: a child with a proven offence in 12 months; a member with an anti-social behaviour intervention in 12 months
  (2012: only orders, injunctions, contracts and housing interventions; 2015: every type). 2015 adds an adult with
  parenting responsibility in custody (release within 12 months), on licence, or serving a community order or
  suspended sentence on the date.
- education: a child permanently excluded, or with 3+ fixed-term exclusions, in the last 3 terms; a child missing
  education on the date. 2012: unauthorised absence of 15%+ of possible sessions over the last 3 terms, or in
  alternative provision because of exclusion. 2015: absence of 10%+ (authorised and unauthorised), or in alternative
  provision for behaviour (code list alternative_provision_reason is_behavioural).
- work: an adult on an out-of-work benefit on the date (2012: JSA, ESA, IB, IS, SDA, CA; 2015: code list benefit_type
  is_out_of_work, or Universal Credit with work-related conditions). 2015 adds a NEET record in 12 months of a member
  aged 16 to 24.
- need_help (2015): a child missing from home in 12 months, or with an early help assessment, child in need episode,
  section 47 enquiry or child protection plan open at any time in 12 months.
- domestic_abuse (2015): a member aged 16+ recorded as victim or perpetrator, or any member in an incident with a
  police call-out, in 12 months.
- health (2015): a member with a mental health, substance or alcohol misuse or Universal Partnership Plus flag in
  12 months.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from wholefamily.synth.calendar import age_on, from_day, term_start_on_or_before, to_day
from wholefamily.synth.problems import PROBLEMS

ASB_2012 = ("asbo", "crasbo", "asb_injunction", "acceptable_behaviour_contract", "housing_asb_intervention")
OUT_OF_WORK_2012 = ("JSA", "ESA", "IB", "IS", "SDA", "CA")
AP_FOR_EXCLUSION = ("permanent_exclusion", "fixed_term_exclusion")
CHILD_EPISODES = ("early_help_assessment", "child_in_need", "section_47", "child_protection_plan")
HEALTH_FLAGS = ("mental_health", "substance_misuse", "alcohol_misuse", "universal_partnership_plus")
CHILD_MAX_AGE = 17


def _year_before(day: int) -> int:
    """The first day of the 12 months ending on `day`."""
    value = from_day(day)
    try:
        earlier = value.replace(year=value.year - 1)
    except ValueError:  # 29 February
        earlier = dt.date(value.year - 1, 2, 28)
    return to_day(earlier) + 1


def last_terms(day: int, count: int = 3) -> tuple[int, int]:
    """First and last day of the `count` most recent terms that ended on or before `day`."""
    value = from_day(day)
    is_term_end = value == _term_end(value)
    last_end = value if is_term_end else term_start_on_or_before(value)[0] - dt.timedelta(days=1)
    first = term_start_on_or_before(last_end)[0]
    for _ in range(count - 1):
        first = term_start_on_or_before(first - dt.timedelta(days=1))[0]
    return to_day(first), to_day(last_end)


def _term_end(value: dt.date) -> dt.date:
    start, _ = term_start_on_or_before(value)
    following = {9: dt.date(start.year + 1, 1, 1), 1: dt.date(start.year, 5, 1), 5: dt.date(start.year, 9, 1)}
    return following[start.month] - dt.timedelta(days=1)


def _term_ends(academic_year: np.ndarray, term: np.ndarray) -> np.ndarray:
    """The last day of each (academic year, term) row."""
    ends = (("autumn", 0, "12-31"), ("spring", 1, "04-30"), ("summer", 1, "08-31"))
    keys, inverse = np.unique(academic_year.astype(np.int64) * 3 + _term_index(term), return_inverse=True)
    lookup = np.array(
        [to_day(dt.date.fromisoformat(f"{key // 3 + ends[key % 3][1]}-{ends[key % 3][2]}")) for key in keys.tolist()],
        dtype=np.int32,
    )
    return lookup[inverse] if len(lookup) else np.zeros(0, dtype=np.int32)


def _term_index(term: np.ndarray) -> np.ndarray:
    out = np.zeros(len(term), dtype=np.int64)
    out[term == "spring"] = 1
    out[term == "summer"] = 2
    return out


def _in(values: np.ndarray, first: int, last: int) -> np.ndarray:
    return (values >= first) & (values <= last)


def _overlaps(start: np.ndarray, end: np.ndarray, first: int, last: int) -> np.ndarray:
    return (start <= last) & ((end < 0) | (end >= first))


def _open_on(start: np.ndarray, end: np.ndarray, day: int) -> np.ndarray:
    return (start <= day) & ((end < 0) | (end >= day))


def _isin(values: np.ndarray, codes: tuple[str, ...] | frozenset[str]) -> np.ndarray:
    return np.isin(values.astype(str), np.array(sorted(codes)))


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
) -> dict[str, np.ndarray]:
    """Per household on `day`: is_family, each problem (2012 and 2015 forms) and eligibility for tf2012 / tf2015."""
    first = _year_before(day)
    terms_first, terms_last = last_terms(day)
    at = household_on(memberships, len(dob), day)
    age = age_on(dob, day)
    is_child = age <= CHILD_MAX_AGE
    is_adult = ~is_child
    is_family = np.bincount(at[(at >= 0) & is_child], minlength=households) > 0

    def households_of(people: np.ndarray) -> np.ndarray:
        h = at[people]
        return np.bincount(h[h >= 0], minlength=households) > 0

    # Crime and anti-social behaviour.
    off = events["offences"]
    child_offence = off["is_proven"] & _in(off["offence_on"], first, day) & is_child[off["person"]]
    asb = events["asb_interventions"]
    asb_recent = _in(asb["intervention_on"], first, day)
    offenders = households_of(off["person"][child_offence])
    crime_2012 = offenders | households_of(asb["person"][asb_recent & _isin(asb["intervention_type"], ASB_2012)])
    cus = events["custody_and_supervision"]
    order_type = cus["order_type"].astype(str)
    open_order = _open_on(cus["start_on"], cus["end_on"], day) & cus["has_parenting_responsibility"]
    open_order &= is_adult[cus["person"]]
    near_release = (order_type == "custody") & (cus["release_on"] >= 0) & (cus["release_on"] < _year_after(day))
    in_community = np.isin(order_type, ["licence", "community_order", "suspended_sentence"])
    crime_2015 = (
        offenders
        | households_of(asb["person"][asb_recent])
        | households_of(cus["person"][open_order & (near_release | in_community)])
    )

    # Education.
    att = events["school_attendance"]
    counted = _in(_term_ends(att["academic_year"], att["term"]), terms_first, terms_last) & is_child[att["person"]]
    pupils = att["person"][counted]
    possible = np.bincount(pupils, weights=att["possible_sessions"][counted], minlength=len(dob))
    unauthorised = np.bincount(pupils, weights=att["unauthorised_absence_sessions"][counted], minlength=len(dob))
    total = unauthorised + np.bincount(pupils, weights=att["authorised_absence_sessions"][counted], minlength=len(dob))
    exc = events["exclusions"]
    recent = _in(exc["start_on"], terms_first, terms_last) & is_child[exc["person"]]
    kind = exc["exclusion_type"].astype(str)
    fixed = np.bincount(exc["person"][recent & (kind == "fixed_term")], minlength=len(dob))
    permanent = np.bincount(exc["person"][recent & (kind == "permanent")], minlength=len(dob))
    cme = events["children_missing_education"]
    missing_education = _open_on(cme["start_on"], cme["end_on"], day) & is_child[cme["person"]]
    ap = events["alternative_provision"]
    in_ap = _open_on(ap["start_on"], ap["end_on"], day) & is_child[ap["person"]]
    both = households_of(np.flatnonzero((fixed >= 3) | (permanent > 0))) | households_of(
        cme["person"][missing_education]
    )
    education_2012 = (
        both
        | households_of(np.flatnonzero((possible > 0) & (unauthorised >= 0.15 * possible)))
        | households_of(ap["person"][in_ap & _isin(ap["reason"], AP_FOR_EXCLUSION)])
    )
    behavioural = codes["alternative_provision_reason"]["is_behavioural"]
    education_2015 = (
        both
        | households_of(np.flatnonzero((possible > 0) & (total >= 0.10 * possible)))
        | households_of(ap["person"][in_ap & _isin(ap["reason"], behavioural)])
    )

    # Work.
    ben = events["benefits"]
    on_benefit = _open_on(ben["start_on"], ben["end_on"], day) & is_adult[ben["person"]]
    benefit_type = ben["benefit_type"].astype(str)
    work_2012 = households_of(ben["person"][on_benefit & _isin(benefit_type, OUT_OF_WORK_2012)])
    universal_credit = (benefit_type == "UC") & _isin(
        ben["uc_conditionality_regime"], codes["uc_conditionality_regime"]["has_work_related_conditions"]
    )
    out_of_work = _isin(benefit_type, codes["benefit_type"]["is_out_of_work"]) | universal_credit
    neet = events["neet"]
    neet_recent = _in(neet["recorded_on"], first, day) & _isin(neet["status"], codes["neet_status"]["is_neet"])
    neet_recent &= (age[neet["person"]] >= 16) & (age[neet["person"]] <= 24)
    work_2015 = households_of(ben["person"][on_benefit & out_of_work]) | households_of(neet["person"][neet_recent])

    # Children who need help.
    csc, missing = events["social_care"], events["missing_episodes"]
    episode = _overlaps(csc["start_on"], csc["end_on"], first, day) & _isin(csc["episode_type"], CHILD_EPISODES)
    need_help = households_of(csc["person"][episode & is_child[csc["person"]]]) | households_of(
        missing["person"][_in(missing["start_on"], first, day) & is_child[missing["person"]]]
    )

    # Domestic abuse.
    da = events["domestic_abuse"]
    incident = _in(da["incident_on"], first, day)
    named = incident & (age[da["person"]] >= 16) & _isin(da["role"], ("victim", "perpetrator"))
    domestic_abuse = households_of(da["person"][named | (incident & da["is_police_callout"])])

    # Health.
    hf = events["health"]
    health = households_of(hf["person"][_in(hf["recorded_on"], first, day) & _isin(hf["flag_type"], HEALTH_FLAGS)])

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


def _year_after(day: int) -> int:
    """The day 12 months after `day` (release "less than 12 months" away is before it)."""
    value = from_day(day)
    try:
        return to_day(value.replace(year=value.year + 1))
    except ValueError:  # 29 February
        return to_day(dt.date(value.year + 1, 3, 1))
