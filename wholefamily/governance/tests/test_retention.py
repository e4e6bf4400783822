"""Retention: a dry run lists what would go and removes nothing; the purge removes the stored rows and the links to
persons of superseded deliveries past their period, but keeps what a claim's evidence cites; both audited."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from wholefamily.governance.models import AuditEvent, PurgedDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliveries(settings, tmp_path, data_sharing_agreement):
    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.ingest.models import DatasetVersion
    from wholefamily.ingest.store import version_dir
    from wholefamily.linkage.models import LinkageRun, Person, PersonRecord

    settings.DATA_DIR = tmp_path
    run = LinkageRun.objects.create(run_id="L1", status="succeeded", settings_version="1", started_at=timezone.now())
    person = Person.objects.create(person_id="P-1", forename="Jo", surname="Test", last_run=run)
    made = {}
    for name, period_end, imported in (
        ("old", dt.date(2014, 3, 31), 1),
        ("cited", dt.date(2014, 6, 30), 2),
        ("newest", dt.date(2015, 3, 31), 3),
    ):
        version = DatasetVersion.objects.create(
            version_id=f"v-{name}",
            kind="offences",
            contract_version=1,
            profile="synthetic-county",
            data_sharing_agreement=data_sharing_agreement,
            period_end_on=period_end,
            received_on=period_end,
            policy="reject",
            rows_read=1,
            rows_accepted=1,
            sha256=name * 8,
            file_name=f"{name}.csv",
            file_size=1,
            imported_at=timezone.now() + dt.timedelta(seconds=imported),
        )
        version_dir("offences", version.version_id).mkdir(parents=True)
        PersonRecord.objects.create(
            person=person,
            dataset_version_id=version.version_id,
            kind="offences",
            source_record_id=f"O-{name}",
            line_number=1,
            profile_id=f"p-{name}",
        )
        made[name] = version
    claim_run = ClaimRun.objects.create(
        programme="tf-2015",
        window="2026-07",
        as_of_on=dt.date(2026, 7, 31),
        rules="r",
        snapshot="s",
        started_at=timezone.now(),
    )
    Claim.objects.create(
        run=claim_run,
        programme="tf-2015",
        window="2026-07",
        reference="c-1",
        family_id="F-1",
        household_id="H-1",
        results=[],
        amount_pence=0,
        state_changed_at=timezone.now(),
        evidence={"results": [{"conditions": [{"members": [{"refs": ["v-cited:O-cited:1"]}]}]}]},
    )
    return made


def test_dry_run_lists_and_removes_nothing_then_purge_keeps_the_floors(deliveries, django_capture_on_commit_callbacks):
    from wholefamily.ingest.store import version_dir
    from wholefamily.linkage.models import PersonRecord

    out = StringIO()
    call_command("retention", "--all", stdout=out)
    text = out.getvalue()
    assert "Would purge offences v-old: ended 31 March 2020" in text
    assert "claim's evidence cites it until 31 July 2033" in text
    assert "current delivery of its kind" in text
    assert "Would purge 1 deliveries. Nothing was removed." in text
    assert PersonRecord.objects.count() == 3 and version_dir("offences", "v-old").exists()
    assert AuditEvent.objects.get(action="retention.dry_run").detail["due"] == ["v-old"]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", "--purge", stdout=StringIO())
    assert not version_dir("offences", "v-old").exists()
    assert version_dir("offences", "v-cited").exists() and version_dir("offences", "v-newest").exists()
    assert sorted(PersonRecord.objects.values_list("dataset_version_id", flat=True)) == ["v-cited", "v-newest"]
    purged = PurgedDelivery.objects.get()
    assert (purged.version_id, purged.person_links_removed, purged.expired_on) == ("v-old", 1, dt.date(2020, 3, 31))
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.object_id == "v-old" and event.detail["rules"] == 1
    # Run again: nothing more is due.
    out = StringIO()
    call_command("retention", stdout=out)
    assert "Would purge 0 deliveries." in out.getvalue()
