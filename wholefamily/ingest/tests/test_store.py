"""The store: idempotent re-import, quarantine, provenance, audit, and no partial version after SIGKILL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from wholefamily.domain.contract import ContractSet
from wholefamily.governance.models import AuditEvent, DataSharingAgreement
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import file_sha256, import_file
from wholefamily.ingest.store import clean_abandoned
from wholefamily.ingest.tests.conftest import version_dirs
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows

KIND = "benefits"


@pytest.fixture
def delivery(tmp_path: Path, contract_set: ContractSet) -> Path:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=4)
    rows[2]["benefit_type"] = "Jobseekers"  # not a code
    rows[3]["end_on"] = dt.date(2001, 1, 1)  # ends before it starts
    return canonical_csv(tmp_path / "benefits.csv", rows, contract)


@pytest.mark.django_db
def test_same_file_twice_creates_nothing_new_and_says_so(delivery: Path, data_dir: Path, make_staff: Any) -> None:
    analyst = make_staff("dana")
    first = import_file(path=delivery, kind=KIND, profile="synthetic-county", by=analyst, policy="quarantine")
    assert first.status == ImportRun.Status.ACCEPTED
    again = import_file(path=delivery, kind=KIND, profile="synthetic-county", by=analyst, policy="quarantine")
    assert again.status == ImportRun.Status.DUPLICATE
    assert "already imported" in again.message and first.dataset_version.version_id in again.message
    assert again.dataset_version == first.dataset_version
    assert DatasetVersion.objects.count() == 1
    assert version_dirs(data_dir, KIND) == [first.dataset_version.version_id]
    # the same bytes through another profile or as another kind would be another delivery
    assert (
        DatasetVersion.objects.filter(sha256=file_sha256(delivery), kind=KIND, profile="synthetic-county").count() == 1
    )


@pytest.mark.django_db
def test_quarantine_keeps_good_rows_and_stores_bad_rows_with_reasons(
    delivery: Path, data_dir: Path, make_staff: Any
) -> None:
    analyst = make_staff("dana")
    agreement = DataSharingAgreement.objects.create(
        name="DWP data share", partner="DWP", reference="DSA-TEST-1", start_on=dt.date(2013, 1, 1), kinds=[KIND]
    )
    run = import_file(
        path=delivery,
        kind=KIND,
        profile="synthetic-county",
        by=analyst,
        policy="quarantine",
        supplier="Test supplier",
        data_sharing_agreement=agreement,
        received_on=dt.date(2015, 2, 1),
    )
    version = run.dataset_version
    assert (version.rows_read, version.rows_accepted, version.rows_quarantined) == (4, 2, 2)
    assert version.imported_by == analyst and version.supplier == "Test supplier"
    assert version.data_sharing_agreement == agreement
    assert version.received_on == dt.date(2015, 2, 1)
    assert (version.period_start_on, version.period_end_on) == (dt.date(2014, 3, 3), dt.date(2014, 3, 4))
    assert version.sha256 == file_sha256(delivery) and version.file_size == delivery.stat().st_size
    folder = data_dir / "datasets" / KIND / version.version_id
    assert pq.read_table(folder / "data.parquet").column("source_line").to_pylist() == [2, 3]
    quarantined = pq.read_table(folder / "quarantine.parquet").to_pylist()
    assert [row["_source_line"] for row in quarantined] == [4, 5]
    assert quarantined[0]["benefit_type"] == "Jobseekers"
    assert "benefit_type: not in code list benefit_type" in quarantined[0]["_problems"]
    assert "end_on (2001-01-01) is before start_on" in quarantined[1]["_problems"]
    assert (folder / "manifest.json").exists()
    event = AuditEvent.objects.get(action="import_dataset")
    assert event.actor == analyst and event.object_id == str(version.pk) and event.outcome == "success"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


@pytest.mark.django_db
def test_reject_policy_stores_nothing_and_audits_the_refusal(delivery: Path, data_dir: Path) -> None:
    run = import_file(path=delivery, kind=KIND, profile="synthetic-county", by=None)
    assert run.status == ImportRun.Status.REJECTED and run.rows_bad == 2
    assert not DatasetVersion.objects.exists() and version_dirs(data_dir, KIND) == []
    assert AuditEvent.objects.get(action="import_dataset").outcome == "failed"


def test_clean_abandoned_leaves_a_running_import_alone(
    settings: Any, tmp_path: Path, contract_set: ContractSet
) -> None:
    from wholefamily.ingest.store import VersionWriter

    settings.DATA_DIR = tmp_path
    running = VersionWriter(contract=contract_set.contract(KIND), kind=KIND, version_id="v-running", header=["a"])
    root = tmp_path / "datasets" / KIND
    (root / ".tmp-v-dead").mkdir()
    (root / ".lock-v-dead").touch()
    (root / "v-dead").mkdir()  # renamed, but its row never committed
    assert sorted(clean_abandoned(KIND, is_recorded=lambda version_id: False)) == ["v-dead"]
    assert sorted(p.name for p in root.iterdir()) == [".lock-v-running", ".tmp-v-running"]
    running.discard()
    assert list(root.iterdir()) == []


# --- SIGKILL mid-way ----------------------------------------------------------------------------------
BIG_ROWS = 150_000


def _write_big_attendance(path: Path, rows: int = BIG_ROWS) -> None:
    header = (
        "source_record_id,source_person_id,forename,surname,date_of_birth,sex,address,postcode,uprn,pupil_number,"
        "academic_year,term,school_urn,possible_sessions,authorised_absence_sessions,unauthorised_absence_sessions\n"
    )
    terms = ("autumn", "spring", "summer")
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header)
        for i in range(rows):
            handle.write(
                f"R{i},P{i // 3},Testname,Examplesurname,2006-01-{1 + i % 28:02d},F,{i} Nowhere Lane,ZZ1 1AA,"
                f"{100000000 + i},X{i:012d},2014,{terms[i % 3]},100001,140,{i % 7},{i % 5}\n"
            )


SHOW_RUNS = (
    "from collections import Counter; from wholefamily.ingest.models import ImportRun; "
    "print(Counter(r.get_status_display() for r in ImportRun.objects.all()))"
)


def _wholefamily(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wholefamily.cli", *args], env=env, capture_output=True, text=True, check=False, **kwargs
    )


@pytest.mark.slow
def test_sigkill_mid_import_leaves_no_version_and_a_clean_retry_succeeds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file, never a shared database
    env.update(WHOLEFAMILY_VAR_DIR=str(tmp_path / "var"), WHOLEFAMILY_DATA_DIR=str(tmp_path / "var" / "data"))
    env["WHOLEFAMILY_ENV"] = "test"
    assert _wholefamily("migrate", "--no-input", "-v", "0", env=env).returncode == 0
    agreement = ["--reference", "T-1", "--name", "Schools", "--partner", "Schools", "--purpose", "Attendance",
                 "--lawful-basis", "Public task", "--kind", "school_attendance", "--start", "2000-01-01"]  # fmt: skip
    assert _wholefamily("register_agreement", *agreement, env=env).returncode == 0
    big = tmp_path / "attendance.csv"
    _write_big_attendance(big)
    datasets = tmp_path / "var" / "data" / "datasets" / "school_attendance"
    command = ["import", "--kind", "school_attendance", "--profile", "synthetic-county", str(big), "--no-progress"]

    process = subprocess.Popen(
        [sys.executable, "-m", "wholefamily.cli", *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    # mid-way: the first batches of Parquet are written in the temporary folder
    while time.monotonic() < deadline and not list(datasets.glob(".tmp-*/data.parquet")):
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    assert list(datasets.glob(".tmp-*/data.parquet")), "the import never got mid-way"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    listed = _wholefamily("datasets", env=env)
    assert listed.stdout.strip() == "No dataset versions.", listed
    assert [p.name for p in datasets.iterdir() if not p.name.startswith(".")] == []

    retry = _wholefamily(*command, env=env, timeout=300)
    assert retry.returncode == 0, retry.stdout + retry.stderr
    assert "Accepted" in retry.stdout and f"rows read {BIG_ROWS:,}" in retry.stdout
    assert "'Interrupted': 1" in _wholefamily("shell", "-c", SHOW_RUNS, env=env).stdout
    names = sorted(p.name for p in datasets.iterdir())
    assert len(names) == 1 and not names[0].startswith("."), names  # leftovers of the killed run cleaned
    assert pq.ParquetFile(datasets / names[0] / "data.parquet").metadata.num_rows == BIG_ROWS


STUCK_AT_CHECKSUM = """
import os
from pathlib import Path
from wholefamily.ingest.services import create_import_run, run_import
run = create_import_run(kind="school_attendance", profile="synthetic-county", file_name="slow.csv", by=None)
print("run", run.pk, flush=True)
run_import(run=run, path=Path(os.environ["STUCK_AT"]), by=None)
"""


@pytest.mark.slow
def test_an_import_killed_while_computing_its_checksum_is_recovered(tmp_path: Path) -> None:
    """Killed at its checksum, a run has no version yet: it used to stay "queued" for good (ADR 0014)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file, never a shared database
    env.update(WHOLEFAMILY_VAR_DIR=str(tmp_path / "var"), WHOLEFAMILY_DATA_DIR=str(tmp_path / "var" / "data"))
    env["WHOLEFAMILY_ENV"] = "test"
    assert _wholefamily("migrate", "--no-input", "-v", "0", env=env).returncode == 0
    agreement = ["--reference", "T-1", "--name", "Schools", "--partner", "Schools", "--purpose", "Attendance",
                 "--lawful-basis", "Public task", "--kind", "school_attendance", "--start", "2000-01-01"]  # fmt: skip
    assert _wholefamily("register_agreement", *agreement, env=env).returncode == 0
    fifo = tmp_path / "never-ending.csv"
    os.mkfifo(fifo)  # reading it blocks: the checksum never finishes
    script = tmp_path / "stuck.py"
    script.write_text(STUCK_AT_CHECKSUM, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "wholefamily.cli", "shell", "-c", f"exec(open({str(script)!r}).read())"],
        env={**env, "STUCK_AT": str(fifo)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = iter(process.stdout.readline, "")
    started = next((line for line in lines if line.startswith("run ")), "")  # after the shell's own chatter
    assert started, process.communicate()
    time.sleep(1.0)  # into the checksum
    assert process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    small = tmp_path / "attendance.csv"
    _write_big_attendance(small, rows=6)
    command = ["import", "--kind", "school_attendance", "--profile", "synthetic-county", str(small), "--no-progress"]
    retry = _wholefamily(*command, env=env, timeout=300)
    assert retry.returncode == 0, retry.stdout + retry.stderr
    runs = _wholefamily("shell", "-c", SHOW_RUNS, env=env).stdout
    assert "'Interrupted': 1" in runs and "Queued" not in runs and "Running" not in runs, runs
