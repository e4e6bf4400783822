"""The commissioning rules as pure decisions: the catalogue definition's checks, a referral's steps, places from hours,
equal shares among districts, gaps, need no service targets, key-worker overlaps and take-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from wholefamily.domain.commissioning import (
    CatalogueError,
    CohortFacts,
    QuarterReferral,
    ReferralDates,
    ReferralFacts,
    ReferralState,
    ServiceFacts,
    check_step,
    computed_figures,
    need_against_capacity,
    parse_catalogue,
    parse_monitoring,
    places_per_quarter,
    return_status,
    take_up,
)

DEFINITION = Path(__file__).resolve().parents[2] / "definitions" / "commissioning" / "catalogue.yaml"
DAY = dt.date(2026, 6, 1)


def test_the_shipped_catalogue_definition_parses_and_cites_its_sources() -> None:
    raw = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    definition = parse_catalogue(raw)
    assert [r.code for r in definition.evidence_ratings] == ["proven", "promising", "local", "untested"]
    assert all("Commissioning for Families with Complex Needs" in r.source for r in definition.evidence_ratings)
    assert {choice["topic"] for choice in raw["choices"]} >= {
        "The evidence rating scale",
        "Capacity shared among districts",
    }
    broken = dict(raw, evidence_ratings=[{"code": "x", "label": "X"}])
    with pytest.raises(CatalogueError, match="source"):
        parse_catalogue(broken)


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        (ReferralState.REFERRED, ReferralState.ACCEPTED, True),
        (ReferralState.REFERRED, ReferralState.DECLINED, True),
        (ReferralState.REFERRED, ReferralState.STARTED, False),
        (ReferralState.ACCEPTED, ReferralState.STARTED, True),
        (ReferralState.STARTED, ReferralState.ENDED, True),
        (ReferralState.ENDED, ReferralState.STARTED, False),
        (ReferralState.DECLINED, ReferralState.ACCEPTED, False),
    ],
)
def test_a_referral_moves_only_to_its_next_steps(current: ReferralState, to: ReferralState, allowed: bool) -> None:
    if allowed:
        check_step(current, to, on=DAY, last_on=DAY, today=DAY)
    else:
        with pytest.raises(CatalogueError):
            check_step(current, to, on=DAY, last_on=DAY, today=DAY)


def test_dates_go_forward_and_never_into_the_future() -> None:
    with pytest.raises(CatalogueError, match="on or after"):
        check_step(ReferralState.REFERRED, ReferralState.ACCEPTED, on=DAY, last_on=DAY + dt.timedelta(1), today=DAY)
    with pytest.raises(CatalogueError, match="future"):
        check_step(ReferralState.REFERRED, ReferralState.ACCEPTED, on=DAY + dt.timedelta(1), last_on=DAY, today=DAY)


def test_hours_become_places_rounded_down() -> None:
    assert places_per_quarter(capacity=650, is_hours=True, hours_per_family=60) == 10
    assert places_per_quarter(capacity=7, is_hours=False, hours_per_family=None) == 7
    with pytest.raises(CatalogueError):
        places_per_quarter(capacity=650, is_hours=True, hours_per_family=None)


def test_need_places_gaps_unserved_need_and_overlaps() -> None:
    services = [
        ServiceFacts(1, "A", frozenset({"crime"}), ("North", "South"), 4, True),
        ServiceFacts(2, "B", frozenset({"crime", "housing"}), ("North",), 10, True),
    ]
    cohort = [
        CohortFacts("H1", "North", frozenset({"crime", "health"}), True),
        CohortFacts("H2", "North", frozenset({"housing"}), False),
        CohortFacts("H3", "South", frozenset({"crime", "housing"}), False),
        CohortFacts("H4", "South", frozenset({"crime"}), False),
        CohortFacts("H5", "South", frozenset({"crime"}), False),
    ]
    referrals = [
        ReferralFacts(1, 10, "North", ReferralState.STARTED),
        ReferralFacts(2, 10, "North", ReferralState.ACCEPTED),
        ReferralFacts(2, 11, "North", ReferralState.REFERRED),
        ReferralFacts(1, 12, "South", ReferralState.ENDED),
    ]
    report = need_against_capacity(services, cohort, referrals)
    rows = {(r.service, r.district): r for r in report.rows}
    assert (rows[("A", "North")].need, rows[("A", "North")].need_with_case, rows[("A", "North")].places) == (1, 1, 2)
    assert rows[("A", "South")].need == 3 and rows[("A", "South")].is_gap and rows[("A", "South")].gap == 1
    assert rows[("A", "South")].in_use == 0  # an ended referral holds no place
    assert (rows[("B", "North")].need, rows[("B", "North")].in_use, rows[("B", "North")].waiting) == (2, 1, 2)
    assert {(u.district, u.problem, u.families) for u in report.unserved} == {
        ("North", "health", 1),
        ("South", "housing", 1),
    }
    [overlap] = report.overlaps
    assert (overlap.district, overlap.families, overlap.services) == ("North", 1, ("A", "B"))


def test_take_up_counts_decided_referrals_and_hides_a_median_of_few() -> None:
    dates = [
        ReferralDates(ReferralState.STARTED, DAY, DAY + dt.timedelta(days=4)),
        ReferralDates(ReferralState.ENDED, DAY, DAY + dt.timedelta(days=10)),
        ReferralDates(ReferralState.DECLINED, DAY, None),
        ReferralDates(ReferralState.REFERRED, DAY, None),
    ]
    figures = take_up(dates)
    assert (figures.referred, figures.started, figures.declined, figures.waiting) == (4, 2, 1, 1)
    assert figures.take_up == pytest.approx(2 / 3)
    assert figures.median_wait(1) == 7 and figures.median_wait(5) is None


MONITORING = DEFINITION.parent / "monitoring.yaml"


def test_the_monitoring_definition_cites_appendix_c_and_names_computable_figures() -> None:
    definition = parse_monitoring(yaml.safe_load(MONITORING.read_text(encoding="utf-8")))
    assert definition.due_days == 30 and {s.code for s in definition.sections} == {"activity", "quality",
                                                                                   "outcomes", "cost"}  # fmt: skip
    assert all("Appendix C" in i.source for i in definition.indicators)
    assert {i.computed for i in definition.indicators if i.computed} == {
        "referrals", "started", "ended", "declined", "response_days", "goals_achieved"
    }  # fmt: skip
    with pytest.raises(CatalogueError, match="cannot compute"):
        parse_monitoring({"sections": [{"code": "a", "label": "A"}], "due_days_after_quarter": 30,
                          "indicators": [{"code": "x", "section": "a", "kind": "count", "label": "X", "source": "S",
                                          "computed": "anything"}]})  # fmt: skip


def test_a_quarters_computed_figures_and_a_returns_status() -> None:
    start, end = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
    referrals = [
        QuarterReferral(dt.date(2026, 4, 2), dt.date(2026, 4, 6), dt.date(2026, 4, 9), dt.date(2026, 6, 1),
                        ReferralState.ENDED, True),
        QuarterReferral(dt.date(2026, 3, 20), dt.date(2026, 4, 1), None, None, ReferralState.DECLINED, False),
        QuarterReferral(dt.date(2026, 6, 29), None, None, None, ReferralState.REFERRED, False),
    ]  # fmt: skip
    figures = computed_figures(referrals, starts_on=start, ends_on=end)
    assert figures == {"referrals": 2, "started": 1, "ended": 1, "declined": 1, "response_days": 8,
                       "goals_achieved": 100.0}  # fmt: skip
    status = {
        "submitted": return_status(quarter_ends_on=end, due_days=30, submitted_on=dt.date(2026, 7, 30), today=DAY),
        "late": return_status(quarter_ends_on=end, due_days=30, submitted_on=dt.date(2026, 7, 31), today=DAY),
        "due": return_status(quarter_ends_on=end, due_days=30, submitted_on=None, today=dt.date(2026, 7, 30)),
        "missing": return_status(quarter_ends_on=end, due_days=30, submitted_on=None, today=dt.date(2026, 7, 31)),
        "not_due": return_status(quarter_ends_on=end, due_days=30, submitted_on=None, today=end),
    }
    assert {key: value.value for key, value in status.items()} == {key: key for key in status}
