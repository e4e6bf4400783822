"""Importing existing cases from a file (definitions/cases/existing_cases.yaml; ADR 0011): every row checked first,
bad rows reported by line, column and reason, then every family carried through the case services on its own days
in one transaction, so that a file is imported whole or not at all. A row whose case_reference was imported before
is left as it is: the same file imported again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from wholefamily.cases import assessment_definition, from_cohort, services
from wholefamily.cases.models import CaseEvent, Member, Review
from wholefamily.domain.pathway import Destination, EventCode, Stage
from wholefamily.governance.models import Team

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}" + (f", {self.column}" if self.column else "") + f": {self.reason}"


@dataclass
class CaseImport:
    """What an import did: cases brought in, rows already there, and the problems that stopped it."""

    imported: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Row:
    line: int
    reference: str
    household_id: str
    team: Team
    opened_on: dt.date
    family_name: str
    priority: int
    key_worker: User | None
    allocated_on: dt.date | None
    assessed_on: dt.date | None
    scores: dict[str, int]
    plan_agreed_on: dt.date | None
    plan_aims: str
    reviews: tuple[dt.date, ...]
    closed_on: dt.date | None
    destination: Destination | None
    closure_reason: str


def definition() -> dict[str, Any]:
    path = Path(settings.DEFINITIONS_DIR) / "cases" / "existing_cases.yaml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


class _RowReader:
    """Reads one row's cells by the definition's types, noting each problem against the row's line."""

    def __init__(self, line: int, cells: dict[str, str], problems: list[Problem]) -> None:
        self.line, self.cells, self.problems = line, cells, problems

    def fail(self, column: str, reason: str) -> None:
        self.problems.append(Problem(self.line, column, reason))

    def text(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None
        if day > timezone.localdate():
            self.fail(column, f"{day:%-d %B %Y} is in the future")
            return None
        return day

    def dates(self, column: str) -> tuple[dt.date, ...]:
        days = []
        for part in filter(None, (item.strip() for item in self.text(column).split(";"))):
            try:
                days.append(dt.date.fromisoformat(part))
            except ValueError:
                self.fail(column, f"{part!r} is not a date (YYYY-MM-DD)")
        if days != sorted(days):
            self.fail(column, "the review dates are not in order")
        if any(day > timezone.localdate() for day in days):
            self.fail(column, "a review date is in the future")
        return tuple(days)


def _scores(reader: _RowReader) -> dict[str, int]:
    value = reader.text("assessment_scores")
    if not value:
        return {}
    domains = {domain.code for domain in assessment_definition.load().domains}
    scores: dict[str, int] = {}
    for part in filter(None, (item.strip() for item in value.split(";"))):
        code, _, score = part.partition("=")
        if code.strip() not in domains or not score.strip().isdigit() or not 1 <= int(score) <= 5:
            reader.fail("assessment_scores", f"{part!r} is not a domain of the assessment with a score 1 to 5")
            continue
        scores[code.strip()] = int(score)
    if scores and set(scores) != domains:
        reader.fail("assessment_scores", f"score every domain of the assessment ({len(domains)}), not {len(scores)}")
    return scores


def _row(line: int, cells: dict[str, str], problems: list[Problem], teams: dict[str, Team]) -> Row | None:
    reader = _RowReader(line, cells, problems)
    before = len(problems)
    for column in ("case_reference", "household_id", "team", "opened_on"):
        if not reader.text(column):
            reader.fail(column, "is missing")
    team = teams.get(reader.text("team"))
    if reader.text("team") and team is None:
        reader.fail("team", f"no team called {reader.text('team')!r}")
    opened_on, allocated_on = reader.date("opened_on"), reader.date("allocated_on")
    assessed_on, plan_agreed_on = reader.date("assessed_on"), reader.date("plan_agreed_on")
    closed_on, reviews = reader.date("closed_on"), reader.dates("review_dates")
    priority_text = reader.text("priority") or "2"
    if priority_text not in {"1", "2", "3"}:
        reader.fail("priority", f"{priority_text!r} is not 1, 2 or 3")
    key_worker = None
    if reader.text("key_worker"):
        key_worker = get_user_model().objects.filter(username=reader.text("key_worker"), is_active=True).first()
        if key_worker is None:
            reader.fail("key_worker", f"no user {reader.text('key_worker')!r}")
    if bool(reader.text("key_worker")) != bool(reader.text("allocated_on")):
        reader.fail("allocated_on", "give the key worker and the day they were allocated together")
    scores = _scores(reader)
    if (assessed_on is None) != (not scores):
        reader.fail("assessment_scores", "give the assessment's day and its scores together")
    destination = None
    if reader.text("closure_destination"):
        try:
            destination = Destination(reader.text("closure_destination"))
        except ValueError:
            reader.fail("closure_destination", f"{reader.text('closure_destination')!r} is not a destination")
    if closed_on is not None and (destination is None or not reader.text("closure_reason")):
        reader.fail("closed_on", "a closed case needs closure_destination and closure_reason")
    steps = [("opened_on", opened_on), ("allocated_on", allocated_on), ("assessed_on", assessed_on),
             ("plan_agreed_on", plan_agreed_on), *(("review_dates", day) for day in reviews),
             ("closed_on", closed_on)]  # fmt: skip
    present = [(column, day) for column, day in steps if day is not None]
    for (_, earlier), (column, later) in itertools.pairwise(present):
        if later < earlier:
            reader.fail(column, f"{later:%-d %B %Y} is before the step before it ({earlier:%-d %B %Y})")
            break
    needs = [("assessed_on", assessed_on, allocated_on, "an assessment needs an allocated key worker"),
             ("plan_agreed_on", plan_agreed_on, assessed_on, "a plan needs the assessment"),
             ("review_dates", reviews[0] if reviews else None, plan_agreed_on, "a review needs the plan")]  # fmt: skip
    for column, step, needed, reason in needs:
        if step is not None and needed is None:
            reader.fail(column, reason)
    if len(problems) > before or team is None or opened_on is None:
        return None
    return Row(
        line=line,
        reference=reader.text("case_reference"),
        household_id=reader.text("household_id"),
        team=team,
        opened_on=opened_on,
        family_name=reader.text("family_name"),
        priority=int(priority_text),
        key_worker=key_worker,
        allocated_on=allocated_on,
        assessed_on=assessed_on,
        scores=scores,
        plan_agreed_on=plan_agreed_on,
        plan_aims=reader.text("plan_aims") or "Plan brought from the earlier system.",
        reviews=reviews,
        closed_on=closed_on,
        destination=destination,
        closure_reason=reader.text("closure_reason"),
    )


def read_rows(path: Path) -> tuple[list[Row], list[Problem]]:
    """The file's rows, each checked against the definition; the problems by line (the header is line 1)."""
    columns = [column["name"] for column in definition()["columns"]]
    problems: list[Problem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in columns if name not in header and _is_required(name)]
            unknown = [name for name in header if name not in columns]
            if missing or unknown:
                if missing:
                    problems.append(Problem(1, "", f"the header lacks {', '.join(missing)}"))
                if unknown:
                    problems.append(Problem(1, "", f"the header has unknown columns {', '.join(unknown)}"))
                return [], problems
            raw = list(reader)
    except UnicodeDecodeError:
        return [], [Problem(1, "", "the file is not UTF-8 text")]
    except csv.Error as error:
        return [], [Problem(1, "", f"the file is not CSV: {error}")]
    if not raw:
        return [], [Problem(1, "", "the file has no rows")]
    if len(raw) > MAX_ROWS:
        return [], [Problem(1, "", f"the file has more than {MAX_ROWS:,} rows")]
    teams = {team.name: team for team in Team.objects.all()}
    rows, seen = [], set()
    for line, cells in enumerate(raw, start=2):
        row = _row(line, {key.strip(): value for key, value in cells.items() if key}, problems, teams)
        if row is None:
            continue
        if row.reference in seen:
            problems.append(Problem(line, "case_reference", f"{row.reference!r} is in the file twice"))
            continue
        seen.add(row.reference)
        rows.append(row)
    return rows, problems


def _is_required(name: str) -> bool:
    return any(column["name"] == name and column.get("required") for column in definition()["columns"])


class _Refused(Exception):
    """Some row failed in the services: undo the whole import."""


def import_existing_cases(*, path: Path, by: User) -> CaseImport:
    """Import the file whole (or nothing, with the problems by line): each new row opened and carried through the
    case services on its own days, by `by`."""
    result = CaseImport()
    rows, result.problems = read_rows(path)
    if result.problems:
        return result
    already = set(
        CaseEvent.objects.filter(
            code=EventCode.CASE_OPENED, detail__imported_reference__in=[r.reference for r in rows]
        ).values_list("detail__imported_reference", flat=True)
    )
    try:
        with transaction.atomic():
            for row in rows:
                if row.reference in already:
                    result.already_there.append(row.reference)
                    continue
                try:
                    _bring(row, by)
                except (services.CaseError, PermissionDenied) as error:
                    result.problems.append(Problem(row.line, "", str(error)))
                    continue
                result.imported.append(row.reference)
            if result.problems:
                raise _Refused
    except _Refused:
        result.imported = []
    return result


def _bring(row: Row, by: User) -> None:
    """One family through the services, each step on its day."""
    members = from_cohort.household_members(row.household_id, on=row.opened_on)
    case = services.open_case_from_cohort(
        team=row.team,
        household_id=row.household_id,
        family_name=row.family_name or from_cohort.family_name_for(members, row.household_id),
        members=members,
        evidence_summary=f"Brought from the earlier system (case {row.reference}).",
        programme=from_cohort.identifying_programme(row.household_id) or "supporting-families-2022",
        priority=row.priority,
        opened_on=row.opened_on,
        imported_reference=row.reference,
        by=by,
    )
    case = services.move_case(case=case, to=Stage.INFORMATION_GATHERING, on=row.opened_on, by=by)
    case = services.move_case(case=case, to=Stage.AWAITING_ALLOCATION, on=row.opened_on, by=by)
    if row.key_worker is not None and row.allocated_on is not None:
        services.allocate_case(case=case, worker=row.key_worker, allocated_on=row.allocated_on, by=by)
        case.refresh_from_db()
    if row.assessed_on is not None:
        summary = "Whole-family assessment brought from the earlier system."
        services.record_assessment(case=case, assessed_on=row.assessed_on, summary=summary, scores=row.scores, by=by)
    if row.plan_agreed_on is not None:
        services.agree_plan(case=case, aims=row.plan_aims, agreed_on=row.plan_agreed_on, by=by)
    for held_on in row.reviews:
        services.record_review(case=case, held_on=held_on, progress="Review brought from the earlier system.",
                               outcome=Review.Outcome.CONTINUE, by=by)  # fmt: skip
    until = row.closed_on or timezone.localdate()
    ended = from_cohort.membership_ends(row.household_id)
    for member in Member.objects.filter(case=case, end_on__isnull=True).exclude(person_id=""):
        end_on = ended.get(member.person_id)
        if end_on is not None and member.start_on <= end_on < until:
            services.end_membership(member=member, end_on=end_on, reason="Left the household (linked records)", by=by)
    if row.closed_on is not None and row.destination is not None:
        services.close_case(case=case, destination=row.destination, reason=row.closure_reason,
                            closed_on=row.closed_on, by=by)  # fmt: skip
