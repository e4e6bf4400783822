"""Commissioning reads. The catalogue is not personal; referrals are, and are read through the access door; the
commissioner's figures (need against capacity, take-up) are aggregates read with `is_personal=False` (ADR 0002,
ADR 0027), counts shown through the small-numbers rule."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from wholefamily.cases.models import Case
from wholefamily.commissioning.definitions import catalogue_definition, monitoring_definition, needs_definition
from wholefamily.commissioning.models import Contract, QuarterlyReturn, Service, ServiceReferral
from wholefamily.domain.area_rates import AreaIndicator, RecordCount, WardStatistics, record_count_sql
from wholefamily.domain.commissioning import (
    AreaFamily,
    CohortFacts,
    NeedAgainstCapacity,
    ReferralDates,
    ReferralFacts,
    ReferralState,
    ReturnStatus,
    ServiceFacts,
    TakeUp,
    need_against_capacity,
    places_per_quarter,
    return_status,
    take_up,
)
from wholefamily.domain.reporting.quarters import Quarter, quarter_of
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.identification.models import CohortFamily, IdentificationRun

# Commissioners and programme managers run the catalogue (ADR 0027); everyone who works with families reads it, to
# find a service for a goal.
CATALOGUE_EDITORS = (Role.COMMISSIONER, Role.PROGRAMME_MANAGER)
CATALOGUE_READERS = (*CATALOGUE_EDITORS, Role.KEY_WORKER, Role.TEAM_MANAGER, Role.DATA_ANALYST, Role.AUDITOR)
# Need against capacity: county-wide aggregates for those who plan provision.
CAPACITY_READERS = (Role.COMMISSIONER, Role.PROGRAMME_MANAGER, Role.DATA_ANALYST)

# The market position statement is shared with providers (Commissioning for Families with Complex Needs, section 2.2).
MARKET_READERS = (*CAPACITY_READERS, Role.PROVIDER)

BAR_WIDTH, BAR_STEP = 420, 46


@dataclass(frozen=True)
class CatalogueFilters:
    need: str = ""
    district: str = ""
    delivery: str = ""
    tier: str = ""
    rating: str = ""
    search: str = ""


def catalogue(filters: CatalogueFilters) -> list[Service]:
    """The catalogue, filtered. JSON lists are filtered in Python so SQLite and PostgreSQL answer alike."""
    services: QuerySet[Service] = Service.objects.all()
    if filters.delivery:
        services = services.filter(delivery=filters.delivery)
    if filters.tier:
        services = services.filter(tier=filters.tier)
    if filters.rating:
        services = services.filter(evidence_rating=filters.rating)
    if filters.search:
        services = services.filter(Q(name__icontains=filters.search) | Q(provider__icontains=filters.search))
    found = list(services)
    if filters.need:
        found = [s for s in found if filters.need in s.target_needs]
    if filters.district:
        found = [s for s in found if filters.district in s.districts]
    return found


def referrals_for_case(*, for_user: Any, case: Case) -> QuerySet[ServiceReferral]:
    """The family's referrals to services, for a user who has passed the case door."""
    scoped = access.scope(for_user, ServiceReferral.objects.filter(case=case), team_field="case__team")
    return scoped.select_related("service", "goal")


def service_take_up(service: Service) -> TakeUp:
    """Waiting times and take-up of one service: aggregates over every family (no personal record leaves)."""
    rows = ServiceReferral.objects.filter(service=service).values_list("state", "referred_on", "started_on")
    return take_up(ReferralDates(ReferralState(state), referred, started) for state, referred, started in rows)


def take_up_by_service() -> dict[int, TakeUp]:
    rows = defaultdict(list)
    for service_id, state, referred, started in ServiceReferral.objects.values_list(
        "service_id", "state", "referred_on", "started_on"
    ):
        rows[service_id].append(ReferralDates(ReferralState(state), referred, started))
    return {service_id: take_up(dates) for service_id, dates in rows.items()}


def latest_run() -> IdentificationRun | None:
    """The latest successful identification of the catalogue's programme: the need services are set against."""
    return (
        IdentificationRun.objects.filter(
            programme=catalogue_definition().programme, status=IdentificationRun.Status.SUCCEEDED
        )
        .order_by("-as_of_on", "-started_at")
        .first()
    )


def service_facts(service: Service) -> ServiceFacts:
    return ServiceFacts(
        service_id=service.pk,
        name=service.name,
        target_needs=frozenset(service.target_needs),
        districts=tuple(service.districts),
        places=places_per_quarter(
            capacity=service.capacity,
            is_hours=service.capacity_unit == Service.CapacityUnit.HOURS,
            hours_per_family=service.hours_per_family,
        ),
        provides_key_worker=service.provides_key_worker,
    )


def capacity_report(run: IdentificationRun | None, *, on: Any) -> NeedAgainstCapacity:
    """Need against capacity for the services running on `on`, from the run's qualifying families and the open
    cases' referrals (catalogue.yaml, 'Need a service targets', 'Current use and waiting')."""
    services = [s for s in Service.objects.all() if s.starts_on <= on and (s.ends_on is None or s.ends_on >= on)]
    open_households = set(
        Case.objects.filter(stage__in=[stage.value for stage in _open_stages()])
        .exclude(household_id="")
        .values_list("household_id", flat=True)
    )
    cohort: list[CohortFacts] = []
    if run is not None:
        for household_id, district, problems in CohortFamily.objects.filter(run=run, is_qualifying=True).values_list(
            "household_id", "district", "problems_met"
        ):
            cohort.append(
                CohortFacts(
                    household_id=household_id,
                    district=district,
                    problems=frozenset(code for code in problems.split(";") if code),
                    has_open_case=household_id in open_households,
                )
            )
    referrals = [
        ReferralFacts(service_id, case_id, district or "", ReferralState(state))
        for service_id, case_id, district, state in ServiceReferral.objects.values_list(
            "service_id", "case_id", "case__team__district", "state"
        )
    ]
    return need_against_capacity([service_facts(s) for s in services], cohort, referrals)


def _open_stages() -> list[Any]:
    from wholefamily.domain.pathway import Stage

    return [stage for stage in Stage if stage.is_open]


def capacity_bars(report: NeedAgainstCapacity) -> list[dict[str, Any]]:
    """One bar pair per service (need, places) summed over its districts, scaled to BAR_WIDTH."""
    totals: dict[str, list[float]] = {}
    for row in report.rows:
        need, places = totals.setdefault(row.service, [0.0, 0.0])
        totals[row.service] = [need + row.need, places + row.places]
    top = max([max(v) for v in totals.values()] + [1.0])
    bars = []
    for index, (name, (need, places)) in enumerate(sorted(totals.items())):
        y = index * BAR_STEP
        bars.append(
            {
                "service": name,
                "need": int(need),
                "places": round(places),
                "y_label": y + 14,
                "y_need": y + 20,
                "y_places": y + 32,
                "need_px": round(BAR_WIDTH * need / top),
                "places_px": round(BAR_WIDTH * places / top),
            }
        )
    return bars


# --- Contracts and returns ---------------------------------------------------------------------------------------

# Commissioners and programme managers see every contract; a provider sees its own contracts only (ADR 0027).
CONTRACT_READERS = (Role.COMMISSIONER, Role.PROGRAMME_MANAGER, Role.PROVIDER)
QUARTERS_SHOWN = 4


def contracts_for(*, for_user: Any) -> QuerySet[Contract]:
    """The contracts this user may see: all for commissioners and programme managers, their own for a provider."""
    contracts = Contract.objects.select_related("service").order_by("reference")
    if getattr(for_user, "is_superuser", False) or access.has_role(for_user, *CATALOGUE_EDITORS):
        return contracts
    if access.has_role(for_user, Role.PROVIDER):
        return contracts.filter(provider_users=for_user)
    return contracts.none()


def contract_for(*, for_user: Any, pk: int) -> Contract:
    """One contract the user may see, or 404 (another provider's contract is not there for them)."""
    try:
        return contracts_for(for_user=for_user).get(pk=pk)
    except Contract.DoesNotExist:
        raise Http404 from None


def contract_quarters(contract: Contract, today: dt.date) -> list[Quarter]:
    """The quarters of the contract that have started by today, newest first."""
    first = quarter_of(contract.starts_on)
    last = min(quarter_of(today), quarter_of(contract.ends_on))
    quarters = []
    current = last
    while current >= first:
        quarters.append(current)
        current = current.previous()
    return quarters


@dataclass(frozen=True)
class ReturnRow:
    quarter: Quarter
    status: ReturnStatus
    due_on: dt.date
    submitted: QuarterlyReturn | None


def return_rows(contract: Contract, today: dt.date, *, limit: int | None = None) -> list[ReturnRow]:
    due_days = monitoring_definition().due_days
    submitted = {r.quarter: r for r in contract.returns.all()}
    rows = []
    for quarter in contract_quarters(contract, today)[:limit]:
        found = submitted.get(quarter.code)
        rows.append(
            ReturnRow(
                quarter=quarter,
                status=return_status(
                    quarter_ends_on=quarter.ends_on,
                    due_days=due_days,
                    submitted_on=found.submitted_on if found else None,
                    today=today,
                ),
                due_on=quarter.ends_on + dt.timedelta(days=due_days),
                submitted=found,
            )
        )
    return rows


# --- Needs analysis by district and ward -------------------------------------------------------------------------

NEED_SNAPSHOTS = 5  # identifications shown over time
NEED_BARS = 15


def need_runs() -> list[IdentificationRun]:
    """The catalogue programme's successful identifications, one per as-of date (the latest run of each), the last
    NEED_SNAPSHOTS of them, oldest first."""
    runs = IdentificationRun.objects.filter(
        programme=catalogue_definition().programme, status=IdentificationRun.Status.SUCCEEDED
    ).order_by("-as_of_on", "-started_at")
    by_date: dict[dt.date, IdentificationRun] = {}
    for run in runs:
        by_date.setdefault(run.as_of_on, run)
        if len(by_date) == NEED_SNAPSHOTS:
            break
    return [by_date[day] for day in sorted(by_date)]


def area_families(run: IdentificationRun) -> list[AreaFamily]:
    rows = CohortFamily.objects.filter(run=run, is_qualifying=True).values_list(
        "district", "ward", "problems_met", "indicators_met"
    )
    return [
        AreaFamily(
            district, ward, frozenset(code for code in problems.split(";") if code) | frozenset(indicators or [])
        )
        for district, ward, problems, indicators in rows
    ]


def _counted_from(indicator: AreaIndicator) -> str:
    if indicator.records is not None:
        return f"From {indicator.records.kind.replace('_', ' ')} records"
    return "Area statistic"


def need_code_choices() -> list[tuple[str, str]]:
    """The headline problems and their indicators of the catalogue's programme, for the needs analysis's filter."""
    from wholefamily.identification.services import load_programme_definition

    programme = load_programme_definition(catalogue_definition().programme)
    problems = [(p.code, f"Problem: {p.label}") for p in programme.problems if p.is_counted]
    indicators = [(i.code, f"Indicator: {i.label}") for i in programme.indicators]
    by_area = [(i.code, f"{_counted_from(i)}: {i.label}") for i in needs_definition().area_indicators]
    return problems + indicators + by_area


# --- Rates per 1,000 from the imported area statistics ------------------------------------------------------------

AREA_STATISTICS = "area_statistics"


def area_statistics() -> list[WardStatistics]:
    """Every row of the newest imported version of the area statistics (public figures, no person), or none."""
    import pyarrow.parquet as pq

    from wholefamily.ingest.models import DatasetVersion
    from wholefamily.ingest.store import DATA_FILE, version_dir

    version = DatasetVersion.objects.filter(kind=AREA_STATISTICS).order_by("-imported_at", "-id").first()
    if version is None:
        return []
    path = version_dir(AREA_STATISTICS, version.version_id) / DATA_FILE
    if not path.exists():  # purged under the retention rules
        return []
    columns = ["district", "ward_name", "estimate_on", "population", "population_0_17", "households",
               "deprivation_decile", "under_18_conceptions"]  # fmt: skip
    return [
        WardStatistics(
            district=row["district"],
            ward=row["ward_name"],
            estimate_on=row["estimate_on"],
            population=row["population"],
            population_0_17=row["population_0_17"],
            households=row["households"],
            deprivation_decile=row["deprivation_decile"],
            under_18_conceptions=row["under_18_conceptions"],
        )
        for row in pq.read_table(path, columns=columns).to_pylist()
    ]


def is_about_children(code: str) -> bool:
    """A problem or indicator counted per 1,000 children (definitions/commissioning/needs.yaml): an indicator whose
    members are at most `child_max_age`, a problem all of whose indicators are."""
    from wholefamily.identification.services import load_programme_definition

    if not code:
        return False
    limit = needs_definition().child_max_age
    area_indicator = needs_definition().area_indicator(code)
    if area_indicator is not None:
        return area_indicator.is_per_children
    programme = load_programme_definition(catalogue_definition().programme)

    def childs(indicator: Any) -> bool:
        return indicator.subject.max_age is not None and indicator.subject.max_age <= limit

    indicators = [i for i in programme.indicators if i.code == code] or [
        i for i in programme.indicators if i.problem == code
    ]
    return bool(indicators) and all(childs(i) for i in indicators)


def programme_estimate() -> tuple[Decimal | None, str]:
    """The catalogue programme's estimated families per 1,000 residents and its source (None when it has none)."""
    from wholefamily.identification.services import load_programme_definition

    programme = load_programme_definition(catalogue_definition().programme)
    return programme.estimate_per_1000, programme.estimate_source


def record_counts(count: RecordCount, *, on: dt.date) -> dict[tuple[str, str], int] | None:
    """People counted by `count` from the newest version of its kind, by (district, ward) of the postcode lookup;
    None when the kind has no version. An aggregate of personal records: no person leaves this function."""
    import duckdb
    from django.conf import settings

    from wholefamily.ingest.models import DatasetVersion
    from wholefamily.ingest.store import DATA_FILE, version_dir

    version = DatasetVersion.objects.filter(kind=count.kind).order_by("-imported_at", "-id").first()
    lookup = Path(settings.DATA_DIR) / "geography" / "postcodes.parquet"
    path = version_dir(count.kind, version.version_id) / DATA_FILE if version else None
    if path is None or not path.exists():
        return None
    if not lookup.exists():
        return {}
    sql = record_count_sql(count, records=str(path), lookup=str(lookup), on=on)
    with duckdb.connect() as connection:
        return {(district, ward): int(people) for district, ward, people in connection.execute(sql).fetchall()}
