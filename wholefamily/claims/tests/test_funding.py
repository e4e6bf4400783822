"""Funding definitions and the forecast: Working Together With Families (Lancashire, 2013), s4.2 to the pound, and the
definition's checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from wholefamily.domain.claims.funding import (
    FundingError,
    forecast_funding,
    funded_families,
    load_funding,
    parse_funding,
    pence,
    results_payment_pence,
    spread_families,
)

FUNDING = Path(settings.PROGRAMMES_DIR) / "funding"


@pytest.fixture(scope="module")
def tf2012():
    return load_funding(FUNDING / "tf-2012.yaml")


# Working Together With Families (Lancashire, 2013) s4.2, "Lancashire - funding available (£4,000 per
# family)", in pounds.
SEED_004_TABLE = [
    ("2012/13", 730, 2_336_000, 584_000, 2_920_000),
    ("2013/14", 731, 1_754_400, 1_169_600, 2_924_000),
    ("2014/15", 731, 1_169_600, 1_754_400, 2_924_000),
]
SEED_004_TOTAL = ("Total", 2192, 5_260_000, 3_508_000, 8_768_000)


def _as_pounds(row):
    return (row.year, row.families, row.attachment_pence / 100, row.results_pence / 100, row.total_pence / 100)


def test_2630_families_reproduce_seed_004_funding_table_to_the_pound(tf2012):
    forecast = forecast_funding(funding=tf2012, estimated_families=2630)
    assert [_as_pounds(row) for row in forecast.rows] == SEED_004_TABLE
    assert _as_pounds(forecast.total) == SEED_004_TOTAL
    assert [row.attachment_percent for row in forecast.rows] == [Decimal(80), Decimal(60), Decimal(40)]
    assert [row.results_percent for row in forecast.rows] == [Decimal(20), Decimal(40), Decimal(60)]


@pytest.mark.parametrize(
    ("estimate", "funded"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (6, 5), (7, 6), (2630, 2192), (2629, 2191), (3000, 2500)],
)
def test_funded_families_are_five_sixths_to_the_nearest_family(tf2012, estimate, funded):
    # 1 -> 0.83 -> 1; 3 -> 2.5 -> 3 (halves up); 2629 -> 2190.83 -> 2191
    assert funded_families(funding=tf2012, estimated_families=estimate) == funded


@pytest.mark.parametrize(
    ("families", "spread"),
    [(2192, (730, 731, 731)), (3, (1, 1, 1)), (4, (1, 1, 2)), (5, (1, 2, 2)), (0, (0, 0, 0)), (1, (0, 0, 1))],
)
def test_families_spread_by_running_floor(tf2012, families, spread):
    assert spread_families(funding=tf2012, families=families) == spread
    assert sum(spread) == families


def test_results_split_keeps_seven_eighths_and_one_eighth_every_year(tf2012):
    for year in tf2012.years:
        results = year.results_pence
        assert results["crime_asb_education"] * 8 == results["continuous_employment"] * 7
        assert results["crime_asb_education"] + results["progress_to_work"] == results["continuous_employment"]
        assert year.attachment_fee_pence + year.results_maximum_pence == 400_000
    assert tf2012.years[0].results_pence == {
        "crime_asb_education": 70_000,
        "progress_to_work": 10_000,
        "continuous_employment": 80_000,
    }


def test_year_of_a_date(tf2012):
    assert tf2012.year_of(dt.date(2013, 3, 31)).year == "2012/13"
    assert tf2012.year_of(dt.date(2013, 4, 1)).year == "2013/14"
    assert tf2012.year_of(dt.date(2015, 4, 1)) is None


def test_tf2015_pays_1000_attachment_and_800_results():
    funding = load_funding(FUNDING / "tf-2015.yaml")
    forecast = forecast_funding(funding=funding, estimated_families=1001)
    assert [row.families for row in forecast.rows] == [200, 200, 200, 200, 201]
    assert forecast.total.attachment_pence == 1001 * 100_000
    assert forecast.total.results_pence == 1001 * 80_000


def test_tf2015_forecast_reconciles_with_the_county_board_figure():
    """Together for Families update (Cambridgeshire, 2014) s2.1: about 2,800 families and £6m over five years; the
    definition states what the per-family forecast leaves out, and the two add up."""
    raw = yaml.safe_load((FUNDING / "tf-2015.yaml").read_text(encoding="utf-8"))["reconciliation"]
    funding = load_funding(FUNDING / "tf-2015.yaml")
    forecast = forecast_funding(funding=funding, estimated_families=raw["estimated_families"])
    assert forecast.total.total_pence == 504_000_000
    assert forecast.total.total_pence + pence(raw["not_per_family"]) == pence(raw["source_total"]) == 600_000_000


def test_supporting_families_2022_pays_800_results_and_no_attachment_fee():
    funding = load_funding(FUNDING / "supporting-families-2022.yaml")
    assert results_payment_pence(funding=funding, started_on=dt.date(2022, 9, 1), results=["outcomes_sustained"]) == (
        80_000
    )
    assert all(year.attachment_fee_pence == 0 for year in funding.years)


def _raw(**changes):
    raw = {
        "funding": "demo",
        "per_family_maximum": "100.00",
        "funded_share": "1",
        "effective_from": "2020-04-01",
        "effective_to": "2022-03-31",
        "years": [
            {"year": "a", "starts_on": "2020-04-01", "ends_on": "2021-03-31", "share_of_funded_families": "1/2",
             "attachment_percent": "50", "results": {"x": "50.00"}},
            {"year": "b", "starts_on": "2021-04-01", "ends_on": "2022-03-31", "share_of_funded_families": "1/2",
             "attachment_fee": "60.00", "results": {"x": "40.00"}},
        ],
    }  # fmt: skip
    raw.update(changes)
    return raw


def test_a_consistent_definition_parses():
    funding = parse_funding(_raw())
    assert [year.attachment_fee_pence for year in funding.years] == [5000, 6000]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"funded_share": "7/6"}, "at most 1"),
        ({"funded_share": "five sixths"}, "not a fraction"),
        ({"funded_rounding": "banker"}, "funded_rounding"),
        ({"per_family_maximum": "100.001"}, "fractions of a penny"),
        ({"per_family_maximum": "120.00"}, "do not add up"),
        ({"years": []}, "at least one year"),
    ],
)
def test_an_inconsistent_definition_is_refused(change, message):
    with pytest.raises(FundingError, match=message):
        parse_funding(_raw(**change))


def test_shares_must_add_up_and_years_must_follow_each_other():
    raw = _raw()
    raw["years"][1]["share_of_funded_families"] = "1/3"
    with pytest.raises(FundingError, match="add up to 1"):
        parse_funding(raw)
    raw = _raw()
    raw["years"][1]["starts_on"] = "2021-04-02"
    with pytest.raises(FundingError, match="does not start the day after"):
        parse_funding(raw)


def test_pence_is_exact():
    assert pence("0.10") + pence("0.20") == pence("0.30")
    assert pence("4000") == 400_000


def test_funding_command_prints_the_table_and_writes_xlsx(tmp_path, capsys):
    out = tmp_path / "funding.xlsx"
    call_command("funding", "--programme", "tf-2012", "--estimated-families", "2630", "--out", str(out))
    printed = capsys.readouterr().out
    line = next(line for line in printed.splitlines() if line.startswith("2012/13"))
    assert line.split() == ["2012/13", "730", "80%", "£2,336,000", "20%", "£584,000", "£2,920,000"]
    assert "£8,768,000" in printed
    sheet = load_workbook(out).active
    years = {"2012/13", "2013/14", "2014/15", "Total"}
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] in years]
    assert [(row[0], row[1], row[3], row[5], row[6]) for row in rows] == [*SEED_004_TABLE, SEED_004_TOTAL]
    assert rows[0][2] == pytest.approx(0.8)


def test_funding_command_refuses_an_unknown_programme(tmp_path):
    with pytest.raises(CommandError, match="no funding definition"):
        call_command("funding", "--programme", "tf-1999", "--estimated-families", "10", "--out", tmp_path / "x.xlsx")
