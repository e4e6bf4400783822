"""Running an outcomes framework over the linked data and keeping the results: which families (the cases on the
programme, or a file), which snapshot (the current linkage run by default), and the run recorded with its audit
event. The command `wholefamily outcomes` and the tests call `measure_outcomes`.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wholefamily.cases.models import Case
from wholefamily.domain.criteria.schema import DefinitionError
from wholefamily.domain.outcomes.framework import Framework, check_against_programme, load_framework
from wholefamily.governance.audit import record
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.identification.services import IdentificationError, contracts, load_programme_definition
from wholefamily.ingest.selectors import declared_coverage
from wholefamily.outcomes.engine import DistanceScores, FamilyStart, Measurement, MemberSpec, measure_families
from wholefamily.outcomes.models import DistanceAssessment, DistanceScore, OutcomeResult, OutcomeRun


class OutcomesRunError(Exception):
    """The run cannot start: unknown framework, no snapshot, a malformed families file."""


def frameworks_dir() -> Path:
    return Path(settings.PROGRAMMES_DIR) / "outcomes"


def load_framework_for(programme: str) -> Framework:
    """The outcomes framework of a programme (programmes/outcomes/<programme>.yaml), checked against its criteria."""
    path = frameworks_dir() / f"{programme}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in frameworks_dir().glob("*.yaml")))
        raise OutcomesRunError(f"no outcomes framework for {programme!r}; frameworks: {known}")
    try:
        framework = load_framework(path)
        check_against_programme(framework, load_programme_definition(framework.programme))
    except (DefinitionError, IdentificationError) as error:
        raise OutcomesRunError(str(error)) from None
    return framework


def current_snapshot_dir() -> Path:
    """The current linkage run's snapshot (ADR 0004: DATA_DIR/linkage/CURRENT names it)."""
    pointer = Path(settings.DATA_DIR) / "linkage" / "CURRENT"
    if not pointer.exists():
        raise OutcomesRunError("no current linkage run: link records first, or give --snapshot")
    return Path(settings.DATA_DIR) / "linkage" / pointer.read_text(encoding="utf-8").strip()


def _programme_matches(case_programme: str, programme: str) -> bool:
    """Cases name programmes loosely ("supporting_families"): match with - and _ alike, by prefix."""
    return programme.replace("_", "-").startswith(case_programme.replace("_", "-"))


def families_from_cases(programme: str) -> tuple[list[FamilyStart], dict[str, Case]]:
    """The families on the programme with a linked household: the intervention starts when the plan is agreed
    (else when the family came onto the programme) and ends when the case closes; members from the case."""
    families, cases = [], {}
    for case in Case.objects.exclude(household_id="").select_related("team").prefetch_related("members"):
        if not _programme_matches(case.programme, programme):
            continue
        members = tuple(
            MemberSpec(m.person_id, m.display_name, m.born_on, m.start_on, m.end_on)
            for m in case.members.all()
            if m.person_id
        )
        family_id = case.reference
        families.append(
            FamilyStart(
                family_id=family_id,
                household_id=case.household_id,
                start_on=case.plan_agreed_on or case.opened_on,
                end_on=case.closed_on,
                members=members,
                district=case.team.district,
            )
        )
        cases[family_id] = case
    return families, cases


def families_from_file(path: Path) -> list[FamilyStart]:
    """A CSV with household_id, start_on and optionally family_id and end_on (ISO dates)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return [
            FamilyStart(
                family_id=row.get("family_id") or row["household_id"],
                household_id=row["household_id"],
                start_on=dt.date.fromisoformat(row["start_on"]),
                end_on=dt.date.fromisoformat(row["end_on"]) if row.get("end_on") else None,
            )
            for row in rows
        ]
    except (KeyError, ValueError) as error:
        raise OutcomesRunError(f"{path.name}: needs household_id and start_on (YYYY-MM-DD): {error}") from None


def distance_scores(cases: dict[str, Case]) -> DistanceScores:
    """The key worker's scores per case and item: the baseline and each review (for the measures read from distance
    travelled). A family-profile item is scored once for the family; a child or parent item per member, and the
    family's need on it at a time point is its highest member score (a child's need is the family's need)."""
    by_case: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    reference_of = {case.pk: reference for reference, case in cases.items()}
    scores = DistanceScore.objects.filter(
        assessment__case_id__in=reference_of, assessment__assessor=DistanceAssessment.Assessor.KEY_WORKER
    ).values_list("assessment__case_id", "assessment__time_point", "item", "score")
    for case_id, time_point, item, score in scores:
        points = by_case[(reference_of[case_id], item)]
        points[time_point] = max(score, points.get(time_point, score))
    out: dict[tuple[str, str], tuple[int | None, tuple[int | None, ...]]] = {}
    for key, points in by_case.items():
        last = max(points)
        out[key] = (points.get(0), tuple(points.get(index) for index in range(1, last + 1)))
    return out


def _store(measurement: Measurement, run: OutcomeRun, cases: dict[str, Case]) -> None:
    rows = []
    for item in measurement.results:
        members: list[dict[str, Any]] = []
        for member in item.result.members:
            before, start, after = item.points.get(member.person_id, ("", "", ""))
            members.append(
                {
                    "person_id": member.person_id,
                    "label": member.label,
                    "status": member.status.value,
                    "value": member.value,
                    "evidence": list(member.evidence),
                    "points": {"before": before, "start": start, "after": after},
                }
            )
        rows.append(
            OutcomeResult(
                run=run,
                case=cases.get(item.family.family_id),
                family_id=item.family.family_id,
                household_id=item.family.household_id,
                start_on=item.family.start_on,
                end_on=item.family.end_on,
                problem=item.measure.problem,
                measure=item.measure.code,
                status=item.result.status.value,
                reason=item.result.reason[:300],
                period_from=item.result.period_from,
                period_to=item.result.period_to,
                members=members,
            )
        )
    OutcomeResult.objects.bulk_create(rows, batch_size=1000)


def measure_outcomes(
    *,
    programme: str,
    as_of_on: dt.date,
    by: Any,
    snapshot_dir: Path | None = None,
    datasets_root: Path | None = None,
    families_file: Path | None = None,
    engine: str = "duckdb",
) -> tuple[OutcomeRun, Measurement]:
    """Evaluate the programme's outcomes framework for its families as of a date; keep and audit the run."""
    framework = load_framework_for(programme)
    directory = snapshot_dir or current_snapshot_dir()
    snapshot = Snapshot.open(directory, datasets_root=datasets_root or Path(settings.DATA_DIR) / "datasets")
    cases: dict[str, Case] = {}
    if families_file is not None:
        families = families_from_file(families_file)
    else:
        families, cases = families_from_cases(programme)
    started = time.perf_counter()
    measurement = measure_families(
        framework,
        families=families,
        as_of=as_of_on,
        snapshot=snapshot,
        contracts=contracts(),
        engine=engine,
        distance=distance_scores(cases),
        declared_to=declared_coverage(versions=snapshot.dataset_versions()),
    )
    with transaction.atomic():
        run = OutcomeRun.objects.create(
            framework=framework.code,
            framework_version=framework.version,
            as_of_on=as_of_on,
            engine=engine,
            snapshot=str(directory),
            dataset_versions={kind: list(v) for kind, v in measurement.dataset_versions.items()},
            families=len(families),
            seconds=time.perf_counter() - started,
            started_by=by,
            started_at=timezone.now(),
        )
        _store(measurement, run, cases)
        record(
            by=by,
            action="outcomes.measure",
            obj=run,
            detail={"framework": framework.label, "as_of": as_of_on.isoformat(), "families": len(families)},
        )
    return run, measurement
