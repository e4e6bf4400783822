"""Golden tests of the tf-2015 and supporting-families-2022 results rules: progress on every problem at identification
by the outcomes framework (the outcomes evaluator, unchanged), or continuous employment; sustained after closure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.claims.progress import evaluate_results
from wholefamily.domain.claims.rules import Family, Person, Record, Status, load_results_rules
from wholefamily.domain.criteria.schema import DefinitionError
from wholefamily.domain.outcomes.framework import load_framework

PROGRAMMES = Path(settings.PROGRAMMES_DIR)
KINDS = ("offences", "asb_interventions", "health", "employment", "benefits", "work_programme_esf")


def covered(on):
    return {kind: on for kind in KINDS}


def status_of(outcome, code):
    return next(item for item in outcome.results if item.result == code).status


@pytest.fixture(scope="module")
def tf2015():
    return load_results_rules(PROGRAMMES / "results" / "tf-2015.yaml"), load_framework(
        PROGRAMMES / "outcomes" / "tf-2015.yaml"
    )


START = dt.date(2016, 1, 10)
AS_OF = dt.date(2016, 9, 30)  # the 6 months to the claim date lie wholly after the start


def offender(*offences):
    return Person("p1", "p1", dt.date(2000, 1, 1), records={"no_proven_offence": tuple(offences)})


BEFORE = Record(dt.date(2015, 10, 1), "offences:1")


def test_progress_on_every_problem_is_paid(tf2015):
    rules, framework = tf2015
    fam = Family("f1", START, frozenset({"crime"}), (offender(BEFORE),), covered(AS_OF))
    outcome = evaluate_results(rules, family=fam, as_of=AS_OF, framework=framework)
    assert outcome.payable == ("significant_progress",)
    part = next(item for item in outcome.results if item.result == "significant_progress").conditions[0]
    member = part.members[0]
    assert member.refs == ("offences:1",)  # the offence before the start; none in the period
    assert member.before.startswith("1 in the 6 months") and member.after == "0 in the period"


def test_an_offence_in_the_period_is_not_progress(tf2015):
    rules, framework = tf2015
    fam = Family("f1", START, frozenset({"crime"}), (offender(BEFORE, Record(dt.date(2016, 8, 1), "offences:2")),),
                 covered(AS_OF))  # fmt: skip
    outcome = evaluate_results(rules, family=fam, as_of=AS_OF, framework=framework)
    assert status_of(outcome, "significant_progress") is Status.NOT_ACHIEVED


def test_a_problem_nobody_shows_at_the_start_cannot_be_paid(tf2015):
    rules, framework = tf2015
    fam = Family("f1", START, frozenset({"crime", "health"}), (offender(BEFORE),), covered(AS_OF))
    outcome = evaluate_results(rules, family=fam, as_of=AS_OF, framework=framework)
    assert status_of(outcome, "significant_progress") is Status.MISSING


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(dt.date(2016, 7, 8), Status.NOT_YET), (dt.date(2016, 7, 9), Status.ACHIEVED)],  # 10 Jan + 6 months
)
def test_too_early_before_the_period_is_after_the_start(tf2015, as_of, status):
    rules, framework = tf2015
    fam = Family("f1", START, frozenset({"crime"}), (offender(BEFORE),), covered(AS_OF))
    outcome = evaluate_results(rules, family=fam, as_of=as_of, framework=framework)
    assert status_of(outcome, "significant_progress") is status


JSA = Record(dt.date(2015, 3, 1), "benefits:1", dt.date(2016, 2, 28))
JOB = Record(dt.date(2016, 3, 1), "employment:1")


def worker():
    records = {
        "continuous_employment_benefits_jobseekers": (JSA,),
        "continuous_employment": (JOB,),
        "off_out_of_work_benefits": (JSA,),
    }
    return Person("a1", "a1", dt.date(1980, 1, 1), records=records)


def test_employment_or_progress_one_payment(tf2015):
    rules, framework = tf2015
    fam = Family("f1", START, frozenset({"crime", "work"}), (offender(BEFORE), worker()), covered(AS_OF))
    outcome = evaluate_results(rules, family=fam, as_of=AS_OF, framework=framework)
    assert outcome.payable == ("continuous_employment",)
    again = Family(
        "f1",
        START,
        frozenset({"work"}),
        (worker(),),
        covered(AS_OF),
        claimed_results=frozenset({"significant_progress"}),
    )
    outcome = evaluate_results(rules, family=again, as_of=AS_OF, framework=framework)
    assert status_of(outcome, "continuous_employment") is Status.ALREADY_CLAIMED


def test_the_rules_need_their_framework(tf2015):
    rules, _ = tf2015
    fam = Family("f1", START, frozenset({"crime"}), (offender(BEFORE),), covered(AS_OF))
    with pytest.raises(DefinitionError, match="needs the outcomes framework"):
        evaluate_results(rules, family=fam, as_of=AS_OF)


# --- supporting-families-2022 ---------------------------------------------------------------------------------------

SF_START = dt.date(2022, 9, 1)
CLOSED = dt.date(2023, 6, 30)


@pytest.fixture(scope="module")
def sf2022():
    return load_results_rules(PROGRAMMES / "results" / "supporting-families-2022.yaml"), load_framework(
        PROGRAMMES / "outcomes" / "supporting-families-2022.yaml"
    )


def sf_family(*offences, closed_on=CLOSED, as_of=dt.date(2024, 6, 30)):
    person = Person(
        "p1", "p1", dt.date(2000, 1, 1), records={"no_proven_offence": (Record(dt.date(2022, 6, 1), "o:0"), *offences)}
    )
    return Family(
        "f1", SF_START, frozenset({"crime"}), (person,), covered(as_of), closed_on=closed_on,
        case_holds=frozenset({"lead_worker", "whole_family_assessment", "plan"}),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(dt.date(2023, 12, 29), Status.NOT_YET), (dt.date(2023, 12, 30), Status.ACHIEVED)],  # 6 months after 30 June
)
def test_sustained_six_months_after_closure(sf2022, as_of, status):
    rules, framework = sf2022
    outcome = evaluate_results(rules, family=sf_family(as_of=as_of), as_of=as_of, framework=framework)
    assert status_of(outcome, "outcomes_sustained") is status


def test_an_open_case_cannot_be_claimed(sf2022):
    rules, framework = sf2022
    fam = sf_family(closed_on=None)
    outcome = evaluate_results(rules, family=fam, as_of=dt.date(2024, 6, 30), framework=framework)
    assert status_of(outcome, "outcomes_sustained") is Status.NOT_YET


def test_an_offence_after_closure_is_not_sustained(sf2022):
    rules, framework = sf2022
    fam = sf_family(Record(dt.date(2023, 10, 1), "o:1"), as_of=dt.date(2023, 12, 30))
    outcome = evaluate_results(rules, family=fam, as_of=dt.date(2023, 12, 30), framework=framework)
    assert status_of(outcome, "outcomes_sustained") is Status.NOT_ACHIEVED


def test_no_employment_route_in_2022(sf2022):
    rules, _ = sf2022
    assert [result.code for result in rules.results] == ["outcomes_sustained"]


def test_sustained_progress_says_the_period_each_measure_looked_at(tf2015):
    rules, framework = tf2015
    fam = Family("f1", START, frozenset({"crime"}), (offender(BEFORE),), covered(AS_OF))
    part = evaluate_results(rules, family=fam, as_of=AS_OF, framework=framework).results[0].conditions[0]
    assert (part.period_from, part.period_to) == (dt.date(2016, 3, 31), AS_OF)
    assert part.members[0].label == "p1 (crime: no proven offence, 31 March 2016 to 30 September 2016)"
