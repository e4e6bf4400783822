"""Linkage through Django: imported dataset versions -> run -> published persons and households; a second run
after a new delivery keeps ids; review decisions are audited; the runs page is for analysts only."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.ingest.services import import_file
from wholefamily.linkage.models import LinkageRun, Membership, Person, PersonRecord, ReviewDecision
from wholefamily.linkage.services import decide_pair, linkage_root, run_linkage
from wholefamily.linkage.tests.conftest import County

KINDS_FIRST = ("health", "school_attendance", "benefits", "offences")


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def _import(county: County, kind: str, by: Any) -> None:
    import_file(path=county.root / "agency" / f"{kind}.csv", kind=kind, profile="synthetic-county", by=by)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_run_publish_rerun_and_decide(linkage_county: County, data_dir: Path, make_staff: Callable[..., Any]) -> None:
    analyst = make_staff("dana", Role.DATA_ANALYST)
    for kind in KINDS_FIRST:
        _import(linkage_county, kind, analyst)
    first = run_linkage(by=analyst)
    assert first.status == LinkageRun.Status.SUCCEEDED and first.is_current
    assert (linkage_root() / "CURRENT").read_text().strip() == first.run_id
    assert Person.objects.count() == first.figures["persons"]
    assert PersonRecord.objects.count() == first.figures["records"]
    assert Membership.objects.filter(role="child").exists()
    before = dict(PersonRecord.objects.values_list("source_record_id", "person__person_id"))

    _import(linkage_county, "social_care", analyst)  # a new delivery
    stdout = io.StringIO()
    call_command("link", "--user", "dana", "--no-progress", stdout=stdout)
    assert "person ids kept from the previous run" in stdout.getvalue()
    second = LinkageRun.objects.get(is_current=True)
    assert second.started_by == analyst
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    after = dict(PersonRecord.objects.values_list("source_record_id", "person__person_id"))
    kept = sum(1 for record, person in before.items() if after.get(record) == person)
    assert kept / len(before) >= 0.99
    assert second.figures["person_ids_kept_share"] >= 0.99
    assert AuditEvent.objects.filter(action="linkage.run.publish").count() == 2

    records = list(PersonRecord.objects.order_by("profile_id").values_list("profile_id", flat=True).distinct()[:2])
    decision = decide_pair(
        run=second, profile_id_l=records[1], profile_id_r=records[0], is_same_person=False, reason="Checked", by=analyst
    )
    assert decision.profile_id_l < decision.profile_id_r
    assert ReviewDecision.objects.count() == 1
    assert AuditEvent.objects.filter(action="linkage.review.decide").exists()


@pytest.mark.django_db
def test_runs_page_is_for_analysts_only(make_staff: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("linkage:run_list")).status_code == 403
    client.force_login(make_staff("dana", Role.DATA_ANALYST))
    response = client.get(reverse("linkage:run_list"))
    assert response.status_code == 200
    assert "Linkage runs" in response.content.decode()
