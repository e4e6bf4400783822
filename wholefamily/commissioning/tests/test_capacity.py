"""Need against capacity: per service and district, the identified families whose problems it targets against its
places and current use, need no service targets, and families with two key-worker services at once. The figures are
recomputed another way (identification's own cohort filter, the referrals counted by the database) and must agree;
the page shows counts only, through the small-numbers rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from wholefamily.commissioning import selectors, services
from wholefamily.commissioning.models import ServiceReferral
from wholefamily.commissioning.tests.conftest import TODAY
from wholefamily.domain.commissioning import ReferralState

pytestmark = pytest.mark.django_db

# (household, district, problems): 12 families in the north, 3 in the south; one no longer qualifies.
COHORT = [
    *[(f"HN{n:02d}", "Northmoor", "crime;education;housing") for n in range(6)],
    *[(f"HN{n:02d}", "Northmoor", "financial_stability;health;substance_use") for n in range(6, 12)],
    ("HS01", "Southvale", "crime;domestic_abuse;education"),
    ("HS02", "Southvale", "substance_use;health;housing"),
    ("HS03", "Southvale", "education;early_years;health"),
]


@pytest.fixture
def run(north: Any, south: Any) -> Any:
    from wholefamily.identification.models import CohortFamily, IdentificationRun

    run = IdentificationRun.objects.create(
        programme="supporting-families-2022", programme_version=1, programme_title="Supporting Families",
        as_of_on=TODAY - dt.timedelta(days=30), snapshot="/tmp/none", status=IdentificationRun.Status.SUCCEEDED,
        started_at=timezone.now(),
    )  # fmt: skip
    for household, district, problems in COHORT:
        CohortFamily.objects.create(
            run=run, family_id=f"F-{household}", household_id=household, district=district, ward="Ward",
            problems_met=problems, problem_count=3, change="first_run",
            team=north if district == "Northmoor" else south,
        )  # fmt: skip
    CohortFamily.objects.create(
        run=run, family_id="F-GONE", household_id="HGONE", district="Northmoor", problems_met="crime",
        problem_count=1, change="no_longer", is_qualifying=False,
    )  # fmt: skip
    return run


def test_need_against_capacity_agrees_with_the_cohort_and_the_referrals(
    run: Any, staff: dict[str, Any], family_with_goal: Any, make_service: Any
) -> None:
    from wholefamily.identification import selectors as identification

    fip = make_service(name="Family intervention project", target_needs=["crime", "housing"], capacity=9,
                       provides_key_worker=True)  # fmt: skip
    mst = make_service(name="Multi-systemic therapy", target_needs=["crime"], districts=["Northmoor"],
                       capacity=600, capacity_unit="hours", hours_per_family=60, provides_key_worker=True)  # fmt: skip
    work = make_service(name="Work programme", target_needs=["financial_stability"], districts=["Northmoor"],
                        capacity=2, provides_key_worker=False)  # fmt: skip
    # Open cases for three northern households; two with both key-worker services at once (an overlap).
    goals = [family_with_goal(f"the N{n} family", household=f"HN{n:02d}") for n in range(3)]
    for goal in goals[:2]:
        for service in (fip, mst):
            referral = services.refer(goal=goal, service=service, referred_on=TODAY, by=staff["worker"])
            services.step_referral(referral=referral, to=ReferralState.ACCEPTED, on=TODAY, note="",
                                   by=staff["worker"])  # fmt: skip
    services.refer(goal=goals[2], service=work, referred_on=TODAY, by=staff["worker"])

    report = selectors.capacity_report(selectors.latest_run(), on=TODAY)
    rows = {(row.service, row.district): row for row in report.rows}
    assert set(rows) == {("Family intervention project", "Northmoor"), ("Family intervention project", "Southvale"),
                         ("Multi-systemic therapy", "Northmoor"), ("Work programme", "Northmoor")}  # fmt: skip
    # Another way: identification's own cohort filter, problem by problem, and the referrals counted by the database.
    for (name, district), row in rows.items():
        service = {s.name: s for s in (fip, mst, work)}[name]
        households = set()
        for problem in service.target_needs:
            cohort = identification.cohort(for_user=staff["programme"], run=run, district=district, problem=problem)
            households |= set(cohort.values_list("household_id", flat=True))
        assert row.need == len(households), (name, district)
        assert row.need_with_case == len(households & {"HN00", "HN01", "HN02"}), (name, district)
        in_district = ServiceReferral.objects.filter(service=service, case__team__district=district)
        assert row.in_use == in_district.filter(state__in=["accepted", "started"]).count()
        assert row.waiting == in_district.filter(state__in=["referred", "accepted"]).count()
    assert rows[("Family intervention project", "Northmoor")].places == 4.5  # 9 places shared by two districts
    assert rows[("Multi-systemic therapy", "Northmoor")].places == 10  # 600 hours at 60 hours a family
    assert rows[("Family intervention project", "Northmoor")].is_gap  # 6 families, 4.5 places
    assert rows[("Work programme", "Northmoor")].is_gap and rows[("Work programme", "Northmoor")].need == 6
    assert not rows[("Multi-systemic therapy", "Northmoor")].is_gap
    unserved = {(u.district, u.problem): u.families for u in report.unserved}
    assert unserved[("Northmoor", "health")] == 6 and unserved[("Southvale", "early_years")] == 1
    assert ("Northmoor", "crime") not in unserved and ("Southvale", "crime") not in unserved
    [overlap] = report.overlaps
    assert (overlap.district, overlap.families) == ("Northmoor", 2)
    assert overlap.services == ("Family intervention project", "Multi-systemic therapy")


def test_the_commissioner_sees_gaps_and_overlaps_and_no_family(
    client: Any, run: Any, staff: dict[str, Any], family_with_goal: Any, make_service: Any
) -> None:
    make_service(name="Work programme", target_needs=["financial_stability"], districts=["Northmoor"], capacity=2)
    family_with_goal("the Hollowell family", household="HN07")
    client.force_login(staff["commissioner"])
    response = client.get("/commissioning/capacity/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gap" in page and "4 families beyond the places" in page  # 6 in need, 2 places
    assert "fewer than 5" in page  # the one family with an open case
    assert "Hollowell" not in page and "HN07" not in page
    assert '<svg role="img" aria-labelledby="need-chart"' in page
    client.force_login(staff["worker"])
    assert client.get("/commissioning/capacity/").status_code == 403


def test_without_an_identification_the_page_says_so(client: Any, staff: dict[str, Any], make_service: Any) -> None:
    make_service()
    client.force_login(staff["programme"])
    page = client.get("/commissioning/capacity/").content.decode()
    assert "No identification of the catalogue's programme has run yet" in page
