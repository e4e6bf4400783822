"""The jobs pages: scoping (own jobs, or all for overseers), the progress bar and its JSON, start, cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs import tasks
from wholefamily.jobs.models import Job

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_job(by: Any, **fields: Any) -> Job:
    defaults = {"kind": "check_data_store", "title": "Check the data store", "created_by": by}
    return Job.objects.create(**(defaults | fields))


@pytest.fixture
def kim(make_staff: Any) -> Any:
    return make_staff("kim", Role.KEY_WORKER)


@pytest.fixture
def lee(make_staff: Any) -> Any:
    return make_staff("lee", Role.KEY_WORKER)


@pytest.fixture
def analyst(make_staff: Any) -> Any:
    return make_staff("ana", Role.DATA_ANALYST)


def test_the_list_shows_a_user_only_their_own_jobs(kim: Any, lee: Any) -> None:
    make_job(kim, title="Kim's import")
    make_job(lee, title="Lee's import")
    response = signed_in(kim).get(reverse("jobs:job_list"))
    assert response.status_code == 200
    assert "Kim&#x27;s import" in response.text
    assert "Lee&#x27;s import" not in response.text
    assert "Check the data store</button>" not in response.text  # a key worker may not start it


@pytest.mark.parametrize("role", [Role.DATA_ANALYST, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR])
def test_overseers_see_every_job(make_staff: Any, kim: Any, role: Role) -> None:
    make_job(kim, title="Kim's import")
    make_job(None, title="Nightly check")
    response = signed_in(make_staff("boss", role)).get(reverse("jobs:job_list"))
    assert "Kim&#x27;s import" in response.text and "Nightly check" in response.text


def test_detail_has_a_real_progress_bar_with_text_and_no_inline_script(kim: Any) -> None:
    job = make_job(kim, status=Job.Status.RUNNING, done=250, total=1000, message="Hashing police/v1")
    response = signed_in(kim).get(reverse("jobs:job_detail", args=[job.pk]))
    assert response.status_code == 200
    html = response.text
    assert '<progress id="job-progress-bar"' in html and 'max="1000" value="250"' in html
    assert "250 of 1,000 done (25%)." in html
    assert "Hashing police/v1" in html
    assert "<noscript>" in html and ">Refresh</a>" in html
    assert f'data-progress-url="{reverse("jobs:job_progress", args=[job.pk])}"' in html
    assert 'src="/static/jobs/job-progress.js"' in html
    assert "<script>" not in html  # CSP: script-src 'self', no inline scripts


def test_an_unknown_total_gives_an_indeterminate_bar(kim: Any) -> None:
    job = make_job(kim, status=Job.Status.RUNNING, done=12, total=None)
    html = signed_in(kim).get(reverse("jobs:job_detail", args=[job.pk])).text
    assert 'max="1" aria-describedby' in html  # no value attribute: indeterminate
    assert "12 done so far; the total is not known yet." in html


def test_a_failed_job_shows_its_plain_error_and_no_refresh(kim: Any) -> None:
    job = make_job(kim, status=Job.Status.FAILED, done=1, total=3, error="The file has no header row.")
    html = signed_in(kim).get(reverse("jobs:job_detail", args=[job.pk])).text
    assert "The file has no header row." in html
    assert "govuk-tag--red" in html
    assert "<noscript>" not in html


def test_progress_json(kim: Any) -> None:
    job = make_job(kim, status=Job.Status.RUNNING, done=3, total=4, message="Nearly")
    response = signed_in(kim).get(reverse("jobs:job_progress", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    payload = response.json()
    assert payload | {"started_at": None} == {
        "id": str(job.pk),
        "status": "running",
        "status_label": "Running",
        "is_finished": False,
        "is_stalled": False,
        "done": 3,
        "total": 4,
        "percent": 75,
        "bar_max": 4,
        "bar_value": 3,
        "text": "3 of 4 done (75%).",
        "message": "Nearly",
        "error": "",
        "started_at": None,
        "heartbeat_at": None,
        "finished_at": None,
    }


def test_a_stalled_job_shows_as_stalled_not_running(kim: Any, settings: Any) -> None:
    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=10)
    quiet_since = timezone.now() - timedelta(minutes=25)
    job = make_job(kim, status=Job.Status.RUNNING, done=3, total=4, started_at=quiet_since, heartbeat_at=quiet_since)
    client = signed_in(kim)
    listing = client.get(reverse("jobs:job_list")).text
    assert '<strong class="govuk-tag govuk-tag--orange">Stalled</strong>' in listing
    assert ">Running<" not in listing and "Nothing heard from its worker since" in listing
    detail = client.get(reverse("jobs:job_detail", args=[job.pk])).text
    assert '<strong id="job-status" class="govuk-tag govuk-tag--orange">Stalled</strong>' in detail
    assert "This job has stalled" in detail and "Cancel this job" in detail  # its starter may still cancel it
    payload = client.get(reverse("jobs:job_progress", args=[job.pk])).json()
    assert (payload["status"], payload["status_label"], payload["is_stalled"]) == ("stalled", "Stalled", True)
    assert payload["is_finished"] is False and payload["heartbeat_at"] == quiet_since.isoformat()

    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # the worker speaks again
    payload = client.get(reverse("jobs:job_progress", args=[job.pk])).json()
    assert (payload["status"], payload["is_stalled"]) == ("running", False)


def test_progress_json_requires_sign_in(kim: Any) -> None:
    job = make_job(kim)
    response = Client().get(reverse("jobs:job_progress", args=[job.pk]))
    assert response.status_code == 401
    assert "done" not in response.json()


def test_another_users_job_is_not_found_and_the_attempt_is_audited(kim: Any, lee: Any) -> None:
    job = make_job(lee)
    client = signed_in(kim)
    assert client.get(reverse("jobs:job_progress", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 404
    denials = AuditEvent.objects.filter(object_id=str(job.pk), outcome=AuditEvent.Outcome.DENIED)
    assert denials.count() == 2 and {event.actor for event in denials} == {kim}


def test_a_job_that_does_not_exist_is_not_found(kim: Any) -> None:
    url = reverse("jobs:job_progress", args=["00000000-0000-4000-8000-000000000000"])
    assert signed_in(kim).get(url).status_code == 404


def test_pages_need_sign_in(kim: Any) -> None:
    job = make_job(kim)
    for url in (reverse("jobs:job_list"), reverse("jobs:job_detail", args=[job.pk])):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_analyst_starts_a_data_store_check(analyst: Any) -> None:
    client = signed_in(analyst)
    assert "Check the data store</button>" in client.get(reverse("jobs:job_list")).text
    response = client.post(reverse("jobs:start_check_data_store"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.created_by) == (tasks.CHECK_DATA_STORE, Job.Status.QUEUED, analyst)
    assert job.task_result_id
    assert AuditEvent.objects.filter(action="start_job", object_id=str(job.pk), actor=analyst).exists()


def test_starting_needs_the_role_and_a_post(kim: Any, analyst: Any) -> None:
    assert signed_in(kim).post(reverse("jobs:start_check_data_store")).status_code == 403
    assert signed_in(analyst).get(reverse("jobs:start_check_data_store")).status_code == 405
    assert not Job.objects.exists()


def test_starting_needs_a_csrf_token(analyst: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(reverse("jobs:start_check_data_store")).status_code == 403
    assert not Job.objects.exists()


def test_the_owner_cancels_a_queued_job(kim: Any, lee: Any) -> None:
    job = make_job(kim)
    assert signed_in(lee).post(reverse("jobs:job_cancel", args=[job.pk])).status_code == 404
    response = signed_in(kim).post(reverse("jobs:job_cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.finished_at is not None
    assert AuditEvent.objects.filter(action="cancel_job", object_id=str(job.pk), actor=kim).exists()


def test_an_analyst_who_did_not_start_a_job_may_see_but_not_cancel_it(kim: Any, analyst: Any) -> None:
    job = make_job(kim)
    client = signed_in(analyst)
    assert "Cancel this job" not in client.get(reverse("jobs:job_detail", args=[job.pk])).text
    assert client.post(reverse("jobs:job_cancel", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


def test_a_succeeded_job_shows_its_result_in_words(kim: Any) -> None:
    result = {"files": 1200, "bytes": 2048, "is_unchanged_since_last_check": True, "previous_fingerprint": None}
    job = make_job(kim, status=Job.Status.SUCCEEDED, done=1200, total=1200, result=result)
    html = signed_in(kim).get(reverse("jobs:job_detail", args=[job.pk])).text
    for text in ("Files checked", "1,200", "(2,048 bytes)", "Unchanged since the last check", "Yes"):
        assert text in html
    assert "1,200 of 1,200 done (100%)." in html
    assert "Cancel this job" not in html
