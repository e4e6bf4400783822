"""Benchmark: building one quarter's board pack for a 1,000,000-resident county's programme (about 4,000 families);
prints the time to read the records, compute the figures, draw the PDF and write the workbook.

Makes a private SQLite database in a temporary folder (or uses --database-url), migrates it, and writes synthetic
families straight to the records with bulk inserts: teams, key workers, cases over four years with members,
referrals, allocations, assessments, plans and goals, reviews, Team Around the Family meetings and key worker's
distance-travelled scores at the baseline and two reviews. Figures are printed, not judged (the target is under a
minute).

    .venv/bin/python bench/bench_board_pack.py [--families 4000] [--seed 7] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = ("Northmoor", "Southvale", "Eastwick", "Westford", "Highcliffe", "Lowbridge", "Ashdale", "Brookside")
TITLES = ("Family support worker", "Social worker", "Youth worker", "Health visitor", "Education welfare officer")
SOURCES = ("early_help_caf", "social_care_nfa", "youth_offending_asset", "marac", "school", "health", "self_referral")
DESTINATIONS = ("outcomes_achieved", "step_down_universal", "step_down_targeted", "step_up_social_care", "disengaged")
AGENCIES = ("School", "Health", "Police", "Housing", "Jobcentre", "Youth offending")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="wf-bench-pack-")
    os.environ["WHOLEFAMILY_VAR_DIR"] = folder
    os.environ["WHOLEFAMILY_ENV"] = "test"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    manager = _load(args.families, random.Random(args.seed))
    loaded = time.monotonic()
    print(f"records: {args.families:,} families written in {loaded - started:.1f} s (including migrations)")

    from wholefamily.domain.reporting.quarters import Quarter
    from wholefamily.reporting.pack import build_figures
    from wholefamily.reporting.pdf import board_pack_pdf
    from wholefamily.reporting.services import build_board_pack
    from wholefamily.reporting.workbook import board_pack_xlsx

    quarter = Quarter(2026, 1)
    t0 = time.monotonic()
    figures = build_figures(user=manager, quarter=quarter, council="Bench County Council")
    t1 = time.monotonic()
    pdf = board_pack_pdf(figures, version=1, built_on="7 December 2026", built_by="Bench")
    t2 = time.monotonic()
    xlsx = board_pack_xlsx(figures, version=1, built_on="7 December 2026")
    t3 = time.monotonic()
    pack = build_board_pack(quarter=quarter, by=manager)
    t4 = time.monotonic()
    print(f"figures (records read, report cards, monitoring, progress, funding): {t1 - t0:.2f} s")
    print(f"PDF: {t2 - t1:.2f} s, {len(pdf) / 1024:.0f} KiB; XLSX: {t3 - t2:.2f} s, {len(xlsx) / 1024:.0f} KiB")
    print(
        f"board pack built and kept (service, as the background job runs it): {t4 - t3:.2f} s, version {pack.version}"
    )


def _load(families: int, rng: random.Random) -> object:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from wholefamily.cases.models import (
        Allocation,
        Assessment,
        Case,
        DistrictEstimate,
        Goal,
        Member,
        Plan,
        Referral,
        Review,
        TafAttendee,
        TafMeeting,
    )
    from wholefamily.domain.roles import Role
    from wholefamily.governance.models import StaffProfile, Team
    from wholefamily.outcomes.models import DistanceAssessment, DistanceScore

    def at(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))

    teams = [Team.objects.create(name=f"{d} Families Team", district=d) for d in DISTRICTS]
    for district in DISTRICTS:
        DistrictEstimate.objects.create(district=district, families_estimated=families // len(DISTRICTS) + 150)
    manager = User.objects.create_user("bench.manager", password=None)
    manager.groups.add(Group.objects.get_or_create(name=Role.PROGRAMME_MANAGER.value)[0])
    StaffProfile.objects.create(user=manager, job_title="Programme manager")
    workers_of: dict[int, list[User]] = {}
    key_worker_group = Group.objects.get_or_create(name=Role.KEY_WORKER.value)[0]
    for team in teams:
        for index in range(6):
            worker = User.objects.create_user(f"bench.kw.{team.pk}.{index}", password=None)
            worker.groups.add(key_worker_group)
            StaffProfile.objects.create(user=worker, team=team, job_title=rng.choice(TITLES))
            workers_of.setdefault(team.pk, []).append(worker)
    first, span = dt.date(2022, 4, 1), (dt.date(2026, 9, 30) - dt.date(2022, 4, 1)).days
    cases = []
    for index in range(families):
        team = rng.choice(teams)
        opened = first + dt.timedelta(days=rng.randrange(span))
        closed = opened + dt.timedelta(days=rng.randint(60, 540))
        is_closed = closed < dt.date(2026, 9, 30) and rng.random() < 0.8
        cases.append(
            Case(
                reference=f"B-{index:06d}",
                family_name=f"Bench family {index}",
                household_id=f"H{index:06d}",
                team=team,
                origin=rng.choice(("cohort", "referral")),
                stage="closed" if is_closed else "plan_active",
                stage_changed_at=at(opened),
                opened_on=opened,
                closed_on=closed if is_closed else None,
                closure_destination=rng.choice(DESTINATIONS) if is_closed else "",
                key_worker=rng.choice(workers_of[team.pk]),
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    cases = list(Case.objects.order_by("pk"))
    members, allocations, assessments, plans, reviews, meetings, referrals = [], [], [], [], [], [], []
    for case in cases:
        adults = rng.choice((1, 1, 2))
        children = rng.randint(1, 4)
        for n in range(adults):
            members.append(
                Member(
                    case=case,
                    display_name=f"Adult {n}",
                    role="parenting_adult",
                    start_on=case.opened_on,
                    born_on=dt.date(1980 + rng.randrange(15), 1, 1),
                )
            )
        for n in range(children):
            members.append(
                Member(
                    case=case,
                    display_name=f"Child {n}",
                    role="child",
                    start_on=case.opened_on,
                    born_on=dt.date(2008 + rng.randrange(17), 6, 1),
                )
            )
        allocated = case.opened_on + dt.timedelta(days=rng.randint(5, 40))
        allocations.append(
            Allocation(
                case=case,
                worker_id=case.key_worker_id,
                allocated_at=at(allocated),
                allocated_by=manager,
                ended_at=at(case.closed_on) if case.closed_on else None,
            )
        )
        assessments.append(
            Assessment(
                case=case,
                definition="whole_family@1",
                assessed_on=allocated + dt.timedelta(days=14),
                summary="Bench",
                recorded_by=manager,
                recorded_at=at(allocated),
            )
        )
        agreed = allocated + dt.timedelta(days=28)
        plans.append(
            Plan(
                case=case,
                aims="Bench",
                agreed_on=agreed,
                updated_at=at(agreed),
                updated_by=manager,
                agreement_signed_on=agreed if rng.random() < 0.7 else None,
            )
        )
        due = agreed + dt.timedelta(days=30)
        end = case.closed_on or dt.date(2026, 9, 30)
        while due < end:
            reviews.append(
                Review(
                    case=case,
                    due_on=due,
                    held_on=due + dt.timedelta(days=rng.randint(-5, 20)),
                    progress="Bench",
                    outcome="continue",
                    recorded_by=manager,
                    recorded_at=at(due),
                )
            )
            due += dt.timedelta(days=91)
        for n in range(2):
            meetings.append(TafMeeting(case=case, held_on=agreed - dt.timedelta(days=7 - 60 * n), recorded_by=manager))
        referrals.append(
            Referral(
                team=case.team,
                source=rng.choice(SOURCES),
                referrer="Bench",
                received_on=case.opened_on,
                family_name=case.family_name,
                reason="Bench",
                recorded_by=manager,
                recorded_at=at(case.opened_on),
                decision="accept",
                decided_by=manager,
                decided_at=at(case.opened_on + dt.timedelta(days=rng.randint(0, 25))),
                case=case if case.origin == "referral" else None,
            )
        )
    for index in range(families // 4):
        received = first + dt.timedelta(days=rng.randrange(span))
        referrals.append(
            Referral(
                team=rng.choice(teams),
                source=rng.choice(SOURCES),
                referrer="Bench",
                received_on=received,
                family_name=f"Bench referral {index}",
                reason="Bench",
                recorded_by=manager,
                recorded_at=at(received),
                decision=rng.choice(("signpost", "refer_to_social_care")),
                decided_by=manager,
                decided_at=at(received + dt.timedelta(days=rng.randint(0, 30))),
            )
        )
    Member.objects.bulk_create(members, batch_size=5000)
    Allocation.objects.bulk_create(allocations, batch_size=5000)
    Assessment.objects.bulk_create(assessments, batch_size=5000)
    Plan.objects.bulk_create(plans, batch_size=5000)
    Review.objects.bulk_create(reviews, batch_size=5000)
    TafMeeting.objects.bulk_create(meetings, batch_size=5000)
    Referral.objects.bulk_create(referrals, batch_size=5000)
    goals = [
        Goal(
            plan=plan,
            description="Bench",
            actions="Bench",
            agency=rng.choice(AGENCIES),
            due_on=plan.agreed_on,
            is_achieved=rng.random() < 0.6,
        )
        for plan in Plan.objects.all()
        for _ in range(4)
    ]
    Goal.objects.bulk_create(goals, batch_size=5000)
    attendees = [
        TafAttendee(meeting=meeting, name="Bench", agency=rng.choice(AGENCIES))
        for meeting in TafMeeting.objects.all()
        for _ in range(3)
    ]
    TafAttendee.objects.bulk_create(attendees, batch_size=5000)
    members_of: dict[int, list[tuple[int, str]]] = {}
    for member_id, case_id, role in Member.objects.values_list("id", "case_id", "role"):
        members_of.setdefault(case_id, []).append((member_id, role))
    distance_assessments = []
    for case in cases:
        for point in range(3):
            on = case.opened_on + dt.timedelta(days=30 + 120 * point)
            if case.closed_on is not None and on > case.closed_on:
                break
            distance_assessments.append(
                DistanceAssessment(
                    case=case,
                    definition="appendix_d@1",
                    time_point=point,
                    assessed_on=on,
                    assessor="key_worker",
                    recorded_by=manager,
                    recorded_at=at(on),
                )
            )
    DistanceAssessment.objects.bulk_create(distance_assessments, batch_size=5000)
    scores = []
    for assessment_id, case_id, point in DistanceAssessment.objects.values_list("id", "case_id", "time_point"):
        base = 4 - point
        scores += [
            DistanceScore(
                assessment_id=assessment_id,
                member=None,
                item=f"family_{n}",
                score=max(1, min(5, base + rng.randint(-1, 1))),
            )
            for n in range(4)
        ]
        for member_id, role in members_of.get(case_id, []):
            count = 13 if role == "child" else 6
            scores += [
                DistanceScore(
                    assessment_id=assessment_id,
                    member_id=member_id,
                    item=f"{role}_{n}",
                    score=max(1, min(5, base + rng.randint(-1, 1))),
                )
                for n in range(count)
            ]
    DistanceScore.objects.bulk_create(scores, batch_size=10000)
    print(
        f"  {len(members):,} members, {len(reviews):,} reviews, {len(goals):,} goals, {len(referrals):,} referrals, "
        f"{len(distance_assessments):,} distance-travelled time points, {len(scores):,} scores"
    )
    return manager


if __name__ == "__main__":
    main()
