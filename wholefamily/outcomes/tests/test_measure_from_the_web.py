"""Outcomes measured from the web: the form (framework, GOV.UK date input, error summary), the background job, and
who may start it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.domain.progress import NullProgress
from wholefamily.domain.roles import Role
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import JobError
from wholefamily.outcomes.tasks import measure_work

pytestmark = pytest.mark.django_db


def test_a_programme_manager_starts_a_measurement_as_a_job(client, make_staff):
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    assert reverse("outcomes:measure") in client.get(reverse("outcomes:report")).text
    form = client.get(reverse("outcomes:measure"))
    assert form.status_code == 200 and 'class="govuk-date-input"' in form.text
    response = client.post(
        reverse("outcomes:measure"),
        {"programme": "tf-2015", "as_of_on_day": "31", "as_of_on_month": "7", "as_of_on_year": "2017"},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.kind == "measure_outcomes" and job.title == "Measure the outcomes of tf-2015 as of 31 July 2017"


@pytest.mark.parametrize(
    ("posted", "message", "anchor"),
    [
        ({"as_of_on_day": "31", "as_of_on_month": "7", "as_of_on_year": "2017"}, "Select the outcomes framework",
         "#id_programme_0"),
        ({"programme": "tf-2015", "as_of_on_day": "31", "as_of_on_month": "7"}, "must include a year", "#id_as_of_on_year"),  # noqa: E501
        ({"programme": "tf-2015", "as_of_on_day": "30", "as_of_on_month": "2", "as_of_on_year": "2017"}, "must be a real date",  # noqa: E501
         "#id_as_of_on_day"),
    ],
)  # fmt: skip
def test_the_form_says_what_to_fix(client, make_staff, posted, message, anchor):
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    response = client.post(reverse("outcomes:measure"), posted)
    assert response.status_code == 400
    summary = response.text[response.text.index('class="govuk-error-summary"') :]
    assert message in summary and f'href="{anchor}"' in summary
    assert not Job.objects.exists()


def test_a_key_worker_cannot_measure(client, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("outcomes:measure")).status_code == 403


def test_without_a_linkage_run_the_job_says_so(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(JobError, match="The outcomes could not be measured"):
        measure_work("tf-2015", "2017-07-31", None, NullProgress())
