"""The command stores an analysis of a small synthetic county and the page shows it to the roles it is for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.core.management import call_command

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.roles import Role
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.synth.generator import Parameters, generate


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("impact-county")
    generate(
        Parameters(population=15_000, seed=5, start="2013-09-01", years=5),
        out,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    build_perfect_snapshot(
        out, out / "snapshot", contracts=load_contract_set(Path(settings.DEFINITIONS_DIR)), as_of=dt.date(2015, 8, 31)
    )
    worked = pq.read_table(out / "truth" / "worked_with.parquet").to_pylist()
    (out / "worked.csv").write_text(
        "household_id,start_on\n" + "".join(f"H{r['household_id']},{r['start_on']}\n" for r in worked),
        encoding="utf-8",
    )
    cohort = sorted(set(pq.read_table(out / "truth" / "family_terms.parquet").column("household_id").to_pylist()))
    (out / "pool.csv").write_text("household_id\n" + "".join(f"H{h}\n" for h in cohort), encoding="utf-8")
    return out


@pytest.mark.django_db
def test_command_stores_the_run_and_the_page_shows_it(county, make_staff, make_team, client, capsys):
    from wholefamily.governance.models import AuditEvent
    from wholefamily.impact.models import ImpactRun

    call_command(
        "impact", "--snapshot", str(county / "snapshot"), "--worked-with", str(county / "worked.csv"),
        "--pool", str(county / "pool.csv"),
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "worked-with families" in out and "95% CI" in out
    run = ImpactRun.objects.get()
    assert run.worked_with > 0 and run.pool > 0 and run.matched > 0
    assert run.effects.count() == 7
    assert {item["feature"] for item in run.balance} >= {"members", "before_offending"}
    assert AuditEvent.objects.filter(action="impact.analyse", object_id=str(run.pk)).exists()

    for role in (Role.PROGRAMME_MANAGER, Role.COMMISSIONER, Role.DATA_ANALYST):
        client.force_login(make_staff(f"reader-{role.value}", role))
        page = client.get("/impact/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "Difference in differences" in html and "parallel trends" in html and "<svg" in html
    client.force_login(make_staff("kim.worker", Role.KEY_WORKER, team=make_team("Northmoor Family Support")))
    assert client.get("/impact/").status_code == 403


@pytest.mark.django_db
def test_the_page_before_any_analysis(make_staff, client):
    client.force_login(make_staff("pat.programme", Role.PROGRAMME_MANAGER))
    page = client.get("/impact/")
    assert page.status_code == 200
    assert "No impact analysis has been run yet" in page.content.decode()


def test_a_malformed_worked_with_file_is_refused(tmp_path):
    from wholefamily.impact.services import ImpactError, read_worked_with

    bad = tmp_path / "worked.csv"
    bad.write_text("household_id,start_on\nH1,not-a-date\n", encoding="utf-8")
    with pytest.raises(ImpactError, match="household_id,start_on"):
        read_worked_with(bad)
