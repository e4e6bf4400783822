"""A linkage run's page shows its quality report (ADR 0016), to data analysts only; and the run's figures carry it."""

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
from wholefamily.linkage.engine.run import RunResult
from wholefamily.linkage.models import LinkageRun
from wholefamily.linkage.services import publish_run


@pytest.mark.django_db
def test_run_page_shows_the_quality_report(
    settings: Any, tmp_path: Path, first_run: RunResult, make_staff: Callable[..., Any]
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    run = LinkageRun.objects.create(run_id="20261207T000000-abcdef", settings_version="test", started_at=timezone.now())
    shutil.copytree(first_run.out_dir, tmp_path / "data" / "linkage" / run.run_id)
    publish_run(run=run, figures=first_run.figures, by=None)
    quality = first_run.figures["quality"]
    assert quality["model"] == "county" and quality["records"] == first_run.figures["records"]
    assert {source["kind"] for source in quality["sources"]} >= {"health", "school_attendance", "council_tax"}
    assert sum(band["pairs"] for band in quality["match_weights"]) == quality["pairs_scored"]

    client = Client()
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("linkage:run_detail", args=[run.run_id])).status_code == 403
    client.force_login(make_staff("dana", Role.DATA_ANALYST))
    assert client.get(reverse("linkage:run_detail", args=["no-such-run"])).status_code == 404
    assert reverse("linkage:run_detail", args=[run.run_id]) in client.get(reverse("linkage:run_list")).content.decode()
    page = client.get(reverse("linkage:run_detail", args=[run.run_id])).content.decode()
    assert "Quality of this run" in page and "County model (households)" in page
    assert "School attendance" in page and "Match weights of the scored pairs" in page
    assert f"{quality['records']:,}" in page
    # an older run without a report says so
    LinkageRun.objects.filter(pk=run.pk).update(figures={"records": 1})
    assert "has no quality report" in client.get(reverse("linkage:run_detail", args=[run.run_id])).content.decode()
