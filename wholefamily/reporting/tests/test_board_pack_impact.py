"""The board pack's impact and savings: the latest stored impact analysis and savings run appear in the PDF and the
workbook with the same figures as stored (estimates with their intervals, the assumptions, the cost-benefit summary
and savings by agency), with a plain warning where unit costs are unverified."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wholefamily.impact.benefit import figures as cost_benefit
from wholefamily.impact.models import ImpactEffect, ImpactRun, SavingsRun
from wholefamily.impact.selectors import ASSUMPTIONS
from wholefamily.reporting.services import build_board_pack
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db

AGENCIES = [
    {"agency": "Police", "cost_before": 52_000.0, "cost_after": 31_500.5, "saving": 20_499.5},
    {"agency": "Children's social care", "cost_before": 120_000.0, "cost_after": 126_000.0, "saving": -6_000.0},
]


def _pdf_text(pdf: bytes) -> str:
    """The text drawn on the PDF's pages: each content stream decoded (ASCII85 then Flate, as reportlab writes)."""
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S):
        try:
            parts.append(zlib.decompress(base64.a85decode(stream.strip(), adobe=True)))
        except (ValueError, zlib.error):
            parts.append(stream)
    return b"\n".join(parts).decode("latin-1")


def _runs(*, families: int = 40, older: bool = True) -> tuple[ImpactRun, SavingsRun]:
    now = timezone.now()
    if older:  # an earlier analysis and savings run, which the pack must not show
        ImpactRun.objects.create(outcomes_definition="old", snapshot="s", started_at=now - dt.timedelta(days=9))
        SavingsRun.objects.create(unit_costs="old", price_base_year=2020, snapshot="s", families=99,
                                  started_at=now - dt.timedelta(days=9))  # fmt: skip
    run = ImpactRun.objects.create(outcomes_definition="outcomes v1", snapshot="s", worked_with=120, pool=900,
                                   matched=110, unmatched=10, comparison_used=300, started_at=now)  # fmt: skip
    for outcome, estimate in (("offending", -0.0612), ("absence", 0.0071)):
        ImpactEffect.objects.create(run=run, outcome=outcome, label=outcome.capitalize(), estimate=estimate,
                                    low=estimate - 0.031, high=estimate + 0.029, p_value=0.04, treated_before=0.31,
                                    treated_after=0.22, comparison_before=0.30, comparison_after=0.27,
                                    pre_trend=0.004, pre_trend_low=-0.01, pre_trend_high=0.018)  # fmt: skip
    savings = SavingsRun.objects.create(
        unit_costs="unit-costs v1",
        price_base_year=2025,
        snapshot="s",
        families=families,
        total_before=172_000.0,
        total_after=157_500.5,
        by_type={"fiscal": 14_499.5, "economic": 2_000.0, "social": 1_000.0},
        by_agency=AGENCIES,
        programme_cost=8_000.0,
        optimism_bias=0.4,
        unverified=["police_call_out", "week_in_care"],
        by_cost=[{"cost": "police_call_out", "label": "A police call-out"}],
        potential_method="starter-potential-savings@1",
        potential=[
            {
                "label": "A child taken into care",
                "families_at_risk": 12,
                "events_averted": 0.3,
                "saving": 70_200.0,
                "assumption": "Illustrative (unverified)",
            },
            {
                "label": "A custodial sentence",
                "families_at_risk": 2,
                "events_averted": 0.02,
                "saving": 1_360.0,
                "assumption": "Illustrative (unverified)",
            },
        ],
        started_at=now,
    )
    return run, savings


def test_the_packs_impact_and_savings_are_the_stored_runs(county: Any) -> None:
    run, savings = _runs()
    pack = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    section = next(s for s in pack.figures["sections"] if s["kind"] == "impact")
    assert section["title"] == "Impact and savings"
    effects, summary, agencies, potential = section["tables"]
    stored = {e.label: e for e in run.effects.all()}
    assert len(effects["values"]) == len(stored) == 2
    for label, *numbers in effects["values"]:
        e = stored[label]
        assert numbers == [e.treated_before, e.treated_after, e.comparison_before, e.comparison_after, e.estimate,
                           e.low, e.high, e.pre_trend]  # fmt: skip
    assert "What the estimate assumes: " + " ".join(ASSUMPTIONS) in section["paragraphs"]
    (warning,) = section["warnings"]
    assert "unverified (A police call-out; week in care)" in warning  # in words: a label, else the code's words

    benefit = cost_benefit(savings)
    values = dict(summary["values"])
    assert values["Families costed"] == savings.families == 40
    assert values["Cost of services, 12 months before"] == savings.total_before
    assert values["Cost of services, 12 months after"] == savings.total_after
    assert values["Fiscal benefit"] == savings.by_type["fiscal"]
    assert values["Programme cost"] == savings.programme_cost
    assert values["Net benefit"] == pytest.approx(benefit.net_benefit) == (17_499.5 * 0.6 - 8_000)
    assert values["Benefit-cost ratio (all benefits)"] == pytest.approx(17_499.5 * 0.6 / 8_000)
    assert agencies["values"] == [[r["agency"], r["cost_before"], r["cost_after"], r["saving"]] for r in AGENCIES]
    assert agencies["body"][1][3] == "-£6,000"

    assert "not part of the cost-benefit" in potential["caption"]
    assert potential["values"][0][:4] == ["A child taken into care", 12, 0.3, 70_200.0]
    assert potential["values"][1][1:4] == ["fewer than 5", 0.02, "not shown"]  # two families at risk: hidden

    book = load_workbook(io.BytesIO(bytes(pack.xlsx)))
    sheet = book["Impact and savings"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Offending"][1:9] == (0.31, 0.22, 0.30, 0.27, -0.0612, -0.0612 - 0.031, -0.0612 + 0.029, 0.004)
    assert rows["Police"][1:4] == (52_000.0, 31_500.5, 20_499.5)
    assert rows["Net benefit"][1] == pytest.approx(benefit.net_benefit)
    assert any(str(key).startswith("Warning: some unit costs are unverified") for key in rows)

    text = _pdf_text(bytes(pack.pdf))
    assert "Impact and savings" in text and "Warning: some unit costs are unverified" in text
    assert "-0.061" in text and "Children's social care" in text.replace("\\'", "'")


def test_without_runs_the_pack_says_so_and_a_few_families_savings_are_not_shown(county: Any) -> None:
    pack = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    section = next(s for s in pack.figures["sections"] if s["kind"] == "impact")
    assert section["tables"] == [] and section["warnings"] == []
    assert section["paragraphs"] == [
        "No impact analysis against comparison families has been run yet.",
        "No cost savings have been computed yet.",
    ]
    _runs(families=3, older=False)
    pack = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    section = next(s for s in pack.figures["sections"] if s["kind"] == "impact")
    assert len(section["tables"]) == 1  # the effects only
    assert section["paragraphs"][-1] == "Cost savings: fewer than 5 families costed, so the figures are not shown."
