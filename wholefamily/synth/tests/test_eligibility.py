"""The truth-side evaluator on hand-made families: one rule per case (programmes/tf-2012.yaml, tf-2015.yaml)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from wholefamily.synth.calendar import to_day
from wholefamily.synth.eligibility import evaluate, last_terms

AS_OF = dt.date(2015, 8, 31)
ADULT, CHILD = 0, 1  # people: a parent born 1980 and a child born 2005, in household 0
CODES = {
    "benefit_type": {"is_out_of_work": frozenset({"JSA", "ESA", "IB", "IS", "SDA", "CA"})},
    "uc_conditionality_regime": {"has_work_related_conditions": frozenset({"searching_for_work"})},
    "neet_status": {"is_neet": frozenset({"neet_available"})},
    "disposal": {"is_proven_outcome": frozenset()},
    "alternative_provision_reason": {"is_behavioural": frozenset({"behaviour", "permanent_exclusion"})},
}
COLUMNS = {
    "offences": {"offence_on": "d", "is_proven": "b"},
    "asb_interventions": {"intervention_on": "d", "intervention_type": "s"},
    "custody_and_supervision": {
        "start_on": "d",
        "end_on": "d",
        "release_on": "d",
        "order_type": "s",
        "has_parenting_responsibility": "b",
    },
    "school_attendance": {
        "academic_year": "i",
        "term": "s",
        "possible_sessions": "i",
        "authorised_absence_sessions": "i",
        "unauthorised_absence_sessions": "i",
    },
    "exclusions": {"start_on": "d", "exclusion_type": "s"},
    "children_missing_education": {"start_on": "d", "end_on": "d"},
    "alternative_provision": {"start_on": "d", "end_on": "d", "reason": "s"},
    "benefits": {"start_on": "d", "end_on": "d", "benefit_type": "s", "uc_conditionality_regime": "s"},
    "neet": {"recorded_on": "d", "status": "s"},
    "social_care": {"start_on": "d", "end_on": "d", "episode_type": "s"},
    "missing_episodes": {"start_on": "d"},
    "domestic_abuse": {"incident_on": "d", "role": "s", "is_police_callout": "b"},
    "health": {"recorded_on": "d", "flag_type": "s"},
}


def _day(text: str | None) -> int:
    return -1 if text is None else to_day(dt.date.fromisoformat(text))


def _events(kind: str | None = None, **row: object) -> dict[str, dict[str, np.ndarray]]:
    events = {}
    for name, columns in COLUMNS.items():
        table: dict[str, np.ndarray] = {"person": np.zeros(0, dtype=np.int64)}
        for column, kind_of in columns.items():
            dtype = {"d": np.int32, "b": bool, "i": np.int64, "s": object}[kind_of]
            table[column] = np.zeros(0, dtype=dtype)
        events[name] = table
    if kind:
        table = events[kind]
        table["person"] = np.array([row.pop("person")])
        for column, kind_of in COLUMNS[kind].items():
            value = row.get(column)
            if kind_of == "d":
                table[column] = np.array([_day(value)], dtype=np.int32)  # type: ignore[arg-type]
            else:
                table[column] = np.array([value], dtype={"b": bool, "i": np.int64, "s": object}[kind_of])
    return events


def _evaluate(events: dict, *, with_child: bool = True) -> dict[str, bool]:
    dob = np.array([_day("1980-05-05"), _day("2005-05-05")], dtype=np.int32)
    memberships = {
        "owner": np.array([ADULT, CHILD]),
        "value": np.array([0, 0 if with_child else 1]),
        "start": np.array([_day("2010-01-01")] * 2, dtype=np.int32),
        "end": np.array([-1, -1], dtype=np.int32),
    }
    result = evaluate(events, memberships, dob, 2, to_day(AS_OF), CODES)
    return {name: bool(flags[0]) for name, flags in result.items()}


CASES = [
    (
        "child proven offence",
        _events("offences", person=CHILD, offence_on="2015-03-01", is_proven=True),
        {"crime_2012", "crime"},
    ),
    ("offence 13 months ago", _events("offences", person=CHILD, offence_on="2014-07-30", is_proven=True), set()),
    ("unproven offence", _events("offences", person=CHILD, offence_on="2015-03-01", is_proven=False), set()),
    ("adult offence", _events("offences", person=ADULT, offence_on="2015-03-01", is_proven=True), set()),
    (
        "ASB contract",
        _events(
            "asb_interventions",
            person=ADULT,
            intervention_on="2015-01-01",
            intervention_type="acceptable_behaviour_contract",
        ),
        {"crime_2012", "crime"},
    ),
    (
        "ASB warning",
        _events("asb_interventions", person=ADULT, intervention_on="2015-01-01", intervention_type="warning"),
        {"crime"},
    ),
    (
        "on licence, a parent",
        _events(
            "custody_and_supervision",
            person=ADULT,
            start_on="2015-01-01",
            end_on="2016-01-01",
            order_type="licence",
            has_parenting_responsibility=True,
        ),
        {"crime"},
    ),
    (
        "on licence, no parenting",
        _events(
            "custody_and_supervision",
            person=ADULT,
            start_on="2015-01-01",
            end_on="2016-01-01",
            order_type="licence",
            has_parenting_responsibility=False,
        ),
        set(),
    ),
    (
        "custody, release in 13 months",
        _events(
            "custody_and_supervision",
            person=ADULT,
            start_on="2015-01-01",
            end_on="2016-10-01",
            release_on="2016-10-01",
            order_type="custody",
            has_parenting_responsibility=True,
        ),
        set(),
    ),
    (
        "15% unauthorised absence",
        _events(
            "school_attendance",
            person=CHILD,
            academic_year=2014,
            term="summer",
            possible_sessions=130,
            authorised_absence_sessions=0,
            unauthorised_absence_sessions=20,
        ),
        {"education_2012", "education"},
    ),
    (
        "10% absence, mostly authorised",
        _events(
            "school_attendance",
            person=CHILD,
            academic_year=2014,
            term="summer",
            possible_sessions=130,
            authorised_absence_sessions=10,
            unauthorised_absence_sessions=3,
        ),
        {"education"},
    ),
    (
        "9% absence",
        _events(
            "school_attendance",
            person=CHILD,
            academic_year=2014,
            term="summer",
            possible_sessions=130,
            authorised_absence_sessions=9,
            unauthorised_absence_sessions=2,
        ),
        set(),
    ),
    (
        "absence in a term 4 back",
        _events(
            "school_attendance",
            person=CHILD,
            academic_year=2013,
            term="summer",
            possible_sessions=130,
            authorised_absence_sessions=0,
            unauthorised_absence_sessions=60,
        ),
        set(),
    ),
    (
        "permanent exclusion",
        _events("exclusions", person=CHILD, start_on="2014-10-01", exclusion_type="permanent"),
        {"education_2012", "education"},
    ),
    (
        "one fixed-term exclusion",
        _events("exclusions", person=CHILD, start_on="2014-10-01", exclusion_type="fixed_term"),
        set(),
    ),
    (
        "AP for behaviour, open",
        _events("alternative_provision", person=CHILD, start_on="2015-06-01", end_on=None, reason="behaviour"),
        {"education"},
    ),
    (
        "AP for behaviour, ended",
        _events("alternative_provision", person=CHILD, start_on="2015-01-01", end_on="2015-06-01", reason="behaviour"),
        set(),
    ),
    (
        "missing education, open",
        _events("children_missing_education", person=CHILD, start_on="2015-08-01", end_on=None),
        {"education_2012", "education"},
    ),
    (
        "JSA open",
        _events("benefits", person=ADULT, start_on="2014-01-01", end_on=None, benefit_type="JSA"),
        {"work_2012", "work"},
    ),
    (
        "JSA ended the day before",
        _events("benefits", person=ADULT, start_on="2014-01-01", end_on="2015-08-30", benefit_type="JSA"),
        set(),
    ),
    (
        "UC searching for work",
        _events(
            "benefits",
            person=ADULT,
            start_on="2015-01-01",
            end_on=None,
            benefit_type="UC",
            uc_conditionality_regime="searching_for_work",
        ),
        {"work"},
    ),
    (
        "UC working, no requirements",
        _events(
            "benefits",
            person=ADULT,
            start_on="2015-01-01",
            end_on=None,
            benefit_type="UC",
            uc_conditionality_regime="working_no_requirements",
        ),
        set(),
    ),
    (
        "housing benefit",
        _events("benefits", person=ADULT, start_on="2015-01-01", end_on=None, benefit_type="HB"),
        set(),
    ),
    ("NEET at 10 years old", _events("neet", person=CHILD, recorded_on="2015-05-01", status="neet_available"), set()),
    (
        "child in need last autumn",
        _events("social_care", person=CHILD, start_on="2014-10-01", end_on="2014-12-01", episode_type="child_in_need"),
        {"need_help"},
    ),
    (
        "looked after",
        _events("social_care", person=CHILD, start_on="2014-10-01", end_on=None, episode_type="looked_after"),
        set(),
    ),
    ("missing from home", _events("missing_episodes", person=CHILD, start_on="2015-02-01"), {"need_help"}),
    (
        "police call-out, child",
        _events("domestic_abuse", person=CHILD, incident_on="2015-02-01", role="victim", is_police_callout=True),
        {"domestic_abuse"},
    ),
    (
        "victim aged 10, no call-out",
        _events("domestic_abuse", person=CHILD, incident_on="2015-02-01", role="victim", is_police_callout=False),
        set(),
    ),
    (
        "adult victim",
        _events("domestic_abuse", person=ADULT, incident_on="2015-02-01", role="victim", is_police_callout=False),
        {"domestic_abuse"},
    ),
    (
        "Universal Partnership Plus",
        _events("health", person=ADULT, recorded_on="2015-02-01", flag_type="universal_partnership_plus"),
        {"health"},
    ),
    ("maternity", _events("health", person=ADULT, recorded_on="2015-02-01", flag_type="maternity"), set()),
]
PROBLEM_KEYS = (
    "crime",
    "education",
    "need_help",
    "work",
    "domestic_abuse",
    "health",
    "crime_2012",
    "education_2012",
    "work_2012",
)


@pytest.mark.parametrize(("events", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_one_rule(events: dict, expected: set[str]) -> None:
    result = _evaluate(events)
    assert result["is_family"]
    assert {key for key in PROBLEM_KEYS if result[f"has_{key}"]} == expected


def test_a_household_without_a_child_is_not_a_family() -> None:
    result = _evaluate(
        _events("benefits", person=ADULT, start_on="2014-01-01", end_on=None, benefit_type="JSA"), with_child=False
    )
    assert not result["is_family"] and not result["has_work"]


@pytest.mark.parametrize(
    ("as_of", "first", "last"),
    [
        ("2015-08-31", "2014-09-01", "2015-08-31"),
        ("2015-08-30", "2014-05-01", "2015-04-30"),
        ("2016-01-10", "2015-01-01", "2015-12-31"),
    ],
)
def test_last_three_terms_are_the_ended_ones(as_of: str, first: str, last: str) -> None:
    assert last_terms(_day(as_of)) == (_day(first), _day(last))
