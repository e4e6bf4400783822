"""The board pack's results claims: the quarter's claims computed, validated, rejected and paid, counted by another
route (straight from the claim state changes) agree with the pack's section and its workbook sheet; a step of fewer
than 5 claims hides its count and its amount."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from wholefamily.claims.models import Claim, ClaimRun, ClaimStateChange
from wholefamily.reporting.services import build_board_pack
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(11)))


@pytest.fixture
def claims(county: Any) -> None:
    inside, before = QUARTER.starts_on + dt.timedelta(days=10), QUARTER.starts_on - dt.timedelta(days=30)
    for run_day, count in ((inside, 12), (before, 3)):
        run = ClaimRun.objects.create(
            programme="tf-2012",
            window="2013-01",
            as_of_on=run_day,
            rules="tf-2012 v1",
            snapshot="s",
            started_at=_at(run_day),
        )
        for index in range(count):
            Claim.objects.create(
                run=run,
                programme="tf-2012",
                window="2013-01",
                reference=f"tf-2012/2013-01/F-{run_day:%m}-{index}",
                family_id=f"F-{run_day:%m}-{index}",
                household_id="H",
                amount_pence=400_000 + index * 10_000,
                state="draft",
                evidence={"start_on": "2012-06-01"},
                state_changed_at=_at(run_day),
            )
    claims = list(Claim.objects.order_by("reference"))
    moves = [
        (claims[:9], "validated", inside),
        (claims[9:11], "rejected", inside),
        (claims[:6], "paid", inside),
        (claims[12:15], "validated", before),
    ]
    for chosen, state, day in moves:
        for claim in chosen:
            ClaimStateChange.objects.create(
                claim=claim,
                from_state="draft",
                to_state=state,
                changed_by=county.programme_manager,
                changed_at=_at(day + dt.timedelta(days=5)),
            )
            Claim.objects.filter(pk=claim.pk).update(state=state)


def _direct(state: str) -> tuple[int, int]:
    span = (QUARTER.starts_on, QUARTER.ends_on)
    ids = set(
        ClaimStateChange.objects.filter(to_state=state, changed_at__date__range=span).values_list("claim_id", flat=True)
    )
    return len(ids), Claim.objects.filter(pk__in=ids).aggregate(p=Sum("amount_pence"))["p"] or 0


def test_the_quarters_claims_agree_with_the_claim_records_and_small_steps_are_hidden(county: Any, claims: None) -> None:
    pack = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    section = next(s for s in pack.figures["sections"] if s["kind"] == "claims")
    assert section["title"] == "Results claims"
    (table,) = section["tables"]
    rows = {row[0]: row for row in table["values"]}
    span = (QUARTER.starts_on, QUARTER.ends_on)
    computed = Claim.objects.filter(run__started_at__date__range=span)
    assert rows["Computed"][1:] == [computed.count(), computed.aggregate(p=Sum("amount_pence"))["p"] / 100]
    for state, label in (("validated", "Validated by internal audit"), ("paid", "Paid")):
        count, pence = _direct(state)
        assert rows[label][1:] == [count, pence / 100]
    assert _direct("validated")[0] == 9  # the three validated before the quarter are not counted
    assert _direct("rejected")[0] == 2
    assert rows["Rejected"][1:] == ["fewer than 5", "not shown"]  # two claims: the count and the money hidden
    body = {row[0]: row for row in table["body"]}
    assert body["Paid"][1] == "6" and body["Paid"][2].startswith("£")

    book = load_workbook(io.BytesIO(bytes(pack.xlsx)))
    sheet = book["Results claims"]
    values = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Paid"][1:3] == (6, _direct("paid")[1] / 100)
    assert values["Rejected"][1:3] == ("fewer than 5", "not shown")
    assert b"Results claims" in bytes(pack.pdf) or "Results claims" in [s["title"] for s in pack.figures["sections"]]
