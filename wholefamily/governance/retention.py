"""Retention (ADR 0015): which deliveries have passed their period (a dry run lists them with reasons) and the
purge that removes their stored rows and links to persons, audited. The rules are data:
definitions/governance/retention.yaml; the agreement's own period wins over the definition's."""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

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


def plan(*, today: dt.date | None = None) -> list[Verdict]:
    """Every stored delivery not yet purged, with its verdict (what a dry run lists)."""
    from wholefamily.ingest.models import DatasetVersion
    from wholefamily.linkage.services import current_dataset_versions

    today = today or timezone.localdate()
    current = {version.version_id for version in current_dataset_versions()}
    cited = _cited_until()
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
        )
        verdicts.append(judge(delivery, today=today))
    return verdicts


def purge(*, dry_run: bool, by: AnyUser | None, system_actor: str = "", today: dt.date | None = None) -> list[Verdict]:
    """List (dry run) or purge the deliveries due; both are audited. Returns the verdicts due."""
    from wholefamily.ingest.store import version_dir
    from wholefamily.linkage.models import PersonRecord

    due = [verdict for verdict in plan(today=today) if verdict.is_due]
    if dry_run:
        record(
            by=by,
            action="retention.dry_run",
            system_actor=system_actor,
            detail={"due": [v.version_id for v in due], "rules": rules().version},
        )
        return due
    for verdict in due:
        with transaction.atomic():
            removed, _ = PersonRecord.objects.filter(dataset_version_id=verdict.version_id).delete()
            label = by.get_username() if by is not None and by.is_authenticated else system_actor
            PurgedDelivery.objects.create(
                version_id=verdict.version_id,
                kind=verdict.kind,
                expired_on=verdict.expires_on,
                person_links_removed=removed,
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
                    "rules": rules().version,
                },
            )
            # The files go once the database says so; a crash in between leaves files a rerun removes.
            folder = version_dir(verdict.kind, verdict.version_id)
            transaction.on_commit(partial(shutil.rmtree, folder, ignore_errors=True))
    return due
