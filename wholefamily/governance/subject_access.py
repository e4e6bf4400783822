"""Subject access (ADR 0015): everything held about one person, as a machine-readable file (JSON) and a readable PDF.

Agency records by dataset (the stored rows themselves), linkage decisions that touched them, case records (the
member, the family's case and its chronology) and the audit of who read or changed them. Only an administrator
(the council's information governance lead) runs it, and the run is audited.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
from collections import defaultdict
from typing import Any
from xml.sax.saxutils import escape

import pyarrow.parquet as pq
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q
from django.forms.models import model_to_dict
from django.http import Http404

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent

AnyUser = AbstractBaseUser | AnonymousUser


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(obj: Model, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    values = model_to_dict(obj)
    values["id"] = obj.pk
    for name in ("created_at", "updated_at", "decided_at", "occurred_at", "corrected_at"):
        if hasattr(obj, name):
            values[name] = getattr(obj, name)
    return {key: _plain(value) for key, value in values.items() if key not in leave_out}


def _agency_rows(records: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The stored rows of each agency record, read from its dataset version, grouped by dataset kind."""
    from wholefamily.ingest.store import DATA_FILE, version_dir

    wanted: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for person_record in records:
        wanted[(person_record.kind, person_record.dataset_version_id)][person_record.source_record_id] = person_record
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (kind, version_id), owned in sorted(wanted.items()):
        path = version_dir(kind, version_id) / DATA_FILE
        found: dict[str, dict[str, Any]] = {}
        if path.exists():
            table = pq.read_table(path, filters=[("source_record_id", "in", list(owned))])
            found = {str(row["source_record_id"]): row for row in table.to_pylist()}
        for record_id, person_record in sorted(owned.items()):
            row = found.get(record_id)
            by_kind[kind].append({
                "dataset_version": version_id, "line": person_record.line_number, "source_record_id": record_id,
                "match_probability": person_record.match_probability,
                "values": _plain(row) if row is not None else None,
                "note": "" if row is not None else "no longer in the data store (purged or removed)",
            })  # fmt: skip
    return dict(by_kind)


def report_for(*, person_id: str, by: AnyUser) -> dict[str, Any]:
    """Everything held about the person with this stable id. Raises Http404 if nothing is held."""
    from wholefamily.cases.models import CaseEvent, Member
    from wholefamily.linkage.models import HouseholdCorrection, Person, ReviewDecision

    if not access.has_role(by, Role.ADMINISTRATOR):
        record(by=by, action="subject_access.export", object_type="linkage.person", object_id=person_id,
               outcome=AuditEvent.Outcome.DENIED)  # fmt: skip
        raise PermissionDenied("Only an administrator may produce a subject access report.")
    person = Person.objects.filter(person_id=person_id).first()
    members = list(Member.objects.filter(person_id=person_id).select_related("case", "case__team"))
    if person is None and not members:
        raise Http404
    records = list(person.records.all()) if person is not None else []
    profile_ids = [r.profile_id for r in records]
    decisions = ReviewDecision.objects.filter(Q(profile_id_l__in=profile_ids) | Q(profile_id_r__in=profile_ids))
    corrections = HouseholdCorrection.objects.filter(person_id=person_id)
    cases = {member.case for member in members}
    watched = [("linkage.person", str(person.pk)), ("linkage.person", person_id)] if person else []
    watched += [("cases.member", str(m.pk)) for m in members] + [("cases.case", str(c.pk)) for c in cases]
    audit_filter = Q(pk__in=[])
    for object_type, object_id in watched:
        audit_filter |= Q(object_type=object_type, object_id=object_id)
    audit = AuditEvent.objects.filter(audit_filter).order_by("occurred_at", "id")
    report = {
        "person_id": person_id,
        "produced_on": dt.date.today().isoformat(),
        "person": _fields(person) if person else None,
        "households": [_fields(m) for m in person.memberships.all()] if person else [],
        "agency_records": _agency_rows(records),
        "linkage_decisions": {
            "review_decisions": [_fields(d) for d in decisions],
            "household_corrections": [_fields(c) for c in corrections],
        },
        "case_records": [
            {
                "member": _fields(member),
                "case": _fields(member.case),
                "team": member.case.team.name,
                "chronology": [_fields(event) for event in CaseEvent.objects.filter(case=member.case)],
            }
            for member in members
        ],
        "audit": [
            {
                "occurred_at": e.occurred_at.isoformat(),
                "who": e.actor_label,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "outcome": e.outcome,
            }
            for e in audit
        ],
    }
    counts = {"agency_records": len(records), "cases": len(cases), "audit_events": audit.count()}
    record(by=by, action="subject_access.export", object_type="linkage.person", object_id=person_id, detail=counts)
    return report


def report_pdf(report: dict[str, Any]) -> bytes:
    """The same report, readable: one section per part, each record's fields listed."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(escape(f"Information held about person {report['person_id']}"), styles["Title"]),
        Paragraph(escape(f"Produced on {report['produced_on']} for a subject access request."), styles["BodyText"]),
    ]

    def section(title: str, items: list[dict[str, Any]], empty: str) -> None:
        story.append(Paragraph(escape(title), styles["Heading2"]))
        if not items:
            story.append(Paragraph(escape(empty), styles["BodyText"]))
        for item in items:
            text = "; ".join(
                f"{key.replace('_', ' ')}: {value}" for key, value in item.items() if value not in ("", None)
            )
            story.append(Paragraph(escape(text), styles["BodyText"]))
            story.append(Spacer(1, 2 * mm))

    section("The person", [report["person"]] if report["person"] else [], "No linked person record.")
    section("Households", report["households"], "No household.")
    for kind, rows in report["agency_records"].items():
        section(f"Agency records: {kind.replace('_', ' ')}",
                [{**(row["values"] or {}), "dataset version": row["dataset_version"], "line": row["line"],
                  "note": row["note"]} for row in rows], "None.")  # fmt: skip
    if not report["agency_records"]:
        section("Agency records", [], "No agency records.")
    section("Linkage decisions", report["linkage_decisions"]["review_decisions"]
            + report["linkage_decisions"]["household_corrections"], "No decision was recorded.")  # fmt: skip
    for case in report["case_records"]:
        section(f"Case {case['case'].get('reference', '')} ({case['team']})", [case["member"], case["case"]], "")
        section("Chronology", case["chronology"], "No events.")
    section("Who read or changed these records (audit log)", report["audit"], "No access recorded.")
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Subject access {report['person_id']}").build(story)
    return buffer.getvalue()
