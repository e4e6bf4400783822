"""A programme manager computes a claim window's claims from the web: the form (validation, error summary), the
background job, and who may start it; internal audit downloads the submission file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.claims.tasks import compute_work
from wholefamily.domain.progress import NullProgress
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import JobError

pytestmark = pytest.mark.django_db


def test_a_programme_manager_starts_the_computation_as_a_job(client, make_staff):
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    assert "Compute a claim window" in client.get(reverse("claims:list")).text
    form = client.get(reverse("claims:compute"))
    assert form.status_code == 200 and 'value="tf-2015/2018-07"' in form.text
    assert "results as of 31 July 2018" in form.text
    response = client.post(reverse("claims:compute"), {"window": "tf-2015/2018-07", "sample_percent": "10"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.kind == "compute_claims" and job.task_result_id
    assert AuditEvent.objects.filter(action="start_job", object_id=str(job.pk)).exists()


@pytest.mark.parametrize(
    ("posted", "message", "anchor"),
    [
        ({}, "Select the claim window", "#id_window"),
        ({"window": "tf-2015/1999-01"}, "Select the claim window", "#id_window"),
        ({"window": "tf-2015/2018-07", "sample_percent": "150"}, "100 percent or less", "#id_sample_percent"),
        ({"window": "tf-2015/2018-07", "sample_percent": "ten"}, "whole number", "#id_sample_percent"),
    ],
)
def test_the_form_says_what_to_fix(client, make_staff, posted, message, anchor):
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    response = client.post(reverse("claims:compute"), posted)
    assert response.status_code == 400
    summary = response.text[response.text.index('class="govuk-error-summary"') :]
    assert message in summary and f'href="{anchor}"' in summary
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.KEY_WORKER, Role.COMMISSIONER])
def test_other_roles_cannot_compute(client, make_staff, role):
    client.force_login(make_staff("u", role))
    assert client.get(reverse("claims:compute")).status_code == 403
    assert client.post(reverse("claims:compute"), {"window": "tf-2015/2018-07"}).status_code == 403


def test_without_a_linkage_run_the_job_says_so(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(JobError, match="The claims could not be computed"):
        compute_work("tf-2015", "2018-07", "", 1, None, NullProgress())


def test_internal_audit_downloads_the_submission_file_once_a_second_person_approved_it(client, make_staff):
    import re

    from wholefamily.governance.models import Approval

    auditor, manager = make_staff("ines", Role.AUDITOR), make_staff("pat", Role.PROGRAMME_MANAGER)
    query = {"programme": "tf-2015", "window": "2018-07"}
    client.force_login(manager)
    response = client.get(reverse("claims:submission"), query)
    assert response.status_code == 200 and "A second person must approve this" in response.text
    signed = re.search(r'name="request" value="([^"]+)"', response.text).group(1)
    client.post(reverse("governance:approval_request"), {"request": signed, "reason": "July window"})
    client.force_login(auditor)
    approval = Approval.objects.get(kind="claim_submission")
    client.post(reverse("governance:approval_detail", args=[approval.pk]), {"decision": "approve"})
    response = client.get(reverse("claims:submission"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("reference,family_id")
    assert AuditEvent.objects.filter(action="claims.export", actor=auditor).exists()
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("claims:submission")).status_code == 403
