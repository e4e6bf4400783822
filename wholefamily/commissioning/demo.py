"""Example services for the demo county's catalogue, clearly marked as examples (`is_example`): the interventions
Commissioning for Families with Complex Needs names (section 2.1, Analysis of research; section 2.2, Planning the
development of services or interventions). Their capacities, costs and reach are invented for the demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from wholefamily.commissioning.models import Service
from wholefamily.commissioning.services import save_service

EXAMPLE_NOTE = "An example for the demo: its provider, capacity, cost and reach are invented."
SOURCE = "Commissioning for Families with Complex Needs"

# (name, provider, delivery, needs, tier, ages, districts (indexes into the county's, None: all), capacity, unit,
#  hours per family, unit cost, rating, evidence source, key worker)
EXAMPLES: tuple[tuple[Any, ...], ...] = (
    ("Family intervention project", "Wealdshire Council family support", "in_house",
     ["crime", "education", "family_relationships", "housing", "domestic_abuse"], "tier_3", (0, 17), None, 60,
     "places", None, "1150.00", "promising",
     f"{SOURCE}, section 1.1 (the Family Intervention Project pilots' evaluation)", True),
    ("Multi-systemic therapy", "Example Therapies Ltd", "commissioned",
     ["crime", "education", "family_relationships"], "tier_3", (11, 17), (0, 1, 2), 900, "hours", 60, "95.00",
     "proven", f"{SOURCE}, section 2.1 (Multi-Systemic Therapy, for young people aged 11 to 17 and their families)",
     True),
    ("Worklessness programme for vulnerable parents", "Example Employment Trust", "commissioned",
     ["financial_stability"], "tier_2", (16, 99), None, 45, "places", None, "620.00", "local",
     f"{SOURCE}, section 2.2 (a programme to address worklessness for vulnerable parents)", False),
    ("Triple P parenting programme", "Wealdshire Council early help", "in_house",
     ["family_relationships", "early_years"], "tier_2", (0, 16), None, 80, "places", None, "240.00", "proven",
     f"{SOURCE}, section 2.1 (specific parenting programmes such as Triple P Parenting, for 0 to 16 years)", False),
    ("Family nurse partnership", "Example Community Health Trust", "commissioned",
     ["early_years", "health"], "tier_3", (0, 2), (0, 2, 4), 25, "places", None, "1800.00", "proven",
     f"{SOURCE}, section 2.1 (Family Nurse Partnership, for children 0 to 2 and vulnerable first time mothers)",
     True),
    ("Domestic abuse family outreach", "Example Refuge Partnership", "commissioned",
     ["domestic_abuse", "safe_from_abuse"], "tier_3", (0, 99), (0, 1, 3), 30, "places", None, "900.00", "untested",
     f"{SOURCE}, section 2.2 (domestic violence services asked how they may contribute)", True),
)  # fmt: skip


def load_example_services(districts: list[str], *, system_actor: str, today: dt.date) -> int:
    """Add the example services missing from the catalogue (safe to run again); the number added."""
    added = 0
    starts_on = dt.date(today.year - 1, 4, 1)
    for index, (name, provider, delivery, needs, tier, ages, reach, capacity, unit, hours, cost, rating, source,
                key_worker) in enumerate(EXAMPLES, start=1):  # fmt: skip
        if Service.objects.filter(name=name).exists() or not districts:
            continue
        reached = districts if reach is None else [districts[i] for i in reach if i < len(districts)]
        data = {
            "name": name, "provider": provider, "delivery": delivery, "description": EXAMPLE_NOTE,
            "target_needs": needs, "tier": tier, "min_age": ages[0], "max_age": ages[1], "districts": reached,
            "capacity": capacity, "capacity_unit": unit, "hours_per_family": hours, "unit_cost": Decimal(cost),
            "evidence_rating": rating, "evidence_source": source, "provides_key_worker": key_worker,
            "contract_reference": f"EX-{index:03d}" if delivery == "commissioned" else "",
            "starts_on": starts_on, "ends_on": dt.date(today.year + 2, 3, 31),
        }  # fmt: skip
        save_service(service=None, data=data, by=None, is_example=True, system_actor=system_actor)
        added += 1
    return added


# Goals the demo key worker sets with today's families on a plan, each with the example services it refers to: the
# second family has two key-worker services at once, so the need-against-capacity page shows an overlap.
EXAMPLE_GOALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Fewer arguments and a calmer home", "Weekly visits from the family's key worker",
     ("Family intervention project",)),
    ("The young person stays out of trouble", "Therapy at home with the family",
     ("Family intervention project", "Multi-systemic therapy")),
    ("A parent on the way to work", "Join the employment programme",
     ("Worklessness programme for vulnerable parents",)),
)  # fmt: skip


def refer_example_families(cases: list[Any], *, worker: Any, today: dt.date) -> int:
    """For today's families with an agreed plan and no goal yet: a goal each and referrals to the example services,
    accepted and started (so the services show use); the number of referrals made."""
    from wholefamily.cases import services as case_services
    from wholefamily.cases.models import Goal
    from wholefamily.commissioning.models import ServiceReferral
    from wholefamily.commissioning.services import refer, step_referral
    from wholefamily.domain.commissioning import ReferralState

    by_name = {service.name: service for service in Service.objects.filter(is_example=True)}
    made = 0
    planned = [case for case in cases if hasattr(case, "plan") and case.is_open]
    for case, (description, actions, names) in zip(planned, EXAMPLE_GOALS, strict=False):
        if Goal.objects.filter(plan__case=case).exists() or ServiceReferral.objects.filter(case=case).exists():
            continue
        plan = case.plan
        goal = case_services.add_goal(
            plan=plan, expected_version=plan.version, member=None, description=description, actions=actions,
            agency="Early help", due_on=today + dt.timedelta(days=90), by=worker,
        )  # fmt: skip
        for name in names:
            if name not in by_name:
                continue
            referral = refer(goal=goal, service=by_name[name], referred_on=today - dt.timedelta(days=14), by=worker)
            referral = step_referral(referral=referral, to=ReferralState.ACCEPTED,
                                     on=today - dt.timedelta(days=10), note="", by=worker)  # fmt: skip
            step_referral(referral=referral, to=ReferralState.STARTED, on=today - dt.timedelta(days=3), note="",
                          by=worker)  # fmt: skip
            made += 1
    return made


EXAMPLE_CONTRACT_SERVICE = "Multi-systemic therapy"
DEMO_PROVIDER, DEMO_COMMISSIONER = "provider", "commissioner"


def load_example_contract(*, today: dt.date) -> bool:
    """A contract for the example commissioned therapy service, the demo provider entering its returns: the earlier
    quarter's return came in late and the last quarter's is waiting (ADR 0027). False when it is there already."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from wholefamily.commissioning.models import Contract, QuarterlyReturn
    from wholefamily.commissioning.services import create_contract
    from wholefamily.domain.reporting.quarters import quarter_of
    from wholefamily.governance.audit import record

    users = get_user_model().objects
    service = Service.objects.filter(name=EXAMPLE_CONTRACT_SERVICE, is_example=True).first()
    provider = users.filter(username=DEMO_PROVIDER).first()
    commissioner = users.filter(username=DEMO_COMMISSIONER).first()
    if service is None or provider is None or commissioner is None or Contract.objects.filter(service=service).exists():
        return False
    earlier = quarter_of(today).previous().previous()
    contract = create_contract(
        service=service, reference="EX-MST-2026", starts_on=earlier.starts_on, ends_on=dt.date(today.year + 2, 3, 31),
        value=Decimal("86000"), indicators=[
            "hours_of_service", "referrals", "cases_allocated", "cases_closed", "inappropriate_referrals",
            "response_days", "engagement_rate", "goals_achieved", "parents_cope", "unit_cost_per_hour",
        ], provider_users=[provider], by=commissioner,
    )  # fmt: skip
    late = QuarterlyReturn.objects.create(
        contract=contract, quarter=earlier.code, submitted_on=earlier.ends_on + dt.timedelta(days=41),
        submitted_at=timezone.now(), submitted_by=provider,
        figures={"hours_of_service": 610, "referrals": 12, "cases_allocated": 9, "engagement_rate": 82},
        narrative={"progress_against_aims": "An example return: nine families started therapy at home.",
                   "working_well": "Visits at home in the evenings.", "difficulties": "Two therapists left.",
                   "feedback": "Parents asked for visits in the school holidays."},
    )  # fmt: skip
    record(by=provider, action="create", obj=late, detail={"quarter": earlier.code, "example": True})
    return True


def load_example_statement() -> bool:
    """Version 1 of an example market position statement, written by the demo commissioner (False when one exists)."""
    from django.contrib.auth import get_user_model

    from wholefamily.commissioning.market import publish
    from wholefamily.commissioning.models import MarketPositionStatement

    commissioner = get_user_model().objects.filter(username=DEMO_COMMISSIONER).first()
    if commissioner is None or MarketPositionStatement.objects.exists():
        return False
    publish(
        title="Example market position statement: services for families with complex needs",
        summary="An example for the demo. The county wants fewer families to reach statutory services: more "
        "intensive family support where need is highest, and work for parents out of work.",
        intentions="Grow the worklessness programme where the gap is widest. Extend multi-systemic therapy to every "
        "district. Avoid a second key worker for families already with the family intervention project.",
        to_providers="Providers are invited to a market event before the next tender.",
        by=commissioner,
    )
    return True
