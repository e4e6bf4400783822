"""Two people edit the same plan at once: the second save is refused with a clear message, never a lost update."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from wholefamily.cases import services
from wholefamily.cases.models import CaseEvent, Plan
from wholefamily.domain.pathway import EventCode, Stage


@pytest.mark.django_db
def test_the_second_save_from_a_stale_version_is_refused(new_family, worker, manager):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    opened_by_worker = Plan.objects.get(case=case)
    opened_by_manager = Plan.objects.get(case=case)
    assert opened_by_worker.version == opened_by_manager.version == 1

    services.update_plan(
        plan=opened_by_worker, expected_version=1, aims="Worker's aims", agreement_signed_on=None, by=worker
    )
    with pytest.raises(services.StalePlanError, match=r"Kim Worker changed this plan at .* have not been saved"):
        services.update_plan(
            plan=opened_by_manager, expected_version=1, aims="Manager's aims", agreement_signed_on=None, by=manager
        )
    with pytest.raises(services.StalePlanError):
        services.add_goal(
            plan=opened_by_manager,
            expected_version=1,
            member=None,
            description="x",
            actions="x",
            agency="x",
            due_on=case.opened_on,
            by=manager,
        )
    plan = Plan.objects.get(case=case)
    assert (plan.aims, plan.version, plan.updated_by) == ("Worker's aims", 2, worker)
    assert plan.goals.count() == 0
    assert CaseEvent.objects.filter(case=case, code=EventCode.PLAN_UPDATED).count() == 1

    services.update_plan(plan=plan, expected_version=2, aims="Agreed together", agreement_signed_on=None, by=manager)
    assert Plan.objects.get(case=case).version == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database locks whole tables across threads; this runs on PostgreSQL",
)
def test_two_concurrent_saves_one_wins_one_is_refused(new_family, worker, manager):
    """Real threads, each with its own database connection, saving the same version at the same moment."""
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    plan = Plan.objects.get(case=case)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(who: str, user: object) -> None:
        try:
            start.wait()
            services.update_plan(plan=plan, expected_version=1, aims=f"{who}'s aims", agreement_signed_on=None, by=user)
            outcomes[who] = "saved"
        except services.StalePlanError:
            outcomes[who] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(who, user)) for who, user in (("Kim", worker), ("Maria", manager))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    plan.refresh_from_db()
    assert plan.aims == f"{winner}'s aims" and plan.version == 2
