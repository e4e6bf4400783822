"""The county's area statistics count the residents the generator made: each ward's population on a 30 June is the
people whose household lived in the ward's dwellings that day, as the truth tables say."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import yaml
from django.conf import settings


def test_a_wards_population_and_children_are_the_residents_the_truth_holds(small_county: Path) -> None:
    with (small_county / "area" / "area_statistics.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    last = max(row["estimate_on"] for row in rows)
    latest = [row for row in rows if row["estimate_on"] == last]
    geography = yaml.safe_load((Path(settings.DEFINITIONS_DIR) / "synth" / "geography.yaml").read_text())
    wards = sum(len(district["wards"]) for district in geography["districts"])
    assert len(latest) == len({row["ward_code"] for row in rows}) == wards
    assert sorted({int(row["deprivation_decile"]) for row in latest}) == list(range(1, 11))
    ward = max(latest, key=lambda row: int(row["population"]))
    truth = small_county / "truth"
    day = dt.date.fromisoformat(last)
    eighteen_ago = day.replace(year=day.year - 18)
    population, children, households = (
        duckdb.connect()
        .execute(
            f"""
        WITH living AS (
            SELECT p.true_person_id, p.date_of_birth, m.household_id
            FROM '{truth}/memberships.parquet' m JOIN '{truth}/persons.parquet' p USING (true_person_id)
            WHERE m.start_on <= DATE '{day}' AND (m.end_on IS NULL OR m.end_on >= DATE '{day}')),
        housed AS (
            SELECT h.household_id, d.ward, d.district FROM '{truth}/household_addresses.parquet' h
            JOIN '{truth}/dwellings.parquet' d USING (uprn)
            WHERE h.start_on <= DATE '{day}' AND (h.end_on IS NULL OR h.end_on >= DATE '{day}'))
        SELECT count(*), count(*) FILTER (WHERE date_of_birth > DATE '{eighteen_ago}'),
               count(DISTINCT household_id)
        FROM living JOIN housed USING (household_id)
        WHERE ward = $ward AND district = $district
        """,  # noqa: S608 - paths and dates the test made
            {"ward": ward["ward_name"], "district": ward["district"]},
        )
        .fetchall()[0]
    )
    assert (int(ward["population"]), int(ward["population_0_17"])) == (population, children)
    assert int(ward["households"]) == households
    assert 0 < children < population
