"""The `synth` management command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def test_synth_command_writes_agency_files_truth_and_manifest(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "synth",
        "--population",
        "1000",
        "--seed",
        "3",
        "--years",
        "3",
        "--start",
        "2014-01-10",
        "--out",
        str(tmp_path),
        "--worked-share",
        "0.4",
        "--effect-size",
        "0.5",
        "--noise-scale",
        "2",
        "--evaluate-on",
        "2015-03-15",
        stdout=out,
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["parameters"]["effect_size"] == 0.5
    assert manifest["parameters"]["noise_scale"] == 2
    assert manifest["history"]["first_day"] == "2014-01-01"
    assert "2015-03-15" in manifest["evaluated_on"]
    assert (tmp_path / "agency" / "school_attendance.csv").is_file()
    assert (tmp_path / "truth" / "source_records.parquet").is_file()
    assert "families meet the 2012 criteria" in out.getvalue()


def test_synth_command_refuses_a_short_history(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("synth", "--years", "1", "--out", str(tmp_path), stdout=StringIO())
