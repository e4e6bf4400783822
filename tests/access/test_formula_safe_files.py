"""Every CSV and XLSX the service writes, web or command line, escapes cells a spreadsheet would run as formulas
(ADR 0014; OWASP CSV injection). Each test failed before the fix."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wholefamily.domain.roles import Role

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_arrow_tables_are_escaped_by_the_same_rule_as_rows() -> None:
    from wholefamily.dataplane.spreadsheets import escape_table
    from wholefamily.domain.validation import FORMULA_PREFIXES, escape_for_spreadsheet, safe_row

    texts = [*HOSTILE, "plain", "", None, "It's = fine", "1-2"]
    table = escape_table(pa.table({"text": texts, "number": list(range(len(texts)))}))
    assert table.column("text").to_pylist() == [None if t is None else escape_for_spreadsheet(t) for t in texts]
    assert table.column("number").to_pylist() == list(range(len(texts)))  # numbers are not text: untouched
    assert safe_row([*HOSTILE, 3, -2, date(2026, 12, 7)])[-3:] == [3, -2, date(2026, 12, 7)]
    assert all(cell.startswith("'") for cell in safe_row(HOSTILE))  # type: ignore[union-attr]
    assert set(FORMULA_PREFIXES) >= {"=", "+", "-", "@"}


def test_identify_evidence_and_cohort_csv_are_formula_safe(tmp_path: Path) -> None:
    from wholefamily.identification.engine.outputs import write_csv

    path = write_csv(pa.table({"family_id": HOSTILE, "line_number": list(range(len(HOSTILE)))}), tmp_path / "e.csv")
    with path.open(newline="") as handle:
        cells = [row["family_id"] for row in csv.DictReader(handle)]
    assert cells == ["'" + text for text in HOSTILE]


@pytest.mark.django_db
def test_dedupe_out_is_formula_safe(tmp_path: Path) -> None:
    from django.core.management import call_command

    from wholefamily.linkage.engine.definition import DEFAULT_DEFINITIONS_DIR
    from wholefamily.synth.generator import Parameters, generate

    parameters = Parameters(population=300, seed=3, start="2013-09-01", years=2)
    generate(parameters, tmp_path / "county", definitions_dir=DEFAULT_DEFINITIONS_DIR)
    sources = []
    for source in sorted((tmp_path / "county" / "agency").glob("*.csv")):
        with source.open(newline="") as handle:
            sources.append(list(csv.DictReader(handle)))
    rows = min((rows for rows in sources if len(rows) >= 20), key=len)  # the smallest file worth linking
    rows[0]["source_record_id"] = "=1+2"
    hostile = tmp_path / "agency.csv"
    with hostile.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "clusters.csv"
    call_command("dedupe", str(hostile), "--out", str(out), "--no-progress", stdout=io.StringIO())
    with out.open(newline="") as handle:
        written = [row["source_record_id"] for row in csv.DictReader(handle)]
    assert "'=1+2" in written and "=1+2" not in written


@pytest.mark.django_db
def test_claims_csv_and_the_cohort_xlsx_are_formula_safe(client, tmp_path: Path, make_staff, make_team) -> None:
    from wholefamily.claims.management.commands.claims import write_claims_csv
    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.identification.models import CohortFamily, IdentificationRun

    now = timezone.now()
    claim_run = ClaimRun.objects.create(
        programme="tf-2012", window="2015-01", as_of_on=date(2015, 8, 31), rules="r", snapshot="", started_at=now
    )
    claim = Claim.objects.create(
        run=claim_run, programme="tf-2012", window="2015-01", reference="r1", family_id="=cmd|' /C calc'!A0",
        household_id="@H", state_changed_at=now,
    )  # fmt: skip
    write_claims_csv([claim], tmp_path / "claims.csv")
    with (tmp_path / "claims.csv").open(newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["family_id"] == "'=cmd|' /C calc'!A0" and row["household_id"] == "'@H"

    run = IdentificationRun.objects.create(
        programme="tf-2012", programme_version=1, programme_title="Troubled Families", as_of_on=date(2015, 8, 31),
        snapshot="", status=IdentificationRun.Status.SUCCEEDED, started_at=now,
    )  # fmt: skip
    team = make_team("North")
    CohortFamily.objects.create(
        run=run, family_id="F-1", household_id="H-1", district="=1+1", ward="+SUM(1)", change="first_run", team=team
    )
    client.force_login(make_staff("pm", Role.PROGRAMME_MANAGER, team=team))
    response = client.get(reverse("identification:cohort_export", args=[run.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Cohort"]
    cells = [cell for cell in sheet[2]]
    assert [cells[2].value, cells[3].value] == ["'=1+1", "'+SUM(1)"]
    assert all(cell.data_type != "f" for cell in cells)


def test_the_board_pack_workbook_is_formula_safe() -> None:
    """A district, a job title or a council's name typed by a person reaches the board pack's workbook as text."""
    from wholefamily.reporting.workbook import board_pack_xlsx

    table = {"caption": HOSTILE[0], "head": ["District", "Families"], "body": [], "values": [[h, 5] for h in HOSTILE]}
    figures = {
        "council": HOSTILE[1],
        "title": "Quarterly report",
        "quarter": {"code": "2026-27-q2", "label": "Quarter 2 2026/27"},
        "small_numbers": "fewer than 5 (version 1)",
        "sections": [{"kind": "progress", "title": "Progress by district", "tables": [table]}],
        "notes": [HOSTILE[2]],
    }
    book = load_workbook(io.BytesIO(board_pack_xlsx(figures, version=1, built_on="7 December 2026")))
    texts = [
        cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)
    ]
    hostile = [text for text in texts if text.lstrip("'") in HOSTILE]
    assert len(hostile) >= len(HOSTILE) and all(text.startswith("'") for text in hostile)
    assert not any(text.lstrip().startswith(("=", "+", "-", "@")) for text in texts)
    numbers = [row[1] for row in book["Progress by district"].iter_rows(values_only=True) if len(row) > 1]
    assert numbers.count(5) == len(HOSTILE)  # numbers stay numbers
