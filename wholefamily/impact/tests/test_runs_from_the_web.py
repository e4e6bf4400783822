"""The impact analysis and the savings started from the web as background jobs with their progress: the forms,
what each job is asked to do, who may start them, and a job that cannot run saying why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import JobError

pytestmark = pytest.mark.django_db


class _Progress:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def start(self, total: int | None, message: str) -> None:
        self.messages.append(message)

    def advance(self, n: int = 1) -> None:
        pass

    def set_message(self, message: str) -> None:
        self.messages.append(message)


def test_a_data_analyst_starts_the_impact_analysis_as_a_job(client, make_staff):
    client.force_login(make_staff("dana", Role.DATA_ANALYST))
    assert reverse("impact:run_impact") in client.get(reverse("impact:report")).text
    response = client.post(reverse("impact:run_impact"), {"seed": "3"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk]) and job.kind == "run_impact"
    for bad in ({}, {"seed": "-1"}, {"seed": "x"}, {"seed": "9" * 30}):
        assert client.post(reverse("impact:run_impact"), bad).status_code == 400
    assert Job.objects.count() == 1


def test_the_savings_job_is_asked_for_the_sample_and_the_unit_costs_chosen(client, make_staff):
    from django.utils import timezone

    from wholefamily.impact.models import UnitCostSet

    kept = UnitCostSet.objects.create(name="ours", version=2, price_base_year=2024, sha256="1" * 64,
                                      definition={}, imported_at=timezone.now())  # fmt: skip
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    page = client.get(reverse("impact:run_savings"))
    assert page.status_code == 200 and "ours, version 2" in page.text and "The starter set (unverified)" in page.text
    response = client.post(
        reverse("impact:run_savings"),
        {"scope": "sample", "sample_percent": "10", "seed": "7", "programme_cost": "", "optimism_bias": "40",
         "unit_costs": str(kept.pk)},
    )  # fmt: skip
    job = Job.objects.get()
    assert response.status_code == 302 and job.kind == "run_savings" and job.title == "Cost the savings of a 10% sample"
    from django_tasks_db.models import DBTaskResult

    args = DBTaskResult.objects.get(id=job.task_result_id).args_kwargs["kwargs"]
    assert args["sample_share"] == 0.1 and args["seed"] == 7 and args["unit_cost_set_id"] == kept.pk
    assert args["programme_cost"] is None and args["optimism_bias"] == 0.4
    for bad in (
        {"scope": "sample", "sample_percent": "", "seed": "0", "optimism_bias": "40", "unit_costs": "starter"},
        {"scope": "whole", "seed": "0", "optimism_bias": "140", "unit_costs": "starter"},
        {"scope": "whole", "seed": "0", "optimism_bias": "40", "unit_costs": "999999"},
        {"scope": "everyone", "seed": "0", "optimism_bias": "40", "unit_costs": "starter"},
        {"scope": "whole", "seed": "0", "optimism_bias": "40", "unit_costs": "starter", "programme_cost": "-5"},
    ):
        assert client.post(reverse("impact:run_savings"), bad).status_code == 400
    assert Job.objects.count() == 1
    client.force_login(make_staff("carol", Role.COMMISSIONER))
    assert client.get(reverse("impact:run_savings")).status_code == 403
    assert client.get(reverse("impact:run_impact")).status_code == 403
    assert reverse("impact:run_savings") not in client.get(reverse("impact:savings")).text


def test_a_job_that_cannot_run_says_why_after_reporting_its_progress(settings, tmp_path, make_staff):
    from wholefamily.impact.tasks import impact_work, savings_work

    settings.DATA_DIR = tmp_path
    user = make_staff("dana", Role.DATA_ANALYST)
    progress = _Progress()
    with pytest.raises(JobError, match="The impact could not be analysed: no current linkage run"):
        impact_work(0, user.pk, progress)
    assert progress.messages == ["Finding the worked-with families and the comparison pool"]
    with pytest.raises(JobError, match="The savings could not be costed: no current linkage run"):
        savings_work(1.0, 0, None, 0.4, None, user.pk, _Progress())
    with pytest.raises(JobError, match="no longer kept"):
        savings_work(1.0, 0, None, 0.4, 424242, user.pk, _Progress())
