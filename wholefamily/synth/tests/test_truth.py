"""The ground truth is consistent with itself and with the agency files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq


def _truth(county: Path, name: str):
    return pq.read_table(county / "truth" / f"{name}.parquet")


def _no_overlaps(table, owner: str) -> None:
    owners = table.column(owner).to_numpy()
    start = table.column("start_on").cast("int32").to_numpy()
    end_on = table.column("end_on")
    is_open = end_on.is_null().to_numpy(zero_copy_only=False)
    end = np.where(is_open, 10**6, end_on.cast("int32").fill_null(0).to_numpy())
    assert (end >= start).all(), "a segment ends before it starts"
    order = np.lexsort((start, owners))
    owners, start, end = owners[order], start[order], end[order]
    same = owners[1:] == owners[:-1]
    assert not (end[:-1][same] >= start[1:][same]).any(), f"overlapping segments of one {owner}"


def test_every_source_record_maps_to_exactly_one_true_person(small_county: Path) -> None:
    source = _truth(small_county, "source_records")
    persons = _truth(small_county, "persons")
    keys = pc.binary_join_element_wise(source.column("source_kind"), source.column("source_record_id"), "/")
    assert pc.count_distinct(keys).as_py() == source.num_rows
    assert source.column("true_person_id").null_count == 0
    assert pc.all(pc.is_in(source.column("true_person_id"), persons.column("true_person_id"))).as_py()
    manifest = json.loads((small_county / "manifest.json").read_text())
    for kind, rows in manifest["agency_rows"].items():
        with (small_county / "agency" / f"{kind}.csv").open(encoding="utf-8") as handle:
            ids = {row["source_record_id"] for row in csv.DictReader(handle)}
        mapped = set(
            pc.filter(source.column("source_record_id"), pc.equal(source.column("source_kind"), kind)).to_pylist()
        )
        assert len(ids) == rows and ids == mapped


def test_memberships_do_not_overlap_and_their_households_exist(small_county: Path) -> None:
    memberships = _truth(small_county, "memberships")
    households = _truth(small_county, "households")
    _no_overlaps(memberships, "true_person_id")
    assert pc.all(pc.is_in(memberships.column("household_id"), households.column("household_id"))).as_py()
    persons = _truth(small_county, "persons")
    assert set(memberships.column("true_person_id").to_pylist()) == set(persons.column("true_person_id").to_pylist())


def test_addresses_do_not_overlap_and_are_dwellings_of_the_county(small_county: Path) -> None:
    addresses = _truth(small_county, "addresses")
    _no_overlaps(addresses, "true_person_id")
    _no_overlaps(_truth(small_county, "household_addresses"), "household_id")
    dwellings = _truth(small_county, "dwellings")
    assert pc.all(pc.is_in(addresses.column("uprn"), dwellings.column("uprn"))).as_py()
    assert pc.count_distinct(dwellings.column("uprn")).as_py() == dwellings.num_rows


def test_worked_with_families_were_eligible_at_the_reference_date(small_county: Path) -> None:
    manifest = json.loads((small_county / "manifest.json").read_text())
    eligibility = _truth(small_county, "eligibility").to_pylist()
    eligible = {
        row["household_id"]
        for row in eligibility
        if row["programme"] == "tf2015"
        and row["is_eligible"]
        and row["evaluated_on"].isoformat() == manifest["reference_on"]
    }
    worked = _truth(small_county, "worked_with").to_pylist()
    assert worked and {row["household_id"] for row in worked} <= eligible
    assert all(row["start_on"].isoformat() > manifest["reference_on"] for row in worked)


def test_true_identifiers_match_the_clean_agency_records(small_county: Path) -> None:
    persons = _truth(small_county, "persons").to_pydict()
    source = _truth(small_county, "source_records").to_pydict()
    noise_of = {
        (kind, record): (person, noise)
        for kind, record, person, noise in zip(
            source["source_kind"], source["source_record_id"], source["true_person_id"], source["noise"], strict=True
        )
    }
    checked = 0
    for kind, identifier in (
        ("health", "nhs_number"),
        ("benefits", "ni_number"),
        ("school_attendance", "pupil_number"),
    ):
        with (small_county / "agency" / f"{kind}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                person, noise = noise_of[(kind, row["source_record_id"])]
                if "missing_identifier" in noise or "alternate_person_id" in noise:
                    continue
                assert row[identifier] == persons[identifier][person]
                checked += 1
    assert checked > 1000
