"""The API's shapes (pydantic, through django-ninja): what the OpenAPI document publishes (ADR 0026)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from wholefamily.domain.pathway import GatekeepingDecision, ReferralSource


class Problem(Schema):
    """Why a call was refused: words for people, and for a refusal of the input, each field's error."""

    detail: str | list[dict[str, Any]]


class Conflict(Schema):
    detail: str
    current_version: int | None = None


class Page(Schema):
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page.")


class Person(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str
    district: str


class CaseSummary(Schema):
    id: int
    reference: str
    family_name: str
    household_id: str
    programme: str
    team: TeamRef
    stage: str
    stage_label: str
    stage_changed_at: dt.datetime
    key_worker: Person | None
    priority: int
    opened_on: dt.date
    plan_agreed_on: dt.date | None
    next_review_due_on: dt.date | None
    closed_on: dt.date | None


class CasePage(Page):
    items: list[CaseSummary]


class Member(Schema):
    id: int
    person_id: str
    display_name: str
    born_on: dt.date | None
    role: str
    role_label: str
    start_on: dt.date
    end_on: dt.date | None
    version: int


class Goal(Schema):
    id: int
    member_id: int | None
    description: str
    actions: str
    agency: str
    due_on: dt.date
    is_achieved: bool
    achieved_on: dt.date | None


class Plan(Schema):
    aims: str
    agreed_on: dt.date
    agreement_signed_on: dt.date | None
    version: int = Field(description="Send it back with a change: a stale version answers 409.")
    updated_at: dt.datetime
    goals: list[Goal]


class Review(Schema):
    id: int
    due_on: dt.date
    held_on: dt.date
    progress: str
    outcome: str
    outcome_label: str


class CaseDetail(CaseSummary):
    evidence_summary: str
    closure_destination: str
    members: list[Member]
    plan: Plan | None
    reviews: list[Review]


class PlanChange(Schema):
    version: int = Field(ge=1, le=2_147_483_647, description="The plan's version as you read it.")
    aims: str = Field(min_length=1, max_length=5000)
    agreement_signed_on: dt.date | None = None


class ReferralOut(Schema):
    id: int
    team: TeamRef
    source: str
    source_label: str
    referrer: str
    received_on: dt.date
    family_name: str
    household_id: str
    reason: str
    priority: int
    recorded_at: dt.datetime
    decision: str
    decision_label: str
    decision_reason: str
    decided_at: dt.datetime | None
    case_id: int | None


class ReferralPage(Page):
    items: list[ReferralOut]


class ReferralIn(Schema):
    team_id: int = Field(ge=1, le=2_147_483_647)
    source: ReferralSource
    referrer: str = Field(min_length=1, max_length=200)
    received_on: dt.date
    family_name: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=5000)
    priority: int = Field(2, ge=1, le=3, description="1 high, 2 medium, 3 low.")
    household_id: str = Field("", max_length=64)


class DecisionIn(Schema):
    decision: GatekeepingDecision
    reason: str = Field(min_length=1, max_length=5000)
    decided_on: dt.date | None = None


class JobOut(Schema):
    id: str
    kind: str
    title: str
    status: str
    status_label: str
    done: int
    total: int | None
    message: str
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any]


class JobPage(Page):
    items: list[JobOut]


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    request_id: str
    detail: dict[str, Any]


class AuditPage(Page):
    items: list[AuditEventOut]


# --- outcomes and distance travelled -------------------------------------------------------------------------------


class TimePointOut(Schema):
    index: int = Field(description="0 is the baseline, 1 the first review, and so on.")
    code: str
    label: str
    assessed_on: dt.date
    recorded_by: str


class DistanceItemOut(Schema):
    code: str
    label: str
    scores: list[int | None] = Field(description="One a time point, in the order of `time_points`; null: not scored.")
    levels: list[str]
    movements: list[str]
    travelled: int | None = Field(description="The baseline minus the latest score: positive is less need.")


class DistanceSubjectOut(Schema):
    key: str = Field(description="`family`, or the member's id.")
    label: str
    role: str
    profile_label: str
    note: str
    means: list[float | None]
    items: list[DistanceItemOut]


class DistanceByAssessorOut(Schema):
    assessor: str
    assessor_label: str
    time_points: list[TimePointOut]
    subjects: list[DistanceSubjectOut]


class OutcomeMeasureOut(Schema):
    measure: str
    label: str
    period_label: str
    status: str
    status_label: str
    reason: str
    start_on: dt.date
    end_on: dt.date | None
    period_from: dt.date | None
    period_to: dt.date | None
    members: list[dict[str, Any]]


class ProblemOutcomeOut(Schema):
    problem: str
    label: str
    status: str
    status_label: str
    measures: list[OutcomeMeasureOut]


class OutcomeRunOut(Schema):
    id: int
    framework: str
    framework_version: int
    as_of_on: dt.date
    started_at: dt.datetime


class FamilyOutcomesOut(Schema):
    case_id: int
    reference: str
    distance_definition: str = Field(description="The distance-travelled definition and its version.")
    distance_travelled: list[DistanceByAssessorOut] = Field(description="The scores over time, one list an assessor.")
    outcomes_run: OutcomeRunOut | None = Field(description="The latest outcomes run that measured the family.")
    outcomes: list[ProblemOutcomeOut] = Field(description="The outcomes reached, by headline problem.")
    goals_achieved: int
    goals: int


# --- claims ----------------------------------------------------------------------------------------------------------


class ClaimSummary(Schema):
    id: int
    reference: str
    programme: str
    window: str = Field(description="The claim window (the period claimed for).")
    family_id: str
    household_id: str
    case_id: int | None
    results: list[str] = Field(description="The result codes claimed.")
    amount_pence: int
    state: str
    state_label: str
    state_changed_at: dt.datetime
    is_sampled: bool = Field(description="In the spot-check sample.")


class ClaimPage(Page):
    items: list[ClaimSummary]


class ClaimStateChangeOut(Schema):
    from_state: str
    to_state: str
    reason: str
    changed_by: str = Field(description="Empty: the system.")
    changed_at: dt.datetime


class ClaimDetail(ClaimSummary):
    rules: str = Field(description="The results rules and their version the claim was computed by.")
    funding: str
    as_of: str | None
    snapshot: str = Field(description="The linked snapshot the claim was computed from.")
    dataset_versions: list[str] = Field(description="The data set versions behind the evidence's source records.")
    evidence: dict[str, Any] = Field(description="The evidence pack, as the claim's page shows it to an auditor.")
    history: list[ClaimStateChangeOut] = Field(description="Every change of state, oldest first.")


# --- dataset deliveries ----------------------------------------------------------------------------------------------


class DeliveryIn(Schema):
    """The fields of the upload page, sent as multipart form fields beside the file."""

    kind: str = Field(min_length=1, max_length=40, description="The kind of data set (the data contract's kinds).")
    profile: str = Field(min_length=1, max_length=80, description="The source profile: how the supplier lays it out.")
    policy: Literal["reject", "quarantine"] = Field(
        "reject", description="If some rows are bad: reject the delivery (all or nothing) or quarantine those rows."
    )
    supplier: str = Field("", max_length=200)
    data_sharing_agreement_id: int | None = Field(None, ge=1, le=2_147_483_647)
    period_start_on: dt.date | None = None
    period_end_on: dt.date | None = None
    received_on: dt.date | None = Field(None, description="Empty: today.")


class DeliveryOut(Schema):
    id: str
    kind: str
    profile: str
    policy: str
    file_name: str
    file_size: int
    sha256: str
    status: str
    status_label: str
    message: str
    received_on: dt.date
    rows_read: int
    rows_accepted: int
    rows_bad: int
    rows_quarantined: int
    cells_flagged: int = Field(description="Cells that start like a spreadsheet formula, stored as text.")
    problems_total: int
    dataset_version_id: str | None
    job_id: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class DeliveryStarted(Schema):
    delivery: DeliveryOut
    job: JobOut


class ProblemRowOut(Schema):
    line: int | None = Field(description="The file's line; null: about the whole file.")
    column: str
    severity: str
    reason: str
    value: str


class DeliveryReport(DeliveryOut):
    problems: list[ProblemRowOut] = Field(description="A page of the bad rows, by line, column and reason.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page of problems.")


# --- extracts --------------------------------------------------------------------------------------------------------


class ExtractColumnOut(Schema):
    name: str
    description: str


class ExtractDefinitionOut(Schema):
    code: str = Field(description="Name it in `POST /api/v1/extracts` to build it.")
    version: int
    title: str
    programme: str
    case_programmes: list[str] = Field(description="The case programme codes whose families are its rows.")
    outcomes_framework: str
    unit: str = Field(description="What one row is.")
    source: list[str] = Field(description="The documents the return's shape is taken from, by title.")
    choices: list[str] = Field(description="How the definition reads what its sources leave open, and why.")
    columns: list[ExtractColumnOut] = Field(
        description="The columns in order, one for each headline problem where marked."
    )


class ExtractDefinitionList(Schema):
    items: list[ExtractDefinitionOut]


class ExtractIn(Schema):
    definition: str = Field(min_length=1, max_length=80, description="The extract definition's code.")


class ExtractOut(Schema):
    id: int
    definition: str
    definition_version: int
    title: str
    programme: str
    built_at: dt.datetime
    built_by: str
    rows: int = Field(description="Families in the extract.")
    sha256: str = Field(description="The SHA-256 of the CSV file as built.")
    columns: list[ExtractColumnOut]
    built_from: dict[str, Any] = Field(description="The identification, outcomes and claim runs the rows came from.")
    job_id: str | None
    file: str = Field(description="The path of the CSV file (`GET` with the same token).")


class ExtractPage(Page):
    items: list[ExtractOut]


class ExtractStarted(Schema):
    job: JobOut = Field(
        description="The build's job: when it has succeeded, its `result.extract_id` names the extract."
    )
