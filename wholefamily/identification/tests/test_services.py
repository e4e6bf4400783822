"""Identification runs over the perfect-linkage snapshot: recorded runs, cohorts, evidence, changes, judgements."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pyarrow.csv as pacsv
import pytest
from django.core.management import call_command

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.identification.models import CohortFamily, Evidence, IdentificationRun, Judgement
from wholefamily.identification.services import (
    IdentificationError,
    enter_judgement,
    identify_families,
    withdraw_judgement,
)
from wholefamily.identification.tests.conftest import REFERENCE_ON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_run_records_programme_version_date_and_dataset_versions(perfect_snapshot, make_staff, make_team):
    analyst = make_staff("ana", Role.DATA_ANALYST)
    run = identify_families(programme="tf-2015", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=analyst)
    assert run.status == IdentificationRun.Status.SUCCEEDED
    assert (run.programme, run.programme_version, run.as_of_on) == ("tf-2015", 1, REFERENCE_ON)
    assert run.dataset_versions["offences"] == ["synth-offences"]
    assert run.families_qualifying == run.families.filter(is_qualifying=True).count() > 0
    assert run.families.filter(change=CohortFamily.Change.FIRST_RUN).count() == run.families_qualifying
    family = run.families.first()
    assert family.problem_count >= 2 and family.indicators_met
    assert Evidence.objects.filter(family__run=run).count() > run.families_qualifying
    assert AuditEvent.objects.filter(action="identification.run").count() == 1
    assert (Path(run.output_dir) / "cohort.parquet").exists()


def test_second_run_is_compared_with_the_first(perfect_snapshot):
    first = identify_families(programme="tf-2015", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=None)
    second = identify_families(
        programme="tf-2015", as_of_on=dt.date(2017, 8, 31), snapshot_dir=perfect_snapshot, by=None
    )
    assert second.previous_id == first.pk
    before = set(first.families.values_list("family_id", flat=True))
    after = set(second.families.filter(is_qualifying=True).values_list("family_id", flat=True))
    assert second.newly_qualifying == len(after - before)
    assert second.no_longer_qualifying == len(before - after)
    assert second.unchanged == len(after & before) > 0
    assert second.newly_qualifying + second.unchanged == second.families_qualifying
    assert second.families.filter(change="no_longer", is_qualifying=False).count() == len(before - after)


def test_a_judgement_counts_like_any_other_indicator(perfect_snapshot, make_staff):
    worker = make_staff("kim", Role.PROGRAMME_MANAGER)
    first = identify_families(programme="tf-2015", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=None)
    one_problem = next(row for row in _families(first) if row["problem_count"] == 1 and row["problem_health"] == 0)
    judgement = enter_judgement(
        programme="tf-2015", indicator="health_referral", household_id=one_problem["family_id"],
        reason="GP letter: parent's severe anxiety", effective_on=dt.date(2015, 6, 1), by=worker,
    )  # fmt: skip
    second = identify_families(programme="tf-2015", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=None)
    family = second.families.get(family_id=one_problem["family_id"])
    assert "health_referral" in family.indicators_met and family.change == "new"
    assert family.evidence.filter(indicator="health_referral", dataset_version_id="judgement").exists()
    withdraw_judgement(judgement=judgement, reason="entered in error", withdrawn_on=dt.date(2015, 7, 1), by=worker)
    third = identify_families(programme="tf-2015", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=None)
    dropped = third.families.get(family_id=one_problem["family_id"])
    assert (dropped.is_qualifying, dropped.change, third.no_longer_qualifying) == (False, "no_longer", 1)
    assert AuditEvent.objects.filter(action__startswith="identification.judgement").count() == 2


def _families(run):
    import pyarrow.parquet as pq

    return pq.read_table(Path(run.output_dir) / "families.parquet").to_pylist()


def test_judgements_only_on_judgement_indicators(make_staff):
    worker = make_staff("kim", Role.PROGRAMME_MANAGER)
    with pytest.raises(IdentificationError, match="read from agency data"):
        enter_judgement(programme="tf-2015", indicator="child_in_need", person_id="T1", reason="x",
                        effective_on=dt.date(2015, 1, 1), by=worker)  # fmt: skip
    with pytest.raises(IdentificationError, match="say why"):
        enter_judgement(programme="tf-2015", indicator="crime_referral", person_id="T1", reason=" ",
                        effective_on=dt.date(2015, 1, 1), by=worker)  # fmt: skip
    assert not Judgement.objects.exists()


def test_identify_command_writes_cohort_and_evidence(perfect_snapshot, tmp_path):
    out, evidence, stdout = tmp_path / "cohort.csv", tmp_path / "evidence.csv", io.StringIO()
    call_command("identify", "--programme", "tf-2015", "--as-of", REFERENCE_ON.isoformat(), "--snapshot",
                 str(perfect_snapshot), "--out", str(out), "--evidence", str(evidence), stdout=stdout)  # fmt: skip
    cohort = pacsv.read_csv(out)
    assert cohort.column_names[:7] == [
        "family_id", "household_id", "district", "ward", "problems_met", "problem_count", "qualifying_route",
    ]  # fmt: skip
    assert "persistent_absence" in cohort.column_names
    assert cohort.num_rows == IdentificationRun.objects.get().families_qualifying
    assert pacsv.read_csv(evidence).column_names == [
        "family_id", "person_id", "indicator", "problem", "dataset_version_id", "source_record_id", "line_number",
    ]  # fmt: skip
    assert "families qualify" in stdout.getvalue()


def test_unknown_programme_is_refused(perfect_snapshot):
    with pytest.raises(IdentificationError, match="no programme"):
        identify_families(programme="tf-1999", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=None)
