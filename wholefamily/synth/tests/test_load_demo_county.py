"""`wholefamily load_demo_county` on a tiny county: teams per district, a dataset version per agency file, one
linkage run, identification runs for both programmes at the reference date, cases for the demo users; a second run
creates nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from wholefamily.cases.models import Case, CaseEvent
from wholefamily.domain.pathway import Stage
from wholefamily.governance.management.commands.setup_demo import county_districts, team_name
from wholefamily.governance.models import AuditEvent, StaffProfile, Team
from wholefamily.identification.models import IdentificationRun
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.linkage.models import LinkageRun, Person
from wholefamily.synth.management.commands.load_demo_county import county_dir, has_rows

POPULATION, SEED = 2_000, 1  # small, yet the first district has a family with members to work with

COUNTED = (Team, DatasetVersion, ImportRun, LinkageRun, Person, IdentificationRun, Case, CaseEvent, AuditEvent)


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo_county", "--population", str(POPULATION), "--seed", str(SEED), stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the linkage names its current run once its transaction commits
def test_loads_the_county_end_to_end_and_a_second_run_creates_nothing(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    printed = _load()

    districts = county_districts()
    assert list(Team.objects.order_by("name").values_list("district", "name")) == sorted(
        (district, team_name(district)) for district in districts
    )
    first = Team.objects.get(district=districts[0])
    for username in ("keyworker", "keyworker2", "manager"):
        assert StaffProfile.objects.get(user__username=username).team == first

    folder = county_dir(POPULATION, SEED)
    manifest = json.loads((folder / "manifest.json").read_text())
    kinds = sorted(path.stem for path in (folder / "agency").glob("*.csv") if has_rows(path))
    assert len(kinds) >= 15
    assert sorted(DatasetVersion.objects.values_list("kind", flat=True)) == kinds
    assert sum(DatasetVersion.objects.values_list("rows_accepted", flat=True)) == sum(manifest["agency_rows"].values())

    linkage = LinkageRun.objects.get()
    assert linkage.is_current and linkage.status == LinkageRun.Status.SUCCEEDED
    assert (settings.DATA_DIR / "linkage" / "CURRENT").read_text().strip() == linkage.run_id
    assert Person.objects.count() == linkage.figures["persons"] > 1_000

    runs = IdentificationRun.objects.order_by("programme")
    assert [(run.programme, run.as_of_on.isoformat(), run.status) for run in runs] == [
        ("tf-2012", manifest["reference_on"], IdentificationRun.Status.SUCCEEDED),
        ("tf-2015", manifest["reference_on"], IdentificationRun.Status.SUCCEEDED),
    ]
    tf2015 = runs.get(programme="tf-2015")
    assert tf2015.families_qualifying > 0
    assert not tf2015.families.filter(district="").exists()  # districts from the postcode lookup
    assert tf2015.families.filter(team=first).exists()

    cases = Case.objects.filter(team=first, programme="tf-2015")
    assert cases.exists()
    worker = get_user_model().objects.get(username="keyworker")
    with_plan = cases.filter(key_worker=worker, stage=Stage.PLAN_ACTIVE)
    assert with_plan.exists()
    assert all(case.assessments.exists() and case.members.exists() for case in with_plan)
    if cases.count() > 3:
        assert cases.filter(stage=Stage.AWAITING_ALLOCATION, key_worker=None).exists()
    assert AuditEvent.objects.filter(actor_label="system:load_demo_county", action="load_demo_county").count() == 1
    assert f"residents {manifest['residents_at_reference']:,}" in printed

    before = _counts()
    again = _load()
    assert _counts() == before
    assert "nothing new" in again


def test_a_file_with_only_its_header_is_not_imported(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("person_id,start_date\n\n", encoding="utf-8")
    (tmp_path / "one.csv").write_text("person_id,start_date\nP1,2015-01-01\n", encoding="utf-8")
    assert not has_rows(tmp_path / "empty.csv")
    assert has_rows(tmp_path / "one.csv")


@pytest.mark.django_db
def test_refused_in_production(settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("load_demo_county", "--population", "200")
