"""Generated SQL for a programme definition as of a date: one plain dialect that DuckDB and Spark SQL both accept.

The plan is a list of views to create in order over the input views of a linked snapshot (persons, households,
memberships, record_person, judgements, and `ev_<kind>` for each dataset kind the definition reads). Dates are
computed here (windows.py) and written as DATE literals; thresholds are compared in whole numbers, so both engines
reach exactly the same answer. No programme-specific code: every rule comes from the definition.
"""

# Generated SQL is the purpose of this module: identifiers and literals come only from a validated definition
# (codes match [a-z][a-z0-9_]*, values [A-Za-z0-9_-. ]) and from dates computed here, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.criteria.schema import (
    Absence,
    Comparison,
    Condition,
    DefinitionError,
    Indicator,
    Operator,
    Programme,
    Rule,
    Subject,
    check_against_contract,
)
from wholefamily.domain.criteria.windows import MonthsWindow, TermsWindow, birth_date_cutoff, months_after

INPUT_VIEWS: tuple[str, ...] = ("persons", "households", "memberships", "record_person", "judgements")
COHORT_VIEW = "wf_cohort"
FAMILIES_VIEW = "wf_families_evaluated"
EVIDENCE_VIEW = "wf_evidence"
COHORT_EVIDENCE_VIEW = "wf_cohort_evidence"
RESIDENTS_VIEW = "wf_residents"
FIXED_COLUMNS: tuple[str, ...] = (
    "family_id",
    "household_id",
    "district",
    "ward",
    "problems_met",
    "problem_count",
    "qualifying_route",
)
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "family_id",
    "person_id",
    "indicator",
    "problem",
    "dataset_version_id",
    "source_record_id",
    "line_number",
)
# The attendance primitive reads the school census columns of the data contract (kind school_attendance).
ATTENDANCE_COLUMNS = ("academic_year", "term", "possible_sessions")
ABSENCE_COLUMNS = {
    Absence.TOTAL: "(COALESCE(e.authorised_absence_sessions, 0) + COALESCE(e.unauthorised_absence_sessions, 0))",
    Absence.UNAUTHORISED: "COALESCE(e.unauthorised_absence_sessions, 0)",
}


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    is_materialized: bool = False  # computed once and kept (read by several later views or outputs)


@dataclass(frozen=True)
class Plan:
    """The views that evaluate one programme as of one date, in creation order."""

    programme: Programme
    as_of: dt.date
    views: tuple[View, ...]

    @property
    def indicator_columns(self) -> tuple[str, ...]:
        return tuple(indicator.code for indicator in self.programme.indicators)

    @property
    def problem_columns(self) -> tuple[str, ...]:
        return tuple(f"problem_{problem.code}" for problem in self.programme.problems)

    @property
    def cohort_columns(self) -> tuple[str, ...]:
        return (*FIXED_COLUMNS, *self.problem_columns, *self.indicator_columns)

    def event_view(self, kind: str) -> str:
        return event_view_name(kind)


def event_view_name(kind: str) -> str:
    return f"ev_{kind}"


def _date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _text(value: str) -> str:
    # Codes are validated plain text (schema._LITERAL): no quote can reach here.
    if "'" in value or "\\" in value:
        raise DefinitionError(f"{value!r} cannot be written as a literal")
    return f"'{value}'"


def _subject_sql(subject: Subject, as_of: dt.date, alias: str) -> list[str]:
    clauses = []
    if subject.min_age is not None:
        clauses.append(f"{alias}.date_of_birth <= {_date(birth_date_cutoff(as_of, subject.min_age))}")
    if subject.max_age is not None:
        clauses.append(f"{alias}.date_of_birth > {_date(birth_date_cutoff(as_of, subject.max_age + 1))}")
    return clauses


def condition_sql(
    condition: Condition, indicator: Indicator, as_of: dt.date, flags: Mapping[tuple[str, str, str], frozenset[str]]
) -> str:
    """One `where` condition of an indicator as SQL over its event view `e` (code-list flags from `flags`)."""
    column = f"e.{condition.column}"
    if condition.operator in (Operator.IN, Operator.NOT_IN):
        values = ", ".join(_text(value) for value in condition.values)
        keyword = "IN" if condition.operator is Operator.IN else "NOT IN"
        return f"{column} {keyword} ({values})"
    if condition.operator is Operator.IS_TRUE:
        return f"{column} = TRUE"
    if condition.operator is Operator.AFTER_AS_OF:
        return f"{column} IS NOT NULL AND {column} > {_date(as_of)}"
    if condition.operator is Operator.CODELIST_FLAG:
        codes = sorted(flags.get((indicator.kind, condition.column, condition.flag), frozenset()))
        if not codes:
            return "1 = 0"
        return f"{column} IN ({', '.join(_text(code) for code in codes)})"
    limit = months_after(as_of, condition.months)
    return f"{column} IS NOT NULL AND {column} < {_date(limit)}"


def records_sql(indicator: Indicator, where: list[str], extra: str = "") -> str:
    """Linked records of the indicator's kind that meet `where`: person, dataset version, record and line."""
    kind = indicator.kind
    clauses = " AND ".join(f"({clause})" for clause in where) or "1 = 1"
    return (
        f"SELECT {extra}rp.person_id, e.dataset_version_id, e.source_record_id, rp.line_number "
        f"FROM {event_view_name(kind)} e JOIN record_person rp ON rp.kind = {_text(kind)} "
        f"AND rp.dataset_version_id = e.dataset_version_id AND rp.source_record_id = e.source_record_id "
        f"WHERE {clauses}"
    )


def _window_clauses(indicator: Indicator, programme: Programme, as_of: dt.date) -> list[str]:
    start = f"e.{indicator.date_column}"
    window = indicator.window
    if isinstance(window, MonthsWindow):
        low, high = window.bounds(as_of)
    elif isinstance(window, TermsWindow):
        low, high = window.bounds(as_of, programme.term_calendar)
    else:
        low = high = as_of
    if indicator.rule is Rule.EVENT:
        return [f"{start} >= {_date(low)}", f"{start} <= {_date(high)}"]
    end = f"e.{indicator.end_column}"
    if window is None:  # open on the as-of date
        return [f"{start} <= {_date(as_of)}", f"({end} IS NULL OR {end} >= {_date(as_of)})"]
    return [f"{start} <= {_date(high)}", f"({end} IS NULL OR {end} >= {_date(low)})"]


def _at_least(count_sql: str, threshold: int) -> str:
    return f"{count_sql} >= {threshold}"


def _indicator_views(
    indicator: Indicator, programme: Programme, as_of: dt.date, flags: Mapping[tuple[str, str, str], frozenset[str]]
) -> list[View]:
    """Views of the records behind one indicator: columns person_id, household_id, dataset_version_id,
    source_record_id, line_number (household_id is set only for judgements made on a whole family)."""
    name = f"wf_i_{indicator.code}"
    if indicator.rule is Rule.JUDGEMENT:
        sql = (
            "SELECT j.person_id, j.household_id, CAST('judgement' AS STRING) AS dataset_version_id, "
            "j.judgement_id AS source_record_id, CAST(NULL AS BIGINT) AS line_number FROM judgements j "
            f"WHERE j.programme = {_text(programme.code)} AND j.indicator = {_text(indicator.code)} "
            f"AND j.entered_on <= {_date(as_of)} AND (j.withdrawn_on IS NULL OR j.withdrawn_on > {_date(as_of)})"
        )
        return [View(name, sql)]
    conditions = [condition_sql(condition, indicator, as_of, flags) for condition in indicator.conditions]
    if indicator.rule is Rule.ATTENDANCE:
        assert isinstance(indicator.window, TermsWindow)
        terms = indicator.window.term_list(as_of, programme.term_calendar)
        chosen = " OR ".join(f"(e.academic_year = {t.academic_year} AND e.term = {_text(t.code)})" for t in terms)
        extra = f"e.possible_sessions AS possible, {ABSENCE_COLUMNS[indicator.absence]} AS absent, "
        rows = records_sql(indicator, [chosen, *conditions], extra)
        basis_points = int(indicator.threshold_percent * 100)
        operator = ">=" if indicator.comparison is Comparison.AT_LEAST else ">"
        sql = (
            "SELECT r.person_id, CAST(NULL AS STRING) AS household_id, r.dataset_version_id, r.source_record_id, "
            f"r.line_number FROM {name}_rows r WHERE r.person_id IN (SELECT person_id FROM {name}_rows "
            f"GROUP BY person_id HAVING SUM(possible) > 0 "
            f"AND CAST(SUM(absent) AS BIGINT) * 10000 {operator} CAST(SUM(possible) AS BIGINT) * {basis_points})"
        )
        return [View(f"{name}_rows", rows), View(name, sql)]
    rows = records_sql(indicator, [*_window_clauses(indicator, programme, as_of), *conditions])
    if indicator.min_count <= 1:
        sql = (
            "SELECT r.person_id, CAST(NULL AS STRING) AS household_id, r.dataset_version_id, r.source_record_id, "
            f"r.line_number FROM {name}_rows r"
        )
    else:
        sql = (
            "SELECT r.person_id, CAST(NULL AS STRING) AS household_id, r.dataset_version_id, r.source_record_id, "
            f"r.line_number FROM {name}_rows r WHERE r.person_id IN (SELECT person_id FROM {name}_rows "
            f"GROUP BY person_id HAVING {_at_least('COUNT(DISTINCT source_record_id)', indicator.min_count)})"
        )
    return [View(f"{name}_rows", rows), View(name, sql)]


def _evidence_select(indicator: Indicator, as_of: dt.date) -> str:
    """Evidence rows of one indicator for the members on the as-of date whom it looks at."""
    name = f"wf_i_{indicator.code}"
    subject = " AND ".join(["1 = 1", *_subject_sql(indicator.subject, as_of, "mb")])
    head = f"SELECT {{household}} AS household_id, i.person_id, {_text(indicator.code)} AS indicator, "
    head += f"{_text(indicator.problem)} AS problem, i.dataset_version_id, i.source_record_id, i.line_number "
    by_person = (
        head.format(household="mb.household_id")
        + f"FROM {name} i JOIN wf_members mb ON mb.person_id = i.person_id WHERE i.person_id IS NOT NULL AND {subject}"
    )
    if indicator.rule is not Rule.JUDGEMENT:
        return by_person
    by_family = head.format(household="i.household_id") + f"FROM {name} i WHERE i.person_id IS NULL"
    return f"{by_person} UNION ALL {by_family}"


def flags(programme: Programme, contracts: ContractSet) -> dict[tuple[str, str, str], frozenset[str]]:
    """The codes each code-list flag condition selects: (kind, column, flag) to the code list's codes with it."""
    out: dict[tuple[str, str, str], frozenset[str]] = {}
    for indicator in programme.indicators:
        for condition in indicator.conditions:
            if condition.operator is Operator.CODELIST_FLAG:
                codelist = contracts.contract(indicator.kind).column(condition.column).codelist or ""
                out[(indicator.kind, condition.column, condition.flag)] = contracts.codelists[codelist].codes_where(
                    condition.flag
                )
    return out


def check_programme(programme: Programme, contracts: ContractSet) -> None:
    """The definition refers only to kinds, columns and code lists of the data contract."""
    columns = {kind: contracts.contract(kind).column_names for kind in contracts.kinds}
    codelist_of = {
        (kind, column.name): column.codelist
        for kind in contracts.kinds
        for column in contracts.contract(kind).columns
        if column.codelist
    }
    check_against_contract(programme, columns, codelist_of)
    for indicator in programme.indicators:
        if indicator.rule is Rule.ATTENDANCE:
            missing = {*ATTENDANCE_COLUMNS, "unauthorised_absence_sessions"} - set(columns[indicator.kind])
            if missing:
                raise DefinitionError(f"indicator {indicator.code}: {indicator.kind} has no columns {sorted(missing)}")
    reserved = set(FIXED_COLUMNS) | set(EVIDENCE_COLUMNS)
    for indicator in programme.indicators:
        if indicator.code in reserved or indicator.code.startswith("problem_"):
            raise DefinitionError(f"indicator {indicator.code}: the code is reserved for an output column")


def build_plan(programme: Programme, *, as_of: dt.date, contracts: ContractSet) -> Plan:
    """The views that evaluate `programme` as of `as_of` (the definition is checked against the contract first)."""
    check_programme(programme, contracts)
    codelist_flags = flags(programme, contracts)
    views: list[View] = [
        View(
            "wf_members",
            "SELECT m.person_id, m.household_id, p.date_of_birth FROM memberships m "
            "JOIN persons p ON p.person_id = m.person_id "
            f"WHERE (m.start_on IS NULL OR m.start_on <= {_date(as_of)}) "
            f"AND (m.end_on IS NULL OR m.end_on >= {_date(as_of)})",
            is_materialized=True,
        )
    ]
    for indicator in programme.indicators:
        *rows, final = _indicator_views(indicator, programme, as_of, codelist_flags)
        views.extend([*rows, View(final.name, final.sql, is_materialized=True)])
    evidence = " UNION ALL ".join(_evidence_select(indicator, as_of) for indicator in programme.indicators)
    views.append(View(EVIDENCE_VIEW, evidence, is_materialized=True))
    views.extend(_family_views(programme, as_of))
    return Plan(programme=programme, as_of=as_of, views=tuple(views))


def _family_views(programme: Programme, as_of: dt.date) -> list[View]:
    child = " AND ".join(_subject_sql(Subject(max_age=programme.family.dependent_child_max_age), as_of, "mb"))
    families = f"SELECT DISTINCT mb.household_id FROM wf_members mb WHERE {child}"
    if programme.family.also_if:
        codes = ", ".join(_text(code) for code in programme.family.also_if)
        families += f" UNION SELECT DISTINCT ev.household_id FROM {EVIDENCE_VIEW} ev WHERE ev.indicator IN ({codes})"
    indicator_columns = ", ".join(
        f"MAX(CASE WHEN ev.indicator = {_text(i.code)} THEN 1 ELSE 0 END) AS {i.code}" for i in programme.indicators
    )
    flags = (
        "SELECT f.household_id, h.district, h.ward, "
        f"{indicator_columns} FROM wf_families f LEFT JOIN {EVIDENCE_VIEW} ev ON ev.household_id = f.household_id "
        "LEFT JOIN households h ON h.household_id = f.household_id GROUP BY f.household_id, h.district, h.ward"
    )
    problem_columns = []
    for problem in programme.problems:
        members = [indicator.code for indicator in programme.indicators_of(problem.code)]
        expression = members[0] if len(members) == 1 else f"GREATEST({', '.join(members)})"
        problem_columns.append(f"{expression} AS problem_{problem.code}")
    problems = f"SELECT x.*, {', '.join(problem_columns)} FROM wf_family_indicators x"
    counted = " + ".join(f"problem_{code}" for code in programme.counted_problems) or "0"
    met = ", ".join(f"CASE WHEN problem_{p.code} = 1 THEN {_text(p.code)} END" for p in programme.problems)
    evaluated = (
        "SELECT y.household_id AS family_id, y.household_id, y.district, y.ward, "
        f"concat_ws(';', {met}) AS problems_met, ({counted}) AS problem_count, "
        f"{_route_case(programme)} AS qualifying_route, "
        f"{', '.join(f'y.problem_{p.code}' for p in programme.problems)}, "
        f"{', '.join(f'y.{i.code}' for i in programme.indicators)} FROM wf_family_problems y"
    )
    cohort = f"SELECT * FROM {FAMILIES_VIEW} WHERE qualifying_route IS NOT NULL"
    cohort_evidence = (
        f"SELECT ev.household_id AS family_id, ev.person_id, ev.indicator, ev.problem, ev.dataset_version_id, "
        f"ev.source_record_id, ev.line_number FROM {EVIDENCE_VIEW} ev "
        f"WHERE ev.household_id IN (SELECT family_id FROM {COHORT_VIEW})"
    )
    residents = (
        "SELECT h.district, h.ward, COUNT(DISTINCT mb.person_id) AS residents FROM wf_members mb "
        "LEFT JOIN households h ON h.household_id = mb.household_id GROUP BY h.district, h.ward"
    )
    return [
        View(RESIDENTS_VIEW, residents),
        View("wf_families", families),
        View("wf_family_indicators", flags),
        View("wf_family_problems", problems),
        View(FAMILIES_VIEW, evaluated, is_materialized=True),
        View(COHORT_VIEW, cohort),
        View(COHORT_EVIDENCE_VIEW, cohort_evidence),
    ]


def _route_case(programme: Programme) -> str:
    whens = []
    for route in programme.routes:
        of = route.of or programme.counted_problems
        clauses = []
        if route.min_problems:
            clauses.append(f"({' + '.join(f'y.problem_{code}' for code in of)}) >= {route.min_problems}")
        clauses.extend(f"y.problem_{code} = 1" for code in route.requires)
        whens.append(f"WHEN {' AND '.join(clauses)} THEN {_text(route.code)}")
    return f"CASE {' '.join(whens)} END"
