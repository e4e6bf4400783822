"""Golden cases for every outcome measure of the tf-2015 framework and each rule of supporting-families-2022:
thresholds, period boundaries, a member who leaves, and missing data marked as missing (never success)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.criteria.schema import DefinitionError, load_programmes
from wholefamily.domain.criteria.sql import check_programme
from wholefamily.domain.outcomes import evaluate as ev
from wholefamily.domain.outcomes.evaluate import MemberData, Record, Status, TermAttendance
from wholefamily.domain.outcomes.framework import (
    as_programme,
    check_against_programme,
    load_framework,
    load_frameworks,
    parse_framework,
)

ROOT = Path(__file__).resolve().parents[3]
FRAMEWORKS = ROOT / "programmes" / "outcomes"
START = dt.date(2016, 1, 10)
ADULT = dt.date(1985, 6, 1)
CHILD = dt.date(2006, 3, 1)  # 9 at the start


@pytest.fixture(scope="module")
def tf2015():
    return load_framework(FRAMEWORKS / "tf-2015.yaml")


@pytest.fixture(scope="module")
def sf2022():
    return load_framework(FRAMEWORKS / "supporting-families-2022.yaml")


def measure(framework, code):
    return next(m for m in framework.measures if m.code == code)


def run(framework, code, members, as_of, *, covered_to=dt.date(2030, 1, 1)):
    return ev.evaluate_measure(
        measure(framework, code),
        start_on=START,
        as_of=as_of,
        members=members,
        calendar=framework.term_calendar,
        covered_to=covered_to,
    )


def person(pid="P1", born=ADULT, *, had=True, records=(), attendance=(), left_on=None, joined_on=None, **extra):
    return MemberData(pid, pid, born, joined_on, left_on, had, tuple(records), tuple(attendance), **extra)


# --- the definitions ------------------------------------------------------------------------------------------------


def test_frameworks_cover_every_headline_problem_and_fit_the_data_contract():
    frameworks = load_frameworks(FRAMEWORKS)
    programmes = load_programmes(ROOT / "programmes")
    contracts = load_contract_set(ROOT / "definitions")
    assert set(frameworks) == {"tf-2015", "supporting-families-2022"}
    for framework in frameworks.values():
        check_against_programme(framework, programmes[framework.programme])
        check_programme(as_programme(framework), contracts)  # kinds, columns and code lists exist
        assert all(m.source for m in framework.measures)
        assert (framework.before_months, framework.after_months) == (12, 12)


def test_tf2015_is_shaped_like_seed_002(tf2015):
    assert [m.problem for m in tf2015.measures].count("crime") == 4  # offences, ASB, sentences, referrals
    assert {m.problem for m in tf2015.measures} == {
        "crime",
        "education",
        "need_help",
        "work",
        "domestic_abuse",
        "health",
    }
    assert {p.kind.value for p in tf2015.performance_measures} == {"how_much", "how_well", "better_off"}
    attendance = measure(tf2015, "attendance_sustained")
    assert (attendance.threshold_percent, attendance.period_label) == (10, "3 consecutive terms")
    assert measure(tf2015, "asb_reduced").reduction_percent == 60


def _raw():
    return yaml.safe_load((FRAMEWORKS / "tf-2015.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["outcome_measures"][0].pop("period"), "period is required"),
        (lambda r: r["outcome_measures"][0].update(outcome="nowhere"), "unknown outcome"),
        (lambda r: r["outcome_measures"][1].update(reduction_percent=120), "at most 100"),
        (lambda r: r["outcome_measures"][0].update(kind="no_such_kind") or None, None),
        (lambda r: r.update(performance_measures=r["performance_measures"][:2]), "how much, how well and better off"),
        (lambda r: r["outcomes"][0].update(aim="nowhere"), "unknown aim"),
        (
            lambda r: next(m for m in r["outcome_measures"] if m["code"] == "attendance_sustained").update(
                period={"months": 6}
            ),
            "attendance indicator needs a window of terms",
        ),
    ],
)
def test_malformed_frameworks_are_refused(change, message):
    raw = _raw()
    change(raw)
    if message is None:  # an unknown dataset kind parses, and the contract check refuses it
        framework = parse_framework(raw)
        with pytest.raises(DefinitionError, match="unknown dataset kind"):
            check_programme(as_programme(framework), load_contract_set(ROOT / "definitions"))
        return
    with pytest.raises(DefinitionError, match=message):
        parse_framework(raw)


def test_a_headline_problem_without_a_measure_is_refused():
    raw = _raw()
    raw["outcome_measures"] = [m for m in raw["outcome_measures"] if m["problem"] != "health"]
    framework = parse_framework(raw)
    with pytest.raises(DefinitionError, match=r"no outcome measure for the headline problems \['health'\]"):
        check_against_programme(framework, load_programmes(ROOT / "programmes")["tf-2015"])


# --- attendance_sustained: unauthorised absence under 10% over 3 consecutive terms ----------------------------------

TERMS = [(2016, "summer"), (2016, "autumn"), (2017, "spring")]  # the last 3 completed terms on 30 April 2017
AS_OF_TERMS = dt.date(2017, 4, 30)


def _attendance(unauthorised, authorised=(0, 0, 0), terms=TERMS):
    # academic year 2015 = 2015/16: its summer term is summer 2016
    years = {"summer": -1, "autumn": 0, "spring": -1}
    return [
        TermAttendance(year + years[term], term, 100, a, u, f"v1:att-{term}")
        for (year, term), u, a in zip(terms, unauthorised, authorised, strict=True)
    ]


@pytest.mark.parametrize(
    ("unauthorised", "authorised", "expected", "value"),
    [
        ((9, 9, 11), (0, 0, 0), Status.ACHIEVED, "29 of 300 sessions missed (9.7%)"),  # summed: one bad term is allowed
        ((10, 10, 10), (0, 0, 0), Status.NOT_ACHIEVED, "30 of 300 sessions missed (10.0%)"),  # exactly 10%: not under
        ((0, 0, 0), (9, 9, 9), Status.ACHIEVED, "27 of 300 sessions missed (9.0%)"),  # authorised absence counted
        ((0, 0, 0), (10, 10, 10), Status.NOT_ACHIEVED, "30 of 300 sessions missed (10.0%)"),  # as identification
    ],
)
def test_attendance_threshold(tf2015, unauthorised, authorised, expected, value):
    child = person("C1", CHILD, attendance=_attendance(unauthorised, authorised))
    result = run(tf2015, "attendance_sustained", [child], AS_OF_TERMS)
    assert result.status is expected
    assert result.members[0].value == value
    assert (result.period_from, result.period_to) == (dt.date(2016, 5, 1), dt.date(2017, 4, 30))
    assert result.members[0].evidence == ("v1:att-summer", "v1:att-autumn", "v1:att-spring")


def test_attendance_total_absence_in_supporting_families_counts_authorised_too(sf2022):
    child = person("C1", CHILD, attendance=_attendance((0, 0, 0), (40, 40, 40)))
    assert run(sf2022, "attendance_sustained", [child], AS_OF_TERMS).status is Status.NOT_ACHIEVED


def test_attendance_period_must_follow_the_start(tf2015):
    # On 31 December 2016 the last 3 terms begin on 1 January 2016, before the start on 10 January: too early.
    child = person("C1", CHILD, attendance=_attendance((0, 0, 0)))
    result = run(tf2015, "attendance_sustained", [child], dt.date(2016, 12, 31))
    assert result.status is Status.NOT_YET and result.period_from == dt.date(2016, 1, 1)


def test_attendance_with_a_term_missing_is_missing_not_success(tf2015):
    child = person("C1", CHILD, attendance=_attendance((0, 0, 0))[:2])
    result = run(tf2015, "attendance_sustained", [child], AS_OF_TERMS)
    assert result.status is Status.MISSING
    assert result.members[0].value == "no attendance for spring 2016"


def test_attendance_data_delivered_only_to_before_the_period_end_is_missing(tf2015):
    child = person("C1", CHILD, attendance=_attendance((0, 0, 0)))
    result = run(tf2015, "attendance_sustained", [child], AS_OF_TERMS, covered_to=dt.date(2017, 4, 29))
    assert result.status is Status.MISSING and "data only to 29 April 2017" in result.reason
    assert run(tf2015, "attendance_sustained", [child], AS_OF_TERMS, covered_to=None).status is Status.MISSING


def test_a_child_without_the_problem_at_the_start_is_not_measured(tf2015):
    child = person("C1", CHILD, had=False, attendance=_attendance((30, 30, 30)))
    assert run(tf2015, "attendance_sustained", [child], AS_OF_TERMS).status is Status.NOT_APPLICABLE


def test_had_problem_at_start_reads_the_same_measure_before_the_start(tf2015):
    attendance_measure = measure(tf2015, "attendance_sustained")
    before = [
        TermAttendance(2014, "autumn", 100, 0, 12, "a"),
        TermAttendance(2014, "spring", 100, 0, 9, "b"),
        TermAttendance(2014, "summer", 100, 0, 9, "c"),
    ]
    start = dt.date(2015, 9, 1)  # the 3 terms before: autumn 2014, spring 2015, summer 2015 (30 of 300: 10%)
    assert ev.had_problem_at_start(attendance_measure, person(attendance=before), start, tf2015.term_calendar)
    before[0] = TermAttendance(2014, "autumn", 100, 0, 11, "a")
    assert not ev.had_problem_at_start(attendance_measure, person(attendance=before), start, tf2015.term_calendar)


# --- no_proven_offence: no proven offence in the 6 months -----------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "offence_on", "expected"),
    [
        (dt.date(2016, 7, 8), None, Status.NOT_YET),  # the 6 months would begin on 9 January, before the start
        (dt.date(2016, 7, 9), None, Status.ACHIEVED),  # 10 January to 9 July: wholly after the start
        (dt.date(2016, 7, 9), dt.date(2016, 1, 10), Status.NOT_ACHIEVED),  # on the first day of the period
        (dt.date(2016, 7, 9), dt.date(2016, 7, 9), Status.NOT_ACHIEVED),  # on the last day
        (dt.date(2016, 7, 10), dt.date(2016, 1, 10), Status.ACHIEVED),  # a day later it has dropped out
    ],
)
def test_no_proven_offence_window(tf2015, as_of, offence_on, expected):
    records = [Record(offence_on, "v1:off-1")] if offence_on else []
    result = run(tf2015, "no_proven_offence", [person("Y1", CHILD, records=records)], as_of)
    assert result.status is expected
    if expected is Status.NOT_ACHIEVED:
        assert result.members[0].evidence == ("v1:off-1",)


def test_a_member_who_leaves_is_not_counted_and_the_rest_decide(tf2015):
    as_of = dt.date(2016, 12, 31)
    stayed = person("P1")
    left = person("P2", records=[Record(dt.date(2016, 9, 1), "v1:off-9")], left_on=dt.date(2016, 10, 1))
    result = run(tf2015, "no_proven_offence", [stayed, left], as_of)
    assert result.status is Status.ACHIEVED
    assert [(m.person_id, m.status) for m in result.members] == [("P1", Status.ACHIEVED), ("P2", Status.LEFT)]
    only_left = run(tf2015, "no_proven_offence", [left], as_of)
    assert only_left.status is Status.MISSING  # nobody left to measure: never success
    joined_later = person("P3", joined_on=dt.date(2016, 3, 1))
    assert run(tf2015, "no_proven_offence", [joined_later], as_of).status is Status.NOT_APPLICABLE


# --- asb_reduced: 60% fewer interventions in 6 months than in the 6 months before -----------------------------------


def _asb(before, after):
    dates = [dt.date(2015, 8, 1)] * before + [dt.date(2016, 5, 1)] * after
    return [Record(day, f"v1:asb-{i}") for i, day in enumerate(dates)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (5, 2, Status.ACHIEVED),
        (5, 3, Status.NOT_ACHIEVED),
        (10, 4, Status.ACHIEVED),
        (1, 0, Status.ACHIEVED),
        (1, 1, Status.NOT_ACHIEVED),
    ],
)
def test_asb_reduction_threshold(tf2015, before, after, expected):
    result = run(tf2015, "asb_reduced", [person(records=_asb(before, after))], dt.date(2016, 7, 9))
    assert result.status is expected
    assert result.members[0].value == f"{after} in the period, {before} in the 6 months before the start"


def test_asb_baseline_is_identifications_12_months_to_the_day_before_the_start(tf2015):
    asb = measure(tf2015, "asb_reduced")
    early = person(records=[Record(dt.date(2015, 1, 9), "x")])  # just outside (10 January 2015 .. 9 January 2016)
    inside = person(records=[Record(dt.date(2015, 1, 10), "x")])
    assert not ev.had_problem_at_start(asb, early, START, tf2015.term_calendar)
    assert ev.had_problem_at_start(asb, inside, START, tf2015.term_calendar)
    # With nothing before the start, a fall cannot be shown: the member is not measured.
    assert run(tf2015, "asb_reduced", [person(had=False)], dt.date(2016, 7, 9)).status is Status.NOT_APPLICABLE


# --- spells: stepped down from statutory care; off out-of-work benefits ---------------------------------------------


@pytest.mark.parametrize(
    ("end_on", "expected"),
    [
        (dt.date(2016, 3, 30), Status.ACHIEVED),  # closed the day before the period (31 March .. 30 September)
        (dt.date(2016, 3, 31), Status.NOT_ACHIEVED),  # open on its first day
        (None, Status.NOT_ACHIEVED),  # still open
    ],
)
def test_no_spell_in_the_period(tf2015, end_on, expected):
    spell = Record(dt.date(2015, 6, 1), "v1:cp-1", end_on=end_on)
    as_of = dt.date(2016, 9, 30)
    child_result = run(tf2015, "stepped_down_from_statutory_care", [person("C1", CHILD, records=[spell])], as_of)
    adult_result = run(tf2015, "off_out_of_work_benefits", [person("A1", ADULT, records=[spell])], as_of)
    assert child_result.status is expected and adult_result.status is expected


def test_subjects_by_age_on_the_start_date(tf2015):
    as_of = dt.date(2016, 9, 30)
    # A child is not measured on the adults' benefits measure; a 15-year-old not on domestic abuse (16 and over).
    assert run(tf2015, "off_out_of_work_benefits", [person("C1", CHILD)], as_of).status is Status.NOT_APPLICABLE
    fifteen = person("Y1", dt.date(2000, 6, 1))
    sixteen = person("Y2", dt.date(2000, 1, 10))  # 16 on the start date itself
    assert run(tf2015, "no_domestic_incident", [fifteen], as_of).status is Status.NOT_APPLICABLE
    assert run(tf2015, "no_domestic_incident", [sixteen], as_of).status is Status.ACHIEVED


def test_no_new_health_flag(tf2015):
    as_of = dt.date(2016, 9, 30)
    flagged = person(records=[Record(dt.date(2016, 8, 1), "v1:h-1")])
    assert run(tf2015, "no_new_health_flag", [flagged], as_of).status is Status.NOT_ACHIEVED
    assert run(tf2015, "no_new_health_flag", [person()], as_of).status is Status.ACHIEVED
    assert (
        run(tf2015, "no_new_health_flag", [person()], as_of, covered_to=dt.date(2016, 6, 30)).status is Status.MISSING
    )


# --- distance travelled measures (supporting-families-2022) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((3, 2, 2), Status.ACHIEVED),
        ((2, 3), Status.NOT_ACHIEVED),
        ((2, None, 1), Status.ACHIEVED),  # the last two scored reviews
        ((2,), Status.MISSING),  # one review is not sustained progress, and not a failure either
        ((), Status.MISSING),
    ],
)
def test_distance_travelled_measure(sf2022, scores, expected):
    family = person("family", None, review_scores=scores, baseline_score=4)
    assert run(sf2022, "relationships_improved", [family], dt.date(2016, 9, 30)).status is expected


def test_distance_travelled_measure_needs_a_baseline_above_the_threshold(sf2022):
    relationships = measure(sf2022, "relationships_improved")
    assert not ev.had_problem_at_start(relationships, person(baseline_score=2), START, sf2022.term_calendar)
    assert ev.had_problem_at_start(relationships, person(baseline_score=3), START, sf2022.term_calendar)


# --- combining, and the measurement points of Together for Families update (Cambridgeshire, 2014), s4.2 -------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.ACHIEVED, Status.ACHIEVED], Status.ACHIEVED),
        ([Status.ACHIEVED, Status.NOT_ACHIEVED, Status.MISSING], Status.NOT_ACHIEVED),
        ([Status.ACHIEVED, Status.MISSING], Status.MISSING),
        ([Status.ACHIEVED, Status.NOT_APPLICABLE, Status.LEFT], Status.ACHIEVED),
        ([Status.NOT_APPLICABLE], Status.NOT_APPLICABLE),
        ([], Status.NOT_APPLICABLE),
    ],
)
def test_combine(statuses, expected):
    assert ev.combine(statuses) is expected


def test_measurement_points():
    points = ev.measurement_points(start_on=START, end_on=dt.date(2016, 10, 31), as_of=dt.date(2018, 1, 1))
    assert points == ev.MeasurementPoints(dt.date(2015, 1, 10), START, dt.date(2017, 10, 31), True)
    partial = ev.measurement_points(start_on=START, end_on=dt.date(2016, 10, 31), as_of=dt.date(2017, 2, 1))
    assert partial.after_on == dt.date(2017, 2, 1) and not partial.is_after_complete  # "up to 12 months after"
    still_open = ev.measurement_points(start_on=START, end_on=None, as_of=dt.date(2017, 2, 1))
    assert still_open.after_on is None


# --- every measure of both frameworks: one achieving and one failing family ------------------------------------------


def _every_measure():
    for framework in load_frameworks(FRAMEWORKS).values():
        for item in framework.measures:
            yield pytest.param(framework, item, id=f"{framework.code}:{item.code}")


def _born_for(item):
    subject = item.subject
    if subject.max_age is not None and subject.max_age < 18:
        return CHILD
    if subject.max_age is not None:  # a young person (16 to 24): 20 at the start
        return dt.date(START.year - 20, 6, 1)
    return ADULT


@pytest.mark.parametrize(("framework", "item"), list(_every_measure()))
def test_every_measure_separates_progress_from_none(framework, item):
    as_of = AS_OF_TERMS
    rule = item.rule.value
    if rule == "attendance_below":
        good = person("M", CHILD, attendance=_attendance((0, 0, 0)))
        bad = person("M", CHILD, attendance=_attendance((30, 30, 30), (30, 30, 30)))
    elif rule == "distance_travelled":
        good = person("family", None, review_scores=(item.max_score, item.max_score), baseline_score=5)
        bad = person("family", None, review_scores=(item.max_score, item.max_score + 1), baseline_score=5)
    elif rule == "fewer_than":
        good = person("M", _born_for(item), records=[Record(as_of - dt.timedelta(days=i), f"a{i}") for i in range(2)])
        bad = person("M", _born_for(item), records=[Record(as_of - dt.timedelta(days=i), f"a{i}") for i in range(3)])
    elif rule == "fewer_events":
        before = [Record(START - dt.timedelta(days=30 + i), f"b{i}") for i in range(5)]
        good = person("M", _born_for(item), records=before)
        bad = person(
            "M", _born_for(item), records=[*before, *(Record(as_of - dt.timedelta(days=i), f"a{i}") for i in range(3))]
        )
    else:  # no_events, no_spell: one record (or spell) in the period fails it
        good = person("M", _born_for(item))
        bad = person("M", _born_for(item), records=[Record(as_of - dt.timedelta(days=10), "r1", end_on=as_of)])
    assert run(framework, item.code, [good], as_of).status is Status.ACHIEVED
    assert run(framework, item.code, [bad], as_of).status is Status.NOT_ACHIEVED
    # A period of months or terms cannot have passed 20 days after the start; distance travelled has no period (the
    # last two reviews), so only an evaluation before the start is too early for it.
    too_early = START - dt.timedelta(days=1) if rule == "distance_travelled" else START + dt.timedelta(days=20)
    assert run(framework, item.code, [good], too_early).status is Status.NOT_YET
