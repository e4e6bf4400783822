"""The demo's history (ADR 0011): the families the synthetic county says were worked with (its modelled programme,
whose effect its agency data carries), each taken on by its district's team on the day its work started; and, for the
demo team, families taken on after each yearly identification. Each is worked with through the pathway on the days
it happened, scored for distance travelled, reviewed and closed; then outcomes are measured and claim windows'
claims computed, sampled, validated and rejected. Every step is a service call made by the demo staff, as they would
make it on the pages; nothing is written to a table directly.

`family_days` and `assign_workers` are pure: each family's days, and its key worker (never more open families than
the team's caseload limit on any day). `DemoHistory` carries them out through the services.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from django.contrib.auth.models import User
from django.db.models import Q

from wholefamily.cases import assessment_definition, from_cohort
from wholefamily.cases import services as cases
from wholefamily.cases.models import Case, Goal, Member, Plan, Review
from wholefamily.claims.models import Claim
from wholefamily.claims.services import change_claim_state, compute_claims, draw_spot_check
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.outcomes import distance
from wholefamily.domain.pathway import Destination, GatekeepingDecision, ReferralSource, Stage, add_months
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.models import StaffProfile, Team
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.linkage.models import Membership, PersonRecord
from wholefamily.outcomes.definitions import distance_definition
from wholefamily.outcomes.measuring import measure_outcomes
from wholefamily.outcomes.models import DistanceAssessment, OutcomeRun
from wholefamily.outcomes.services import record_distance_travelled

FAMILIES_PER_INTAKE = 12  # families the demo team takes on after each yearly identification
INTAKE_WEEKS = 24  # spread over the six months after the identification date
CLOSE_AFTER_MONTHS = (5, 6, 7, 6)  # months from the plan to closure, by family (two reviews or more)
DESTINATIONS = (
    Destination.OUTCOMES_ACHIEVED,
    Destination.STEP_DOWN_UNIVERSAL,
    Destination.OUTCOMES_ACHIEVED,
    Destination.STEP_DOWN_TARGETED,
    Destination.OUTCOMES_ACHIEVED,
    Destination.DISENGAGED,
    Destination.OUTCOMES_ACHIEVED,
    Destination.MOVED_OUT_OF_AREA,
)
SPOT_CHECK_PERCENT = Decimal(10)
SPOT_CHECK_SEED = 2026


@dataclass(frozen=True)
class Days:
    """One family's pathway, day by day (None: not reached by today)."""

    opened_on: dt.date
    gathered_on: dt.date
    waiting_on: dt.date
    allocated_on: dt.date | None
    assessed_on: dt.date | None
    agreed_on: dt.date | None
    reviews: tuple[dt.date, ...]
    closed_on: dt.date | None
    destination: Destination


def intake_day(index: int, count: int, *, identified_on: dt.date) -> dt.date:
    """The day the `index`-th of `count` families identified as of `identified_on` came onto the programme: a week
    after the identification, then spread over six months."""
    return identified_on + dt.timedelta(days=7 + (index * 7 * INTAKE_WEEKS) // max(count, 1))


def family_days(index: int, *, opened_on: dt.date, today: dt.date, stays_open: bool = False) -> Days:
    """The days of a family taken on on `opened_on`: information gathered in a week or two, a key worker a week
    later, assessed in a fortnight, a plan two weeks on, reviews one month after the plan and then every three months
    (the review dates of the pathway), closed five to seven months after the plan. Steps after `today` are left for
    the future. A family that `stays_open` is still being worked with today: reviewed every three months to today,
    not closed."""
    gathered_on = opened_on + dt.timedelta(days=5)
    waiting_on = gathered_on + dt.timedelta(days=7)
    allocated_on = waiting_on + dt.timedelta(days=7 + index % 5)
    assessed_on = allocated_on + dt.timedelta(days=14)
    agreed_on = assessed_on + dt.timedelta(days=14)
    close_on = add_months(agreed_on, CLOSE_AFTER_MONTHS[index % len(CLOSE_AFTER_MONTHS)])
    if stays_open:
        close_on = max(close_on, today + dt.timedelta(days=1))
    reviews, review_on = [], add_months(agreed_on, 1)
    while review_on < close_on:
        reviews.append(review_on)
        review_on = add_months(review_on, 3)

    def by_today(day: dt.date) -> dt.date | None:
        return day if day <= today else None

    return Days(
        opened_on=opened_on,
        gathered_on=gathered_on,
        waiting_on=waiting_on,
        allocated_on=by_today(allocated_on),
        assessed_on=by_today(assessed_on),
        agreed_on=by_today(agreed_on),
        reviews=tuple(day for day in reviews if day <= today),
        closed_on=by_today(close_on),
        destination=DESTINATIONS[index % len(DESTINATIONS)],
    )


def family_score(index: int, position: int, point: int) -> int:
    """The `index`-th family's score on the `position`-th family-profile item at time point `point` (0 baseline):
    for most families need eases to minor (2) by the first review; every third family's need rises at the first
    review as more comes to light (Commissioning for Families with Complex Needs, Appendix D) and eases after; every
    fourth eases by one step only."""
    baseline = 3 + (index + position) % 3
    if point == 0:
        return baseline
    if index % 4 == 3:
        return baseline - 1
    if point == 1 and index % 3 == 0:
        return min(5, baseline + 1)
    return min(2, baseline - 2)


def assign_workers(plans: Sequence[Days], workers: Sequence[str], limits: dict[str, int]) -> list[str | None]:
    """A key worker for each family, round the team, never one holding `limit` open families on the allocation day
    (a family no one can take stays on the waiting list: None)."""
    held: dict[str, list[tuple[dt.date, dt.date | None]]] = {worker: [] for worker in workers}
    chosen: list[str | None] = []
    for position, days in enumerate(plans):
        pick = None
        if days.allocated_on is not None:
            start = days.allocated_on
            for offset in range(len(workers)):
                worker = workers[(position + offset) % len(workers)]
                open_then = sum(1 for begin, end in held[worker] if begin <= start and (end is None or end > start))
                if open_then < limits[worker]:
                    pick = worker
                    held[worker].append((start, days.closed_on))
                    break
        chosen.append(pick)
    return chosen


# The plan's goals the demo families agree (a goal for the whole family each, with the agency responsible).
GOALS = (
    ("Children in school every day", "Morning routine agreed; school attendance officer checks in weekly.", "School"),
    ("An adult on the way to work", "Work coach appointments; a training course chosen.", "Jobcentre Plus"),
    ("A calmer home", "Parenting course; domestic abuse support worker visits.", "Domestic abuse service"),
)


@dataclass
class HistoryTally:
    opened: int = 0
    closed: int = 0
    reviews: int = 0
    distance_points: int = 0
    claims: int = 0
    taf_meetings: int = 0
    referrals: int = 0
    goals: int = 0
    goals_achieved: int = 0


@dataclass(frozen=True)
class Intake:
    """A family to take on: the cohort family that identified it and the day it came onto the programme."""

    run: IdentificationRun
    family: CohortFamily
    members: list[cases.MemberDetails]
    opened_on: dt.date


def team_staff(team: Team) -> tuple[User, list[User]]:
    """The team's manager and its key workers (by username)."""
    profiles = StaffProfile.objects.filter(team=team).select_related("user").order_by("user__username")
    managers = [p.user for p in profiles if Role.TEAM_MANAGER in access.user_roles(p.user)]
    workers = [p.user for p in profiles if Role.KEY_WORKER in access.user_roles(p.user)]
    if not managers or not workers:
        raise ValueError(f"{team.name} has no team manager or no key worker")
    return managers[0], workers


class DemoHistory:
    """Carries the history out through the services, as each team's staff."""

    def __init__(self, *, today: dt.date, labels: dict[str, str], reserved: dict[str, int]) -> None:
        self.today, self.labels, self.reserved = today, labels, reserved
        self.tally = HistoryTally()
        self.domains = [domain.code for domain in assessment_definition.load().domains]
        family_profile = distance.Subject(distance.FAMILY, "The whole family", distance.FAMILY)
        self.family_items = [item.code for item in distance.items_for(distance_definition(), family_profile)]

    # --- the families ------------------------------------------------------------------------------------------

    def from_identification(self, run: IdentificationRun, team: Team, count: int) -> list[Intake]:
        """`count` of the run's qualifying families served by `team`, never on the programme before, taken on in
        the six months after the run's date."""
        taken = Case.objects.values("household_id")
        families = run.families.filter(team=team, is_qualifying=True).exclude(household_id__in=taken)
        chosen: list[tuple[CohortFamily, list[cases.MemberDetails]]] = []
        for family in families.order_by("-problem_count", "family_id")[: count * 2]:
            members = from_cohort.household_members(family.household_id, on=run.as_of_on)
            if members:
                chosen.append((family, members))
            if len(chosen) == count:
                break
        return [
            Intake(run, family, members, intake_day(index, len(chosen), identified_on=run.as_of_on))
            for index, (family, members) in enumerate(chosen)
        ]

    def from_worked_with(self, run: IdentificationRun, started: dict[str, dt.date]) -> list[Intake]:
        """The households the county worked with (linkage household -> the day the work started) that `run`
        identified, each with its team."""
        taken = set(Case.objects.values_list("household_id", flat=True))
        intakes = []
        families = run.families.filter(is_qualifying=True, household_id__in=list(started), team__isnull=False)
        for family in families.order_by("household_id"):
            opened_on = started[family.household_id]
            if family.household_id in taken or opened_on <= run.as_of_on:
                continue
            members = from_cohort.household_members(family.household_id, on=opened_on)
            if members:
                intakes.append(Intake(run, family, members, opened_on))
        return sorted(intakes, key=lambda intake: (intake.opened_on, intake.family.household_id))

    def take_on(self, intakes: Sequence[Intake], *, open_per_team: int = 0) -> list[Case]:
        """Each family on the programme from its day, worked with by its team to today (or its closure). The last
        `open_per_team` families each team takes on here are still open today, so its key workers have live
        caseloads with a history."""
        opened: list[Case] = []
        by_team: dict[int, list[Intake]] = defaultdict(list)
        for intake in intakes:
            assert intake.family.team is not None
            by_team[intake.family.team.pk].append(intake)
        for team_intakes in by_team.values():
            team = team_intakes[0].family.team
            assert team is not None
            manager, workers = team_staff(team)
            last = len(team_intakes) - open_per_team
            plans = [
                family_days(i, opened_on=intake.opened_on, today=self.today, stays_open=i >= last)
                for i, intake in enumerate(team_intakes)
            ]
            limits = {w.get_username(): team.caseload_limit - self.reserved.get(w.get_username(), 0) for w in workers}
            # Round the team so that the last family (open today, when any is) goes to the team's first key worker.
            usernames = [w.get_username() for w in workers]
            turn = (len(plans) - 1) % len(usernames)
            names = assign_workers(plans, usernames[-turn:] + usernames[:-turn] if turn else usernames, limits)
            staff = {w.get_username(): w for w in workers}
            for index, (intake, days, name) in enumerate(zip(team_intakes, plans, names, strict=True)):
                case = self._open(intake, days, team, manager)
                self._referred_elsewhere(case, team, manager, index)
                self._work(case, days, staff[name] if name else None, manager, index)
                opened.append(case)
        return opened

    def _open(self, intake: Intake, days: Days, team: Team, manager: User) -> Case:
        case = cases.open_case_from_cohort(
            team=team,
            household_id=intake.family.household_id,
            family_name=from_cohort.family_name_for(intake.members, intake.family.household_id),
            members=intake.members,
            evidence_summary=from_cohort.evidence_summary(intake.family, intake.run, self.labels),
            programme=intake.run.programme,
            priority=1 + self.tally.opened % 3,
            opened_on=days.opened_on,
            by=manager,
        )
        self.tally.opened += 1
        case = cases.move_case(case=case, to=Stage.INFORMATION_GATHERING, on=days.gathered_on, by=manager)
        note = "Information gathered from the agencies"
        return cases.move_case(case=case, to=Stage.AWAITING_ALLOCATION, note=note, on=days.waiting_on, by=manager)

    def _work(self, case: Case, days: Days, worker: User | None, manager: User, index: int) -> None:
        if worker is None or days.allocated_on is None:
            return
        cases.allocate_case(case=case, worker=worker, allocated_on=days.allocated_on, by=manager)
        if days.assessed_on is None:
            return
        case.refresh_from_db()
        scores = {code: 2 + (index + position) % 4 for position, code in enumerate(self.domains)}
        summary = "Whole-family assessment with the family at home."
        cases.record_assessment(case=case, assessed_on=days.assessed_on, summary=summary, scores=scores, by=worker)
        self._distance(case, days.assessed_on, worker, index, point=0)
        if days.agreed_on is None:
            return
        aims = "Children in school every day; the adults on the way to work; a calmer home."
        cases.agree_plan(case=case, aims=aims, agreed_on=days.agreed_on, agreement_signed_on=days.agreed_on, by=worker)
        self._team_around_the_family(case, days.agreed_on, worker, index)
        self._goals(case, days.agreed_on, worker)
        for point, held_on in enumerate(days.reviews, start=1):
            progress = "Good progress against the plan's goals." if point > 1 else "Engaged well; needs now clearer."
            cases.record_review(
                case=case, held_on=held_on, progress=progress, outcome=Review.Outcome.CONTINUE, by=worker
            )
            self._distance(case, held_on, worker, index, point=point)
            self.tally.reviews += 1
        self._members_left(case, days.closed_on or self.today, worker)
        if days.closed_on is not None and days.destination != Destination.DISENGAGED:
            self._goals_met(case, days, worker, index)
        if days.closed_on is not None:
            reason = f"Plan reviewed with the family: {days.destination.label.lower()}."
            cases.close_case(
                case=case, destination=days.destination, reason=reason, closed_on=days.closed_on, by=manager
            )
            self.tally.closed += 1

    def _goals(self, case: Case, agreed_on: dt.date, worker: User) -> None:
        """The plan's goals, set the day it was agreed: school, work and home, each with its agency."""
        for description, actions, agency in GOALS:
            plan = Plan.objects.get(case=case)
            cases.add_goal(plan=plan, expected_version=plan.version, member=None, description=description,
                           actions=actions, agency=agency, due_on=add_months(agreed_on, 3), by=worker,
                           added_on=agreed_on)  # fmt: skip
            self.tally.goals += 1

    def _goals_met(self, case: Case, days: Days, worker: User, index: int) -> None:
        """At the last review before closing (else the day before), how many goals were met: every goal for most
        families, some for every fourth, none for every seventh; more often all of them in later years, as a
        service learns (so the plan results have a trend over quarters)."""
        assert days.closed_on is not None and days.agreed_on is not None
        on = max(days.reviews[-1] if days.reviews else days.agreed_on, days.agreed_on)
        on = min(on, days.closed_on)
        later = days.opened_on.year >= self.today.year - 1
        met = 0 if index % 7 == 6 and not later else (1 if index % 4 == 1 and not later else len(GOALS))
        if index % 5 == 2 and later:
            met = 2
        for goal in list(Goal.objects.filter(plan__case=case).order_by("pk"))[:met]:
            plan = Plan.objects.get(case=case)
            cases.record_goal_achievement(goal=goal, expected_version=plan.version, is_achieved=True, achieved_on=on,
                                          note="Agreed with the family at review.", by=worker)  # fmt: skip
            self.tally.goals_achieved += 1

    def _team_around_the_family(self, case: Case, on: dt.date, worker: User, index: int) -> None:
        """The Team Around the Family meeting that agrees the plan: the key worker with the school, and for most
        families another agency (the report cards count meetings with two or more agencies)."""
        attendees = [(worker.get_full_name() or worker.get_username(), "Families team"), ("Head of year", "School")]
        if index % 4:
            attendees.append(
                ("Health visitor" if index % 2 else "Housing officer", "Health" if index % 2 else "Housing")
            )
        notes = "The plan agreed with the family and the agencies around them."
        cases.record_taf_meeting(case=case, held_on=on, attendees=attendees, notes=notes, by=worker)
        self.tally.taf_meetings += 1

    def _referred_elsewhere(self, case: Case, team: Team, manager: User, index: int) -> None:
        """Every third family was also referred by an agency after it came onto the programme; the referral was not
        accepted (the family was already known), so it is signposted or sent on to social care: the inappropriate
        referrals the service monitoring counts."""
        if index % 3:
            return
        received_on = case.opened_on + dt.timedelta(days=3)
        if received_on > self.today:
            return
        sources = (ReferralSource.SCHOOL, ReferralSource.HEALTH, ReferralSource.EARLY_HELP_CAF, ReferralSource.MARAC)
        referral = cases.record_referral(
            team=team,
            source=sources[index // 3 % len(sources)],
            referrer="Designated safeguarding lead",
            received_on=received_on,
            family_name=case.family_name,
            reason="Worried about school attendance and the home.",
            by=manager,
        )
        decision = GatekeepingDecision.REFER_TO_SOCIAL_CARE if index % 9 == 0 else GatekeepingDecision.SIGNPOST
        decided_on = min(received_on + dt.timedelta(days=2 + index % 12), self.today)
        reason = "Already on the programme with a key worker; the referrer is told who to contact."
        cases.decide_referral(referral=referral, decision=decision, reason=reason, decided_on=decided_on, by=manager)
        self.tally.referrals += 1

    def _distance(self, case: Case, on: dt.date, worker: User, index: int, *, point: int) -> None:
        """The key worker's family-profile scores at one time point (`family_score`)."""
        scores = {
            (distance.FAMILY, item): family_score(index, position, point)
            for position, item in enumerate(self.family_items)
        }
        record_distance_travelled(
            case=case,
            assessed_on=on,
            assessor=DistanceAssessment.Assessor.KEY_WORKER,
            scores=scores,
            by=worker,
        )
        self.tally.distance_points += 1

    def _members_left(self, case: Case, until: dt.date, worker: User) -> None:
        """Members whose time in the household ended while the family was on the programme leave the case then."""
        ended = from_cohort.membership_ends(case.household_id)
        for member in Member.objects.filter(case=case, end_on__isnull=True).exclude(person_id=""):
            end_on = ended.get(member.person_id)
            if end_on is not None and member.start_on <= end_on < until:
                reason = "Moved out of the household (council tax and agency records)"
                cases.end_membership(member=member, end_on=end_on, reason=reason, by=worker)

    # --- review: outcomes and claims ----------------------------------------------------------------------------

    def measure(self, programme: str, as_of_on: dt.date, analyst: User) -> OutcomeRun:
        run, _ = measure_outcomes(programme=programme, as_of_on=as_of_on, by=analyst)
        return run

    def claim(
        self, programme: str, windows: Sequence[str], programme_manager: User, auditor: User
    ) -> tuple[str, int] | None:
        """Compute each window's claims in turn; in the window with the most claims draw the spot-check sample,
        validate one claim and reject another (the auditor). Returns that window and its claims."""
        best: tuple[str, int] | None = None
        for window in windows:
            compute_claims(programme=programme, window=window, by=programme_manager)
            count = Claim.objects.filter(programme=programme, window=window).count()
            if count and (best is None or count >= best[1]):
                best = (window, count)
        if best is None:
            return None
        window, count = best
        draw_spot_check(
            programme=programme, window=window, percent=SPOT_CHECK_PERCENT, seed=SPOT_CHECK_SEED, by=programme_manager
        )
        claims = list(Claim.objects.filter(programme=programme, window=window).order_by("-is_sampled", "reference"))
        change_claim_state(claim=claims[0], to=ClaimState.VALIDATED, reason="", by=auditor)
        if len(claims) > 1:
            reason = "The school's attendance return for the last term is missing from the evidence pack."
            change_claim_state(claim=claims[1], to=ClaimState.REJECTED, reason=reason, by=auditor)
        self.tally.claims = count
        return best


def worked_with_households(county: Path) -> dict[str, dt.date]:
    """The county's worked-with families (truth/worked_with.parquet: the generator's household and the day its work
    started) as linkage households: the household most of its members' agency records were linked into on that day.
    The demo's own synthetic truth, read only to decide which families the demo staff worked with and when."""
    truth = county / "truth"
    worked = pq.read_table(truth / "worked_with.parquet", columns=["household_id", "start_on"]).to_pylist()
    started = {row["household_id"]: row["start_on"] for row in worked}
    memberships = pq.read_table(truth / "memberships.parquet").to_pylist()
    people: dict[int, list[int]] = defaultdict(list)
    for row in memberships:
        on = started.get(row["household_id"])
        if on is not None and row["start_on"] <= on and (row["end_on"] is None or row["end_on"] >= on):
            people[row["household_id"]].append(row["true_person_id"])
    wanted = {person for persons in people.values() for person in persons}
    records: dict[int, list[str]] = defaultdict(list)
    sources = pq.read_table(truth / "source_records.parquet", columns=["true_person_id", "source_record_id"])
    for row in sources.to_pylist():
        if row["true_person_id"] in wanted:
            records[row["true_person_id"]].append(row["source_record_id"])
    linked = dict(
        PersonRecord.objects.filter(source_record_id__in=[r for rs in records.values() for r in rs]).values_list(
            "source_record_id", "person__person_id"
        )
    )
    households: dict[str, dt.date] = {}
    for household, persons in sorted(people.items()):
        on = started[household]
        person_ids = {linked[r] for person in persons for r in records[person] if r in linked}
        spells = Membership.objects.filter(person__person_id__in=person_ids).exclude(end_on__lt=on)
        found = Counter(
            spells.filter(Q(start_on__isnull=True) | Q(start_on__lte=on)).values_list(
                "household__household_id", flat=True
            )
        )
        if found:
            households.setdefault(found.most_common(1)[0][0], on)
    return households
