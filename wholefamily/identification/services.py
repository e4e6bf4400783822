"""Identification writes: run a programme over a linked snapshot and record the cohort; enter judgements."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wholefamily.domain.contract import ContractSet, load_contract_set
from wholefamily.domain.criteria.compare import compare_cohorts
from wholefamily.domain.criteria.schema import Programme, Rule, load_programme
from wholefamily.governance.audit import record
from wholefamily.governance.models import Team
from wholefamily.identification.engine.evaluate import Evaluation, evaluate
from wholefamily.identification.engine.outputs import write_parquet
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.identification.models import CohortFamily, Evidence, IdentificationRun, Judgement

logger = logging.getLogger(__name__)


class IdentificationError(ValueError):
    """The programme, date or snapshot asked for cannot be evaluated."""


class ProgressReporter(Protocol):
    def start(self, total: int | None, message: str) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def set_message(self, message: str) -> None: ...


@functools.cache
def contracts() -> ContractSet:
    return load_contract_set(Path(settings.DEFINITIONS_DIR))


def programme_path(code: str) -> Path:
    return Path(settings.PROGRAMMES_DIR) / f"{code}.yaml"


def load_programme_definition(code: str) -> Programme:
    path = programme_path(code)
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in Path(settings.PROGRAMMES_DIR).glob("*.yaml")))
        raise IdentificationError(f"no programme {code!r}; programmes: {known}")
    stat = path.stat()
    return _load_programme(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load_programme(path: str, mtime_ns: int, size: int) -> Programme:
    """Parsed once per version of the file (an edited definition has a new mtime): every cohort page reads it,
    and parsing the YAML was most of a page's time."""
    return load_programme(Path(path))


def identification_dir() -> Path:
    return Path(settings.DATA_DIR) / "identification"


def export_judgements(path: Path) -> Path:
    """Every judgement as the engine reads it (withdrawn ones keep their withdrawal date)."""
    rows = list(
        Judgement.objects.order_by("pk").values(
            "pk", "programme", "indicator", "person_id", "household_id", "effective_on", "withdrawn_on"
        )
    )
    table = pa.table(
        {
            "judgement_id": pa.array([f"J{row['pk']}" for row in rows], type=pa.string()),
            "programme": pa.array([row["programme"] for row in rows], type=pa.string()),
            "indicator": pa.array([row["indicator"] for row in rows], type=pa.string()),
            "person_id": pa.array([row["person_id"] or None for row in rows], type=pa.string()),
            "household_id": pa.array([row["household_id"] or None for row in rows], type=pa.string()),
            "entered_on": pa.array([row["effective_on"] for row in rows], type=pa.date32()),
            "withdrawn_on": pa.array([row["withdrawn_on"] for row in rows], type=pa.date32()),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def _team_by_district() -> dict[str, int]:
    teams: dict[str, int] = {}
    for team_id, district in Team.objects.order_by("name").values_list("pk", "district"):
        teams.setdefault(district, team_id)
    return teams


def _previous_run(run: IdentificationRun) -> IdentificationRun | None:
    return (
        IdentificationRun.objects.filter(programme=run.programme, status=IdentificationRun.Status.SUCCEEDED)
        .exclude(pk=run.pk)
        .order_by("-started_at", "-pk")
        .first()
    )


def _indicators_met(row: dict[str, Any], indicator_codes: Iterable[str]) -> list[str]:
    return [code for code in indicator_codes if row.get(code) == 1]


def _store_cohort(run: IdentificationRun, evaluation: Evaluation, previous: IdentificationRun | None) -> None:
    codes = evaluation.plan.indicator_columns
    teams = _team_by_district()
    rows = evaluation.cohort.to_pylist()
    before: dict[str, CohortFamily] = {}
    if previous is not None:
        before = {family.family_id: family for family in previous.families.filter(is_qualifying=True)}
    change = compare_cohorts(previous=set(before) if previous else None, current={row["family_id"] for row in rows})
    families = []
    for row in rows:
        families.append(
            CohortFamily(
                run=run,
                family_id=row["family_id"],
                household_id=row["household_id"],
                district=row["district"] or "",
                ward=row["ward"] or "",
                problems_met=row["problems_met"] or "",
                problem_count=row["problem_count"],
                qualifying_route=row["qualifying_route"] or "",
                indicators_met=_indicators_met(row, codes),
                change=change.of(row["family_id"]),
                team_id=teams.get(row["district"] or ""),
            )
        )
    for family_id in sorted(change.no_longer):
        old = before[family_id]
        families.append(
            CohortFamily(
                run=run,
                family_id=family_id,
                household_id=old.household_id,
                district=old.district,
                ward=old.ward,
                is_qualifying=False,
                change=CohortFamily.Change.NO_LONGER,
                team_id=teams.get(old.district),
            )
        )
    CohortFamily.objects.bulk_create(families, batch_size=2000)
    ids = dict(run.families.values_list("family_id", "pk"))
    Evidence.objects.bulk_create(
        (
            Evidence(
                family_id=ids[row["family_id"]],
                person_id=row["person_id"] or "",
                indicator=row["indicator"],
                problem=row["problem"],
                dataset_version_id=row["dataset_version_id"],
                source_record_id=row["source_record_id"],
                line_number=row["line_number"],
            )
            for row in evaluation.evidence.to_pylist()
        ),
        batch_size=5000,
    )
    run.previous = previous
    run.newly_qualifying = len(change.new) if previous else 0
    run.no_longer_qualifying = len(change.no_longer)
    run.unchanged = len(change.unchanged)


def identify_families(
    *,
    programme: str,
    as_of_on: dt.date,
    snapshot_dir: Path,
    by: Any,
    engine: str = "duckdb",
    datasets_root: Path | None = None,
    progress: ProgressReporter | None = None,
) -> IdentificationRun:
    """Evaluate a programme as of a date over a linked snapshot; record the cohort, evidence and the change since
    the programme's previous run."""
    definition = load_programme_definition(programme)
    if not definition.is_effective_on(as_of_on):
        logger.warning("%s is not in force on %s (effective %s to %s)", definition.label, as_of_on,
                       definition.effective_from, definition.effective_to)  # fmt: skip
    run = IdentificationRun.objects.create(
        programme=definition.code,
        programme_version=definition.version,
        programme_title=definition.title,
        as_of_on=as_of_on,
        engine=engine,
        snapshot=str(snapshot_dir),
        started_by=by,
        started_at=timezone.now(),
    )
    output = identification_dir() / f"run-{run.pk}"
    try:
        lookup = Path(settings.DATA_DIR) / "geography" / "postcodes.parquet"
        snapshot = Snapshot.open(
            snapshot_dir,
            datasets_root=datasets_root or Path(settings.DATA_DIR) / "datasets",
            judgements=export_judgements(output / "judgements.parquet"),
            geography=lookup if lookup.exists() else None,
        )
        if progress is not None:
            progress.start(None, f"Identifying families for {definition.label} as of {as_of_on}")

        def report(done: int, total: int, message: str) -> None:
            if progress is None:
                return
            if done == 0:
                progress.start(total, message)
            else:
                progress.set_message(message)
                progress.advance(1)

        evaluation = evaluate(
            definition, as_of=as_of_on, snapshot=snapshot, contracts=contracts(), engine=engine, progress=report
        )
        write_parquet(evaluation, output)
    except Exception as error:
        IdentificationRun.objects.filter(pk=run.pk).update(
            status=IdentificationRun.Status.FAILED, message=str(error)[:500], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        previous = _previous_run(run)
        _store_cohort(run, evaluation, previous)
        run.dataset_versions = {kind: list(versions) for kind, versions in evaluation.dataset_versions.items()}
        run.families_evaluated = evaluation.families.num_rows
        run.families_qualifying = evaluation.cohort.num_rows
        run.residents = sum(evaluation.residents.column("residents").to_pylist())
        run.seconds = evaluation.seconds
        run.output_dir = str(output)
        run.status = IdentificationRun.Status.SUCCEEDED
        run.finished_at = timezone.now()
        run.message = f"{run.families_qualifying:,} of {run.families_evaluated:,} families qualify"
        run.save()
        record(
            by=by,
            action="identification.run",
            obj=run,
            detail={
                "programme": definition.label,
                "as_of": as_of_on.isoformat(),
                "engine": engine,
                "qualifying": run.families_qualifying,
                "new": run.newly_qualifying,
                "no_longer": run.no_longer_qualifying,
            },
        )
    return run


def current_snapshot_dir() -> Path:
    """The current linkage run's snapshot (DATA_DIR/linkage/CURRENT names it; ADR 0004)."""
    linkage = Path(settings.DATA_DIR) / "linkage"
    current = linkage / "CURRENT"
    if not current.exists():
        raise IdentificationError("there is no current linkage run yet; link the data sets first")
    return linkage / current.read_text(encoding="utf-8").strip()


def _judgement_indicator(programme: str, indicator: str) -> None:
    definition = load_programme_definition(programme)
    for item in definition.indicators:
        if item.code == indicator:
            if item.rule is not Rule.JUDGEMENT:
                raise IdentificationError(f"{indicator} is read from agency data, not entered by staff")
            return
    raise IdentificationError(f"{definition.label} has no indicator {indicator!r}")


def enter_judgement(
    *,
    programme: str,
    indicator: str,
    reason: str,
    effective_on: dt.date,
    by: Any,
    person_id: str = "",
    household_id: str = "",
) -> Judgement:
    """Record a professional's judgement indicator on a person or a family, with who, when and why."""
    _judgement_indicator(programme, indicator)
    if bool(person_id) == bool(household_id):
        raise IdentificationError("a judgement is on one person or one family")
    if not reason.strip():
        raise IdentificationError("say why the indicator holds")
    with transaction.atomic():
        judgement = Judgement.objects.create(
            programme=programme,
            indicator=indicator,
            person_id=person_id,
            household_id=household_id,
            reason=reason.strip(),
            effective_on=effective_on,
            entered_by=by,
            entered_at=timezone.now(),
        )
        record(by=by, action="identification.judgement.enter", obj=judgement,
               detail={"programme": programme, "indicator": indicator})  # fmt: skip
    return judgement


def withdraw_judgement(*, judgement: Judgement, reason: str, withdrawn_on: dt.date, by: Any) -> Judgement:
    """End a judgement from a date (it stays on record; runs as of earlier dates still count it)."""
    if judgement.withdrawn_on is not None:
        raise IdentificationError("the judgement is already withdrawn")
    with transaction.atomic():
        judgement.withdrawn_on = withdrawn_on
        judgement.withdrawn_by = by
        judgement.withdrawn_reason = reason.strip()
        judgement.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawn_reason"])
        record(by=by, action="identification.judgement.withdraw", obj=judgement)
    return judgement
