"""Review queue (side by side, waterfall, decision) and a person's linked records, on a published snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.linkage.engine.run import RunResult
from wholefamily.linkage.models import Household, HouseholdCorrection, LinkageRun, Person, ReviewDecision
from wholefamily.linkage.selectors import waterfall
from wholefamily.linkage.services import publish_run


@pytest.fixture
def published(settings: Any, tmp_path: Path, first_run: RunResult, make_staff: Callable[..., Any]) -> LinkageRun:
    settings.DATA_DIR = tmp_path / "data"
    run = LinkageRun.objects.create(run_id="20261123T000000-abcdef", settings_version="test", started_at=timezone.now())
    shutil.copytree(first_run.out_dir, tmp_path / "data" / "linkage" / run.run_id)
    publish_run(run=run, figures=first_run.figures, by=None)
    return run


@pytest.mark.django_db
def test_review_queue_decision_and_person_page(published: LinkageRun, make_staff: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("linkage:review_list")).status_code == 403

    analyst = make_staff("dana", Role.DATA_ANALYST)
    client.force_login(analyst)
    listing = client.get(reverse("linkage:review_list"))
    assert listing.status_code == 200
    pair = listing.context["pairs"][0]
    url = reverse("linkage:review_detail", args=[pair["profile_id_l"], pair["profile_id_r"]])
    detail = client.get(url)
    assert detail.status_code == 200
    assert "How the match weight was built up" in detail.content.decode()
    steps = detail.context["waterfall"]
    assert steps[0]["label"].startswith("Prior")
    assert steps[-1]["running"] == pytest.approx(pair["match_weight"], abs=0.05)

    assert client.post(url, {"decision": "different", "reason": ""}).status_code == 200  # reason required
    response = client.post(url, {"decision": "different", "reason": "Different schools and dates"})
    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    assert not decision.is_same_person and decision.decided_by == analyst
    assert AuditEvent.objects.filter(action="linkage.review.decide").count() == 1
    remaining = client.get(reverse("linkage:review_list")).context["pairs"]
    assert (pair["profile_id_l"], pair["profile_id_r"]) not in {
        (p["profile_id_l"], p["profile_id_r"]) for p in remaining
    }

    person = Person.objects.filter(records__isnull=False).first()
    assert person is not None
    page = client.get(reverse("linkage:person_detail", args=[person.person_id]))
    assert page.status_code == 200
    assert person.records.first().source_record_id in page.content.decode()  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="linkage.person.view", object_id=str(person.pk)).exists()
    assert client.get(reverse("linkage:person_detail", args=["PNOSUCHPERS"])).status_code == 404

    target = Household.objects.exclude(memberships__person=person).first()
    assert target is not None
    url = reverse("linkage:person_detail", args=[person.person_id])
    assert client.post(url, {"household_id": "HNOSUCHHOUS", "reason": "x"}).status_code == 200
    assert (
        client.post(url, {"household_id": target.household_id, "reason": "Moved in with her sister"}).status_code == 302
    )
    correction = HouseholdCorrection.objects.get(person_id=person.person_id, is_active=True)
    assert correction.household_id == target.household_id
    assert person.memberships.filter(end_on__isnull=True, household=target).exists()
    assert AuditEvent.objects.filter(action="linkage.household.correct").count() == 1


def test_waterfall_adds_up_to_the_match_weight() -> None:
    pair = {"match_weight": 3.0, "mw_forename": 4.0, "mw_tf_adj_forename": 0.5, "mw_dob": -2.0, "gamma_dob": 0}
    steps = waterfall(pair)
    assert [step["weight"] for step in steps] == [0.5, 4.5, -2.0]
    assert steps[-1]["running"] == 3.0
