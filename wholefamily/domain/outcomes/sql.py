"""Generated SQL that selects the agency records behind each outcome measure, for the people of the families being
measured: identification's SQL generator (criteria/sql.py) writes the record selection and the conditions; this
module adds only the columns the outcome rules read (dates, or a term's sessions) and the restriction to the families'
people. Dates are not filtered here: the pure evaluator (evaluate.py) applies each family's own windows.
"""

# Generated SQL over our own validated names (as in criteria/sql.py): no user input reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.criteria import sql as criteria_sql
from wholefamily.domain.criteria.schema import Rule
from wholefamily.domain.outcomes.framework import Framework, OutcomeMeasure, as_programme

PEOPLE_VIEW = "wf_outcome_people"  # one column, person_id: the people of the families being measured
RECORD_COLUMNS = ("person_id", "dataset_version_id", "source_record_id", "line_number")
EVENT_COLUMNS = (*RECORD_COLUMNS, "on_date", "end_on")
ATTENDANCE_COLUMNS = (*RECORD_COLUMNS, "academic_year", "term", "possible", "authorised", "unauthorised")


@dataclass(frozen=True)
class MeasureQuery:
    measure: str
    kind: str
    sql: str
    columns: tuple[str, ...]


def _extra(measure: OutcomeMeasure) -> str:
    records = measure.records
    assert records is not None
    if records.rule is Rule.ATTENDANCE:
        return (
            "e.academic_year AS academic_year, e.term AS term, COALESCE(e.possible_sessions, 0) AS possible, "
            "COALESCE(e.authorised_absence_sessions, 0) AS authorised, "
            "COALESCE(e.unauthorised_absence_sessions, 0) AS unauthorised, "
        )
    end = f"e.{records.end_column}" if records.end_column else "CAST(NULL AS DATE)"
    return f"e.{records.date_column} AS on_date, {end} AS end_on, "


def measure_queries(framework: Framework, *, contracts: ContractSet, as_of: dt.date) -> tuple[MeasureQuery, ...]:
    """One query per measure that reads agency data (checked against the data contract first)."""
    programme = as_programme(framework)
    criteria_sql.check_programme(programme, contracts)
    flags = criteria_sql.flags(programme, contracts)  # identification's code-list flags, unchanged
    queries = []
    for measure in framework.measures:
        records = measure.records
        if records is None:
            continue
        conditions = [criteria_sql.condition_sql(c, records, as_of, flags) for c in records.conditions]
        conditions.append(f"rp.person_id IN (SELECT person_id FROM {PEOPLE_VIEW})")
        sql = criteria_sql.records_sql(records, conditions, _extra(measure))
        columns = ATTENDANCE_COLUMNS if records.rule is Rule.ATTENDANCE else EVENT_COLUMNS
        # records_sql puts the extra columns first; name them in the order the engine reads.
        queries.append(MeasureQuery(measure.code, records.kind, f"SELECT {', '.join(columns)} FROM ({sql}) q", columns))
    return tuple(queries)


def coverage_sql(measure: OutcomeMeasure) -> str:
    """The last day the kind's delivered records reach (the latest date in its date column; for attendance, the
    latest academic year and term), which the evaluator compares with each period's end."""
    records = measure.records
    assert records is not None
    view = criteria_sql.event_view_name(records.kind)
    if records.rule is Rule.ATTENDANCE:
        return f"SELECT academic_year, term FROM {view} GROUP BY academic_year, term"
    return f"SELECT MAX({records.date_column}) AS covered_to FROM {view}"
