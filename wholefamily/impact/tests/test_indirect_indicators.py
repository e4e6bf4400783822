"""Indirect impact indicators over a linked synthetic county (DuckDB), recomputed by another route (pandas over the
same Parquet files) and agreeing; the definition refused whole when it names what the data does not hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from wholefamily.domain.contract import load_contract_set
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.impact.engine.indirect import (
    IndicatorDefinitionError,
    indirect_counts,
    load_indicators,
    terms_within,
    window_start,
)
from wholefamily.synth.generator import Parameters, generate

DEFINITION = Path(settings.DEFINITIONS_DIR) / "reporting" / "indirect-impact.yaml"
END = dt.date(2016, 3, 31)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("indirect-county")
    generate(Parameters(population=8_000, seed=3, start="2013-09-01", years=4), out,
             definitions_dir=Path(settings.DEFINITIONS_DIR))  # fmt: skip
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    build_perfect_snapshot(out, out / "snapshot", contracts=contracts, as_of=END)
    return Snapshot.open(out / "snapshot")


def _by_pandas(snapshot: Snapshot, households: set[str], indicator, start: dt.date, end: dt.date) -> tuple[int, ...]:
    """The same count, another route: pandas over the snapshot's files, no SQL."""
    persons = pq.read_table(snapshot.path("persons")).to_pandas()[["person_id", "date_of_birth"]]
    members = pq.read_table(snapshot.path("memberships")).to_pandas()
    on = pd.Timestamp(end)
    starts, ends = pd.to_datetime(members["start_on"]), pd.to_datetime(members["end_on"])
    members = members[(starts.isna() | (starts <= on)) & (ends.isna() | (ends >= on))]
    residents = members.assign(is_programme=members["household_id"].isin(households))
    residents = residents.groupby("person_id")["is_programme"].any().reset_index().merge(persons, how="left")
    born = pd.to_datetime(residents["date_of_birth"])
    keep = pd.Series(True, index=residents.index)
    if indicator.min_age is not None:
        keep &= born <= on - pd.DateOffset(years=indicator.min_age)
    if indicator.max_age is not None:
        keep &= born > on - pd.DateOffset(years=indicator.max_age + 1)
    residents = residents[keep]
    links = pq.read_table(snapshot.path("record_person")).to_pandas()
    frames = []
    for version, path in snapshot.data_files(indicator.kind):
        frames.append(pq.read_table(path).to_pandas().assign(dataset_version_id=version))
    records = pd.concat(frames).merge(links, on=["dataset_version_id", "source_record_id"])
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if indicator.rule == "events":
        day = pd.to_datetime(records[indicator.date_column])
        hit = (day >= first) & (day <= last)
    elif indicator.rule == "spell":
        began, ended = pd.to_datetime(records["start_on"]), pd.to_datetime(records["end_on"])
        hit = (began <= last) & (ended.isna() | (ended >= first))
    else:
        terms = set(terms_within(start, end))
        in_terms = [(int(y), str(t)) in terms for y, t in zip(records["academic_year"], records["term"], strict=True)]
        absent = records["authorised_absence_sessions"].fillna(0) + records["unauthorised_absence_sessions"].fillna(0)
        hit = (
            pd.Series(in_terms, index=records.index)
            & (records["possible_sessions"] > 0)
            & (absent * 100 >= indicator.threshold_percent * records["possible_sessions"])
        )
    if indicator.codes:
        hit &= records[indicator.column].isin(indicator.codes)
    people = set(records.loc[hit, "person_id"])
    has = residents["person_id"].isin(people)
    programme = residents["is_programme"]
    return int(programme.sum()), int((has & programme).sum()), len(residents), int(has.sum())


def test_indicators_agree_with_a_count_by_another_route(county):
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    indicators = load_indicators(DEFINITION, contracts)
    assert [i.code for i in indicators.indicators] == [
        "attendance", "exclusions", "into_care", "custody", "child_protection", "domestic_abuse", "youth_offending",
        "anti_social_behaviour", "social_care_referral",
    ]  # fmt: skip
    memberships = pq.read_table(county.path("memberships")).to_pandas()
    programme = set(sorted(memberships["household_id"].unique())[::7])  # every seventh household
    counts = indirect_counts(county, sorted(programme), window_end=END, indicators=indicators, contracts=contracts)
    start = window_start(END, indicators.window_months)
    assert start == dt.date(2015, 4, 1)
    for indicator, count in zip(indicators.indicators, counts, strict=True):
        expected = _by_pandas(county, programme, indicator, start, END)
        assert (count.programme_group, count.programme_count, count.county_group, count.county_count) == expected
        assert count.programme_count <= count.programme_group <= count.county_group
    shown = {count.code: count.county_count for count in counts}
    assert all(shown[code] > 0 for code in ("attendance", "exclusions", "domestic_abuse", "youth_offending")), shown


def test_the_terms_of_a_window():
    assert terms_within(dt.date(2015, 4, 1), dt.date(2016, 3, 31)) == [(2014, "summer"), (2015, "autumn")]


def test_a_definition_naming_what_the_data_does_not_hold_is_refused_whole(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "indicators:\n"
        "  - {code: a, label: A, among: all, kind: spaceships, rule: events, date_column: landed_on}\n"
        "  - {code: b, label: B, among: all, kind: offences, rule: events, date_column: 'offence_on; DROP'}\n"
        "  - {code: c, label: C, among: all, kind: offences, rule: sometimes}\n",
        encoding="utf-8",
    )
    with pytest.raises(IndicatorDefinitionError) as error:
        load_indicators(bad, load_contract_set(Path(settings.DEFINITIONS_DIR)))
    message = str(error.value)
    assert "unknown kind 'spaceships'" in message and "needs a date_column of offences" in message
    assert "rule must be one of" in message


@pytest.mark.django_db
def test_the_monitoring_figures_and_the_pack_section_show_them_suppressed(county, settings, tmp_path):
    from wholefamily.domain.reporting.card import FamilyRecord
    from wholefamily.domain.reporting.quarters import Quarter
    from wholefamily.reporting.definitions import small_numbers
    from wholefamily.reporting.indirect import indirect_impact
    from wholefamily.reporting.pack import _indirect

    settings.DATA_DIR = tmp_path
    rule = small_numbers()
    quarter = Quarter(2015, 4)  # January to March 2016
    households = sorted(pq.read_table(county.path("memberships")).to_pandas()["household_id"].unique())[::7]

    def family(index: int, household: str, *, closed_on: dt.date | None = None) -> FamilyRecord:
        return FamilyRecord(case_id=index, district="North", age_group="", tier="", characteristic="", instigator="",
                            key_worker_type="", opened_on=dt.date(2015, 6, 1), closed_on=closed_on,
                            household_id=household)  # fmt: skip

    families = [family(i, h) for i, h in enumerate(households[1:])]
    families += [family(0, households[0], closed_on=dt.date(2015, 9, 1)), family(-1, "")]  # closed before; unlinked
    assert "No records have been linked yet" in indirect_impact(families, quarter).missing
    (tmp_path / "linkage").mkdir()
    (tmp_path / "linkage" / "CURRENT").write_text(str(county.directory), encoding="utf-8")

    found = indirect_impact(families, quarter)
    assert found.window == (dt.date(2015, 4, 1), dt.date(2016, 3, 31)) and found.families == len(households) - 1
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    counts = indirect_counts(county, households[1:], window_end=END, contracts=contracts,
                             indicators=load_indicators(DEFINITION, contracts))  # fmt: skip
    assert found.table is not None and len(found.table.body) == len(counts) == 9
    for row, count in zip(found.table.values, counts, strict=True):
        assert row[0] == f"{count.label} ({count.among})"
        assert row[1] == (rule.shown_as if rule.is_small(count.programme_count) else count.programme_count)
        assert row[3] == (rule.shown_as if rule.is_small(count.county_count) else count.county_count)
        if rule.is_small(count.programme_count):
            assert row[2] == rule.secondary_shown_as  # its percentage would give it away
        else:
            assert row[2] == round(100 * count.programme_count / count.programme_group, 1)
    section = _indirect(found, rule)
    assert section["title"] == "Indirect impact indicators" and section["tables"][0]["body"] == [
        list(row) for row in found.table.body
    ]
    assert any(text.startswith("Window: The 12 months") for text in section["paragraphs"])
