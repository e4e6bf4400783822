"""Service monitoring's pure rules (Commissioning for Families with Complex Needs, Appendix C section 13.1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wholefamily.domain.reporting.card import FamilyRecord
from wholefamily.domain.reporting.monitoring import (
    ReferralRecord,
    breakdowns,
    indicators,
    load_monitoring,
    parse_monitoring,
)
from wholefamily.domain.reporting.quarters import Quarter

ROOT = Path(__file__).resolve().parents[2]
Q = Quarter(2026, 1)
DEFINITION = load_monitoring(ROOT / "definitions" / "reporting" / "monitoring.yaml")


def _referral(received: int, decided: int | None, decision: str, district: str = "North") -> ReferralRecord:
    on = dt.date(2026, 4, 1) + dt.timedelta(days=received)
    return ReferralRecord(district, "School", on, None if decided is None else on + dt.timedelta(days=decided),
                          decision, decision.replace("_", " ").capitalize())  # fmt: skip


def _family(**changes: object) -> FamilyRecord:
    base: dict[str, object] = dict(
        case_id=1, district="North", age_group="A", tier="T", characteristic="C", instigator="I", key_worker_type="K",
        opened_on=dt.date(2026, 4, 10),
    )  # fmt: skip
    return FamilyRecord(**{**base, **changes})  # type: ignore[arg-type]


def test_response_bands_at_their_edges() -> None:
    assert [DEFINITION.band(days) for days in (0, 5, 6, 10, 11, 20, 21)] == [
        "Within 5 days", "Within 5 days", "6 to 10 days", "6 to 10 days", "11 to 20 days", "11 to 20 days",
        "More than 20 days",
    ]  # fmt: skip
    assert DEFINITION.not_recorded and DEFINITION.source


def test_a_definition_without_rising_bands_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_monitoring(
            {"source": ["x"], "response_bands": [{"max_days": 10, "label": "a"}, {"max_days": 5, "label": "b"}]}
        )


def test_indicators_of_a_quarter() -> None:
    referrals = [
        _referral(0, 3, "accept"),
        _referral(1, 9, "signpost"),
        _referral(2, None, ""),
        _referral(-5, 7, "accept"),
    ]
    families = [
        _family(is_re_referral=True, closed_on=dt.date(2026, 6, 1), destination="disengaged",
                allocations=((dt.date(2026, 4, 12), None),), goals_achieved=(True, False),
                taf_meetings=(dt.date(2026, 5, 1), dt.date(2026, 5, 2)), multi_agency_meetings=(True, False)),
        _family(case_id=2, allocations=((dt.date(2026, 4, 20), None),)),
    ]  # fmt: skip
    found = {i.code: i.value for i in indicators(families, referrals, Q)}
    assert found["referrals"].amount == 3  # the one received in March is not the quarter's
    assert found["inappropriate"].amount == 1
    assert (found["response_days"].amount, found["response_days"].over) == (7.0, 3)  # median of 3, 9 and 7 days
    assert found["re_referrals"].amount == 50.0 and found["re_referrals"].over == 2
    assert found["allocated"].amount == 2
    assert found["engagement"].amount == 0.0 and found["engagement"].over == 1
    assert found["multi_agency_meetings"].amount == 50.0
    assert found["goals_achieved"].amount == 50.0


def test_breakdowns_count_undecided_referrals_apart_and_issues_without_totals() -> None:
    referrals = [_referral(0, 3, "accept"), _referral(1, None, "", "South")]
    families = [_family(problems=("Crime", "Education")), _family(case_id=2, problems=("Crime",))]
    tables = {b.code: b for b in breakdowns(families, referrals, Q, DEFINITION, {})}
    assert tables["by_area"].columns == ("Accept", "Not yet decided")
    assert tables["by_area"].counts == ((1, 0), (0, 1))
    assert dict(zip(tables["by_issue"].rows, tables["by_issue"].counts, strict=True)) == {
        "Crime": (2,),
        "Education": (1,),
    }
    assert not tables["by_issue"].has_totals
