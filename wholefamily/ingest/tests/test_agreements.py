"""Imports go ahead only under a registered data-sharing agreement in force that covers the kind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from wholefamily.governance.agreements import register_agreement
from wholefamily.governance.models import AuditEvent, DataSharingAgreement
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import ImportError_, import_file
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows

pytestmark = pytest.mark.django_db

KIND = "benefits"


@pytest.fixture
def delivery(tmp_path: Path, contract_set, data_dir) -> Path:
    contract = contract_set.contract(KIND)
    return canonical_csv(tmp_path / "benefits.csv", canonical_rows(contract, contract_set, count=2), contract)


def _import(delivery: Path, **extra) -> ImportRun:
    return import_file(path=delivery, kind=KIND, profile="synthetic-county", by=None, **extra)


def test_without_an_agreement_nothing_is_imported(delivery):
    DataSharingAgreement.objects.all().delete()
    with pytest.raises(ImportError_, match=r"No data-sharing agreement covers benefits data"):
        _import(delivery)
    assert not ImportRun.objects.exists() and not DatasetVersion.objects.exists()


def test_an_expired_agreement_stops_imports_with_its_end_date(delivery):
    DataSharingAgreement.objects.all().delete()
    register_agreement(reference="DSA-SCH-1", name="Schools", partner="Schools", parties="Council\nSchools",
                       purpose="Attendance", lawful_basis="Public task", kinds=[KIND], start_on=dt.date(2012, 1, 1),
                       end_on=dt.date(2030, 3, 31), by=None, system_actor="system:test")  # fmt: skip
    with pytest.raises(ImportError_, match=r"\(DSA-SCH-1\) ended on 31 March 2030"):
        _import(delivery, received_on=dt.date(2030, 4, 1))
    run = _import(delivery)  # received today, while it is in force
    assert run.status == ImportRun.Status.ACCEPTED
    assert run.data_sharing_agreement.reference == "DSA-SCH-1"
    assert AuditEvent.objects.filter(action="agreement.register", object_id=str(run.data_sharing_agreement.pk))


def test_a_named_agreement_must_cover_the_kind(delivery):
    other = register_agreement(reference="DSA-POL-1", name="Police", partner="Police", parties="Council\nPolice",
                               purpose="Offending", lawful_basis="Public task", kinds=["offences"],
                               start_on=dt.date(2012, 1, 1), end_on=None, by=None)  # fmt: skip
    with pytest.raises(ImportError_, match="does not cover benefits data"):
        _import(delivery, data_sharing_agreement=other)


def test_the_command_registers_an_agreement_and_the_import_command_uses_it(delivery, capsys):
    DataSharingAgreement.objects.all().delete()
    call_command("register_agreement", "--reference", "DSA-9", "--name", "Schools share", "--partner", "Schools",
                 "--party", "Council", "--party", "Schools", "--purpose", "Attendance", "--lawful-basis",
                 "Public task", "--kind", KIND, "--start", "2012-01-01", "--retention-months", "60")  # fmt: skip
    agreement = DataSharingAgreement.objects.get(reference="DSA-9")
    assert agreement.kinds == [KIND] and agreement.retention_months == 60 and agreement.parties == "Council\nSchools"
    assert _import(delivery).data_sharing_agreement == agreement
