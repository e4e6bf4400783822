"""Pseudonymised cohort exports and re-identification behind the two-person rule (ADR 0020): the export names
nobody; a list of pseudonyms turns back into people only after a second person approves exactly that list, only for
the person who asked, every read audited; on the web and as commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain import pseudonyms as rules
from wholefamily.domain.roles import Role
from wholefamily.governance import approvals, pseudonyms
from wholefamily.governance.models import Approval, AuditEvent

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 3, 31)


@pytest.fixture
def cohort():
    return build_cohort()


def build_cohort():
    """One qualifying family of three (one left before the run's date) and one family that does not qualify."""
    from wholefamily.identification.models import CohortFamily, Evidence, IdentificationRun
    from wholefamily.linkage.models import Household, LinkageRun, Membership, Person

    linkage = LinkageRun.objects.create(run_id="L1", status="succeeded", settings_version="1",
                                        started_at=timezone.now(), is_current=True)  # fmt: skip
    run = IdentificationRun.objects.create(
        programme="supporting-families-2022", programme_version=1, programme_title="Supporting Families",
        as_of_on=AS_OF, snapshot="L1", status="succeeded", started_at=timezone.now(),
    )  # fmt: skip
    people = {}
    for household_id, family_id, qualifies, members in (
        ("H-1", "F-1", True, [("P-AMY", "Amy", dt.date(1990, 5, 1), None), ("P-BEN", "Ben", dt.date(2012, 1, 9), None),
                              ("P-CAL", "Cal", dt.date(1960, 2, 2), dt.date(2024, 1, 1))]),
        ("H-2", "F-2", False, [("P-DOT", "Dot", dt.date(1985, 3, 3), None)]),
    ):  # fmt: skip
        household = Household.objects.create(household_id=household_id, address="1 High St", last_run=linkage)
        family = CohortFamily.objects.create(run=run, family_id=family_id, household_id=household_id,
                                             is_qualifying=qualifies, problems_met="crime;education",
                                             problem_count=2, change="first_run", district="Northmoor")  # fmt: skip
        for person_id, forename, born, left in members:
            person = Person.objects.create(person_id=person_id, forename=forename, surname="Testfamily",
                                           date_of_birth=born, sex="F", last_run=linkage)  # fmt: skip
            Membership.objects.create(person=person, household=household, role="other_adult",
                                      start_on=dt.date(2010, 1, 1), end_on=left)  # fmt: skip
            people[person_id] = person
        Evidence.objects.create(family=family, person_id="P-BEN", indicator="persistent_absence", problem="education",
                                dataset_version_id="v1", source_record_id="S1")  # fmt: skip
    return run


@pytest.fixture
def staff(make_staff):
    return {
        "analyst": make_staff("ana", Role.DATA_ANALYST),
        "manager": make_staff("pat", Role.PROGRAMME_MANAGER),
        "admin": make_staff("ada", Role.ADMINISTRATOR),
        "commissioner": make_staff("col", Role.COMMISSIONER),
    }


def _pseudonym(person_id: str) -> str:
    return rules.person_pseudonym(person_id, key=pseudonyms.key())


def test_the_export_is_one_row_a_current_member_of_each_qualifying_family_naming_nobody(client, cohort, staff):
    client.force_login(staff["analyst"])
    response = client.get(reverse("identification:cohort_pseudonymised", args=[cohort.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["pseudonym"] for row in rows] == sorted([_pseudonym("P-AMY"), _pseudonym("P-BEN")])
    assert {row["age_band"] for row in rows} == {"25-34", "11-15"}
    ben = next(row for row in rows if row["pseudonym"] == _pseudonym("P-BEN"))
    assert ben["indicators_met"] == "persistent_absence" and ben["family_pseudonym"].startswith("F")
    for secret in ("P-AMY", "P-BEN", "Amy", "Testfamily", "1990", "H-1", "F-1", "P-CAL", "P-DOT"):
        assert secret not in text
    event = AuditEvent.objects.get(action="identification.cohort.pseudonymised_export")
    assert event.actor == staff["analyst"] and event.detail == {"rows": 2, "families": 1}
    # Not for a commissioner (no person-level data), and not without a key.
    client.force_login(staff["commissioner"])
    assert client.get(reverse("identification:cohort_pseudonymised", args=[cohort.pk])).status_code == 403


def test_a_missing_key_fails_clearly(cohort, staff, settings):
    settings.WHOLEFAMILY_PSEUDONYM_KEY = ""
    with pytest.raises(pseudonyms.PseudonymKeyMissing, match="WHOLEFAMILY_PSEUDONYM_KEY is not set"):
        pseudonyms.pseudonymised_cohort(run=cohort, for_user=staff["analyst"])
    with pytest.raises(CommandError, match="WHOLEFAMILY_PSEUDONYM_KEY is not set"):
        call_command("pseudonymise", str(cohort.pk), "--out", "/tmp/never.csv", "--user", "ana")


def test_reidentification_needs_a_second_person_and_only_the_asker_sees_who_they_are(client, cohort, staff):
    listed = [_pseudonym("P-BEN"), _pseudonym("P-AMY"), "X" + "0" * 20]
    client.force_login(staff["analyst"])
    url = reverse("governance:reidentification")
    bad = client.post(url, {"pseudonyms": "P-BEN", "reason": "Evaluation interviews"})
    assert bad.status_code == 400 and "These are not pseudonyms" in bad.content.decode()
    asked = client.post(url, {"pseudonyms": "\n".join(listed), "reason": "Evaluation interviews"})
    assert asked.status_code == 302
    approval = Approval.objects.get(kind=approvals.REIDENTIFICATION)
    assert approval.summary["Pseudonyms"] == "3" and pseudonyms.listed_in(approval) == listed
    result = reverse("governance:reidentification_result", args=[approval.pk])
    assert client.get(result).status_code == 403  # not approved yet
    with pytest.raises(approvals.ApprovalError):
        approvals.decide_approval(approval=approval, approve=True, by=staff["analyst"])
    with pytest.raises(PermissionDenied):  # an analyst may ask, not approve
        approvals.decide_approval(approval=approval, approve=True, by=make_other_analyst(staff))
    approvals.decide_approval(approval=approval, approve=True, by=staff["manager"])

    page = client.get(result)
    assert page.status_code == 200
    body = page.content.decode()
    assert "P-BEN" in body and "Amy Testfamily" in body and "Not found" in body and "2 of 3 pseudonyms found" in body
    reads = AuditEvent.objects.filter(action="view", object_type="linkage.person", actor=staff["analyst"])
    assert sorted(reads.values_list("object_id", flat=True)) == ["P-AMY", "P-BEN"]
    assert AuditEvent.objects.get(action="governance.reidentify", outcome="success").detail == {
        "pseudonyms": 3, "found": 2}  # fmt: skip
    # The approver does not get the answer; nor does anyone else.
    client.force_login(staff["manager"])
    assert client.get(result).status_code == 404
    # Past the approval's 7 days: refused again.
    Approval.objects.filter(pk=approval.pk).update(decided_at=timezone.now() - dt.timedelta(days=8))
    client.force_login(staff["analyst"])
    assert client.get(result).status_code == 403
    assert AuditEvent.objects.filter(action="governance.reidentify", outcome="denied").count() == 2


def make_other_analyst(staff):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.filter(username="ana2").first()
    if other is None:
        from django.contrib.auth.models import Group

        other = get_user_model().objects.create_user(username="ana2", password="x-long-password-1")
        other.groups.set([Group.objects.get_or_create(name=Role.DATA_ANALYST.value)[0]])
    return other


def test_the_commands_export_then_ask_then_write_who_they_are(tmp_path, cohort, staff):
    exported = tmp_path / "cohort.csv"
    out = StringIO()
    call_command("pseudonymise", str(cohort.pk), "--out", str(exported), "--user", "ana", stdout=out)
    assert "Wrote 2 members" in out.getvalue()
    with pytest.raises(CommandError, match="Pseudonymised exports are for"):
        call_command("pseudonymise", str(cohort.pk), "--out", str(exported), "--user", "col")

    out = StringIO()
    call_command("reidentify", str(exported), "--user", "ana", "--reason", "Evaluation interviews", stdout=out)
    assert "Asked for approval" in out.getvalue()
    out = StringIO()
    call_command("reidentify", str(exported), "--user", "ana", stdout=out)
    assert "Waiting for a second person" in out.getvalue()
    approvals.decide_approval(approval=Approval.objects.get(), approve=True, by=staff["admin"])
    found = tmp_path / "found.csv"
    with pytest.raises(CommandError, match="--out"):
        call_command("reidentify", str(exported), "--user", "ana")
    with pytest.raises(CommandError, match="Only the person who asked"):
        call_command("reidentify", str(exported), "--user", "pat", "--out", str(found))
    out = StringIO()
    call_command("reidentify", str(exported), "--user", "ana", "--out", str(found), stdout=out)
    assert "Wrote who 2 of 2 pseudonyms are" in out.getvalue()
    assert {row["person_id"] for row in csv.DictReader(found.open())} == {"P-AMY", "P-BEN"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("Xnothex", "not pseudonyms"),
        (" ".join("X" + f"{i:020x}" for i in range(1001)), "at most"),
    ],
)
def test_a_list_that_cannot_be_reidentified_is_refused_with_a_reason(text, message):
    with pytest.raises(rules.PseudonymListError, match=message):
        rules.parse_list(text)
