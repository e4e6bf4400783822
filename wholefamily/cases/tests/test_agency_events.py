"""The chronology merges the members' agency records from the linked data, dated by their contract's period column."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.pathway import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_records(settings, tmp_path):
    """Person P-2 (Jo Test) has two offence records in one dataset version, and one in a version not on disk."""
    from wholefamily.ingest.store import DATA_FILE, version_dir
    from wholefamily.linkage.models import LinkageRun, Person, PersonRecord

    settings.DATA_DIR = tmp_path
    folder = version_dir("offences", "v-offences-1")
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "source_record_id": ["O-1", "O-2", "O-3"],
                "offence_on": [date(2025, 3, 4), date(2025, 8, 9), date(2024, 1, 1)],
                "is_proven": [True, False, True],
                "disposal": ["youth_caution", None, "referral_order"],
                "offence_type": ["theft", "criminal_damage", "theft"],
            }
        ),
        folder / DATA_FILE,
    )
    run = LinkageRun.objects.create(run_id="L1", status="succeeded", settings_version="1", started_at=timezone.now())
    person = Person.objects.create(person_id="P-2", forename="Jo", surname="Test", last_run=run)
    for version, record in (("v-offences-1", "O-1"), ("v-offences-1", "O-2"), ("v-gone", "X-9")):
        PersonRecord.objects.create(
            person=person,
            dataset_version_id=version,
            kind="offences",
            source_record_id=record,
            line_number=1,
            profile_id="p1",
        )


def test_family_page_merges_agency_events(client, worker, new_family, linked_records):
    case = new_family(Stage.ALLOCATED, worker=worker)
    client.force_login(worker)
    response = client.get(reverse("cases:family_section", args=[case.pk, "chronology"]))
    chronology = list(response.context["chronology"])
    agency = [item for item in chronology if item.is_agency]
    assert [(item.when.date(), item.title) for item in agency] == [
        (date(2025, 8, 9), "Offences: Jo Test"),
        (date(2025, 3, 4), "Offences: Jo Test"),
        (date(1900, 1, 1), "Offences: Jo Test"),
    ]
    assert "disposal: youth caution" in agency[1].text and "record not in the data store" in agency[2].text
    case_events = [item for item in chronology if not item.is_agency]
    assert chronology.index(case_events[-1]) < chronology.index(agency[0])  # today's case events come first
    page = response.content.decode()
    assert "9 August 2025" in page and "Date not known" in page and "O-3" not in page


def test_a_broken_store_does_not_break_the_family_page(client, worker, new_family, linked_records, settings):
    from wholefamily.ingest.store import DATA_FILE, version_dir

    (version_dir("offences", "v-offences-1") / DATA_FILE).write_bytes(b"not parquet")
    case = new_family(Stage.ALLOCATED, worker=worker)
    client.force_login(worker)
    response = client.get(reverse("cases:family_section", args=[case.pk, "chronology"]))
    assert response.status_code == 200
    assert "could not be read just now" in response.content.decode()
