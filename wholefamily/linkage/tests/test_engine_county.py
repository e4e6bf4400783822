"""The linkage engine on a synthetic county with known truth: accuracy bar, snapshot format, stable ids."""

from __future__ import annotations

import dataclasses

import pyarrow.parquet as pq
import pytest

from wholefamily.linkage.engine.accuracy import snapshot_accuracy
from wholefamily.linkage.engine.definition import LinkageDefinition
from wholefamily.linkage.engine.run import Decision, HouseholdCorrection, PreviousRun, RunResult, link_datasets
from wholefamily.linkage.tests.conftest import County


def test_accuracy_meets_the_issue_bar(first_run: RunResult, linkage_county: County) -> None:
    accuracy = snapshot_accuracy(first_run.out_dir, linkage_county.truth)
    print(accuracy.as_dict())  # the figures, for the record (pytest -s)
    assert accuracy.records == first_run.figures["records"]
    assert accuracy.precision >= 0.995
    assert accuracy.recall >= 0.98
    assert accuracy.same_household_false_merge_rate is not None
    assert accuracy.same_household_false_merge_rate < 0.005
    # Households (current, against the truth's, judged on everyone an agency shows at their current home): 99.4% of
    # households and 98.6% of families (343 of 348) on this county with model v3. The issue asks for 98% of families.
    assert accuracy.household_match_rate is not None and accuracy.household_match_rate >= 0.98
    assert accuracy.family_match_rate is not None and accuracy.family_match_rate >= 0.98
    # nearly everyone an agency shows at their current home has a current household
    assert accuracy.current_placed_rate is not None and accuracy.current_placed_rate >= 0.99


def test_snapshot_has_the_adr_columns(first_run: RunResult) -> None:
    expected = {
        "record_person.parquet": [
            "dataset_version_id", "kind", "source_record_id", "line_number", "person_id", "match_probability",
            "profile_id", "dwelling",
        ],
        "persons.parquet": ["person_id", "forename", "surname", "date_of_birth", "sex"],
        "households.parquet": ["household_id", "uprn", "postcode", "address", "postcode_district", "first_seen_on",
                               "last_seen_on"],
        "memberships.parquet": ["person_id", "household_id", "role", "start_on", "end_on"],
        "review_pairs.parquet": ["profile_id_l", "profile_id_r", "match_probability", "match_weight"],
    }  # fmt: skip
    for name, columns in expected.items():
        names = pq.read_schema(first_run.out_dir / name).names
        assert names[: len(columns)] == columns, name
    records = pq.read_table(first_run.out_dir / "record_person.parquet")
    persons = pq.read_table(first_run.out_dir / "persons.parquet")
    assert set(records.column("person_id").to_pylist()) == set(persons.column("person_id").to_pylist())
    roles = set(pq.read_table(first_run.out_dir / "memberships.parquet").column("role").to_pylist())
    assert roles <= {"child", "young_person", "adult_parent", "other_adult"}
    assert {"child", "adult_parent"} <= roles
    assert (first_run.out_dir / "model.json").is_file()


def _clusters_of(run: RunResult) -> dict[str, set[str]]:
    table = pq.read_table(run.out_dir / "record_person.parquet", columns=["profile_id", "person_id"])
    clusters: dict[str, set[str]] = {}
    for profile_id, person_id in zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True):
        clusters.setdefault(person_id, set()).add(profile_id)
    return clusters


@pytest.mark.slow
def test_new_delivery_keeps_ids_and_review_decisions_hold(
    first_run: RunResult,
    linkage_county: County,
    definition: LinkageDefinition,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    clusters = _clusters_of(first_run)
    person_of = {profile: person for person, profiles in clusters.items() for profile in profiles}
    # a reviewer splits one linked pair and joins two persons that were apart
    linked = sorted(sorted(profiles) for profiles in clusters.values() if len(profiles) > 1)[0]
    apart = sorted(person for person, profiles in clusters.items() if len(profiles) == 1)[:2]
    join_l, join_r = sorted(next(iter(clusters[person])) for person in apart)
    decisions = [
        Decision(profile_id_l=linked[0], profile_id_r=linked[1], is_same_person=False),
        Decision(profile_id_l=join_l, profile_id_r=join_r, is_same_person=True),
    ]
    # an analyst moves one person (with a current membership) into another current household
    memberships = pq.read_table(first_run.out_dir / "memberships.parquet").to_pylist()
    current = [row for row in memberships if row["end_on"] is None]
    mover = current[0]
    target = next(row["household_id"] for row in current if row["household_id"] != mover["household_id"])
    correction = HouseholdCorrection(person_id=mover["person_id"], household_id=target)
    second = link_datasets(
        linkage_county.datasets(),
        definition=definition,
        out_dir=tmp_path_factory.mktemp("run-2"),
        run_id="run-2",
        previous=PreviousRun.read(first_run.out_dir),
        decisions=decisions,
        corrections=[correction],
    )
    assert second.figures["records"] > first_run.figures["records"]  # housing arrived
    assert second.figures["person_ids_kept_share"] >= 0.99
    after = {profile: person for person, profiles in _clusters_of(second).items() for profile in profiles}
    assert after[linked[0]] != after[linked[1]]
    assert after[join_l] == after[join_r]
    kept = sum(1 for profile, person in person_of.items() if after.get(profile) == person)
    assert kept / len(person_of) >= 0.99
    assert second.figures["household_corrections_applied"] == 1
    later = pq.read_table(second.out_dir / "memberships.parquet").to_pylist()
    assert {
        row["household_id"] for row in later if row["person_id"] == mover["person_id"] and row["end_on"] is None
    } == {target}


@pytest.mark.slow
def test_reviewers_same_person_pairs_train_m(
    first_run: RunResult,
    linkage_county: County,
    definition: LinkageDefinition,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    records = pq.read_table(
        first_run.out_dir / "record_person.parquet", columns=["kind", "source_record_id", "profile_id"]
    )
    truth = pq.read_table(linkage_county.truth / "source_records.parquet").to_pylist()
    person_of = {(row["source_kind"], row["source_record_id"]): row["true_person_id"] for row in truth}
    profiles_of: dict[int, set[str]] = {}
    for row in records.to_pylist():
        profiles_of.setdefault(person_of[(row["kind"], row["source_record_id"])], set()).add(row["profile_id"])
    pairs = [tuple(sorted(profiles))[:2] for profiles in profiles_of.values() if len(profiles) > 1]
    labels = [Decision(profile_id_l=a, profile_id_r=b, is_same_person=True) for a, b in sorted(pairs)[:60]]
    assert len(labels) >= definition.training.min_labels_for_m
    run = link_datasets(
        linkage_county.datasets(without=("housing",)),
        definition=definition,
        out_dir=tmp_path_factory.mktemp("run-labels"),
        run_id="run-labels",
        decisions=labels,
    )
    assert run.figures["m_from_labels"] == len(labels)
    accuracy = snapshot_accuracy(run.out_dir, linkage_county.truth)
    assert accuracy.precision >= 0.995
    assert accuracy.recall >= 0.98


def test_chunked_prediction_gives_the_same_clusters(
    first_run: RunResult,
    linkage_county: County,
    definition: LinkageDefinition,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    profiles = first_run.figures["profiles"]
    chunked = dataclasses.replace(definition, profiles_per_chunk=profiles // 3 + 1)
    assert chunked.prediction_chunks(profiles) == 3
    run = link_datasets(
        linkage_county.datasets(without=("housing",)),
        definition=chunked,
        out_dir=tmp_path_factory.mktemp("run-chunked"),
        run_id="run-chunked",
        trained_model=first_run.out_dir / "model.json",
    )
    assert sorted(map(sorted, _clusters_of(run).values())) == sorted(map(sorted, _clusters_of(first_run).values()))
