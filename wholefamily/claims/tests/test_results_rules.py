"""Golden tests of the tf-2012 results rules at their edges (programmes/results/tf-2012.yaml): the thresholds, void
when another child starts the same education problem, the family-wide crime and anti-social behaviour totals, neutral
when the child of concern leaves school (the last Friday of June of Year 11), continuous employment in weeks by the
benefit the adult came off, no double payment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.claims.funding import load_funding, results_payment_pence
from wholefamily.domain.claims.rules import (
    Family,
    Person,
    Record,
    Status,
    TermAttendance,
    evaluate_family,
    load_results_rules,
    parse_results_rules,
)
from wholefamily.domain.criteria.schema import DefinitionError

RESULTS = Path(settings.PROGRAMMES_DIR) / "results"
START = dt.date(2013, 1, 15)
AS_OF = dt.date(2014, 4, 30)  # the last 3 terms (summer 2013 .. spring 2014) and 6 months wholly after the start
COVERED = {kind: AS_OF for kind in ("school_attendance", "exclusions", "asb_interventions", "offences",
                                    "employment", "benefits", "work_programme_esf")}  # fmt: skip
TERMS_BEFORE = [(2011, "spring"), (2011, "summer"), (2012, "autumn")]  # the 3 terms ending before the start
TERMS_AFTER = [(2012, "summer"), (2013, "autumn"), (2013, "spring")]  # summer 2013, autumn 2013, spring 2014


@pytest.fixture(scope="module")
def rules():
    return load_results_rules(RESULTS / "tf-2012.yaml")


def attendance(before_percent: int | None, after_percent: int | None) -> tuple[TermAttendance, ...]:
    """100 possible sessions a term; the unauthorised absences give the percentage exactly."""
    rows = []
    for percent, terms in ((before_percent, TERMS_BEFORE), (after_percent, TERMS_AFTER)):
        if percent is None:
            continue
        for year, term in terms:
            rows.append(TermAttendance(year, term, 100, 0, percent, f"att:{year}{term}"))
    return tuple(rows)


def dates(first: dt.date, count: int) -> tuple[Record, ...]:
    return tuple(Record(first + dt.timedelta(days=n), f"r:{first}:{n}") for n in range(count))


BEFORE_MONTHS = dt.date(2012, 8, 1)  # inside the 6 months before the start
AFTER_MONTHS = dt.date(2013, 11, 5)  # inside the last 6 months to AS_OF
BEFORE_TERMS = dt.date(2012, 2, 1)
AFTER_TERMS = dt.date(2013, 6, 1)


def child(pid="c1", *, born_on=dt.date(2003, 5, 1), att=(20, 5), exclusions=(0, 0), offences=(0, 0), asb=(0, 0), **kw):
    records = {
        "fixed_exclusions_below_3": dates(BEFORE_TERMS, exclusions[0]) + dates(AFTER_TERMS, exclusions[1]),
        "youth_offending_down_33": dates(BEFORE_MONTHS, offences[0]) + dates(AFTER_MONTHS, offences[1]),
        "asb_down_60": dates(BEFORE_MONTHS, asb[0]) + dates(AFTER_MONTHS, asb[1]),
    }
    return Person(pid, pid, born_on, records=records, attendance=attendance(*att), **kw)


def adult(pid="a1", *, asb=(0, 0), benefits=(), esa=(), work=(), provision=(), **kw):
    records = {
        "asb_down_60": dates(BEFORE_MONTHS, asb[0]) + dates(AFTER_MONTHS, asb[1]),
        "continuous_employment_benefits_jobseekers": tuple(benefits),
        "continuous_employment_benefits_other_out_of_work": tuple(esa),
        "continuous_employment": tuple(work),
        "continuous_employment_provision": tuple(provision),
        "attached_to_provision": tuple(provision),
    }
    return Person(pid, pid, dt.date(1980, 1, 1), records=records, **kw)


def family(*people, problems=("crime", "education"), claimed=(), start_on=START, covered=None):
    return Family(
        "f1", start_on, frozenset(problems), tuple(people), COVERED if covered is None else covered,
        claimed_results=frozenset(claimed),
    )  # fmt: skip


def result(rules, fam, code="crime_asb_education", as_of=AS_OF):
    outcome = evaluate_family(rules, family=fam, as_of=as_of)
    return next(item for item in outcome.results if item.result == code)


def condition(item, code):
    return next(part for part in item.conditions if part.condition == code)


# --- education ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after_percent", "status"), [(14, Status.ACHIEVED), (15, Status.NOT_ACHIEVED), (0, Status.ACHIEVED)]
)
def test_unauthorised_absence_must_be_below_15_percent(rules, after_percent, status):
    fam = family(child(att=(20, after_percent)), problems=("education",))
    assert condition(result(rules, fam), "unauthorised_absence_below_15").status is status
    assert result(rules, fam).status is status


@pytest.mark.parametrize(("after", "status"), [(2, Status.ACHIEVED), (3, Status.NOT_ACHIEVED)])
def test_fewer_than_3_fixed_term_exclusions(rules, after, status):
    fam = family(child(att=(20, 5), exclusions=(3, after)), problems=("education",))
    part = condition(result(rules, fam), "fixed_exclusions_below_3")
    assert part.status is status
    assert part.members[0].before == "3 in the terms before the start"


def test_void_when_another_child_starts_the_same_problem(rules):
    concern = child("c1", att=(20, 5))
    sibling = child("c2", att=(2, 15))  # fine before the start, 15% now
    item = result(rules, family(concern, sibling, problems=("education",)))
    assert condition(item, "unauthorised_absence_below_15").status is Status.VOID
    assert item.status is Status.VOID
    assert not item.status.is_payable


def test_a_sibling_staying_below_the_threshold_does_not_void(rules):
    item = result(rules, family(child("c1", att=(20, 5)), child("c2", att=(2, 14)), problems=("education",)))
    assert item.status is Status.ACHIEVED


def test_neutral_when_the_child_of_concern_leaves_school(rules):
    leaver = child("c1", att=(20, None), left_school_on=dt.date(2013, 7, 20))
    part = condition(result(rules, family(leaver, problems=("education",))), "unauthorised_absence_below_15")
    assert part.status is Status.NEUTRAL
    assert part.members[0].after == "left school"
    # neutral, not a failure: with the crime part achieved the result is paid
    fam = family(leaver, adult(asb=(5, 2)))
    assert result(rules, fam).status is Status.ACHIEVED
    # nothing else achieved: nothing to pay
    assert result(rules, family(leaver, problems=("education",))).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("born_on", "leaves_on"),
    [
        (dt.date(1998, 4, 30), dt.date(2014, 6, 27)),  # 16 in April of Year 11: leaves on the last Friday of June
        (dt.date(1997, 9, 1), dt.date(2014, 6, 27)),  # the oldest of the year group
        (dt.date(1997, 8, 31), dt.date(2013, 6, 28)),  # the youngest of the year before
        (dt.date(2000, 1, 1), dt.date(2016, 6, 24)),
    ],
)
def test_school_leaving_date_is_the_last_friday_of_june_of_year_11(born_on, leaves_on):
    from wholefamily.domain.claims.rules import school_leaving_date  # imported here: new with the rule

    assert school_leaving_date(born_on) == leaves_on
    assert leaves_on.weekday() == 4


def test_a_year_11_pupil_who_turned_16_is_still_at_school(rules):
    """Turned 16 on 30 April 2014, the period's last day, but at school to 27 June 2014: measured, not neutral (the
    rule of 16th birthdays read this child as gone and the education part as neutral, an over-claim)."""
    pupil = child("c1", born_on=dt.date(1998, 4, 30), att=(20, 16))
    item = result(rules, family(pupil, adult(asb=(5, 0)), problems=("crime", "education")))
    assert condition(item, "unauthorised_absence_below_15").status is Status.NOT_ACHIEVED
    assert item.status is Status.NOT_ACHIEVED
    no_return = child("c1", born_on=dt.date(1998, 4, 30), att=(20, None))
    part = condition(result(rules, family(no_return, problems=("education",))), "unauthorised_absence_below_15")
    assert part.status is Status.MISSING  # still at school, no attendance: never success


def test_a_child_past_the_end_of_year_11_has_left_school(rules):
    leaver = child("c1", born_on=dt.date(1997, 8, 31), att=(20, None))  # left on 28 June 2013
    part = condition(result(rules, family(leaver, problems=("education",))), "unauthorised_absence_below_15")
    assert part.status is Status.NEUTRAL


# --- crime and anti-social behaviour -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [(5, 2, Status.ACHIEVED), (5, 3, Status.NOT_ACHIEVED), (10, 4, Status.ACHIEVED), (1, 0, Status.ACHIEVED)],
)
def test_asb_across_the_family_down_60_percent(rules, before, after, status):
    fam = family(adult("a1", asb=(before - 1, 0)), child("c1", asb=(1, after)), problems=("crime",))
    assert condition(result(rules, fam), "asb_down_60").status is status


def test_asb_counts_a_member_with_none_before_in_the_family_total(rules):
    """Across the family: a member with no intervention before the start who has one now is counted in the family's
    total, not a void by itself (5 before, 1 after: down 80%)."""
    fam = family(adult("a1", asb=(5, 0)), adult("a2", asb=(0, 1)), problems=("crime",))
    item = result(rules, fam)
    assert condition(item, "asb_down_60").status is Status.ACHIEVED
    assert item.status is Status.ACHIEVED
    worse = family(adult("a1", asb=(5, 0)), adult("a2", asb=(0, 3)), problems=("crime",))  # 5 before, 3 after
    assert condition(result(rules, worse), "asb_down_60").status is Status.NOT_ACHIEVED


def test_youth_offending_counts_a_minor_with_none_before_in_the_family_total(rules):
    fam = family(child("c1", offences=(3, 0)), child("c2", offences=(0, 2)), problems=("crime",))
    assert condition(result(rules, fam), "youth_offending_down_33").status is Status.ACHIEVED  # 3 -> 2
    worse = family(child("c1", offences=(3, 0)), child("c2", offences=(0, 3)), problems=("crime",))
    assert condition(result(rules, worse), "youth_offending_down_33").status is Status.NOT_ACHIEVED


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [(3, 2, Status.ACHIEVED), (3, 3, Status.NOT_ACHIEVED), (100, 67, Status.ACHIEVED), (100, 68, Status.NOT_ACHIEVED)],
)
def test_offending_by_minors_down_33_percent(rules, before, after, status):
    fam = family(child("c1", offences=(before, after)), problems=("crime",))
    assert condition(result(rules, fam), "youth_offending_down_33").status is status


def test_crime_parts_apply_only_where_the_family_had_them(rules):
    fam = family(child("c1", offences=(2, 0)), problems=("crime",))  # no ASB before the start
    item = result(rules, fam)
    assert condition(item, "asb_down_60").status is Status.NOT_APPLICABLE
    assert condition(item, "unauthorised_absence_below_15").status is Status.NOT_APPLICABLE  # no education problem
    assert item.status is Status.ACHIEVED


def test_every_part_that_applies_must_hold(rules):
    fam = family(child("c1", att=(20, 5), offences=(3, 3)))
    assert result(rules, fam).status is Status.NOT_ACHIEVED


def test_not_yet_until_the_period_lies_after_the_start(rules):
    fam = family(child("c1", att=(20, 5)), problems=("education",))
    assert result(rules, fam, as_of=dt.date(2014, 4, 29)).status is Status.NOT_YET  # spring 2014 not over


def test_data_that_stops_early_is_missing_never_success(rules):
    covered = {**COVERED, "school_attendance": dt.date(2014, 4, 29)}
    fam = family(child("c1", att=(20, 5)), problems=("education",), covered=covered)
    assert result(rules, fam).status is Status.MISSING


# --- work -----------------------------------------------------------------------------------------------------------

JSA = Record(dt.date(2012, 3, 1), "benefits:1", dt.date(2013, 5, 31))
JOB = Record(dt.date(2013, 6, 1), "employment:1", None)


def test_continuous_employment_off_benefits_for_the_whole_period(rules):
    fam = family(adult(benefits=[JSA], work=[JOB]), problems=("work",))
    item = result(rules, fam, "continuous_employment")
    assert item.status is Status.ACHIEVED
    assert set(condition(item, "continuous_employment").members[0].refs) == {"benefits:1", "employment:1"}


@pytest.mark.parametrize(
    ("job", "status"),
    [
        (Record(dt.date(2013, 10, 31), "e", None), Status.ACHIEVED),  # 26 whole weeks to 30 April 2014
        (Record(dt.date(2013, 11, 1), "e", None), Status.NOT_ACHIEVED),  # 25 weeks and 6 days
        (Record(dt.date(2013, 6, 1), "e", dt.date(2014, 4, 29)), Status.ACHIEVED),  # 29 of the last 30 weeks
    ],
)
def test_continuous_employment_edges(rules, job, status):
    assert (
        result(rules, family(adult(benefits=[JSA], work=[job]), problems=("work",)), "continuous_employment").status
        is status
    )


def test_a_change_of_employer_is_continuous_employment(rules):
    first = Record(dt.date(2013, 6, 1), "employment:1", dt.date(2014, 1, 10))
    second = Record(dt.date(2014, 1, 11), "employment:2", None)
    item = result(
        rules, family(adult(benefits=[JSA], work=[first, second]), problems=("work",)), "continuous_employment"
    )
    assert item.status is Status.ACHIEVED
    assert "30 of the last 30 weeks" in condition(item, "continuous_employment").members[0].after


@pytest.mark.parametrize(
    ("gap_days", "status"),
    [(20, Status.ACHIEVED), (35, Status.NOT_ACHIEVED)],  # 3 weeks off: 27 weeks in work; 5 weeks off: 25
)
def test_a_short_gap_between_jobs_is_allowed(rules, gap_days, status):
    first = Record(dt.date(2013, 6, 1), "employment:1", dt.date(2014, 1, 10))
    second = Record(dt.date(2014, 1, 11) + dt.timedelta(days=gap_days), "employment:2", None)
    fam = family(adult(benefits=[JSA], work=[first, second]), problems=("work",))
    assert result(rules, fam, "continuous_employment").status is status


def test_weeks_by_the_benefit_the_adult_came_off(rules):
    """13 of the last 15 weeks after Employment and Support Allowance; 26 of the last 30 after Jobseeker's Allowance."""
    job = Record(dt.date(2014, 2, 1), "employment:3", None)  # 12 weeks and 4 days to 30 April 2014: 12 whole weeks
    longer = Record(dt.date(2014, 1, 25), "employment:4", None)  # 13 whole weeks
    esa = Record(dt.date(2012, 3, 1), "benefits:2", dt.date(2014, 1, 24))
    assert result(
        rules, family(adult(esa=[esa], work=[longer]), problems=("work",)), "continuous_employment"
    ).status is (Status.ACHIEVED)
    assert result(rules, family(adult(esa=[esa], work=[job]), problems=("work",)), "continuous_employment").status is (
        Status.NOT_ACHIEVED
    )
    jsa = Record(dt.date(2012, 3, 1), "benefits:3", dt.date(2014, 1, 24))
    assert result(
        rules, family(adult(benefits=[jsa], work=[longer]), problems=("work",)), "continuous_employment"
    ).status is (Status.NOT_ACHIEVED)


def test_an_out_of_work_claim_in_a_week_does_not_count_it(rules):
    back_on = Record(dt.date(2014, 2, 1), "benefits:4", dt.date(2014, 3, 31))  # 9 weeks back on benefits
    fam = family(adult(benefits=[JSA, back_on], work=[JOB]), problems=("work",))
    assert result(rules, fam, "continuous_employment").status is Status.NOT_ACHIEVED


def test_no_employment_claim_for_an_adult_on_esf_or_work_programme(rules):
    esf = Record(dt.date(2013, 3, 1), "esf:1", dt.date(2013, 9, 1))
    item = result(
        rules, family(adult(benefits=[JSA], work=[JOB], provision=[esf]), problems=("work",)), "continuous_employment"
    )
    assert condition(item, "continuous_employment").members[0].status is Status.EXCLUDED
    assert item.status is Status.NOT_ACHIEVED


def test_an_adult_never_on_benefits_is_not_counted_for_employment(rules):
    item = result(rules, family(adult(work=[JOB]), problems=("work",)), "continuous_employment")
    assert item.status is Status.NOT_APPLICABLE


ATTACHED = Record(dt.date(2014, 1, 10), "esf:2", None)


def test_progress_to_work_is_paid_only_with_crime_asb_education(rules):
    with_result = family(child("c1", att=(20, 5)), adult(provision=[ATTACHED]), problems=("education", "work"))
    assert result(rules, with_result, "progress_to_work").status is Status.ACHIEVED
    without = family(child("c1", att=(20, 16)), adult(provision=[ATTACHED]), problems=("education", "work"))
    item = result(rules, without, "progress_to_work")
    assert item.status is Status.NOT_ACHIEVED
    assert item.reason == "paid only with crime_asb_education"


def test_progress_to_work_is_not_paid_with_continuous_employment(rules):
    worker = adult("a1", benefits=[JSA], work=[JOB])
    volunteer = adult("a2", provision=[ATTACHED])
    fam = family(child("c1", att=(20, 5)), worker, volunteer, problems=("education", "work"))
    outcome = evaluate_family(rules, family=fam, as_of=AS_OF)
    assert outcome.payable == ("crime_asb_education", "continuous_employment")


def test_no_family_is_claimed_twice_for_the_same_result(rules):
    fam = family(child("c1", att=(20, 5)), problems=("education",), claimed=("crime_asb_education",))
    assert result(rules, fam).status is Status.ALREADY_CLAIMED
    assert evaluate_family(rules, family=fam, as_of=AS_OF).payable == ()


# --- money for the results ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_on", "results", "paid_before", "pounds"),
    [
        (dt.date(2012, 6, 1), ["crime_asb_education"], 0, 700),
        (dt.date(2012, 6, 1), ["crime_asb_education", "progress_to_work"], 0, 800),
        (dt.date(2012, 6, 1), ["continuous_employment"], 0, 800),
        (dt.date(2012, 6, 1), ["continuous_employment"], 70_000, 100),  # capped at the year's £800 a family
        (dt.date(2012, 6, 1), ["crime_asb_education", "continuous_employment"], 0, 800),
        (dt.date(2013, 4, 1), ["crime_asb_education"], 0, 1400),  # the year the case started sets the rates
        (dt.date(2014, 9, 1), ["crime_asb_education", "progress_to_work"], 0, 2400),
        (dt.date(2015, 4, 1), ["crime_asb_education"], 0, 0),  # after the programme
    ],
)
def test_results_payment_for_a_family(started_on, results, paid_before, pounds):
    funding = load_funding(Path(settings.PROGRAMMES_DIR) / "funding" / "tf-2012.yaml")
    got = results_payment_pence(funding=funding, started_on=started_on, results=results, paid_before_pence=paid_before)
    assert got == pounds * 100


# --- the definition -------------------------------------------------------------------------------------------------


def test_every_choice_names_a_reason(rules):
    assert len(rules.choices) >= 8
    assert all(choice.reason for choice in rules.choices)
    assert rules.condition("continuous_employment").period.months == 6


def test_a_result_naming_an_unknown_condition_is_refused():
    raw = {"rules": "demo", "version": 1, "programme": "demo", "title": "t", "source": ["s"],
           "effective_from": "2012-04-01", "conditions": [],
           "results": [{"code": "x", "label": "x", "source": "s", "conditions": ["nope"]}]}  # fmt: skip
    with pytest.raises(DefinitionError, match="unknown conditions"):
        parse_results_rules(raw)


def test_a_condition_with_an_unknown_rule_is_refused(rules):
    raw = {"rules": "demo", "version": 1, "programme": "demo", "title": "t", "source": ["s"],
           "effective_from": "2012-04-01", "results": [],
           "conditions": [{"code": "x", "label": "x", "source": "s", "rule": "feel_better",
                           "period": {"months": 6}}]}  # fmt: skip
    with pytest.raises(DefinitionError, match="rule is one of"):
        parse_results_rules(raw)


def test_attendance_unknown_before_the_start_is_missing_not_void(rules):
    newcomer = child("c2", att=(None, 20))  # no return for the terms before the start
    item = result(rules, family(child("c1", att=(20, 5)), newcomer, problems=("education",)))
    part = condition(item, "unauthorised_absence_below_15")
    assert [member.status for member in part.members] == [Status.ACHIEVED, Status.MISSING]
    assert item.status is Status.MISSING
    fine = child("c2", att=(None, 3))
    assert result(rules, family(child("c1", att=(20, 5)), fine, problems=("education",))).status is Status.ACHIEVED


def test_a_family_not_paid_always_says_why(rules):
    from wholefamily.domain.claims.rules import why_not_payable  # imported here: new with the auditor's view

    for fam in (
        family(child("c1", att=(20, 16)), problems=("education",)),  # not met
        family(child("c1", att=(20, 5)), problems=("education",), claimed=("crime_asb_education",)),  # claimed before
        family(child("c1", att=(20, 5)), problems=()),  # nothing applies
    ):
        outcome = evaluate_family(rules, family=fam, as_of=AS_OF)
        assert outcome.payable == () and why_not_payable(outcome)
    not_met = evaluate_family(rules, family=family(child("c1", att=(20, 16)), problems=("education",)), as_of=AS_OF)
    assert "Each child less than 15% unauthorised absence in the last 3 school terms: not met" in why_not_payable(
        not_met
    )
    paid = evaluate_family(rules, family=family(child("c1", att=(20, 5)), problems=("education",)), as_of=AS_OF)
    assert paid.payable and why_not_payable(paid) == ""


def test_a_reduction_from_nothing_does_not_apply_whatever_the_data(rules):
    """No anti-social behaviour before the start: the condition does not apply, even when the data stop early (a
    family's crime part then rests on its offending, not on a dataset it never appeared in)."""
    covered = {**COVERED, "asb_interventions": dt.date(2014, 1, 1)}
    fam = family(child("c1", offences=(3, 0)), problems=("crime",), covered=covered)
    item = result(rules, fam)
    assert condition(item, "asb_down_60").status is Status.NOT_APPLICABLE
    assert item.status is Status.ACHIEVED
    with_asb = family(child("c1", offences=(3, 0)), adult("a1", asb=(5, 0)), problems=("crime",), covered=covered)
    assert condition(result(rules, with_asb), "asb_down_60").status is Status.MISSING
