"""Identification pages: who sees which cohort families, evidence views audited, XLSX export, need by area."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.identification.services import identify_families
from wholefamily.identification.tests.conftest import REFERENCE_ON

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(settings, tmp_path, perfect_snapshot, make_team):
    settings.DATA_DIR = tmp_path / "data"
    import pyarrow.parquet as pq

    districts = sorted({row["district"] for row in pq.read_table(perfect_snapshot / "households.parquet").to_pylist()})
    for district in districts:
        make_team(f"Team {district}", district=district)
    return identify_families(programme="tf-2015", as_of_on=REFERENCE_ON, snapshot_dir=perfect_snapshot, by=None)


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_programme_manager_sees_every_family(client, run, make_staff):
    manager = make_staff("pat", Role.PROGRAMME_MANAGER)
    response = _signed_in(client, manager).get(reverse("identification:cohort", args=[run.pk]))
    assert response.status_code == 200
    assert response.context["total"] == run.families_qualifying
    assert response.context["total"] > 1


def test_key_worker_sees_only_their_teams_families(client, run, make_staff):
    family = run.families.filter(is_qualifying=True).first()
    worker = make_staff("kim", Role.KEY_WORKER, team=family.team)
    response = _signed_in(client, worker).get(reverse("identification:cohort", args=[run.pk]))
    shown = {f.family_id for f in response.context["page"].object_list}
    expected = set(run.families.filter(is_qualifying=True, team=family.team).values_list("family_id", flat=True))
    assert shown == expected and len(expected) < run.families_qualifying
    other = run.families.filter(is_qualifying=True).exclude(team=family.team).first()
    assert client.get(reverse("identification:family", args=[run.pk, other.family_id])).status_code == 404
    assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.DENIED).exists()


def test_commissioner_sees_need_by_area_but_no_families(client, run, make_staff):
    commissioner = make_staff("cam", Role.COMMISSIONER)
    client = _signed_in(client, commissioner)
    assert client.get(reverse("identification:cohort", args=[run.pk])).context["total"] == 0
    response = client.get(reverse("identification:need", args=[run.pk]) + "?by=ward")
    assert response.status_code == 200
    county = next(area for area in response.context["areas"] if area.district == "All districts")
    assert county.qualifying == run.families_qualifying
    assert county.residents == run.residents
    assert county.estimated == round(run.residents * 4.31 / 1000)
    # The chart: one bar per district (not the county total), its figures also in the table.
    districts = [area for area in response.context["areas"] if not area.ward and area.district != "All districts"]
    bars = response.context["chart_bars"]
    assert [(bar.label, text) for bar, text in bars] == [(area.district, f"{area.qualifying:,}") for area in districts]
    assert 'role="img" aria-labelledby="need-chart-title need-chart-desc"' in response.text


def test_every_view_of_a_familys_evidence_is_audited(client, run, make_staff):
    analyst = make_staff("ana", Role.DATA_ANALYST)
    family = run.families.filter(is_qualifying=True).first()
    response = _signed_in(client, analyst).get(reverse("identification:family", args=[run.pk, family.family_id]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == family.evidence.count() > 0
    assert b"Dataset version" in response.content
    assert AuditEvent.objects.filter(action="view", object_id=str(family.pk)).count() == 1
    page = response.content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and title.startswith(f"Family {family.family_id}: evidence")
    assert page.count("Professionals&#x27; judgements") + page.count("Professionals' judgements") == 1


def test_filters_search_and_xlsx_export(client, run, make_staff):
    analyst = make_staff("ana", Role.DATA_ANALYST)
    client = _signed_in(client, analyst)
    family = run.families.filter(is_qualifying=True).first()
    found = client.get(reverse("identification:cohort", args=[run.pk]), {"search": family.family_id})
    assert [f.family_id for f in found.context["page"].object_list] == [family.family_id]
    problem = family.problems[0]
    filtered = client.get(reverse("identification:cohort", args=[run.pk]), {"problem": problem})
    assert all(problem in f.problems for f in filtered.context["page"].object_list)
    response = client.get(reverse("identification:cohort_export", args=[run.pk]), {"district": family.district})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[0][:3] == ("family_id", "household_id", "district")
    assert len(rows) - 1 == run.families.filter(is_qualifying=True, district=family.district).count()
    assert AuditEvent.objects.filter(action="identification.cohort.export").count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, run):
    response = client.get(reverse("identification:cohort", args=[run.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_key_worker_records_a_judgement_with_who_when_and_why(client, run, make_staff):
    family = run.families.filter(is_qualifying=True).first()
    worker = make_staff("kim", Role.KEY_WORKER, team=family.team)
    url = reverse("identification:family", args=[run.pk, family.family_id])
    response = _signed_in(client, worker).post(
        url,
        {
            "indicator": "health_referral",
            "person_id": "",
            "reason": "Health visitor's referral",
            "effective_on": "2015-06-01",
        },
    )
    assert response.status_code == 302
    from wholefamily.identification.models import Judgement

    judgement = Judgement.objects.get()
    assert (judgement.household_id, judgement.entered_by, judgement.reason) == (
        family.household_id, worker, "Health visitor's referral",
    )  # fmt: skip
    page = client.get(url)
    assert b"Health visitor&#x27;s referral" in page.content
    assert AuditEvent.objects.filter(action="identification.judgement.enter", actor=worker).exists()


def test_an_auditor_cannot_record_a_judgement(client, run, make_staff):
    family = run.families.filter(is_qualifying=True).first()
    auditor = make_staff("aud", Role.AUDITOR)
    url = reverse("identification:family", args=[run.pk, family.family_id])
    client = _signed_in(client, auditor)
    assert b"Record the judgement" not in client.get(url).content
    response = client.post(url, {"indicator": "health_referral", "reason": "x", "effective_on": "2015-06-01"})
    assert response.status_code == 403


def test_an_analyst_starts_a_run_as_a_background_job(client, settings, tmp_path, perfect_snapshot, make_staff):
    from wholefamily.jobs.models import Job

    settings.DATA_DIR = tmp_path / "data"
    (settings.DATA_DIR / "linkage").mkdir(parents=True)
    (settings.DATA_DIR / "linkage" / "CURRENT").write_text("perfect")
    (settings.DATA_DIR / "linkage" / "perfect").symlink_to(perfect_snapshot)
    analyst = make_staff("ana", Role.DATA_ANALYST)
    client = _signed_in(client, analyst)
    assert "Start an identification run" in client.get(reverse("identification:runs")).text
    form = client.get(reverse("identification:start"))
    assert form.status_code == 200 and 'class="govuk-date-input"' in form.text
    response = client.post(
        reverse("identification:start"),
        {
            "programme": "tf-2015",
            "as_of_on_day": "31",
            "as_of_on_month": "8",
            "as_of_on_year": "2015",
            "engine": "duckdb",
        },
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.kind == "identify" and job.task_result_id


@pytest.mark.parametrize(
    ("posted", "message", "anchor"),
    [
        ({"as_of_on_day": "31", "as_of_on_month": "8", "as_of_on_year": "2015"}, "Select the programme", "#id_programme_0"),  # noqa: E501
        ({"programme": "tf-2015"}, "Enter the as-of date", "#id_as_of_on_day"),
        ({"programme": "tf-2015", "as_of_on_day": "31", "as_of_on_year": "2015"}, "must include a month", "#id_as_of_on_month"),  # noqa: E501
        ({"programme": "tf-2015", "as_of_on_day": "31", "as_of_on_month": "2", "as_of_on_year": "2015"}, "must be a real date",  # noqa: E501
         "#id_as_of_on_day"),
        ({"programme": "tf-2015", "as_of_on_day": "1", "as_of_on_month": "4", "as_of_on_year": "2014"},
         "is in force from 1 April 2015 to 31 March 2020", "#id_as_of_on_day"),
        ({"programme": "<script>", "as_of_on_day": "x" * 9000}, "Select the programme", "#id_programme_0"),
    ],
)  # fmt: skip
def test_the_start_form_says_what_to_fix(client, make_staff, posted, message, anchor):
    from wholefamily.jobs.models import Job

    client = _signed_in(client, make_staff("ana", Role.DATA_ANALYST))
    response = client.post(reverse("identification:start"), {"engine": "duckdb", **posted})
    assert response.status_code == 400
    summary = response.text[response.text.index('class="govuk-error-summary"') :]
    assert message in summary and f'href="{anchor}"' in summary
    assert response.text.count("Error: Start an identification run") == 1
    assert not Job.objects.exists()


def test_without_a_linkage_run_the_form_says_so(client, settings, tmp_path, make_staff):
    settings.DATA_DIR = tmp_path / "data"
    client = _signed_in(client, make_staff("ana", Role.DATA_ANALYST))
    response = client.post(
        reverse("identification:start"),
        {
            "programme": "tf-2015",
            "as_of_on_day": "31",
            "as_of_on_month": "8",
            "as_of_on_year": "2015",
            "engine": "duckdb",
        },
    )
    assert response.status_code == 400 and "there is no current linkage run yet" in response.text


def test_a_key_worker_cannot_start_a_run(client, run, make_staff):
    worker = make_staff("kim", Role.KEY_WORKER)
    client = _signed_in(client, worker)
    assert client.get(reverse("identification:start")).status_code == 403
    response = client.post(
        reverse("identification:start"),
        {
            "programme": "tf-2015",
            "as_of_on_day": "31",
            "as_of_on_month": "8",
            "as_of_on_year": "2015",
            "engine": "duckdb",
        },
    )
    assert response.status_code == 403


def test_the_job_work_records_a_run(settings, tmp_path, perfect_snapshot):
    from wholefamily.identification.models import IdentificationRun
    from wholefamily.identification.tasks import identify_work

    settings.DATA_DIR = tmp_path / "data"

    class Progress:
        def __init__(self):
            self.messages = []

        def start(self, total, message):
            self.messages.append(message)

        def advance(self, n=1):
            pass

        def set_message(self, message):
            self.messages.append(message)

    progress = Progress()
    result = identify_work("tf-2012", "2015-08-31", str(perfect_snapshot), "duckdb", None, progress)
    run = IdentificationRun.objects.get()
    assert result["report"] == f"/identification/runs/{run.pk}/"
    assert "view wf_evidence" in progress.messages


def test_the_cohort_shows_families_by_name_and_address_and_finds_them(client, run, make_staff):
    from django.utils import timezone

    from wholefamily.linkage.models import Household, LinkageRun, Membership, Person

    family = run.families.filter(is_qualifying=True).order_by("district", "ward", "family_id").first()
    linkage = LinkageRun.objects.create(run_id="r1", settings_version="t", started_at=timezone.now())
    household = Household.objects.create(
        household_id=family.household_id, address="12 Mill Lane, Ashby", postcode="AB1 2CD", last_run=linkage
    )
    for number, (forename, surname) in enumerate([("Amy", "OKAFOR"), ("Ben", "OKAFOR"), ("Cat", "Smith")]):
        person = Person.objects.create(person_id=f"P{number}", forename=forename, surname=surname, last_run=linkage)
        Membership.objects.create(person=person, household=household, role="adult_parent")
    client = _signed_in(client, make_staff("pat", Role.PROGRAMME_MANAGER))
    page = client.get(reverse("identification:cohort", args=[run.pk])).text
    assert "The Okafor and Smith family" in page and "12 Mill Lane, Ashby, AB1 2CD" in page
    assert AuditEvent.objects.filter(action="identification.cohort.view", object_id=str(run.pk)).exists()
    for search in ("okafor", "Mill Lane", "AB1 2CD"):
        found = client.get(reverse("identification:cohort", args=[run.pk]), {"search": search})
        assert [f.family_id for f in found.context["families"]] == [family.family_id], search
