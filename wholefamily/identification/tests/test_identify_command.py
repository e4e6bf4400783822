"""`wholefamily identify`: the current linkage run's snapshot by default, every family evaluated on request, and no
file unless one is asked for."""

from __future__ import annotations

import io

import pyarrow.csv as pacsv
import pytest
from django.core.management import CommandError, call_command

from wholefamily.identification.models import IdentificationRun
from wholefamily.identification.tests.conftest import REFERENCE_ON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def test_identify_uses_the_current_linkage_run_and_writes_every_family_evaluated(
    perfect_snapshot, data_dir, tmp_path, monkeypatch
):
    (data_dir / "linkage").mkdir(parents=True)
    (data_dir / "linkage" / "CURRENT").write_text(str(perfect_snapshot), encoding="utf-8")
    families, stdout = tmp_path / "families.csv", io.StringIO()
    call_command("identify", "--programme", "tf-2015", "--as-of", REFERENCE_ON.isoformat(), "--families",
                 str(families), "--no-progress", stdout=stdout)  # fmt: skip
    run = IdentificationRun.objects.get()
    assert run.snapshot == str(perfect_snapshot)
    table = pacsv.read_csv(families).to_pylist()
    assert list(table[0]) == ["family_id", "household_id", "address", "postcode", "district", "ward", "qualifies",
                              "problem_count", "problems_met", "qualifying_route", "indicators_met"]  # fmt: skip
    assert len(table) == run.families_evaluated > run.families_qualifying
    assert sum(row["qualifies"] == "yes" for row in table) == run.families_qualifying
    qualifying = {family.family_id: family for family in run.families.filter(is_qualifying=True)}
    for row in table:
        if row["qualifies"] == "yes":
            assert set(row["indicators_met"].split(";")) == set(qualifying[row["family_id"]].indicators_met)
            assert row["district"] and row["ward"] and row["postcode"]
    assert any(row["qualifies"] == "no" and row["indicators_met"] for row in table)  # below the bar, with evidence
    assert "every family evaluated" in stdout.getvalue()


def test_identify_writes_no_file_unless_asked(perfect_snapshot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("identify", "--programme", "tf-2015", "--as-of", REFERENCE_ON.isoformat(), "--snapshot",
                 str(perfect_snapshot), "--no-progress", stdout=io.StringIO())  # fmt: skip
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]  # the run's tables in the data store, nothing else


def test_identify_without_a_linkage_run_says_so():
    with pytest.raises(CommandError, match="no current linkage run"):
        call_command("identify", "--programme", "tf-2015", "--as-of", REFERENCE_ON.isoformat())


def test_funding_writes_no_spreadsheet_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stdout = io.StringIO()
    call_command("funding", "--programme", "tf-2012", "--estimated-families", "2630", stdout=stdout)
    assert "Total" in stdout.getvalue() and list(tmp_path.iterdir()) == []
