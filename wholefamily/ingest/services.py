"""Writes for ingest: queue an import, run it all-or-nothing, record the dataset version and its provenance.

A delivery ends as exactly one of: a new immutable dataset version (Parquet renamed into place and its
DatasetVersion row committed together), "already imported" (same file, kind and profile: nothing new), or
refused with its validation report and nothing in the data store.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from wholefamily.domain.contract import ContractError, ContractSet, academic_year_bounds, load_contract_set
from wholefamily.domain.progress import NullProgress, ProgressReporter
from wholefamily.domain.validation import (
    DeliveryRefused,
    HeaderPlan,
    Problem,
    RowValidator,
    Severity,
    SourceProfile,
    check_profile,
    is_blank_row,
    load_profile,
    plan_header,
)
from wholefamily.governance.agreements import AgreementError, agreement_for_import
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent, DataSharingAgreement
from wholefamily.ingest.columnar import (
    COLUMNAR_ENCODINGS,
    INGEST_ENGINES,
    ByteScan,
    ColumnarOutcome,
    scan_bytes,
    validate_csv,
)
from wholefamily.ingest.models import DatasetVersion, ImportProblem, ImportRun, Policy
from wholefamily.ingest.readers import CsvSource, max_line_chars, open_source
from wholefamily.ingest.store import VersionWriter, abandoned_runs, clean_abandoned, holding_run

logger = logging.getLogger(__name__)

MAX_STORED_PROBLEMS = 10_000
"""Problems kept in the database per import (the web report); the quarantine Parquet keeps every bad row."""
PROGRESS_EVERY_ROWS = 1_000
CHECKSUM_CHUNK = 4 * 1024 * 1024

User = AbstractBaseUser | AnonymousUser


class RowsRejected(DeliveryRefused):
    """Bad rows under the reject policy: the rows' own problems are the report."""


class ImportError_(Exception):
    """An import that cannot start (unknown kind or profile, missing file); the message is for users."""


@functools.cache
def _contracts_for(definitions_dir: str) -> ContractSet:
    return load_contract_set(Path(definitions_dir))


def contracts() -> ContractSet:
    """Every kind's contract (read once per process from settings.DEFINITIONS_DIR)."""
    return _contracts_for(str(settings.DEFINITIONS_DIR))


def profile_for(*, name: str, kind: str) -> SourceProfile:
    contract_set = contracts()
    contract = contract_set.contract(kind)
    profile = load_profile(Path(settings.DEFINITIONS_DIR) / "profiles", name=name, kind=kind)
    check_profile(profile, contract, contract_set.codelists)
    return profile


def refuse_unreadable(*, path: Path, kind: str, profile: str) -> None:
    """Open and close the file as its import will, so that a delivery the import would refuse on opening it (empty,
    binary given as CSV, a workbook that is not one or would unpack as a zip bomb, a damaged Parquet file) is refused
    at once, with the import's own reason (ImportError_)."""
    try:
        open_source(path, profile_for(name=profile, kind=kind)).close()
    except (ContractError, DeliveryRefused) as error:
        raise ImportError_(str(error)) from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHECKSUM_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _actor(by: AbstractBaseUser | None) -> Any:
    """The user to store as the actor (None for the system or an anonymous caller)."""
    return by if by is not None and by.is_authenticated else None


# --- queueing --------------------------------------------------------------------------------------
def create_import_run(
    *,
    kind: str,
    profile: str,
    file_name: str,
    by: AbstractBaseUser | None,
    policy: str = Policy.REJECT,
    supplier: str = "",
    data_sharing_agreement: DataSharingAgreement | None = None,
    period_start_on: dt.date | None = None,
    period_end_on: dt.date | None = None,
    received_on: dt.date | None = None,
) -> ImportRun:
    """Record an import about to run (checks kind, profile and policy first)."""
    try:
        profile_for(name=profile, kind=kind)
    except ContractError as error:
        raise ImportError_(str(error)) from None
    if policy not in Policy.values:
        raise ImportError_(f"policy must be one of {', '.join(Policy.values)}, not {policy!r}")
    if period_start_on and period_end_on and period_end_on < period_start_on:
        raise ImportError_("the period covered ends before it starts")
    # Every kind is imported under a registered data-sharing agreement in force when it was received (ADR 0015).
    try:
        data_sharing_agreement = agreement_for_import(
            kind=kind, on=received_on or timezone.localdate(), agreement=data_sharing_agreement
        )
    except AgreementError as error:
        raise ImportError_(str(error)) from None
    return ImportRun.objects.create(
        kind=kind,
        profile=profile,
        policy=policy,
        supplier=supplier,
        data_sharing_agreement=data_sharing_agreement,
        period_start_on=period_start_on,
        period_end_on=period_end_on,
        received_on=received_on or timezone.localdate(),
        file_name=file_name[:255],
        started_by=_actor(by),
    )


# --- running ----------------------------------------------------------------------------------------
@dataclass
class _Tally:
    rows_read: int = 0
    rows_accepted: int = 0
    rows_bad: int = 0
    cells_flagged: int = 0
    problems_total: int = 0
    period_start_on: dt.date | None = None
    period_end_on: dt.date | None = None

    period_low: Any = None
    period_high: Any = None

    def note_period(self, value: Any) -> None:
        """Remember the lowest and highest period value (a date, or an academic year)."""
        if value is None:
            return
        if self.period_low is None or value < self.period_low:
            self.period_low = value
        if self.period_high is None or value > self.period_high:
            self.period_high = value

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        low, high = self.period_low, self.period_high
        if isinstance(low, int) and isinstance(high, int):
            return academic_year_bounds(low)[0], academic_year_bounds(high)[1]
        return low, high


class _Report:
    """Problems of one run: the first MAX_STORED_PROBLEMS kept for the database, all counted by reason."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0
        self.by_reason: Counter[tuple[str, str, str]] = Counter()

    def add(self, problem: Problem) -> None:
        self.total += 1
        self.by_reason[(problem.severity.value, problem.column, problem.reason)] += 1
        if len(self.kept) < MAX_STORED_PROBLEMS:
            self.kept.append(problem)

    def summary(self, limit: int = 50) -> list[dict[str, Any]]:
        return [
            {"severity": severity, "column": column, "reason": reason, "count": count}
            for (severity, column, reason), count in self.by_reason.most_common(limit)
        ]


def run_import(
    *,
    run: ImportRun,
    path: Path,
    by: AbstractBaseUser | None,
    progress: ProgressReporter | None = None,
    engine: str | None = None,
) -> ImportRun:
    """Validate the delivery at `path` for `run` and store it all-or-nothing; returns the finished run.

    `engine` runs the columnar checks on DuckDB or Spark (ADR 0033); by default, the INGEST_ENGINE setting's.
    """
    engine = ingest_engine(engine)
    _mark_runs_interrupted(abandoned_runs(run.kind))
    with holding_run(run.kind, str(run.pk)):
        return _run_import(run=run, path=path, by=by, progress=progress or NullProgress(), engine=engine)


def _run_import(
    *, run: ImportRun, path: Path, by: AbstractBaseUser | None, progress: ProgressReporter, engine: str
) -> ImportRun:
    contract_set = contracts()
    contract = contract_set.contract(run.kind)
    profile = profile_for(name=run.profile, kind=run.kind)
    progress.set_message(f"Checking {run.file_name}")
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    run.file_size = path.stat().st_size
    scan = scan_bytes(path)
    run.sha256 = scan.sha256
    run.save(update_fields=["file_size", "sha256"])

    existing = DatasetVersion.objects.filter(sha256=run.sha256, kind=run.kind, profile=run.profile).first()
    if existing is not None:
        return _finish_duplicate(run, existing, by=by)

    _mark_interrupted(clean_abandoned(run.kind, is_recorded=_is_recorded))
    version_id = f"{timezone.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    run.version_id = version_id
    run.save(update_fields=["version_id"])
    report = _Report()
    tally = _Tally()
    writer: VersionWriter | None = None
    try:
        source = open_source(path, profile)
        try:
            plan = plan_header(source.header, contract, profile)
            writer = VersionWriter(contract=contract, kind=run.kind, version_id=version_id, header=source.header)
            if not _validate_columnar(run, path, source, scan, plan, writer, report, tally, progress, engine):
                validator = RowValidator(
                    contract=contract,
                    codelists=contract_set.codelists,
                    profile=profile,
                    plan=plan,
                    received_on=run.received_on,
                )
                _validate_rows(run, source, validator, writer, report, tally, progress)
                validator.finish()
        finally:
            source.close()
        if tally.rows_read == 0:
            raise DeliveryRefused("The file has a header but no data rows.")
        if tally.rows_bad and run.policy == Policy.REJECT:
            raise RowsRejected(
                f"{tally.rows_bad:,} of {tally.rows_read:,} rows are bad, and the policy is to reject the delivery "
                "if any row is bad. Nothing was stored. Read the report, or import again with the quarantine policy."
            )
        if tally.rows_accepted == 0:
            raise DeliveryRefused(f"None of the {tally.rows_read:,} rows passed validation. Nothing was stored.")
        progress.set_message("Recording the dataset version")
        return _record_version(run, writer, contract.version, tally, report, by=by)
    except DeliveryRefused as refusal:
        if writer is not None:
            writer.discard()
        if not isinstance(refusal, RowsRejected):
            for problem in refusal.problems:
                report.add(problem)
        return _finish_refused(run, refusal.message, tally, report, by=by)
    except BaseException:
        if writer is not None:
            writer.discard()
        raise


def _mark_interrupted(version_ids: list[str]) -> None:
    """Runs whose process died mid-way (their leftovers were just cleaned) are recorded as interrupted."""
    if version_ids:
        ImportRun.objects.filter(version_id__in=version_ids, status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.INTERRUPTED,
            message="The import stopped part-way (its process ended); nothing was stored. Import the file again.",
            finished_at=timezone.now(),
        )


def _mark_runs_interrupted(run_ids: list[str]) -> None:
    """Runs whose process died before they had a version (while computing the checksum, say) are interrupted too."""
    if run_ids:
        ImportRun.objects.filter(pk__in=run_ids, status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING]).update(
            status=ImportRun.Status.INTERRUPTED,
            message="The import stopped part-way (its process ended); nothing was stored. Import the file again.",
            finished_at=timezone.now(),
        )


def _is_recorded(version_id: str) -> bool:
    return DatasetVersion.objects.filter(version_id=version_id).exists()


def columnar_enabled() -> bool:
    """CSV deliveries are validated on DuckDB unless INGEST_COLUMNAR is False (ADR 0028)."""
    return bool(getattr(settings, "INGEST_COLUMNAR", True))


def ingest_engine(engine: str | None = None) -> str:
    """The engine of the columnar checks: `engine` if given, else the INGEST_ENGINE setting (DuckDB by default)."""
    chosen = engine or str(getattr(settings, "INGEST_ENGINE", "duckdb"))
    if chosen not in INGEST_ENGINES:
        raise ImportError_(f"unknown import engine {chosen!r}; choose one of {', '.join(INGEST_ENGINES)}")
    return chosen


def _engine_validation(engine: str, *, has_carriage_returns: bool) -> dict[str, Any]:
    """The columnar first pass for `engine` and its extra arguments. On Spark, `has_carriage_returns` (the byte
    scan's) tells it that line breaks inside quoted values would not be read exactly (Spark writes them as LF)."""
    if engine == "spark":
        from wholefamily.ingest.spark import SparkCsvValidation

        return {"validation_class": SparkCsvValidation, "has_carriage_returns": has_carriage_returns}
    if engine != "duckdb":
        raise ValueError(f"unknown import engine {engine!r}; one of {', '.join(INGEST_ENGINES)}")
    return {}


def _validate_columnar(
    run: ImportRun,
    path: Path,
    source: Any,
    scan: ByteScan,
    plan: HeaderPlan,
    writer: VersionWriter,
    report: _Report,
    tally: _Tally,
    progress: ProgressReporter,
    engine: str,
) -> bool:
    """Validate a CSV delivery on DuckDB or Spark (ADR 0028, 0033); False when it must take the row path instead."""
    if not (
        columnar_enabled()
        and isinstance(source, CsvSource)
        and source.encoding.replace("_", "-").lower() in COLUMNAR_ENCODINGS
        and len(source.delimiter) == 1
        and scan.is_plain_text(source.delimiter)
    ):
        return False
    contract_set = contracts()
    progress.start(max(source.estimated_rows, 0), f"Validating the rows of {run.file_name}")

    def on_staged(rows: int) -> None:
        progress.start(rows, f"Validated the rows of {run.file_name}")
        progress.advance(rows)

    def on_counted(outcome: ColumnarOutcome) -> None:
        tally.rows_read = outcome.rows_read
        tally.rows_bad = outcome.rows_bad
        tally.rows_accepted = outcome.rows_accepted
        tally.cells_flagged = outcome.cells_flagged

    outcome = validate_csv(
        path=path,
        header=list(source.header),
        delimiter=source.delimiter,
        contract=contract_set.contract(run.kind),
        codelists=dict(contract_set.codelists),
        profile=profile_for(name=run.profile, kind=run.kind),
        plan=plan,
        received_on=run.received_on,
        writer=writer,
        max_line=max_line_chars(),
        is_reject=run.policy == Policy.REJECT,
        add_problem=report.add,
        on_staged=on_staged,
        on_counted=on_counted,
        **_engine_validation(engine, has_carriage_returns=scan.carriage_returns > 0),
    )
    if outcome is None:
        return False
    tally.note_period(outcome.period_low)
    tally.note_period(outcome.period_high)
    return True


def _validate_rows(
    run: ImportRun,
    source: Any,
    validator: RowValidator,
    writer: VersionWriter,
    report: _Report,
    tally: _Tally,
    progress: ProgressReporter,
) -> None:
    is_reject = run.policy == Policy.REJECT
    period_column = validator.contract.period_column
    period_index = validator.index[period_column] if period_column else None
    estimate = max(source.estimated_rows, 0)
    progress.start(estimate, f"Validating the rows of {run.file_name}")
    reported = 0
    for line, cells in source.rows():
        if not cells or (not cells[0] and is_blank_row(cells)):
            continue
        tally.rows_read += 1
        result = validator.validate(line, cells)
        for problem in result.problems:
            report.add(problem)
            if problem.severity is Severity.WARNING:
                tally.cells_flagged += 1
        if result.is_bad:
            tally.rows_bad += 1
            if not is_reject:
                writer.add_bad(result, cells)
        else:
            tally.rows_accepted += 1
            if period_index is not None:
                tally.note_period(result.values[period_index])
            if not (is_reject and tally.rows_bad):
                writer.add_good(result)
        if tally.rows_read % PROGRESS_EVERY_ROWS == 0:
            progress.advance(tally.rows_read - reported)
            reported = tally.rows_read
    if tally.rows_read != estimate:
        # Blank lines, or line breaks inside quoted values: the count read is the true total.
        progress.start(tally.rows_read, f"Validated the rows of {run.file_name}")
        reported = 0
    progress.advance(tally.rows_read - reported)


def _provenance(run: ImportRun, version_id: str, contract_version: int, tally: _Tally) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "kind": run.kind,
        "contract_version": contract_version,
        "profile": run.profile,
        "supplier": run.supplier,
        "data_sharing_agreement": run.data_sharing_agreement.reference if run.data_sharing_agreement else None,
        "period_start_on": run.period_start_on,
        "period_end_on": run.period_end_on,
        "received_on": run.received_on,
        "policy": run.policy,
        "rows_read": tally.rows_read,
        "rows_accepted": tally.rows_accepted,
        "rows_quarantined": tally.rows_bad,
        "sha256": run.sha256,
        "file_name": run.file_name,
        "file_size": run.file_size,
        "import_run": str(run.pk),
    }


def _record_version(
    run: ImportRun,
    writer: VersionWriter,
    contract_version: int,
    tally: _Tally,
    report: _Report,
    *,
    by: AbstractBaseUser | None,
) -> ImportRun:
    period_start_on, period_end_on = run.period_start_on, run.period_end_on
    if period_start_on is None and period_end_on is None:
        period_start_on, period_end_on = tally.period()
    manifest = _provenance(run, writer.version_id, contract_version, tally)
    manifest.update(period_start_on=period_start_on, period_end_on=period_end_on)
    writer.finish_files(manifest)
    actor = _actor(by)
    try:
        with transaction.atomic():
            version = DatasetVersion.objects.create(
                version_id=writer.version_id,
                kind=run.kind,
                contract_version=contract_version,
                profile=run.profile,
                supplier=run.supplier,
                data_sharing_agreement=run.data_sharing_agreement,
                period_start_on=period_start_on,
                period_end_on=period_end_on,
                received_on=run.received_on,
                policy=run.policy,
                rows_read=tally.rows_read,
                rows_accepted=tally.rows_accepted,
                rows_quarantined=tally.rows_bad,
                cells_flagged=tally.cells_flagged,
                sha256=run.sha256,
                file_name=run.file_name,
                file_size=run.file_size,
                imported_by=actor,
                imported_at=timezone.now(),
            )
            _close_run(
                run,
                status=ImportRun.Status.ACCEPTED,
                message=_accepted_message(version),
                tally=tally,
                report=report,
                version=version,
            )
            record(by=by, action="import_dataset", obj=version, detail=_audit_detail(run, tally))
            writer.commit_files()
    except IntegrityError:
        writer.discard()
        existing = DatasetVersion.objects.filter(sha256=run.sha256, kind=run.kind, profile=run.profile).first()
        if existing is None:
            raise
        return _finish_duplicate(run, existing, by=by)
    except BaseException:
        writer.discard()
        raise
    writer.release()
    return run


def _accepted_message(version: DatasetVersion) -> str:
    text = f"Stored as dataset version {version.version_id}: {version.rows_accepted:,} rows accepted"
    if version.rows_quarantined:
        text += f", {version.rows_quarantined:,} rows quarantined with their reasons"
    return text + "."


def _audit_detail(run: ImportRun, tally: _Tally) -> dict[str, Any]:
    return {
        "kind": run.kind,
        "profile": run.profile,
        "policy": run.policy,
        "file_name": run.file_name,
        "sha256": run.sha256,
        "rows_read": tally.rows_read,
        "rows_accepted": tally.rows_accepted,
        "rows_bad": tally.rows_bad,
        "import_run": str(run.pk),
    }


def _close_run(
    run: ImportRun,
    *,
    status: str,
    message: str,
    tally: _Tally,
    report: _Report,
    version: DatasetVersion | None,
) -> None:
    run.status = status
    run.message = message
    run.rows_read = tally.rows_read
    run.rows_accepted = tally.rows_accepted if version is not None else 0
    run.rows_bad = tally.rows_bad
    run.rows_quarantined = tally.rows_bad if version is not None else 0
    run.cells_flagged = tally.cells_flagged
    run.problems_total = report.total
    run.problem_summary = report.summary()
    run.dataset_version = version
    run.finished_at = timezone.now()
    run.save()
    ImportProblem.objects.bulk_create(
        (
            ImportProblem(
                run=run,
                line=problem.line,
                column=problem.column[:200],
                reason=problem.reason,
                value=problem.value[:1000],
                severity=problem.severity.value,
            )
            for problem in report.kept
        ),
        batch_size=1000,
    )


def _finish_refused(
    run: ImportRun, message: str, tally: _Tally, report: _Report, *, by: AbstractBaseUser | None
) -> ImportRun:
    with transaction.atomic():
        _close_run(run, status=ImportRun.Status.REJECTED, message=message, tally=tally, report=report, version=None)
        record(
            by=by,
            action="import_dataset",
            obj=run,
            outcome=AuditEvent.Outcome.FAILED,
            detail={**_audit_detail(run, tally), "refused": message[:500]},
        )
    return run


def _finish_duplicate(run: ImportRun, existing: DatasetVersion, *, by: AbstractBaseUser | None) -> ImportRun:
    with transaction.atomic():
        run.status = ImportRun.Status.DUPLICATE
        run.message = (
            f"This file was already imported as {existing.kind} with profile {existing.profile}: dataset version "
            f"{existing.version_id} ({existing.imported_at.day} {existing.imported_at:%B %Y}). Nothing new was created."
        )
        run.dataset_version = existing
        run.rows_read = existing.rows_read
        run.rows_accepted = existing.rows_accepted
        run.finished_at = timezone.now()
        run.save()
        record(
            by=by, action="import_dataset", obj=run, detail={"duplicate_of": existing.version_id, "sha256": run.sha256}
        )
    return run


def fail_import_run(*, run: ImportRun, message: str, by: AbstractBaseUser | None) -> ImportRun:
    """Mark a run failed for an unexpected reason (the job framework logs the traceback)."""
    with transaction.atomic():
        run.status = ImportRun.Status.FAILED
        run.message = message
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        record(by=by, action="import_dataset", obj=run, outcome=AuditEvent.Outcome.FAILED, detail={"error": message})
    return run


def import_file(
    *,
    path: Path,
    kind: str,
    profile: str,
    by: AbstractBaseUser | None,
    policy: str = Policy.REJECT,
    supplier: str = "",
    data_sharing_agreement: DataSharingAgreement | None = None,
    period_start_on: dt.date | None = None,
    period_end_on: dt.date | None = None,
    received_on: dt.date | None = None,
    progress: ProgressReporter | None = None,
    engine: str | None = None,
) -> ImportRun:
    """Create a run and import `path` in the foreground (the CLI and tests)."""
    if not path.is_file():
        raise ImportError_(f"there is no file at {path}")
    engine = ingest_engine(engine)
    try:
        supplier = supplier or profile_for(name=profile, kind=kind).supplier
    except ContractError as error:
        raise ImportError_(str(error)) from None
    run = create_import_run(
        kind=kind,
        profile=profile,
        file_name=path.name,
        by=by,
        policy=policy,
        supplier=supplier,
        data_sharing_agreement=data_sharing_agreement,
        period_start_on=period_start_on,
        period_end_on=period_end_on,
        received_on=received_on,
    )
    return run_import(run=run, path=path, by=by, progress=progress, engine=engine)
