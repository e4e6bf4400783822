"""Golden tests, on the pure evaluator, of progress on every problem the family was found with (tf-2015 and
supporting-families-2022): each indicator that can make a family qualify has a measure that judges progress on the
same basis it was found, so a family found by it can be paid (the definition check: test_definition_check.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.claims.progress import evaluate_results
from wholefamily.domain.claims.rules import Family, Person, Record, Status, TermAttendance, load_results_rules
from wholefamily.domain.outcomes.framework import load_framework

PROGRAMMES = Path(settings.PROGRAMMES_DIR)
START = dt.date(2016, 1, 10)
AS_OF = dt.date(2016, 9, 30)  # 6 months (31 March .. 30 September) wholly after the start
FAR = dt.date(2030, 1, 1)
KINDS = ("offences", "asb_interventions", "custody_and_supervision", "domestic_abuse", "benefits", "neet", "health",
         "housing", "exclusions", "school_attendance", "social_care", "employment", "work_programme_esf")  # fmt: skip
ADULT, CHILD, YOUNG = dt.date(1980, 1, 1), dt.date(2006, 3, 1), dt.date(1997, 6, 1)


@pytest.fixture(scope="module")
def tf2015():
    return load_results_rules(PROGRAMMES / "results" / "tf-2015.yaml"), load_framework(
        PROGRAMMES / "outcomes" / "tf-2015.yaml"
    )


@pytest.fixture(scope="module")
def sf2022():
    return load_results_rules(PROGRAMMES / "results" / "supporting-families-2022.yaml"), load_framework(
        PROGRAMMES / "outcomes" / "supporting-families-2022.yaml"
    )


CASE_HOLDS = frozenset({"lead_worker", "whole_family_assessment", "plan"})


def paid(pair, problems, people, *, start_on=START, as_of=AS_OF, closed_on=None, scores=None, holds=CASE_HOLDS):
    rules, framework = pair
    people = tuple(
        Person(p.person_id, p.label, p.born_on, records=p.records, attendance=p.attendance,
               review_scores=(scores or {}).get("reviews", {}), baseline_scores=(scores or {}).get("baseline", {}))
        for p in people
    )  # fmt: skip
    extra = {"case_holds": holds} if getattr(rules, "claim_requires", ()) else {}  # a Supporting Families case
    family = Family(
        "f1", start_on, frozenset(problems), people, dict.fromkeys(KINDS, FAR), closed_on=closed_on, **extra
    )
    return evaluate_results(rules, family=family, as_of=as_of, framework=framework)


def status(outcome, code):
    return next(item for item in outcome.results if item.result == code).status


def member(pid, born, **records):
    return Person(pid, pid, born, records={code: tuple(items) for code, items in records.items()})


def progress(pair, problems, people, **kw):
    rules, _ = pair
    code = rules.results[0].code
    return status(paid(pair, problems, people, **kw), code)


# --- tf-2015: each indicator of the list in the review, progress on the same basis ------------------------------------

TERMS_AS_OF = dt.date(2017, 4, 30)


def attendance(rows):
    return tuple(
        TermAttendance(year, term, 100, auth, unauth, f"att:{year}:{term}") for year, term, auth, unauth in rows
    )


def test_absence_found_on_all_sessions_is_measured_on_all_sessions(tf2015):
    """Found with 12% absence (8% authorised, 4% unauthorised) over the 3 terms before the start; 5% in the last 3
    terms. Measured on unauthorised absence only, the child had no problem and education could never be paid."""
    # Terms before 10 January 2016: spring, summer and autumn 2015; on 30 April 2017 the last 3 completed terms are
    # summer 2016, autumn 2016 and spring 2017, wholly after the start (academic years start in September).
    rows = [(2014, "spring", 8, 4), (2014, "summer", 8, 4), (2015, "autumn", 8, 4),
            (2015, "summer", 3, 2), (2016, "autumn", 3, 2), (2016, "spring", 3, 2)]  # fmt: skip
    child = Person("c1", "c1", CHILD, attendance=attendance(rows))
    assert progress(tf2015, {"education"}, [child], as_of=TERMS_AS_OF) is Status.ACHIEVED
    rows[-1] = (2016, "spring", 10, 10)  # 15 + 15 + 60 of 300 = 30%: not under 10%
    child = Person("c1", "c1", CHILD, attendance=attendance(rows))
    assert progress(tf2015, {"education"}, [child], as_of=TERMS_AS_OF) is Status.NOT_ACHIEVED


@pytest.mark.parametrize(("after", "expected"), [(2, Status.ACHIEVED), (3, Status.NOT_ACHIEVED)])
def test_an_education_problem_of_exclusions_only(tf2015, after, expected):
    before = [Record(dt.date(2015, 3, 1) + dt.timedelta(days=30 * n), f"exc:b{n}") for n in range(3)]
    later = [Record(dt.date(2016, 9, 1) + dt.timedelta(days=n), f"exc:a{n}") for n in range(after)]
    child = member("c1", CHILD, exclusions_below_3=[*before, *later])
    assert progress(tf2015, {"education"}, [child], as_of=TERMS_AS_OF) is expected


def test_a_permanent_exclusion_is_measured(tf2015):
    child = member("c1", CHILD, no_permanent_exclusion=[Record(dt.date(2015, 11, 1), "exc:p1")])
    assert progress(tf2015, {"education"}, [child], as_of=TERMS_AS_OF) is Status.ACHIEVED


@pytest.mark.parametrize(
    ("code", "on"),
    [
        ("no_proven_offence", dt.date(2015, 3, 1)),  # 10 months before the start
        ("no_domestic_incident", dt.date(2015, 4, 1)),
        ("no_domestic_callout", dt.date(2015, 2, 1)),
    ],
)
def test_events_7_to_12_months_before_the_start_are_measured(tf2015, code, on):
    """Identification looks back 12 months; progress is none in the 6 months to the claim date."""
    problem = "crime" if code == "no_proven_offence" else "domestic_abuse"
    person = member("a1", ADULT, **{code: [Record(on, f"{code}:1")]})
    assert progress(tf2015, {problem}, [person]) is Status.ACHIEVED
    again = member("a1", ADULT, **{code: [Record(on, f"{code}:1"), Record(dt.date(2016, 8, 1), f"{code}:2")]})
    assert progress(tf2015, {problem}, [again]) is Status.NOT_ACHIEVED


def test_asb_7_to_12_months_before_with_none_after(tf2015):
    early = Record(dt.date(2015, 3, 1), "asb:1")
    assert progress(tf2015, {"crime"}, [member("a1", ADULT, asb_reduced=[early])]) is Status.ACHIEVED
    again = [early, Record(dt.date(2016, 8, 1), "asb:2")]
    assert progress(tf2015, {"crime"}, [member("a1", ADULT, asb_reduced=again)]) is Status.NOT_ACHIEVED


@pytest.mark.parametrize(
    ("end_on", "expected"),
    [(dt.date(2016, 3, 30), Status.ACHIEVED), (dt.date(2016, 3, 31), Status.NOT_ACHIEVED), (None, Status.NOT_ACHIEVED)],
)
def test_custody_licence_or_probation_ended_and_stayed_ended(tf2015, end_on, expected):
    licence = Record(dt.date(2015, 6, 1), "custody:1", end_on)
    assert progress(tf2015, {"crime"}, [member("a1", ADULT, sentence_ended=[licence])]) is expected


def test_universal_credit_work_search_ended(tf2015):
    claim = Record(dt.date(2015, 1, 1), "benefits:uc", dt.date(2016, 2, 1))
    adult = member("a1", ADULT, off_universal_credit_work_search=[claim])
    assert progress(tf2015, {"work"}, [adult]) is Status.ACHIEVED


def test_a_young_person_not_in_education_employment_or_training(tf2015):
    neet = Record(dt.date(2015, 10, 1), "neet:1")
    assert progress(tf2015, {"work"}, [member("y1", YOUNG, in_education_employment_or_training=[neet])]) is (
        Status.ACHIEVED
    )
    again = [neet, Record(dt.date(2016, 9, 1), "neet:2")]
    assert progress(tf2015, {"work"}, [member("y1", YOUNG, in_education_employment_or_training=again)]) is (
        Status.NOT_ACHIEVED
    )


def test_a_professionals_referral_is_judged_by_distance_travelled(tf2015):
    """A crime problem found only by a referral: the key worker's behavioural development score at the baseline
    shows the need and the last two reviews the progress."""
    adult = member("a1", ADULT)
    scores = {"baseline": {"behavioural_development": 4}, "reviews": {"behavioural_development": (3, 2, 2)}}
    assert progress(tf2015, {"crime"}, [adult], scores=scores) is Status.ACHIEVED
    scores["reviews"] = {"behavioural_development": (3, 3, 2)}
    assert progress(tf2015, {"crime"}, [adult], scores=scores) is Status.NOT_ACHIEVED


def test_no_record_behind_a_problem_is_still_missing_never_paid(tf2015):
    assert progress(tf2015, {"crime"}, [member("a1", ADULT)]) is Status.MISSING


# --- supporting-families-2022: rent arrears and the rest, sustained 6 months after closure --------------------------

SF_START, SF_CLOSED, SF_AS_OF = dt.date(2022, 9, 1), dt.date(2023, 9, 30), dt.date(2024, 3, 31)


def test_rent_arrears_are_measured(sf2022):
    arrears = Record(dt.date(2022, 5, 1), "housing:arrears")
    adult = member("a1", ADULT, no_rent_arrears=[arrears])
    got = progress(sf2022, {"financial_stability"}, [adult], start_on=SF_START, as_of=SF_AS_OF, closed_on=SF_CLOSED)
    assert got is Status.ACHIEVED
    again = member("a1", ADULT, no_rent_arrears=[arrears, Record(dt.date(2024, 1, 5), "housing:arrears2")])
    got = progress(sf2022, {"financial_stability"}, [again], start_on=SF_START, as_of=SF_AS_OF, closed_on=SF_CLOSED)
    assert got is Status.NOT_ACHIEVED


def test_a_case_closed_six_months_before_its_window(sf2022):
    offence = Record(dt.date(2022, 1, 5), "offences:1")  # 8 months before the start
    child = member("c1", CHILD, no_proven_offence=[offence])
    due = progress(sf2022, {"crime"}, [child], start_on=SF_START, as_of=SF_AS_OF, closed_on=SF_CLOSED)
    assert due is Status.ACHIEVED
    early = progress(sf2022, {"crime"}, [child], start_on=SF_START, as_of=dt.date(2024, 3, 29), closed_on=SF_CLOSED)
    assert early is Status.NOT_YET  # six months after 30 September 2023 is 30 March 2024


@pytest.mark.parametrize(
    ("holds", "missing"),
    [
        (frozenset({"whole_family_assessment", "plan"}), "a lead worker"),
        (frozenset({"lead_worker", "plan"}), "a whole-family assessment"),
        (frozenset({"lead_worker", "whole_family_assessment"}), "a plan"),
    ],
)
def test_no_claim_without_a_lead_worker_assessment_and_plan(sf2022, holds, missing):
    child = member("c1", CHILD, no_proven_offence=[Record(dt.date(2022, 1, 5), "offences:1")])
    outcome = paid(sf2022, {"crime"}, [child], start_on=SF_START, as_of=SF_AS_OF, closed_on=SF_CLOSED, holds=holds)
    result = outcome.results[0]
    assert result.status is Status.NOT_CLAIMABLE and outcome.payable == ()
    assert result.reason == f"no claim without {missing} on the case"
