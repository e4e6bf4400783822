"""Retention (ADR 0015, ADR 0020): which deliveries have passed their period (a dry run lists them with reasons and
the copies of their records held elsewhere) and the purge that removes their stored rows, their links to persons and
those copies (linkage snapshots with their review pairs, identification results, clerical review decisions on
records only they held), audited. The rules are data: definitions/governance/retention.yaml; the agreement's own
period wins over the definition's."""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from wholefamily.domain.retention import Delivery, Verdict, add_months, judge
from wholefamily.governance.audit import record
from wholefamily.governance.models import PurgedDelivery

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class RetentionRules:
    version: int
    default_months: int
    kind_months: dict[str, int]
    claim_evidence_months: int


@cache
def rules() -> RetentionRules:
    raw = yaml.safe_load((Path(settings.DEFINITIONS_DIR) / "governance" / "retention.yaml").read_text("utf-8"))
    return RetentionRules(
        version=int(raw["version"]),
        default_months=int(raw["default_months"]),
        kind_months={str(k): int(v) for k, v in (raw.get("kinds") or {}).items()},
        claim_evidence_months=int(raw["claim_evidence_months"]),
    )


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "refs" and isinstance(inner, list):
                yield from (str(ref) for ref in inner)
            else:
                yield from _refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _refs(inner)


def _window_end(window: str) -> dt.date | None:
    """The last day of a claim window "YYYY-MM" (None if the window is not a month)."""
    try:
        year, month = (int(part) for part in window.split("-")[:2])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, TypeError):
        return None


def _cited_until() -> dict[str, dt.date]:
    """For each dataset version a claim's evidence cites, the latest day a citing claim must still be shown."""
    from wholefamily.claims.models import Claim

    months = rules().claim_evidence_months
    cited: dict[str, dt.date] = {}
    for window, evidence in Claim.objects.values_list("window", "evidence").iterator(chunk_size=500):
        end = _window_end(window)
        until = add_months(end, months) if end else dt.date.max
        for version_id in {ref.split(":", 1)[0] for ref in _refs(evidence) if ":" in ref}:
            cited[version_id] = max(until, cited.get(version_id, until))
    return cited


def _claims_until(today: dt.date) -> dict[str, dt.date]:
    """For each linked snapshot (its folder name: the linkage run id) a claim was computed from, the latest day a
    claim computed from it must still be shown; only those still in their retention on `today`."""
    from wholefamily.claims.models import Claim

    months = rules().claim_evidence_months
    needed: dict[str, dt.date] = {}
    for snapshot, window in Claim.objects.values_list("run__snapshot", "window").distinct().iterator():
        end = _window_end(window)
        until = add_months(end, months) if end else dt.date.max
        if until > today:
            name = Path(snapshot).name
            needed[name] = max(until, needed.get(name, until))
    return needed


def held_linkage_runs(*, today: dt.date | None = None) -> dict[str, str]:
    """Linkage runs whose snapshot must stay, with why: the current run (what the service reads now), and every run a
    claim within its retention was computed from (the floor claims' evidence needs)."""
    from wholefamily.domain.retention import long_date
    from wholefamily.linkage.models import LinkageRun

    today = today or timezone.localdate()
    held = {
        run_id: "the current run"
        for run_id in LinkageRun.objects.filter(is_current=True).values_list("run_id", flat=True)
    }
    for run_id, until in _claims_until(today).items():
        held.setdefault(run_id, f"from which claims were computed, kept until {long_date(until)}")
    return held


def _linked_by_run() -> dict[str, list[str]]:
    """For each dataset version, the linkage runs that linked it (oldest first)."""
    from wholefamily.linkage.models import LinkageRun

    linked: dict[str, list[str]] = {}
    for run_id, versions in LinkageRun.objects.order_by("started_at", "id").values_list("run_id", "dataset_versions"):
        for entry in versions or []:
            version_id = entry.get("version_id") if isinstance(entry, dict) else None
            if version_id:
                linked.setdefault(str(version_id), []).append(run_id)
    return linked


@dataclass(frozen=True)
class Copies:
    """Copies of a delivery's records outside its own folder, which its purge removes (ADR 0020)."""

    linkage_runs: tuple[str, ...]  # snapshot folders: record links, persons' best values, review and scored pairs
    identification_runs: tuple[int, ...]  # result folders (cohort, families, evidence) of runs over those snapshots
    evidence_rows: int  # identification evidence rows citing the delivery's records
    review_decisions: int  # clerical review decisions on records no other delivery or kept snapshot holds

    def as_detail(self) -> dict[str, Any]:
        return {
            "linkage_runs": list(self.linkage_runs),
            "identification_runs": list(self.identification_runs),
            "evidence_rows": self.evidence_rows,
            "review_decisions": self.review_decisions,
        }

    def __str__(self) -> str:
        parts = []
        if self.linkage_runs:
            parts.append(f"linkage snapshots {', '.join(self.linkage_runs)}")
        if self.identification_runs:
            parts.append(f"identification results of runs {', '.join(str(pk) for pk in self.identification_runs)}")
        if self.evidence_rows:
            parts.append(f"{self.evidence_rows} identification evidence rows")
        if self.review_decisions:
            parts.append(f"{self.review_decisions} clerical review decisions")
        return "; ".join(parts) or "no copies elsewhere"


def _profiles_in_snapshot(run_id: str, *, of: str | None = None, other_than: str | None = None) -> set[str]:
    """Profile ids a linkage snapshot links, for one dataset version or for all but one."""
    from wholefamily.linkage.services import linkage_root

    path = linkage_root() / run_id / "record_person.parquet"
    if not path.is_file():
        return set()
    table = pq.read_table(path, columns=["dataset_version_id", "profile_id"])
    if of is not None:
        table = table.filter(pc.equal(table["dataset_version_id"], of))
    if other_than is not None:
        table = table.filter(pc.not_equal(table["dataset_version_id"], other_than))
    return {str(value) for value in pc.unique(table["profile_id"]).to_pylist() if value is not None}


def _review_decisions_only_on(version_id: str, *, runs: tuple[str, ...], held: set[str]) -> list[int]:
    """Clerical review decisions that name a record (profile) of this delivery that nothing kept still holds."""
    from django.db.models import Q

    from wholefamily.linkage.models import PersonRecord, ReviewDecision

    profiles = set(PersonRecord.objects.filter(dataset_version_id=version_id).values_list("profile_id", flat=True))
    for run_id in runs:
        profiles |= _profiles_in_snapshot(run_id, of=version_id)
    if not profiles:
        return []
    candidates = list(
        ReviewDecision.objects.filter(Q(profile_id_l__in=profiles) | Q(profile_id_r__in=profiles)).values_list(
            "pk", "profile_id_l", "profile_id_r"
        )
    )
    if not candidates:
        return []
    kept = set(
        PersonRecord.objects.exclude(dataset_version_id=version_id)
        .filter(profile_id__in=profiles)
        .values_list("profile_id", flat=True)
    )
    for run_id in held:
        kept |= _profiles_in_snapshot(run_id, other_than=version_id) & profiles
    gone = profiles - kept
    return [pk for pk, left, right in candidates if left in gone or right in gone]


def copies_of(
    version_id: str, *, held: dict[str, str] | None = None, linked: dict[str, list[str]] | None = None
) -> Copies:
    """Where copies of a delivery's records are held outside its folder, the kept runs left out."""
    from wholefamily.identification.models import Evidence, IdentificationRun
    from wholefamily.linkage.services import linkage_root

    held = held if held is not None else held_linkage_runs()
    linked = linked if linked is not None else _linked_by_run()
    runs = tuple(run for run in linked.get(version_id, []) if run not in held and (linkage_root() / run).is_dir())
    identification = []
    for pk, snapshot, versions, output in IdentificationRun.objects.values_list(
        "pk", "snapshot", "dataset_versions", "output_dir"
    ):
        uses = Path(snapshot).name in runs or version_id in (versions or {}).values()
        if uses and Path(snapshot).name not in held and output and Path(output).is_dir():
            identification.append(pk)
    return Copies(
        linkage_runs=runs,
        identification_runs=tuple(identification),
        evidence_rows=Evidence.objects.filter(dataset_version_id=version_id).count(),
        review_decisions=len(_review_decisions_only_on(version_id, runs=runs, held=set(held))),
    )


def plan(*, today: dt.date | None = None) -> list[Verdict]:
    """Every stored delivery not yet purged, with its verdict (what a dry run lists)."""
    from wholefamily.ingest.models import DatasetVersion
    from wholefamily.linkage.services import current_dataset_versions

    today = today or timezone.localdate()
    current = {version.version_id for version in current_dataset_versions()}
    cited = _cited_until()
    held = held_linkage_runs(today=today)
    linked = _linked_by_run()
    purged = set(PurgedDelivery.objects.values_list("version_id", flat=True))
    verdicts = []
    versions = DatasetVersion.objects.select_related("data_sharing_agreement").order_by("kind", "received_on")
    for version in versions:
        if version.version_id in purged:
            continue
        agreement = version.data_sharing_agreement
        months = (
            agreement.retention_months if agreement and agreement.retention_months else None
        ) or rules().kind_months.get(version.kind, rules().default_months)
        delivery = Delivery(
            version_id=version.version_id,
            kind=version.kind,
            covers_to=version.period_end_on or version.received_on,
            retention_months=months,
            is_current=version.version_id in current,
            cited_until=cited.get(version.version_id),
            held_by_run=next(
                (f"{run}, {held[run]}," for run in linked.get(version.version_id, []) if run in held), None
            ),
        )
        verdicts.append(judge(delivery, today=today))
    return verdicts


@dataclass(frozen=True)
class Due:
    """A delivery due for purging and the copies of its records the purge also removes."""

    verdict: Verdict
    copies: Copies

    @property
    def version_id(self) -> str:
        return self.verdict.version_id

    @property
    def kind(self) -> str:
        return self.verdict.kind

    @property
    def expires_on(self) -> dt.date:
        return self.verdict.expires_on


def due(*, today: dt.date | None = None) -> list[Due]:
    """The deliveries past their period and every floor, each with the copies of its records held elsewhere."""
    today = today or timezone.localdate()
    verdicts = [verdict for verdict in plan(today=today) if verdict.is_due]
    if not verdicts:
        return []
    held, linked = held_linkage_runs(today=today), _linked_by_run()
    return [Due(verdict, copies_of(verdict.version_id, held=held, linked=linked)) for verdict in verdicts]


def _remove_copies(version_id: str, copies: Copies, *, held: set[str]) -> dict[str, Any]:
    """Inside the purge's transaction: the database copies now, the files once it commits."""
    from wholefamily.identification.models import Evidence, IdentificationRun
    from wholefamily.linkage.models import ReviewDecision
    from wholefamily.linkage.services import linkage_root

    decisions = _review_decisions_only_on(version_id, runs=copies.linkage_runs, held=held)
    ReviewDecision.objects.filter(pk__in=decisions).delete()
    evidence, _ = Evidence.objects.filter(dataset_version_id=version_id).delete()
    folders = [linkage_root() / run for run in copies.linkage_runs]
    for run in IdentificationRun.objects.filter(pk__in=copies.identification_runs):
        folders.append(Path(run.output_dir))
    for folder in folders:
        transaction.on_commit(partial(shutil.rmtree, folder, ignore_errors=True))
    return copies.as_detail() | {"evidence_rows": evidence, "review_decisions": len(decisions)}


def purge(*, dry_run: bool, by: AnyUser | None, system_actor: str = "", today: dt.date | None = None) -> list[Due]:
    """List (dry run) or purge the deliveries due and the copies of their records; both are audited. Returns what
    was due."""
    from wholefamily.ingest.store import version_dir
    from wholefamily.linkage.models import PersonRecord

    listed = due(today=today)
    if dry_run:
        record(
            by=by,
            action="retention.dry_run",
            system_actor=system_actor,
            detail={
                "due": [item.version_id for item in listed],
                "copies": {item.version_id: item.copies.as_detail() for item in listed},
                "rules": rules().version,
            },
        )
        return listed
    held = set(held_linkage_runs(today=today))
    for item in listed:
        verdict = item.verdict
        with transaction.atomic():
            copies = _remove_copies(verdict.version_id, item.copies, held=held)
            removed, _ = PersonRecord.objects.filter(dataset_version_id=verdict.version_id).delete()
            label = by.get_username() if by is not None and by.is_authenticated else system_actor
            PurgedDelivery.objects.create(
                version_id=verdict.version_id,
                kind=verdict.kind,
                expired_on=verdict.expires_on,
                person_links_removed=removed,
                copies_removed=copies,
                by_label=label,
            )
            record(
                by=by,
                action="retention.purge",
                object_type="ingest.datasetversion",
                object_id=verdict.version_id,
                system_actor=system_actor,
                detail={
                    "kind": verdict.kind,
                    "expired_on": str(verdict.expires_on),
                    "person_links_removed": removed,
                    "copies_removed": copies,
                    "rules": rules().version,
                },
            )
            # The files go once the database says so; a crash in between leaves files a rerun removes.
            folder = version_dir(verdict.kind, verdict.version_id)
            transaction.on_commit(partial(shutil.rmtree, folder, ignore_errors=True))
    return listed
