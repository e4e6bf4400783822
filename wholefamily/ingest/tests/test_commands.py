"""The commands: `wholefamily import`, `import_report`, `datasets`, `contract_docs`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from wholefamily.domain.contract import ContractSet
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows

pytestmark = pytest.mark.django_db
KIND = "housing"


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_prints_a_summary_and_lists_the_version(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet
) -> None:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=4)
    rows[3]["event_type"] = "@eviction"
    path = canonical_csv(tmp_path / "housing.csv", rows, contract)
    output = run("import", "--kind", KIND, "--profile", "synthetic-county", str(path), "--policy", "quarantine")
    assert "Accepted: Stored as dataset version" in output
    assert "rows read 4, accepted 3, bad 1, quarantined 1" in output
    assert "event_type: not in code list housing_event_type" in output
    version = DatasetVersion.objects.get()
    assert version.version_id in run("datasets")
    report = run("import_report", str(ImportRun.objects.get().pk))
    assert '5,event_type,error,"not in code list housing_event_type' in report and ",'@eviction" in report
    again = run("import", "--kind", KIND, "--profile", "synthetic-county", str(path), "--policy", "quarantine")
    assert "Already imported" in again and "Nothing new was created" in again


def test_import_refusal_exits_with_an_error(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import", "--kind", KIND, "--profile", "synthetic-county", str(path), stdout=out)
    assert "Rejected: The file is empty" in out.getvalue()
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("import", "--kind", "nope", "--profile", "synthetic-county", str(path))
    with pytest.raises(CommandError, match="no profile 'nope'"):
        call_command("import", "--kind", KIND, "--profile", "nope", str(path))


def test_contract_docs_are_up_to_date(tmp_path: Path) -> None:
    output = tmp_path / "data-contract.md"
    run("contract_docs", "--output", str(output))
    committed = Path(settings.BASE_DIR) / "docs" / "data-contract.md"
    assert output.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), (
        "docs/data-contract.md is stale: run `wholefamily contract_docs`"
    )


def test_import_takes_several_files_or_a_folder_in_one_process(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet
) -> None:
    folder = tmp_path / "delivery"
    folder.mkdir()
    for kind in ("housing", "offences"):
        contract = contract_set.contract(kind)
        canonical_csv(folder / f"{kind}.csv", canonical_rows(contract, contract_set, count=3), contract)
    (folder / "notes.txt").write_text("not a delivery", encoding="utf-8")
    output = run("import", "--profile", "synthetic-county", str(folder))
    assert "2 of 2 files imported" in output
    assert sorted(DatasetVersion.objects.values_list("kind", flat=True)) == ["housing", "offences"]
    again = run("import", "--profile", "synthetic-county", str(folder / "housing.csv"), str(folder / "offences.csv"))
    assert again.count("Already imported") == 2 and DatasetVersion.objects.count() == 2


def test_import_of_several_files_reports_each_refusal_and_keeps_the_others(
    tmp_path: Path, data_dir: Path, contract_set: ContractSet
) -> None:
    contract = contract_set.contract(KIND)
    good = canonical_csv(tmp_path / "housing.csv", canonical_rows(contract, contract_set, count=2), contract)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match=r"Refused, nothing stored from them: empty\.csv"):
        run("import", "--kind", KIND, "--profile", "synthetic-county", str(good), str(empty))
    assert DatasetVersion.objects.get().kind == KIND
    with pytest.raises(CommandError, match="unknown kind 'notes'"):
        (tmp_path / "notes.csv").write_text("a\n1\n", encoding="utf-8")
        run("import", "--profile", "synthetic-county", str(tmp_path / "notes.csv"))
    with pytest.raises(CommandError, match="no such file or folder"):
        run("import", "--profile", "synthetic-county", str(tmp_path / "missing.csv"))
