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


def _delivery(version_id: str, period_end: dt.date, agreement, *, imported: int):
    from wholefamily.ingest.models import DatasetVersion
    from wholefamily.ingest.store import version_dir

    version = DatasetVersion.objects.create(
        version_id=version_id, kind="offences", contract_version=1, profile="synthetic-county",
        data_sharing_agreement=agreement, period_end_on=period_end, received_on=period_end, policy="reject",
        rows_read=1, rows_accepted=1, sha256=version_id * 4, file_name=f"{version_id}.csv", file_size=1,
        imported_at=timezone.now() + dt.timedelta(seconds=imported),
    )  # fmt: skip
    version_dir("offences", version_id).mkdir(parents=True)
    return version


def _snapshot(run_id: str, rows: list[tuple[str, str]], *, is_current: bool = False):
    """A linkage run whose snapshot links (dataset version, profile) rows: its record links and its review pairs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from wholefamily.linkage.models import LinkageRun
    from wholefamily.linkage.services import linkage_root

    folder = linkage_root() / run_id
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"dataset_version_id": [v for v, _ in rows], "profile_id": [p for _, p in rows]}),
        folder / "record_person.parquet",
    )
    (folder / "review_pairs.parquet").write_bytes(b"names side by side")
    return LinkageRun.objects.create(
        run_id=run_id, status="succeeded", settings_version="1", started_at=timezone.now(), is_current=is_current,
        dataset_versions=[{"version_id": v, "kind": "offences"} for v in sorted({v for v, _ in rows})],
    )  # fmt: skip


def test_the_purge_reaches_snapshots_identification_results_and_review_decisions_but_keeps_held_runs(
    deliveries, data_sharing_agreement, make_staff, django_capture_on_commit_callbacks
):
    """ADR 0020: copies of a purged delivery's records go with it (an old linkage snapshot with its review pairs, the
    identification results over it, evidence rows, review decisions on records only it held); the current run and a
    run claims were computed from stay, and so do the deliveries they link."""
    from wholefamily.claims.models import ClaimRun
    from wholefamily.identification.models import CohortFamily, Evidence, IdentificationRun
    from wholefamily.linkage.models import ReviewDecision
    from wholefamily.linkage.services import linkage_root

    analyst = make_staff("ana")
    _delivery("v-claimed", dt.date(2014, 1, 31), data_sharing_agreement, imported=0)
    _delivery("v-linked", dt.date(2014, 2, 28), data_sharing_agreement, imported=0)
    old = _snapshot("L0", [("v-old", "p-old"), ("v-old", "p-both"), ("v-cited", "p-both"), ("v-cited", "p-cited")])
    _snapshot("L2", [("v-claimed", "p-claimed"), ("v-cited", "p-cited"), ("v-cited", "p-both")])
    _snapshot("L3", [("v-linked", "p-linked"), ("v-newest", "p-newest")], is_current=True)
    ClaimRun.objects.update(snapshot=str(linkage_root() / "L2"))  # the claims were computed from L2

    output = linkage_root().parent / "identification" / "run-old"
    output.mkdir(parents=True)
    (output / "evidence.parquet").write_bytes(b"records")
    identified = IdentificationRun.objects.create(
        programme="tf-2015", programme_version=1, programme_title="t", as_of_on=dt.date(2015, 1, 1),
        snapshot=str(linkage_root() / "L0"), dataset_versions={"offences": "v-old"}, started_at=timezone.now(),
        output_dir=str(output),
    )  # fmt: skip
    family = CohortFamily.objects.create(run=identified, family_id="F-1", household_id="H-1", change="first_run")
    Evidence.objects.create(family=family, indicator="i", problem="crime", dataset_version_id="v-old",
                            source_record_id="O-old", person_id="P-1")  # fmt: skip
    Evidence.objects.create(family=family, indicator="i", problem="crime", dataset_version_id="v-cited",
                            source_record_id="O-cited", person_id="P-1")  # fmt: skip
    only_old = ReviewDecision.objects.create(
        profile_id_l="p-cited", profile_id_r="p-old", is_same_person=False, reason="r", run=old, decided_by=analyst
    )
    ReviewDecision.objects.create(
        profile_id_l="p-both", profile_id_r="p-cited", is_same_person=True, reason="r", run=old, decided_by=analyst
    )

    out = StringIO()
    call_command("retention", "--all", stdout=out)
    text = out.getvalue()
    assert "linkage run L2, from which claims were computed, kept until 31 July 2033, links it" in text
    assert "linkage run L3, the current run, links it" in text
    assert "Would purge offences v-old: ended 31 March 2020" in text
    assert f"and its copies: linkage snapshots L0; identification results of runs {identified.pk}; " in text
    assert "1 identification evidence rows; 1 clerical review decisions" in text
    assert "Would purge 1 deliveries." in text and (linkage_root() / "L0").is_dir()
    dry = AuditEvent.objects.get(action="retention.dry_run").detail
    assert dry["copies"]["v-old"] == {"linkage_runs": ["L0"], "identification_runs": [identified.pk],
                                      "evidence_rows": 1, "review_decisions": 1}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", "--purge", stdout=StringIO())
    assert not (linkage_root() / "L0").exists() and not output.exists()
    assert (linkage_root() / "L2").is_dir() and (linkage_root() / "L3").is_dir()
    assert list(Evidence.objects.values_list("dataset_version_id", flat=True)) == ["v-cited"]
    assert not ReviewDecision.objects.filter(pk=only_old.pk).exists()
    assert ReviewDecision.objects.count() == 1  # p-both is still a record of v-cited, in the kept snapshot L2
    purged = PurgedDelivery.objects.get()
    assert purged.version_id == "v-old" and purged.copies_removed["linkage_runs"] == ["L0"]
    assert AuditEvent.objects.get(action="retention.purge").detail["copies_removed"]["evidence_rows"] == 1
