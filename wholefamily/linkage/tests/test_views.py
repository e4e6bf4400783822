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
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import run_job
from wholefamily.linkage.engine.run import RunResult
from wholefamily.linkage.models import Household, HouseholdCorrection, LinkageRun, Person, ReviewDecision
from wholefamily.linkage.selectors import _review_table, waterfall
from wholefamily.linkage.services import publish_run
from wholefamily.linkage.tasks import linkage_work


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

    refused = client.post(url, {"decision": "different", "reason": ""})  # reason required
    assert refused.status_code == 400
    assert 'class="govuk-error-summary"' in refused.text and 'href="#id_reason">Enter the reason' in refused.text
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


@pytest.mark.django_db
def test_review_queue_counts_filters_and_pages(published: LinkageRun, make_staff: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_staff("dana", Role.DATA_ANALYST))
    listing = client.get(reverse("linkage:review_list"))
    waiting = listing.context["waiting"]
    assert waiting == len(_review_table(published)) > 0
    assert f"<strong>{waiting}</strong> pair" in listing.text
    assert len(listing.context["pairs"]) == min(waiting, 25)
    probabilities = [pair["match_probability"] for pair in listing.context["pairs"]]
    assert probabilities == sorted(probabilities, reverse=True)

    kind = listing.context["kinds"][0]
    filtered = client.get(reverse("linkage:review_list"), {"kind": kind})
    assert 0 < filtered.context["matching"] <= waiting
    assert all(kind in (pair["kind_l"], pair["kind_r"]) for pair in filtered.context["pairs"])
    high = client.get(reverse("linkage:review_list"), {"band": "high"})
    assert all(pair["match_probability"] >= 0.9 for pair in high.context["pairs"])
    # Hostile or unknown filters and pages are ignored, never an error.
    odd = client.get(reverse("linkage:review_list"), {"band": "<script>", "kind": "x" * 500, "page": "-9"})
    assert odd.status_code == 200 and odd.context["matching"] == 0
    if waiting > 25:
        second = client.get(reverse("linkage:review_list"), {"page": "2"})
        assert second.context["page"].number == 2 and 'aria-label="Pagination"' in second.text


@pytest.mark.django_db
def test_a_linkage_run_starts_as_a_background_job(published: LinkageRun, make_staff: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.post(reverse("linkage:start_run")).status_code == 403
    client.force_login(make_staff("dana", Role.DATA_ANALYST))
    assert "Run linkage now" in client.get(reverse("linkage:run_list")).text
    response = client.post(reverse("linkage:start_run"))
    job = Job.objects.get(kind="run_linkage")
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED and AuditEvent.objects.filter(action="start_job").count() == 1
    # One run at a time: a second press shows the run under way.
    assert client.post(reverse("linkage:start_run"))["Location"] == response["Location"]
    assert Job.objects.filter(kind="run_linkage").count() == 1
    assert "A linkage run is under way" in client.get(reverse("linkage:run_list")).text


@pytest.mark.django_db
def test_the_linkage_job_says_plainly_when_there_is_nothing_to_link(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    job = Job.objects.create(kind="run_linkage", title="Link", status=Job.Status.QUEUED)
    assert run_job(job.pk, lambda progress: linkage_work("duckdb", None, progress)) is None
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "import some deliveries first" in job.error


def test_waterfall_adds_up_to_the_match_weight() -> None:
    pair = {"match_weight": 3.0, "mw_forename": 4.0, "mw_tf_adj_forename": 0.5, "mw_dob": -2.0, "gamma_dob": 0}
    steps = waterfall(pair)
    assert [step["weight"] for step in steps] == [0.5, 4.5, -2.0]
    assert steps[-1]["running"] == 3.0
