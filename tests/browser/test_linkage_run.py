"""A data analyst opens a linkage run's page and reads its quality report (ADR 0016); the page passes an axe-core
accessibility check."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from wholefamily.domain.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}


def _linked_run(tmp_path: Path) -> Any:
    """A small persons file linked for real; its figures (with the quality report) on a run."""
    from wholefamily.linkage.engine.definition import load_models
    from wholefamily.linkage.engine.prepare import InputDataset
    from wholefamily.linkage.engine.run import link_datasets
    from wholefamily.linkage.models import LinkageRun

    rng = random.Random(1)
    path = tmp_path / "persons.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_record_id", "forename", "surname", "date_of_birth", "postcode"])
        for person in range(40):
            forename, surname = rng.choice(["Ava", "Noah", "Isla", "Leo", "Mia"]), rng.choice(["Hall", "Wood", "Shaw"])
            dob = f"{rng.randrange(1960, 2015)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}"
            for copy in range(rng.choice([1, 2])):
                writer.writerow([f"R{person}-{copy}", forename, surname, dob, "75008"])
    county, person_model = load_models()
    result = link_datasets(
        [InputDataset(dataset_version_id="persons-v1", kind="persons", path=path)],
        definition=county, person_definition=person_model, out_dir=tmp_path / "run", run_id="run",
    )  # fmt: skip
    return LinkageRun.objects.create(
        run_id="20261207T090000-abcdef", status=LinkageRun.Status.SUCCEEDED, settings_version="test",
        started_at=timezone.now(), figures=result.figures,
    )  # fmt: skip


def test_analyst_reads_a_runs_quality_report(live_server, page, sign_in, tmp_path):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    run = _linked_run(tmp_path)
    user = get_user_model().objects.create_user(username="dana.analyst", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=Role.DATA_ANALYST.value)[0])
    sign_in("dana.analyst", PASSWORD)
    page.goto(f"{live_server.url}/linkage/runs/")
    page.get_by_role("link", name=run.run_id).click()
    expect(page.get_by_role("heading", name="Quality of this run")).to_be_visible()
    expect(page.get_by_text("General person model")).to_be_visible()
    expect(
        page.get_by_role("table", name="Match weights of the scored pairs (a bar per band, with its count)")
    ).to_be_visible()
    results = Axe().run(page)
    blocking = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], results.generate_report()
