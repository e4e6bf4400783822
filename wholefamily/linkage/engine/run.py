"""One linkage run end to end: records -> profiles -> Splink pairs -> clusters -> stable ids -> households ->
the linked snapshot on disk (ADR 0004). No Django: inputs, previous snapshot and decisions are passed in."""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from wholefamily.domain.progress import NullProgress, ProgressReporter
from wholefamily.linkage.engine import prepare
from wholefamily.linkage.engine.adapt import Adaptation, Choice, adapt, choose_model, measure
from wholefamily.linkage.engine.cluster import cluster
from wholefamily.linkage.engine.definition import LinkageDefinition
from wholefamily.linkage.engine.households import build_households
from wholefamily.linkage.engine.ids import IdChange, assign_ids
from wholefamily.linkage.engine.model import predict, splink_settings, train
from wholefamily.linkage.engine.quality import quality_report

Engine = Literal["duckdb", "spark"]
STEPS = 9
SNAPSHOT_FILES = (
    "record_person.parquet", "persons.parquet", "households.parquet", "memberships.parquet",
    "review_pairs.parquet", "id_changes.parquet", "model.json", "manifest.json",
)  # fmt: skip
CURRENT_FILE = "CURRENT"


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on a pair of profiles: same person (must-link) or different people (cannot-link)."""

    profile_id_l: str
    profile_id_r: str
    is_same_person: bool


@dataclass(frozen=True)
class HouseholdCorrection:
    """An analyst's correction: this person lives (now) in this household. Applied on every later run."""

    person_id: str
    household_id: str


@dataclass(frozen=True)
class PreviousRun:
    """What a new run needs from the current snapshot to keep ids stable."""

    profile_person: dict[str, str]  # profile_id -> person_id
    member_household: dict[str, str]  # person_id@dwelling -> household_id
    taken_ids: set[str] = field(default_factory=set)

    @classmethod
    def empty(cls) -> PreviousRun:
        return cls(profile_person={}, member_household={})

    @classmethod
    def read(cls, snapshot_dir: Path) -> PreviousRun:
        records = pq.read_table(snapshot_dir / "record_person.parquet", columns=["profile_id", "person_id"])
        profile_person = dict(
            zip(records.column("profile_id").to_pylist(), records.column("person_id").to_pylist(), strict=True)
        )
        households = pq.read_table(snapshot_dir / "households.parquet", columns=["household_id", "dwelling"])
        dwelling_of = dict(
            zip(households.column("household_id").to_pylist(), households.column("dwelling").to_pylist(), strict=True)
        )
        members = pq.read_table(snapshot_dir / "memberships.parquet", columns=["person_id", "household_id"])
        member_household = {
            f"{person}@{dwelling_of[household]}": household
            for person, household in zip(
                members.column("person_id").to_pylist(), members.column("household_id").to_pylist(), strict=True
            )
        }
        taken = set(profile_person.values()) | set(dwelling_of)
        changes_path = snapshot_dir / "id_changes.parquet"
        if changes_path.exists():
            taken |= {value for value in pq.read_table(changes_path).column("previous_id").to_pylist() if value}
        return cls(profile_person=profile_person, member_household=member_household, taken_ids=taken)


@dataclass
class RunResult:
    out_dir: Path
    figures: dict[str, Any]
    person_changes: list[IdChange]
    household_changes: list[IdChange]


def _spark_session() -> Any:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master("local[2]")
        .config("spark.jars", similarity_jar_location())
        .appName("wholefamily-linkage")
        .config("spark.sql.shuffle.partitions", os.environ.get("WHOLEFAMILY_SPARK_PARTITIONS", "2"))
        .config("spark.default.parallelism", os.environ.get("WHOLEFAMILY_SPARK_PARTITIONS", "2"))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("WHOLEFAMILY_SPARK_MEMORY", "2g"))
        .getOrCreate()
    )


def _predict(
    connection: duckdb.DuckDBPyConnection,
    definition: LinkageDefinition,
    *,
    engine: Engine,
    progress: ProgressReporter,
    model_path: Path,
    profile_count: int,
    trained_model: Path | None = None,
    labels: Sequence[tuple[str, str]] = (),
    adaptation: Adaptation | None = None,
) -> list[str]:
    """Train and predict with Splink: the scored pairs at or above the review threshold become the DuckDB view
    `scored_pairs` (every column Splink writes, for the review queue's waterfall); returns the report's lines on
    training (EM training rules skipped, priors stated).

    The pairs stay in DuckDB: fetching all of Splink's columns into Python cost time and gigabytes at 1,000,000
    residents, and only three columns are needed outside SQL."""
    from splink import DuckDBAPI, Linker

    if engine == "spark":
        from splink import SparkAPI

        spark = _spark_session()
        spark.sparkContext.setCheckpointDir(str(model_path.parent / ".spark-checkpoints"))
        profiles: Any = connection.sql("SELECT * FROM profiles ORDER BY unique_id").to_arrow_table()
        db_api: Any = SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]
        frame = db_api.register(spark.createDataFrame(profiles.to_pandas()), dataset_display_name="profiles")
    else:
        db_api = DuckDBAPI(connection)
        frame = db_api.register("profiles", dataset_display_name="profiles")
    if trained_model is not None:
        # a model trained before (saved with an earlier run): predict with it, no training
        linker = Linker(frame, json.loads(trained_model.read_text()), log_level=None)
        skipped: list[str] = []
    else:
        linker = Linker(frame, splink_settings(definition, adaptation), log_level=None)
        skipped = train(linker, definition, progress=progress.set_message, labels=labels, adaptation=adaptation)
    progress.advance()
    linker.misc.save_model_to_json(str(model_path), overwrite=True)
    progress.set_message("Scoring pairs")
    predictions = predict(linker, definition, profile_count)
    if engine == "spark":
        connection.register(
            "spark_pairs", pa.Table.from_pandas(predictions.as_pandas_dataframe(), preserve_index=False)
        )
        connection.execute("CREATE OR REPLACE TABLE scored_pairs AS SELECT * FROM spark_pairs")
        connection.unregister("spark_pairs")
    else:
        connection.execute(f"CREATE OR REPLACE VIEW scored_pairs AS SELECT * FROM {predictions.physical_name}")
    progress.advance()
    return skipped


def _edges(
    pairs: pa.Table,
    deterministic: pa.Table,
    decisions: Sequence[Decision],
    profile_ids: pa.Array,
    index: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Edges as positions in `profile_ids` (sorted): Splink's pairs, then the agencies' own person ids and reviewers'
    "same person" pairs at probability 1; reviewers' "different people" pairs are returned apart (cannot-link)."""

    def positions(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
        found: np.ndarray = pc.index_in(values, value_set=profile_ids).to_numpy(zero_copy_only=False)
        return found

    must = [(d.profile_id_l, d.profile_id_r) for d in decisions if d.is_same_person]
    cannot = [
        (index[d.profile_id_l], index[d.profile_id_r])
        for d in decisions
        if not d.is_same_person and d.profile_id_l in index and d.profile_id_r in index
    ]
    reviewed = [(index[a], index[b]) for a, b in must if a in index and b in index]
    left = np.concatenate(
        [positions(pairs.column("unique_id_l")), positions(deterministic.column("left")), [a for a, _ in reviewed]]
    ).astype(np.int64)
    right = np.concatenate(
        [positions(pairs.column("unique_id_r")), positions(deterministic.column("right")), [b for _, b in reviewed]]
    ).astype(np.int64)
    probability = np.concatenate(
        [
            pairs.column("match_probability").to_numpy(zero_copy_only=False).astype(float),
            np.ones(deterministic.num_rows + len(reviewed)),
        ]
    )
    return left, right, probability, cannot


def link_datasets(
    datasets: Sequence[prepare.InputDataset],
    *,
    definition: LinkageDefinition,
    out_dir: Path,
    run_id: str,
    previous: PreviousRun | None = None,
    decisions: Sequence[Decision] = (),
    engine: Engine = "duckdb",
    progress: ProgressReporter | None = None,
    memory_limit: str = prepare.DEFAULT_MEMORY_LIMIT,
    trained_model: Path | None = None,
    corrections: Sequence[HouseholdCorrection] = (),
    person_definition: LinkageDefinition | None = None,
    model: Choice = "auto",
    link_threshold: float | None = None,
    write_scored_pairs: bool = False,
) -> RunResult:
    """Link every record of `datasets` and write the linked snapshot into `out_dir`.

    `trained_model`: a `model.json` from an earlier run to predict with instead of training again.
    `person_definition`: the general person model, chosen instead of `definition` (the county model) when the data
    has too little household evidence, or when `model` is "person" (ADR 0016); without it `definition` is used.
    `link_threshold`: the match probability at or above which a pair joins one person (default: the model's).
    `write_scored_pairs`: also write `scored_pairs.parquet`, every scored pair of records for clerical review.
    Raises `UnlinkableData` (a plain sentence) when the records cannot be linked at all.
    """
    progress = progress or NullProgress()
    previous = previous or PreviousRun.empty()
    # Splink logs every untrained level at WARNING; the run's own figures say what matters
    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    connection = prepare.connect(memory_limit=memory_limit)
    try:
        progress.start(STEPS, "Reading records")
        records = prepare.load_records(
            connection, datasets, address_spans=definition.households.address_spans,
            household_refs=definition.households.household_refs,
        )  # fmt: skip
        profiles = prepare.build_profiles(connection, definition.nicknames)
        shape = measure(connection)
        if person_definition is not None:
            definition, model_reason = choose_model(shape, definition, person_definition, choice=model)
        else:
            model_reason = f"the {'general person' if definition.family == 'person' else 'county'} model"
        if link_threshold is not None:
            definition = definition.with_threshold(link_threshold)
        adaptation = adapt(connection, definition, shape, reason=model_reason) if trained_model is None else None
        progress.advance()
        timings["prepare_s"] = time.perf_counter() - started

        mark = time.perf_counter()
        em_skipped = _predict(
            connection, definition, engine=engine, progress=progress, model_path=out_dir / "model.json",
            profile_count=profiles, trained_model=trained_model,
            labels=[(d.profile_id_l, d.profile_id_r) for d in decisions if d.is_same_person], adaptation=adaptation,
        )  # fmt: skip
        timings["splink_s"] = time.perf_counter() - mark

        mark = time.perf_counter()
        progress.set_message("Clustering")
        # in a fixed order: clustering with cannot-links depends on the order of equal-probability edges
        pairs = connection.sql(
            "SELECT unique_id_l, unique_id_r, match_probability FROM scored_pairs ORDER BY unique_id_l, unique_id_r"
        ).to_arrow_table()
        profile_id_array = connection.sql("SELECT unique_id FROM profiles ORDER BY unique_id").to_arrow_table()
        profile_ids = profile_id_array.column("unique_id").to_pylist()
        index = {profile_id: i for i, profile_id in enumerate(profile_ids)}
        left, right, probability, cannot = _edges(
            pairs, prepare.deterministic_pairs(connection), decisions,
            profile_id_array.column("unique_id").combine_chunks(), index,
        )  # fmt: skip
        clusters = cluster(
            len(profile_ids), left=left, right=right, probability=probability,
            threshold=definition.link_threshold, cannot=cannot,
        )  # fmt: skip
        conflicts = _conflicts(connection, profile_ids, clusters.labels, definition) if definition.conflicts else []
        # a reviewer's "same person" outranks a conflict the rules found
        must = {tuple(sorted((d.profile_id_l, d.profile_id_r))) for d in decisions if d.is_same_person}
        conflicts = [pair for pair in conflicts if tuple(sorted(pair)) not in must]
        if conflicts:
            clusters = cluster(
                len(profile_ids), left=left, right=right, probability=probability,
                threshold=definition.link_threshold, cannot=[*cannot, *((index[a], index[b]) for a, b in conflicts)],
            )  # fmt: skip
        timings["conflicts"] = len(conflicts)
        timings["clusters_s"] = time.perf_counter() - mark
        progress.advance()

        progress.set_message("Keeping person ids stable")
        weights = connection.execute("SELECT record_count FROM profiles ORDER BY unique_id").fetchnumpy()
        cluster_of = [profile_ids[label] for label in clusters.labels.tolist()]
        people = assign_ids(
            prefix="P", clusters=cluster_of, members=profile_ids, weights=weights["record_count"].tolist(),
            previous=previous.profile_person, taken=previous.taken_ids,
        )  # fmt: skip
        person_of = people.ids
        profile_person = pa.table(
            {
                "profile_id": profile_ids,
                "person_id": [person_of[key] for key in cluster_of],
                "match_probability": pa.array(
                    [None if np.isnan(value) else float(value) for value in clusters.best], type=pa.float64()
                ),
            }
        )
        connection.register("profile_person_arrow", profile_person)
        connection.execute("CREATE OR REPLACE TABLE profile_person AS SELECT * FROM profile_person_arrow")
        progress.advance()

        timings["person_ids_s"] = time.perf_counter() - mark - timings["clusters_s"]
        progress.set_message("Building persons and households")
        _linked_tables(connection)
        households_mark = time.perf_counter()
        build_households(connection, definition.households)
        timings["households_s"] = time.perf_counter() - households_mark
        spells = connection.execute(
            "SELECT household_key, person_id || '@' || dwelling AS member FROM spells"
        ).fetchnumpy()
        household_keys = spells["household_key"].tolist()
        households = assign_ids(
            prefix="H", clusters=household_keys, members=spells["member"].tolist(), weights=[1] * len(household_keys),
            previous=previous.member_household, taken=previous.taken_ids,
        )  # fmt: skip
        connection.register(
            "household_ids_arrow",
            pa.table({"household_key": list(households.ids), "household_id": list(households.ids.values())}),
        )
        connection.execute("CREATE OR REPLACE TABLE household_ids AS SELECT * FROM household_ids_arrow")
        timings["household_corrections_applied"] = _apply_corrections(connection, corrections, definition)
        progress.advance()
        timings["cluster_and_households_s"] = time.perf_counter() - mark

        progress.set_message("Writing the snapshot")
        mark = time.perf_counter()
        quality = quality_report(
            connection, model=definition.family, model_reason=model_reason,
            skipped=[*(adaptation.skipped if adaptation else []), *em_skipped],
            link_threshold=definition.link_threshold,
        )  # fmt: skip
        if write_scored_pairs:
            _write_scored_pairs(connection, out_dir)
        figures = _write_snapshot(
            connection, out_dir, definition=definition, people_changes=people.changes,
            household_changes=households.changes,
        )  # fmt: skip
        timings["snapshot_s"] = time.perf_counter() - mark
        progress.advance()
        previous_records = sum(1 for _ in previous.profile_person)
        figures.update(
            {
                "run_id": run_id,
                "engine": engine,
                "settings_version": definition.settings_version,
                "records": records,
                "profiles": profiles,
                "pairs_scored_above_review": pairs.num_rows,
                "em_sessions_skipped": em_skipped,
                "model": definition.family,
                "link_threshold": definition.link_threshold,
                "quality": quality,
                "m_from_labels": sum(1 for d in decisions if d.is_same_person)
                if sum(1 for d in decisions if d.is_same_person) >= definition.training.min_labels_for_m
                else 0,
                "person_ids_kept_share": _kept_share(connection, previous.profile_person) if previous_records else None,
                **{key: round(value, 2) for key, value in timings.items()},
                "wall_s": round(time.perf_counter() - started, 2),
            }
        )
        manifest = {
            "run_id": run_id,
            "settings_version": definition.settings_version,
            "datasets": [
                {"dataset_version_id": d.dataset_version_id, "kind": d.kind, "path": str(d.path)} for d in datasets
            ],
            "decisions_applied": len(decisions),
            "figures": figures,
        }
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        progress.advance()
        return RunResult(
            out_dir=out_dir, figures=figures, person_changes=people.changes, household_changes=households.changes
        )
    finally:
        connection.close()


_CONFLICT_SQL = {
    # both forenames present and neither equal, similar, a short form of the other, nor swapped with the surname
    "forename": """(a.forename IS NOT NULL AND b.forename IS NOT NULL AND a.forename <> b.forename
        AND jaro_winkler_similarity(a.forename, b.forename) < 0.8
        AND NOT list_has_any(a.forename_keys, b.forename_keys)
        AND NOT (a.forename = b.surname AND b.forename = a.surname))""",
    # similar but different forenames of people of different sex (Oliver and Olivia)
    "sex": """(a.sex IS NOT NULL AND b.sex IS NOT NULL AND a.sex <> b.sex AND a.forename <> b.forename
        AND NOT list_has_any(a.forename_keys, b.forename_keys))""",
    # both dates present and neither equal, day/month swapped, nor one character apart
    "dob": """(a.dob IS NOT NULL AND b.dob IS NOT NULL AND a.dob <> b.dob
        AND damerau_levenshtein(a.dob, b.dob) > 1
        AND NOT (a.dob_year = b.dob_year AND a.dob_month = b.dob_day AND a.dob_day = b.dob_month))""",
}


def _conflict_sql(name: str, definition: LinkageDefinition) -> str:
    """The conflict condition for a decisive field. A different forename is decisive only between likely relatives
    when the model defines them (ADR 0016): one dwelling, or (county) one surname, and close or unknown ages."""
    condition = _CONFLICT_SQL[name]
    if name != "forename" or definition.relatives_max_year_gap is None:
        return condition
    together = "a.uprn = b.uprn OR (a.postcode_sector IS NOT NULL AND a.postcode = b.postcode)"
    if definition.relatives_same_surname:
        together += " OR a.surname = b.surname"
    gap = definition.relatives_max_year_gap
    ages = f"a.dob_year IS NULL OR b.dob_year IS NULL OR abs(a.dob_year - b.dob_year) < {gap}"
    return f"({condition} AND ({together}) AND ({ages}))"


def _conflicts(
    connection: duckdb.DuckDBPyConnection, profile_ids: list[str], labels: np.ndarray, definition: LinkageDefinition
) -> list[tuple[str, str]]:
    """Profile pairs inside one cluster that disagree on a decisive field (twins and siblings joined through a
    third record that lacks the field): they become cannot-link constraints. Profiles an agency holds under one
    person id are never in conflict."""
    conditions = " OR ".join(_conflict_sql(name, definition) for name in definition.conflicts)
    connection.register(
        "cluster_of_arrow", pa.table({"unique_id": profile_ids, "cluster": [profile_ids[i] for i in labels.tolist()]})
    )
    rows = connection.execute(
        f"""
        WITH c AS (SELECT p.*, k.cluster FROM profiles p JOIN cluster_of_arrow k USING (unique_id)
                   WHERE k.cluster IN (SELECT cluster FROM cluster_of_arrow GROUP BY cluster HAVING count(*) > 1))
        SELECT a.unique_id, b.unique_id FROM c a JOIN c b ON a.cluster = b.cluster AND a.unique_id < b.unique_id
        WHERE NOT (a.kind = b.kind AND a.source_person_id = b.source_person_id) AND ({conditions})
        """
    ).fetchall()
    connection.unregister("cluster_of_arrow")
    return [(left, right) for left, right in rows]


def _apply_corrections(
    connection: duckdb.DuckDBPyConnection, corrections: Sequence[HouseholdCorrection], definition: LinkageDefinition
) -> int:
    """Move each corrected person's current membership into the household the analyst chose (when both exist)."""
    applied = 0
    for correction in corrections:
        target = connection.execute(
            "SELECT household_key FROM household_ids WHERE household_id = ?", [correction.household_id]
        ).fetchall()
        known = connection.execute("SELECT 1 FROM persons WHERE person_id = ?", [correction.person_id]).fetchall()
        if not target or not known:
            continue
        key = target[0][0]
        current = connection.execute(
            "SELECT count(*) FROM spells WHERE person_id = ? AND end_on IS NULL", [correction.person_id]
        ).fetchall()[0][0]
        if current:
            connection.execute(
                "UPDATE spells SET household_key = ? WHERE person_id = ? AND end_on IS NULL",
                [key, correction.person_id],
            )
        else:
            connection.execute(
                f"""INSERT INTO spells (person_id, household_key, dwelling, start_on, end_on, last_on, role)
                    SELECT p.person_id, ?, NULL, NULL, NULL, NULL,
                           CASE WHEN date_diff('year', p.date_of_birth, current_date)
                                     < {definition.households.child_under} THEN 'child' ELSE 'other_adult' END
                    FROM persons p WHERE p.person_id = ?""",
                [key, correction.person_id],
            )
        applied += 1
    return applied


def _kept_share(connection: duckdb.DuckDBPyConnection, previous: dict[str, str]) -> float:
    """Share of records carried over from the previous run (same profile) whose person id is unchanged."""
    rows = connection.execute(
        "SELECT profile_id, person_id, record_count FROM profile_person JOIN profiles "
        "ON profiles.unique_id = profile_person.profile_id"
    ).fetchall()
    total = kept = 0
    for profile_id, person_id, count in rows:
        if profile_id in previous:
            total += count
            kept += count if previous[profile_id] == person_id else 0
    return round(kept / total, 6) if total else 1.0


def _linked_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        """
        -- an address without a UPRN takes the UPRN other records give the same address and postcode
        CREATE OR REPLACE TABLE address_uprn AS
        -- (here and below, ties go to the greatest value: mode() and arg_max(x, n) pick any of them, run to run)
        SELECT address, postcode, arg_max(uprn, (n, uprn)) AS uprn FROM (
            SELECT address, postcode, uprn, count(*) AS n FROM record_profile
            WHERE uprn IS NOT NULL AND address IS NOT NULL AND postcode IS NOT NULL GROUP BY ALL)
        GROUP BY address, postcode;
        CREATE OR REPLACE TABLE linked_raw AS
        SELECT r.*, p.person_id, p.match_probability,
               CASE WHEN r.uprn IS NOT NULL THEN 'U:' || r.uprn
                    WHEN a.uprn IS NOT NULL THEN 'U:' || a.uprn
                    WHEN r.address IS NOT NULL AND r.postcode IS NOT NULL THEN 'A:' || r.address || '|' || r.postcode
               END AS dwelling
        FROM record_profile r JOIN profile_person p USING (profile_id)
        LEFT JOIN address_uprn a ON a.address = r.address AND a.postcode = r.postcode;
        CREATE OR REPLACE TABLE linked AS
        WITH by_ref AS (  -- every record carrying one agency household reference is at its most common dwelling
            SELECT kind, household_ref, arg_max(dwelling, (n, dwelling)) AS ref_dwelling FROM (
                SELECT kind, household_ref, dwelling, count(*) AS n FROM linked_raw
                WHERE household_ref IS NOT NULL AND dwelling IS NOT NULL GROUP BY ALL)
            GROUP BY kind, household_ref
        ), placed AS (
            SELECT l.* REPLACE (COALESCE(b.ref_dwelling, l.dwelling) AS dwelling) FROM linked_raw l
            LEFT JOIN by_ref b ON b.kind = l.kind AND b.household_ref = l.household_ref
        ), own AS (
            SELECT person_id, postcode, arg_max(dwelling, (n, dwelling)) AS own_dwelling FROM (
                SELECT person_id, postcode, dwelling, count(*) AS n FROM placed
                WHERE dwelling IS NOT NULL AND postcode IS NOT NULL GROUP BY ALL)
            GROUP BY person_id, postcode
        )
        -- a record with a postcode alone (no address lines, no UPRN) is at the person's own dwelling in that
        -- postcode when they have one; otherwise it is somewhere in that postcode, known only for this person:
        -- enough to show that they moved, not to place them with anyone else
        SELECT p.* REPLACE (
            CASE WHEN p.dwelling IS NOT NULL THEN p.dwelling
                 WHEN p.postcode IS NOT NULL THEN COALESCE(o.own_dwelling, 'P:' || p.postcode || '@' || p.person_id)
            END AS dwelling)
        FROM placed p LEFT JOIN own o ON p.dwelling IS NULL AND o.person_id = p.person_id AND o.postcode = p.postcode;
        DROP TABLE linked_raw;
        -- a person's best values: the most frequent among their records (forename: ties to the most recent)
        CREATE OR REPLACE TABLE persons AS
        WITH everyone AS (SELECT DISTINCT person_id FROM linked),
        forenames AS (
            SELECT person_id, arg_max(forename, (n, last_day, forename)) AS forename FROM (
                SELECT person_id, forename, count(*) AS n,
                       COALESCE(max(date_diff('day', DATE '1900-01-01', record_on)), 0) AS last_day
                FROM linked WHERE forename IS NOT NULL GROUP BY person_id, forename)
            GROUP BY person_id
        ),
        surnames AS (
            SELECT person_id, arg_max(surname, (n, surname)) AS surname FROM (
                SELECT person_id, surname, count(*) AS n FROM linked WHERE surname IS NOT NULL
                GROUP BY person_id, surname) GROUP BY person_id
        ),
        births AS (
            SELECT person_id, arg_max(dob, (n, dob)) AS date_of_birth FROM (
                SELECT person_id, dob, count(*) AS n FROM linked WHERE dob IS NOT NULL GROUP BY person_id, dob)
            GROUP BY person_id
        ),
        sexes AS (
            SELECT person_id, arg_max(sex, (n, sex)) AS sex FROM (
                SELECT person_id, sex, count(*) AS n FROM linked WHERE sex IS NOT NULL GROUP BY person_id, sex)
            GROUP BY person_id
        )
        SELECT e.person_id, f.forename, s.surname, b.date_of_birth, x.sex
        FROM everyone e LEFT JOIN forenames f USING (person_id) LEFT JOIN surnames s USING (person_id)
        LEFT JOIN births b USING (person_id) LEFT JOIN sexes x USING (person_id);
        """
    )


_COMPARED = ("forename", "surname", "dob", "sex", "address", "postcode", "uprn", *prepare.IDENTIFIER_COLUMNS,
             *prepare.CONTACT_COLUMNS)  # fmt: skip


def _pair_columns(
    connection: duckdb.DuckDBPyConnection, alias: str, *, prefixes: tuple[str, ...], kind: bool = True
) -> str:
    """ ", " and the scored pairs' columns that exist: Splink's per-comparison columns with these prefixes, then the
    compared values (`*_l`, `*_r`). Which exist depends on the model and on the comparisons the data allowed."""
    present = [row[0] for row in connection.execute("DESCRIBE scored_pairs").fetchall()]
    values = {f"{name}_{side}" for name in (*_COMPARED, *(("kind",) if kind else ())) for side in "lr"}
    chosen = [c for c in present if c.startswith(prefixes) and prefixes] + [c for c in present if c in values]
    return "".join(f", {alias}{column}" for column in chosen)


def _write_scored_pairs(connection: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    """Every scored pair at or above the review threshold, as pairs of source records (a profile stands for the
    records it collapses), strongest first, with both sides' values: for clerical review."""
    copy_sql = f"""
        COPY (
            WITH records AS (SELECT DISTINCT profile_id, dataset_version_id, source_record_id, line_number
                             FROM record_profile)
            SELECT a.dataset_version_id AS source_l, a.source_record_id AS source_record_id_l,
                   a.line_number AS line_number_l, b.dataset_version_id AS source_r,
                   b.source_record_id AS source_record_id_r, b.line_number AS line_number_r,
                   p.match_probability, p.match_weight{_pair_columns(connection, "p.", prefixes=(), kind=False)}
            FROM scored_pairs p
            JOIN records a ON a.profile_id = p.unique_id_l
            JOIN records b ON b.profile_id = p.unique_id_r
            ORDER BY p.match_probability DESC, source_l, line_number_l, source_r, line_number_r
        ) TO '{out_dir / "scored_pairs.parquet"}' (FORMAT parquet, COMPRESSION zstd)"""
    connection.execute(copy_sql)


def _changes_table(changes: Sequence[IdChange], entity: str) -> pa.Table:
    text = pa.string()
    return pa.table(
        {
            "entity": pa.array([entity] * len(changes), type=text),
            "change": pa.array([c.change for c in changes], type=text),
            "previous_id": pa.array([c.previous_id for c in changes], type=text),
            "new_id": pa.array([c.new_id for c in changes], type=text),
            "records": pa.array([c.records for c in changes], type=pa.int64()),
        }
    )


def _write_snapshot(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    definition: LinkageDefinition,
    people_changes: Sequence[IdChange],
    household_changes: Sequence[IdChange],
) -> dict[str, Any]:
    def copy(sql: str, name: str) -> None:
        connection.execute(f"COPY ({sql}) TO '{out_dir / name}' (FORMAT parquet, COMPRESSION zstd)")

    copy(
        """SELECT dataset_version_id, kind, source_record_id, line_number, person_id, match_probability, profile_id,
                  dwelling
           FROM linked ORDER BY dataset_version_id, line_number""",
        "record_person.parquet",
    )
    copy("SELECT person_id, forename, surname, date_of_birth, sex FROM persons ORDER BY person_id", "persons.parquet")
    copy(
        """SELECT i.household_id, h.uprn, h.postcode, h.address, h.postcode_district, h.first_seen_on,
                  h.last_seen_on, h.dwelling
           FROM household_rows h JOIN household_ids i USING (household_key) ORDER BY i.household_id""",
        "households.parquet",
    )
    copy(
        """SELECT s.person_id, i.household_id, s.role, s.start_on, s.end_on
           FROM spells s JOIN household_ids i USING (household_key) ORDER BY s.person_id, s.start_on""",
        "memberships.parquet",
    )
    copy(
        f"""SELECT p.unique_id_l AS profile_id_l, p.unique_id_r AS profile_id_r, p.match_probability, p.match_weight
                   {_pair_columns(connection, "p.", prefixes=("mw_", "gamma_", "bf_"))}
            FROM scored_pairs p
            JOIN profile_person a ON a.profile_id = p.unique_id_l
            JOIN profile_person b ON b.profile_id = p.unique_id_r
            WHERE p.match_probability < {definition.link_threshold} AND a.person_id <> b.person_id
            ORDER BY p.match_probability DESC""",
        "review_pairs.parquet",
    )
    pq.write_table(
        pa.concat_tables([_changes_table(people_changes, "person"), _changes_table(household_changes, "household")]),
        out_dir / "id_changes.parquet",
    )

    def scalar(sql: str) -> Any:
        rows = connection.execute(sql).fetchall()  # fetch to the end: DuckDB 2 refuses work while a result is unread
        return rows[0][0] if rows else None

    return {
        "persons": scalar("SELECT count(*) FROM persons"),
        "households": scalar("SELECT count(*) FROM household_rows"),
        "memberships": scalar("SELECT count(*) FROM spells"),
        "review_pairs": scalar(f"SELECT count(*) FROM read_parquet('{out_dir / 'review_pairs.parquet'}')"),
        "person_merges": sum(1 for c in people_changes if c.change == "merge"),
        "person_splits": sum(1 for c in people_changes if c.change == "split"),
    }


def write_current(linkage_root: Path, run_id: str) -> None:
    """Mark `run_id` current for readers outside Django (written atomically, last)."""
    tmp = linkage_root / f".{CURRENT_FILE}.tmp"
    tmp.write_text(run_id + "\n")
    os.replace(tmp, linkage_root / CURRENT_FILE)
