"""`wholefamily dedupe` on files unlike the synthetic county (ADR 0016): no postcode, foreign postcodes, dates of birth
missing for a third of records, names and dates of birth only, an identifier only. Each run finishes with a report
that says which model it chose and what it left out; the same records give the same clusters whatever the file is
called and in whatever order its rows come; a file that cannot be linked gets one plain sentence."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wholefamily.domain.roles import Role
from wholefamily.ingest.services import import_file
from wholefamily.linkage.engine.accuracy import clusters_accuracy
from wholefamily.linkage.models import LinkageRun, PersonRecord

PEOPLE = 90
FORENAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Freddie",
    "Grace",
    "Lily",
    "Sophia",
    "Ivy",
    "Theo",
    "Henry",
    "Alfie",
    "Charlie",
    "Evie",
    "Ella",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
]
FOREIGN = ["75008", "10115", "D-80331", "1012 AB", "00184", "28013", "SE-111 22", "H91 E2K3"]  # fmt: skip


def _typo(text: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped (a keying slip)."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _people(seed: int) -> list[dict[str, str]]:
    """PEOPLE persons, each held as one to three records with keying slips; `person` is the truth."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for person in range(PEOPLE):
        forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        dob = f"{rng.randrange(1950, 2015)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        unit = f"{rng.randrange(1, 10)}{rng.choice('ABDEFG')}{rng.choice('HJLNPQ')}"
        postcode = f"{rng.choice(['AB', 'CD', 'EF'])}{rng.randrange(1, 20)} {unit}"
        nhs = f"{rng.randrange(10**9, 10**10)}"
        for copy in range(rng.choice([1, 2, 2, 3])):
            rows.append(
                {
                    "person": str(person),
                    "forename": _typo(forename, rng) if copy and rng.random() < 0.3 else forename,
                    "surname": _typo(surname, rng) if copy and rng.random() < 0.2 else surname,
                    "date_of_birth": dob,
                    "postcode": postcode,
                    "foreign_postcode": FOREIGN[person % len(FOREIGN)] + ("" if person < 8 else f" {person}"),
                    "address": f"{rng.randrange(1, 200)} {surname} Road"
                    if copy == 0
                    else f"{len(surname)} {surname} Rd",
                    "nhs_number": nhs,
                }
            )
    rng.shuffle(rows)
    for number, row in enumerate(rows, start=1):
        row["source_record_id"] = f"R{number:04d}"
    return rows


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _dedupe(path: Path, out: Path, *options: str) -> tuple[dict[str, str], str]:
    stdout = io.StringIO()
    call_command("dedupe", str(path), "--out", str(out), "--no-progress", *options, stdout=stdout)
    with out.open(newline="", encoding="utf-8") as handle:
        clusters = {row["source_record_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
    return clusters, stdout.getvalue()


def _shape(name: str, rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[str]]:
    """The records and columns of each file shape ADR 0016 names."""
    base = ["source_record_id", "forename", "surname", "date_of_birth"]
    if name == "no postcode":
        return rows, [*base, "address"]
    if name == "foreign postcodes":
        return [{**row, "postcode": row["foreign_postcode"]} for row in rows], [*base, "address", "postcode"]
    if name == "a third without date of birth":
        return [{**row, "date_of_birth": "" if i % 3 == 0 else row["date_of_birth"]} for i, row in enumerate(rows)], [
            *base,
            "address",
            "postcode",
        ]
    if name == "names and dates of birth only":
        return rows, base
    return rows, ["source_record_id", "nhs_number"]  # an identifier only


SHAPES = [
    ("no postcode", "no postcode in the data", 0.9),
    ("foreign postcodes", "Blocking rule on UPRN skipped", 0.9),
    ("a third without date of birth", "no UPRN in the data", 0.85),
    ("names and dates of birth only", "Comparison of address left out", 0.9),
    ("an identifier only", "Comparison of forename left out", 0.99),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("shape", "left_out", "min_f1"), SHAPES)
def test_dedupe_finishes_with_a_report_on_any_shape(shape: str, left_out: str, min_f1: float, tmp_path: Path) -> None:
    rows, columns = _shape(shape, _people(seed=11))
    path = _write(tmp_path / "extract.csv", rows, columns)
    clusters, report = _dedupe(path, tmp_path / "clusters.csv")
    assert set(clusters) == {row["source_record_id"] for row in rows}
    assert "Model: the general person model" in report
    assert left_out in report
    assert f"{len(rows):,} records in" in report and "persons out" in report and "Match weights" in report
    accuracy = clusters_accuracy(clusters, {row["source_record_id"]: row["person"] for row in rows})
    assert accuracy.f1 >= min_f1, (shape, accuracy)


@pytest.mark.django_db
def test_foreign_postcodes_are_kept_and_compared_as_text(tmp_path: Path) -> None:
    rows, columns = _shape("foreign postcodes", _people(seed=5))
    path = _write(tmp_path / "extract.csv", rows, columns)
    _clusters, _report = _dedupe(path, tmp_path / "clusters.csv", "--pairs", str(tmp_path / "pairs.csv"))
    with (tmp_path / "pairs.csv").open(newline="", encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert pairs and {"source_record_id_l", "source_record_id_r", "match_probability", "match_weight"} <= set(pairs[0])
    compared = {row["postcode_l"] for row in pairs} | {row["postcode_r"] for row in pairs}
    assert "D-80331" in compared or "SE-111 22" in compared or "1012 AB" in compared


@pytest.mark.django_db
def test_same_records_same_clusters_whatever_the_file_name_and_order(tmp_path: Path) -> None:
    rows, columns = _shape("a third without date of birth", _people(seed=7))
    first, _ = _dedupe(_write(tmp_path / "a.csv", rows, columns), tmp_path / "a-out.csv")
    shuffled = list(rows)
    random.Random(3).shuffle(shuffled)
    second, _ = _dedupe(_write(tmp_path / "another-name.csv", shuffled, columns), tmp_path / "b-out.csv")
    assert first == second  # the same cluster ids for every record, not only the same partition


@pytest.mark.django_db
def test_options_mapping_threshold_model_and_memory(tmp_path: Path) -> None:
    rows, _ = _shape("no postcode", _people(seed=2))
    renamed = [{**row, "family_name": row["surname"], "born": row["date_of_birth"]} for row in rows]
    path = _write(tmp_path / "theirs.csv", renamed, ["source_record_id", "forename", "family_name", "born"])
    _clusters, report = _dedupe(
        path, tmp_path / "c.csv", "--column", "surname=family_name", "--column", "date_of_birth=born",
        "--threshold", "0.95", "--model", "county", "--memory", "1GB",
    )  # fmt: skip
    assert "Model: the county model, as asked" in report
    assert "match threshold 0.95" in report
    for bad, message in [
        (["--column", "surname=nope"], "there is no column 'nope'"),
        (["--column", "surname"], "write it as LAYOUT=YOURS"),
        (["--threshold", "2"], "between 0 and 1"),
        (["--memory", "lots"], "such as 2GB"),
    ]:
        with pytest.raises(CommandError, match=message):
            _dedupe(path, tmp_path / "bad.csv", *bad)


@pytest.mark.django_db
def test_a_file_that_cannot_be_linked_says_so_in_a_sentence(tmp_path: Path) -> None:
    rows = [{"source_record_id": f"R{i}", "forename": f"Name{i}"} for i in range(30)]
    path = _write(tmp_path / "lonely.csv", rows, ["source_record_id", "forename"])
    with pytest.raises(CommandError, match=r"^These records cannot be linked: no two of them share"):
        _dedupe(path, tmp_path / "out.csv")


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.mark.django_db(transaction=True)
def test_link_reports_the_model_and_writes_scored_pairs(
    data_dir: Path, tmp_path: Path, make_staff: Callable[..., Any]
) -> None:
    """A health extract with NHS numbers, email and telephone and no address: `link` chooses the general person
    model, says so, and writes the scored pairs; the run records the model's settings."""
    analyst = make_staff("dana", Role.DATA_ANALYST)
    rows = _people(seed=4)
    for i, row in enumerate(rows):
        row["email"] = f"{row['forename'].lower()}.{row['person']}@example.org" if i % 2 else ""
        row["phone"] = f"+44 7700 900{int(row['person']):03d}" if i % 3 else ""
        row["nhs_number"] = row["nhs_number"] if i % 4 else ""
    columns = ["source_record_id", "forename", "surname", "date_of_birth", "nhs_number", "email", "phone"]
    path = _write(tmp_path / "persons.csv", rows, columns)
    import_file(path=path, kind="persons", profile="synthetic-county", by=analyst)
    stdout = io.StringIO()
    pairs = tmp_path / "pairs.csv"
    call_command("link", "--no-progress", "--pairs", str(pairs), "--threshold", "0.95", "--user", "dana", stdout=stdout)
    text = stdout.getvalue()
    assert "Model: the general person model" in text and "match threshold 0.95" in text
    run = LinkageRun.objects.get(is_current=True)
    assert run.settings_version.startswith("person-model-v1") and run.figures["quality"]["model"] == "person"
    with pairs.open(newline="", encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    assert scored and {"email_l", "phone_r", "nhs_number_l"} <= set(scored[0])
    accuracy = clusters_accuracy(
        dict(PersonRecord.objects.values_list("source_record_id", "person__person_id")),
        {row["source_record_id"]: row["person"] for row in rows},
    )
    assert accuracy.f1 >= 0.95, accuracy


def _fits_the_contract(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The persons contract holds a postcode of at most 10 characters: a longer foreign one loses its spaces."""
    return [
        {**row, "postcode": row["postcode"] if len(row["postcode"]) <= 10 else row["postcode"].replace(" ", "")}
        for row in rows
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("shape", "left_out", "min_f1"), SHAPES)
def test_link_finishes_with_a_report_on_any_shape(
    shape: str, left_out: str, min_f1: float, data_dir: Path, tmp_path: Path, make_staff: Callable[..., Any]
) -> None:
    """The five file shapes of ADR 0016 imported as a persons delivery and linked by `link`: each run chooses the
    general person model, says what it left out, reports its records and persons, and finds the persons."""
    analyst = make_staff("dana", Role.DATA_ANALYST)
    rows, columns = _shape(shape, _people(seed=11))
    if "postcode" in columns:
        rows = _fits_the_contract(rows)
    import_file(path=_write(tmp_path / "persons.csv", rows, columns), kind="persons", profile="synthetic-county",
                by=analyst)  # fmt: skip
    stdout = io.StringIO()
    call_command("link", "--no-progress", "--user", "dana", stdout=stdout)
    report = stdout.getvalue()
    assert "Model: the general person model" in report, report
    assert left_out in report, report
    assert f"{len(rows):,} records in" in report and "persons out" in report and "Match weights" in report, report
    run = LinkageRun.objects.get(is_current=True)
    assert run.status == LinkageRun.Status.SUCCEEDED and run.figures["quality"]["model"] == "person"
    accuracy = clusters_accuracy(
        dict(PersonRecord.objects.values_list("source_record_id", "person__person_id")),
        {row["source_record_id"]: row["person"] for row in rows},
    )
    assert accuracy.f1 >= min_f1, (shape, accuracy)


@pytest.mark.django_db(transaction=True)
def test_link_on_data_that_cannot_be_linked_fails_in_a_sentence(
    data_dir: Path, tmp_path: Path, make_staff: Callable[..., Any]
) -> None:
    analyst = make_staff("dana", Role.DATA_ANALYST)
    rows = [{"source_record_id": f"R{i}", "forename": f"Name{i}"} for i in range(20)]
    import_file(
        path=_write(tmp_path / "persons.csv", rows, ["source_record_id", "forename"]), kind="persons",
        profile="synthetic-county", by=analyst,
    )  # fmt: skip
    with pytest.raises(CommandError, match=r"^These records cannot be linked"):
        call_command("link", "--no-progress", stdout=io.StringIO())
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.FAILED and run.message.startswith("These records cannot be linked")
