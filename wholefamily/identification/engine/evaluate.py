"""Evaluate a programme as of a date over a linked snapshot: the cohort, every family's flags, and the evidence."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.criteria.schema import Programme
from wholefamily.domain.criteria.sql import (
    COHORT_EVIDENCE_VIEW,
    COHORT_VIEW,
    FAMILIES_VIEW,
    RESIDENTS_VIEW,
    Plan,
    build_plan,
    event_view_name,
)
from wholefamily.identification.engine import inputs
from wholefamily.identification.engine.engines import Engine, make_engine
from wholefamily.identification.engine.snapshot import Snapshot

Progress = Callable[[int, int, str], None]


@dataclass
class Evaluation:
    plan: Plan
    engine: str
    cohort: pa.Table
    families: pa.Table
    evidence: pa.Table
    residents: pa.Table
    dataset_versions: dict[str, tuple[str, ...]]
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def register_inputs(engine: Engine, snapshot: Snapshot, programme: Programme, contracts: ContractSet) -> None:
    """Register the snapshot's files as the input views the generated SQL reads (`ev_<kind>` per kind read)."""
    for name, wanted in (
        ("persons", inputs.PERSONS),
        ("households", inputs.HOUSEHOLDS),
        ("memberships", inputs.MEMBERSHIPS),
        ("record_person", inputs.RECORD_PERSON),
    ):
        columns = engine.register_parquet(f"raw_{name}", [snapshot.path(name)])
        target = "households_own" if name == "households" and snapshot.geography is not None else name
        engine.create_view(target, inputs.select_columns(f"raw_{name}", wanted, columns))
    if snapshot.geography is not None:
        columns = engine.register_parquet("raw_geography", [snapshot.geography])
        engine.create_view("geography", inputs.select_columns("raw_geography", inputs.GEOGRAPHY, columns))
        engine.create_view("households", inputs.households_with_areas("households_own", "geography"))
    if snapshot.judgements is not None and snapshot.judgements.exists():
        columns = engine.register_parquet("raw_judgements", [snapshot.judgements])
        engine.create_view("judgements", inputs.select_columns("raw_judgements", inputs.JUDGEMENTS, columns))
    else:
        engine.create_view("judgements", inputs.empty(inputs.JUDGEMENTS))
    for kind in programme.kinds:
        versions = []
        for index, (version, path) in enumerate(snapshot.data_files(kind)):
            raw = f"raw_{kind}_{index}"
            versions.append((version, raw, engine.register_parquet(raw, [path])))
        engine.create_view(event_view_name(kind), inputs.event_view_sql(contracts.contract(kind), versions))


def evaluate(
    programme: Programme,
    *,
    as_of: dt.date,
    snapshot: Snapshot,
    contracts: ContractSet,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> Evaluation:
    """Run `programme` as of `as_of` over `snapshot` on `engine` (duckdb or spark)."""
    started = time.perf_counter()
    plan = build_plan(programme, as_of=as_of, contracts=contracts)
    report = progress or (lambda done, total, message: None)
    total = len(plan.views) + 5
    runner = make_engine(engine)
    timings: dict[str, float] = {}
    try:
        report(0, total, "reading the snapshot")
        register_inputs(runner, snapshot, programme, contracts)
        for index, view in enumerate(plan.views, start=1):
            runner.create_view(view.name, view.sql, is_materialized=view.is_materialized)
            report(index, total, f"view {view.name}")
        step = len(plan.views)
        outputs = {}
        for name, sql in (
            ("families", f"SELECT * FROM {FAMILIES_VIEW} ORDER BY family_id"),  # noqa: S608
            ("cohort", f"SELECT * FROM {COHORT_VIEW} ORDER BY family_id"),  # noqa: S608
            (
                "evidence",
                f"SELECT * FROM {COHORT_EVIDENCE_VIEW} "  # noqa: S608
                "ORDER BY family_id, indicator, person_id, dataset_version_id, source_record_id",
            ),
            ("residents", f"SELECT * FROM {RESIDENTS_VIEW} ORDER BY district, ward"),  # noqa: S608
        ):
            tick = time.perf_counter()
            outputs[name] = runner.fetch(sql)
            timings[name] = time.perf_counter() - tick
            step += 1
            report(step, total, f"computed {name}")
        report(total, total, "done")
    finally:
        runner.close()
    return Evaluation(
        plan=plan,
        engine=engine,
        cohort=outputs["cohort"],
        families=outputs["families"],
        evidence=outputs["evidence"],
        residents=outputs["residents"],
        dataset_versions=snapshot.dataset_versions(),
        seconds=time.perf_counter() - started,
        timings=timings,
    )
