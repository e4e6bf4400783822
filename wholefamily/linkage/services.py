"""Linkage writes: run a linkage over the current dataset versions, publish it, record reviewers' decisions."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from wholefamily.domain.progress import ProgressReporter
from wholefamily.governance.audit import record
from wholefamily.ingest.models import DatasetVersion
from wholefamily.ingest.services import contracts
from wholefamily.ingest.store import DATA_FILE, version_dir
from wholefamily.linkage.engine.adapt import Choice, UnlinkableData
from wholefamily.linkage.engine.definition import LinkageDefinition, load_definition
from wholefamily.linkage.engine.prepare import DEFAULT_MEMORY_LIMIT, InputDataset
from wholefamily.linkage.engine.run import (
    Decision,
    Engine,
    PreviousRun,
    link_datasets,
    write_current,
)
from wholefamily.linkage.engine.run import (
    HouseholdCorrection as EngineCorrection,
)
from wholefamily.linkage.models import (
    Household,
    HouseholdCorrection,
    LinkageRun,
    Membership,
    Person,
    PersonRecord,
    ReviewDecision,
)

PUBLISH_BATCH = 5_000


class LinkageError(Exception):
    """A linkage problem worth showing to the user as it is."""


def linkage_root() -> Path:
    return Path(settings.DATA_DIR) / "linkage"


def snapshot_dir(run: LinkageRun) -> Path:
    return linkage_root() / run.run_id


def current_dataset_versions() -> list[DatasetVersion]:
    """The newest version of each kind: what a linkage run links."""
    newest: dict[str, DatasetVersion] = {}
    for version in DatasetVersion.objects.order_by("kind", "-imported_at", "-id"):
        newest.setdefault(version.kind, version)
    return list(newest.values())


def linkable_dataset_versions() -> list[DatasetVersion]:
    """The current versions of the kinds whose contract holds person records: area statistics and the like hold no
    person, so linkage never reads them."""
    person_kinds = set(contracts().person_kinds)
    return [version for version in current_dataset_versions() if version.kind in person_kinds]


def _new_run_id() -> str:
    return f"{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def _decisions() -> list[Decision]:
    return [
        Decision(profile_id_l=left, profile_id_r=right, is_same_person=same)
        for left, right, same in ReviewDecision.objects.values_list("profile_id_l", "profile_id_r", "is_same_person")
    ]


def _corrections() -> list[EngineCorrection]:
    return [
        EngineCorrection(person_id=person, household_id=household)
        for person, household in HouseholdCorrection.objects.filter(is_active=True).values_list(
            "person_id", "household_id"
        )
    ]


def _previous() -> PreviousRun:
    current = LinkageRun.objects.filter(is_current=True).first()
    if current is None or not (snapshot_dir(current) / "record_person.parquet").exists():
        return PreviousRun.empty()
    return PreviousRun.read(snapshot_dir(current))


def run_linkage(
    *,
    by: AbstractBaseUser | None,
    engine: Engine = "duckdb",
    definition: LinkageDefinition | None = None,
    progress: ProgressReporter | None = None,
    model: Choice = "auto",
    link_threshold: float | None = None,
    memory_limit: str | None = None,
    column_map: tuple[tuple[str, str], ...] = (),
    write_scored_pairs: bool = False,
) -> LinkageRun:
    """Link every current dataset version, write the snapshot, make it current and publish it.

    `definition` is the county model (default: the latest); the general person model is chosen instead when the
    data has too little household evidence or `model` is "person" (ADR 0016). `column_map` reads layout columns
    from columns of other names in every dataset; `write_scored_pairs` adds `scored_pairs.parquet` to the snapshot."""
    versions = linkable_dataset_versions()
    if not versions:
        raise LinkageError("There are no dataset versions to link: import some deliveries first.")
    definitions_dir = Path(settings.DEFINITIONS_DIR)
    definition = definition or load_definition(definitions_dir=definitions_dir)
    person = load_definition(definitions_dir=definitions_dir, family="person")
    datasets = [
        InputDataset(
            dataset_version_id=v.version_id, kind=v.kind, path=version_dir(v.kind, v.version_id) / DATA_FILE,
            column_map=column_map,
        )
        for v in versions
    ]  # fmt: skip
    with transaction.atomic():
        run = LinkageRun.objects.create(
            run_id=_new_run_id(),
            engine=engine,
            settings_version=definition.settings_version,
            dataset_versions=[{"version_id": v.version_id, "kind": v.kind} for v in versions],
            started_by=by,  # type: ignore[misc]
            started_at=timezone.now(),
        )
        record(by=by, action="linkage.run.start", obj=run, detail={"engine": engine, "datasets": len(versions)})
    out = snapshot_dir(run)
    try:
        result = link_datasets(
            datasets, definition=definition, out_dir=out, run_id=run.run_id, previous=_previous(),
            decisions=_decisions(), engine=engine, progress=progress, corrections=_corrections(),
            person_definition=person, model=model, link_threshold=link_threshold,
            memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT, write_scored_pairs=write_scored_pairs,
        )  # fmt: skip
    except UnlinkableData as error:  # the data cannot be linked: said in a plain sentence
        _fail(run, by=by, out=out, error=error)
        raise LinkageError(str(error)) from None
    except Exception as error:
        _fail(run, by=by, out=out, error=error)
        raise
    run.settings_version = result.figures["settings_version"]  # the model the data chose
    LinkageRun.objects.filter(pk=run.pk).update(settings_version=run.settings_version)
    publish_run(run=run, figures=result.figures, by=by)
    run.refresh_from_db()
    return run


def _fail(run: LinkageRun, *, by: AbstractBaseUser | None, out: Path, error: Exception) -> None:
    shutil.rmtree(out, ignore_errors=True)
    with transaction.atomic():
        LinkageRun.objects.filter(pk=run.pk).update(
            status=LinkageRun.Status.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        record(by=by, action="linkage.run.fail", obj=run, outcome="failure", detail={"error": str(error)[:500]})


def _rows(path: Path, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PUBLISH_BATCH, columns=list(columns)):
        yield from batch.to_pylist()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def publish_run(*, run: LinkageRun, figures: dict[str, Any], by: AbstractBaseUser | None) -> LinkageRun:
    """Make `run` current and publish its persons, households, memberships and records (one transaction)."""
    folder = snapshot_dir(run)
    previous = LinkageRun.objects.select_for_update().filter(is_current=True).exclude(pk=run.pk).first()
    person_ids = _publish_persons(run, folder)
    household_ids = _publish_households(run, folder)
    Membership.objects.filter(person__person_id__in=person_ids).delete()
    people = dict(Person.objects.filter(person_id__in=person_ids).values_list("person_id", "pk"))
    households = dict(Household.objects.filter(household_id__in=household_ids).values_list("household_id", "pk"))
    batch: list[Membership] = []
    for row in _rows(folder / "memberships.parquet", ["person_id", "household_id", "role", "start_on", "end_on"]):
        batch.append(
            Membership(
                person_id=people[row["person_id"]],
                household_id=households[row["household_id"]],
                role=row["role"],
                start_on=row["start_on"],
                end_on=row["end_on"],
            )
        )
        if len(batch) >= PUBLISH_BATCH:
            Membership.objects.bulk_create(batch)
            batch = []
    Membership.objects.bulk_create(batch)
    PersonRecord.objects.all().delete()
    records: list[PersonRecord] = []
    columns = ["dataset_version_id", "kind", "source_record_id", "line_number", "person_id", "profile_id",
               "match_probability"]  # fmt: skip
    for row in _rows(folder / "record_person.parquet", columns):
        person_pk = people[row.pop("person_id")]
        records.append(PersonRecord(person_id=person_pk, **row))
        if len(records) >= PUBLISH_BATCH:
            PersonRecord.objects.bulk_create(records)
            records = []
    PersonRecord.objects.bulk_create(records)
    if previous is not None:
        LinkageRun.objects.filter(pk=previous.pk).update(is_current=False)
    LinkageRun.objects.filter(pk=run.pk).update(
        status=LinkageRun.Status.SUCCEEDED, figures=figures, is_current=True, finished_at=timezone.now(),
        message=f"{figures.get('persons', 0):,} persons in {figures.get('households', 0):,} households "
        f"from {figures.get('records', 0):,} records",
    )  # fmt: skip
    record(by=by, action="linkage.run.publish", obj=run, detail={"persons": len(person_ids)})
    transaction.on_commit(lambda: write_current(linkage_root(), run.run_id))
    return run


def _publish_persons(run: LinkageRun, folder: Path) -> set[str]:
    seen: set[str] = set()
    existing = set(Person.objects.values_list("person_id", flat=True))
    new: list[Person] = []
    updates: list[Person] = []
    for row in _rows(folder / "persons.parquet", ["person_id", "forename", "surname", "date_of_birth", "sex"]):
        person = Person(
            person_id=row["person_id"], forename=_text(row["forename"]).title(), surname=_text(row["surname"]).title(),
            date_of_birth=row["date_of_birth"], sex=_text(row["sex"]), last_run=run, retired_by_run=None,
        )  # fmt: skip
        seen.add(person.person_id)
        (updates if person.person_id in existing else new).append(person)
    Person.objects.bulk_create(new, batch_size=PUBLISH_BATCH)
    for start in range(0, len(updates), PUBLISH_BATCH):
        chunk = updates[start : start + PUBLISH_BATCH]
        pks = dict(Person.objects.filter(person_id__in=[p.person_id for p in chunk]).values_list("person_id", "pk"))
        for person in chunk:
            person.pk = pks[person.person_id]
        Person.objects.bulk_update(chunk, ["forename", "surname", "date_of_birth", "sex", "last_run", "retired_by_run"])
    Person.objects.filter(retired_by_run__isnull=True).exclude(person_id__in=seen).update(retired_by_run=run)
    return seen


def _publish_households(run: LinkageRun, folder: Path) -> set[str]:
    seen: set[str] = set()
    existing = set(Household.objects.values_list("household_id", flat=True))
    new: list[Household] = []
    updates: list[Household] = []
    columns = ["household_id", "uprn", "postcode", "address", "first_seen_on", "last_seen_on"]
    for row in _rows(folder / "households.parquet", columns):
        household = Household(
            household_id=row["household_id"], uprn=_text(row["uprn"]), postcode=_text(row["postcode"]),
            address=_text(row["address"]).title(), first_seen_on=row["first_seen_on"],
            last_seen_on=row["last_seen_on"], last_run=run, retired_by_run=None,
        )  # fmt: skip
        seen.add(household.household_id)
        (updates if household.household_id in existing else new).append(household)
    Household.objects.bulk_create(new, batch_size=PUBLISH_BATCH)
    for start in range(0, len(updates), PUBLISH_BATCH):
        chunk = updates[start : start + PUBLISH_BATCH]
        pks = dict(
            Household.objects.filter(household_id__in=[h.household_id for h in chunk]).values_list("household_id", "pk")
        )
        for household in chunk:
            household.pk = pks[household.household_id]
        Household.objects.bulk_update(
            chunk, ["uprn", "postcode", "address", "first_seen_on", "last_seen_on", "last_run", "retired_by_run"]
        )
    Household.objects.filter(retired_by_run__isnull=True).exclude(household_id__in=seen).update(retired_by_run=run)
    return seen


@transaction.atomic
def decide_pair(
    *,
    run: LinkageRun,
    profile_id_l: str,
    profile_id_r: str,
    is_same_person: bool,
    reason: str,
    by: AbstractBaseUser,
    match_probability: float | None = None,
) -> ReviewDecision:
    """Record 'same person' or 'different people' for a pair; applied as must-link/cannot-link on later runs."""
    if not reason.strip():
        raise LinkageError("Give a reason for the decision.")
    left, right = sorted((profile_id_l, profile_id_r))
    if left == right:
        raise LinkageError("A record cannot be compared with itself.")
    decision, _ = ReviewDecision.objects.update_or_create(
        profile_id_l=left,
        profile_id_r=right,
        defaults={
            "is_same_person": is_same_person,
            "reason": reason.strip(),
            "run": run,
            "decided_by": by,
            "match_probability": match_probability,
        },
    )
    record(
        by=by,
        action="linkage.review.decide",
        obj=decision,
        detail={"is_same_person": is_same_person, "run": run.run_id, "pair": [left, right]},
    )
    return decision


@transaction.atomic
def correct_household(
    *, person: Person, household: Household, reason: str, by: AbstractBaseUser
) -> HouseholdCorrection:
    """Record that `person` lives in `household` now; it holds on every later run (ids are stable)."""
    if not reason.strip():
        raise LinkageError("Give a reason for the correction.")
    HouseholdCorrection.objects.filter(person_id=person.person_id, is_active=True).update(is_active=False)
    correction = HouseholdCorrection.objects.create(
        person_id=person.person_id,
        household_id=household.household_id,
        reason=reason.strip(),
        corrected_by=by,  # type: ignore[misc]
    )
    Membership.objects.filter(person=person, end_on__isnull=True).update(household=household)
    if not Membership.objects.filter(person=person, end_on__isnull=True).exists():
        Membership.objects.create(person=person, household=household, role=Membership.Role.OTHER_ADULT)
    record(
        by=by, action="linkage.household.correct", obj=correction,
        detail={"person_id": person.person_id, "household_id": household.household_id},
    )  # fmt: skip
    return correction
