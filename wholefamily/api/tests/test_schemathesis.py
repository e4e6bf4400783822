"""Property-based attack on the live API (schemathesis, from its own OpenAPI document): for a key worker, a
programme manager and an auditor, at least 200 generated requests per operation, valid and invalid (hostile query
strings, bodies, headers and ids; half of the ids real records), against the app on the test database. Every
answer must be no server error, of a documented status, with a documented content type, and in the documented
shape; every operation must have answered 2xx at least once for some role (so the generation reaches past the
refusals)."""

from __future__ import annotations

import io
import logging
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wholefamily.api.tests.conftest import County
from wholefamily.api.tests.test_api import REFERRAL
from wholefamily.cases.models import Plan

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
REQUESTS_PER_OPERATION = 200
ROLES = ("north_worker", "programme_manager", "auditor")
# None of the three may deliver data sets: those operations are also sent as a data analyst, so that the generation
# reaches past the refusal (the three roles' requests are still sent).
EXTRA_ROLES = {"/api/v1/deliveries": "data_analyst"}
EXTRA_REQUESTS = 50  # enough for the allowed role to reach the import and the report; the rest is CI time
DELIVERY = {"kind": "offences", "profile": "synthetic-county", "policy": "quarantine",
            "file": b"offence_ref,person_id,offence_on\nO1,P1,2015-01-02\n"}  # fmt: skip
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _real_ids(county: County) -> dict[str, Any]:
    from wholefamily.cases.models import Referral
    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.extracts.models import Extract
    from wholefamily.identification.models import CohortFamily, Evidence, IdentificationRun
    from wholefamily.ingest.models import ImportProblem, ImportRun
    from wholefamily.jobs.models import Job

    referral = Referral.objects.create(
        team=county.north, source="school", referrer="Head teacher", received_on="2025-01-06",
        family_name="the Fuzzed family", reason="Attendance", recorded_by=county.users["north_manager"],
        recorded_at="2025-01-06T10:00:00Z",
    )  # fmt: skip
    job = Job.objects.create(kind="check_data_store", title="Check", created_by=county.users["programme_manager"])
    run = IdentificationRun.objects.create(
        programme="tf-2012", programme_version=1, programme_title="Troubled Families 2012", as_of_on="2015-08-31",
        snapshot="", status=IdentificationRun.Status.SUCCEEDED, started_at="2015-09-01T10:00:00Z",
    )  # fmt: skip
    family = CohortFamily.objects.create(
        run=run, family_id="F-FUZZ", household_id="H-FUZZ", district="Northmoor", team=county.north,
        problems_met="education", problem_count=1, change=CohortFamily.Change.FIRST_RUN,
    )  # fmt: skip
    Evidence.objects.create(family=family, person_id="P-FUZZ", indicator="persistent_absence", problem="education",
                            dataset_version_id="education-v1", source_record_id="R1", line_number=2)  # fmt: skip
    claim_run = ClaimRun.objects.create(programme="tf-2012", window="2015-01", as_of_on="2015-08-31",
                                        rules="tf-2012 v1", snapshot="", started_at="2015-09-01T10:00:00Z")  # fmt: skip
    claim = Claim.objects.create(
        run=claim_run, programme="tf-2012", window="2015-01", reference="tf-2012/2015-01/F-FUZZ", family_id="F-FUZZ",
        household_id="H-FUZZ", results=["education"], evidence={"rules": "tf-2012 v1", "results": [{"refs": ["v:1"]}]},
        state_changed_at="2015-09-01T10:00:00Z",
    )  # fmt: skip
    delivery = ImportRun.objects.create(kind="offences", profile="synthetic-county", received_on="2015-01-01",
                                        file_name="offences.csv", status=ImportRun.Status.REJECTED)  # fmt: skip
    ImportProblem.objects.create(run=delivery, line=2, column="offence_on", reason="in the future", value="2030-01-01")
    extract = Extract.objects.create(
        definition="tf-2015-family-progress", definition_version=1, title="A return", programme="tf-2015",
        built_at="2015-09-01T10:00:00Z", built_by=county.users["programme_manager"], rows=1,
        columns=[{"name": "family_reference", "description": "Reference"}], content=b"family_reference\r\nF-1\r\n",
        sha256="0" * 64,
    )  # fmt: skip
    return {
        "extract_id": extract.pk,
        "claim_id": claim.pk,
        "delivery_id": str(delivery.pk),
        "case_id": county.cases["north"].pk,
        "referral_id": referral.pk,
        "job_id": str(job.pk),
        "run_id": run.pk,
        "family_id": family.family_id,
    }


def _named_file(case: Any) -> dict[str, Any]:
    """Schemathesis names a file part after its field ("file"), a name the upload's checks refuse (no .csv): the
    valid delivery is sent as its supplier names it, so that the generation reaches the import."""
    body = case.body
    if not isinstance(body, dict) or body.get("file") != DELIVERY["file"]:
        return {}
    fields = {name: value for name, value in body.items() if name != "file"}
    return {"data": {**fields, "file": (io.BytesIO(DELIVERY["file"]), "offences.csv")}}


def _fuzz(
    strategy: Any, role_headers: dict[str, dict[str, str]], label: str, sent: Counter[str],
    statuses: Counter[tuple[str, int]], *, seed_value: int,
) -> None:  # fmt: skip
    """Generate up to REQUESTS_PER_OPERATION requests (a fixed seed: the same run every time) and send each one as
    every role (the same hostile request, each role's token)."""

    @seed(seed_value)
    @given(case=strategy)
    @hypothesis_settings(
        max_examples=REQUESTS_PER_OPERATION,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for role, headers in role_headers.items():
            if role not in ROLES and sent[f"{role} {label}"] >= EXTRA_REQUESTS:
                continue
            case.headers = {**(case.headers or {}), **headers}
            response = case.call(**_named_file(case))
            sent[f"{role} {label}"] += 1
            statuses[(label, response.status_code)] += 1
            case.validate_response(response, checks=CHECKS)

    run()


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Any:
    """Calling the WSGI application directly sends Django's request signals, whose handler closes the database
    connection after each request (and with it the test's transaction on PostgreSQL); Django's test client
    disconnects it, and so do we, for the test's duration."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_generated_requests_break_nothing(
    county: County, bearer: Any, settings: Any, capsys: Any, tmp_path: Any
) -> None:  # fmt: skip
    settings.WHOLEFAMILY_API_RATE_LIMIT = 1_000_000
    settings.DATA_DIR = tmp_path
    logging.getLogger("django.request").setLevel(logging.ERROR)  # thousands of refusals are expected, not news
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    real = _real_ids(county)
    plan_version = Plan.objects.get(case=county.cases["north"]).version
    valid = {
        "POST /api/v1/referrals": ({}, {**REFERRAL, "team_id": county.north.pk}),
        "PUT /api/v1/cases/{case_id}/plan": (
            {"case_id": real["case_id"]},
            {"version": plan_version, "aims": "x"},
        ),
        "POST /api/v1/deliveries": ({}, DELIVERY),
        "POST /api/v1/extracts": ({}, {"definition": "tf-2015-family-progress"}),
    }
    started = time.monotonic()
    sent: Counter[str] = Counter()
    statuses: Counter[tuple[str, int]] = Counter()
    everyone = {*ROLES, *EXTRA_ROLES.values()}
    headers = {role: {"Authorization": bearer(county.users[role])["HTTP_AUTHORIZATION"]} for role in everyone}
    seconds_by_operation: dict[str, float] = {}
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        extra = [role for prefix, role in EXTRA_ROLES.items() if operation.path.startswith(prefix)]
        role_headers = {role: headers[role] for role in (*ROLES, *extra)}
        operation_started = time.monotonic()
        names = {p.name for p in operation.path_parameters}
        fixed = {name: real[name] for name in names if name in real}
        strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
        if fixed:
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
        if label in valid:
            path_parameters, body = valid[label]
            strategies.append(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters, body=body)
            )
        round_ = 0
        while min(sent[f"{role} {label}"] for role in ROLES) < REQUESTS_PER_OPERATION:
            _fuzz(st.one_of(strategies), role_headers, label, sent, statuses, seed_value=round_)
            round_ += 1
        seconds_by_operation[label] = time.monotonic() - operation_started
    seconds = time.monotonic() - started
    by_operation: dict[str, dict[int, int]] = {}
    for (label, status), n in sorted(statuses.items()):
        by_operation.setdefault(label, {})[status] = n
    fewest = min(n for key, n in sent.items() if key.split(" ", 1)[0] in ROLES)
    with capsys.disabled():
        print(f"\nschemathesis: {sum(sent.values())} requests, {len(operations)} operations x {len(ROLES)} roles, "
              f"{seconds:.1f} s; fewest for one operation and role: {fewest}")  # fmt: skip
        for label, counts in by_operation.items():
            print(f"  {label} ({seconds_by_operation[label]:.1f} s): {counts}")
    extra_sent = sum(1 for key in sent if key.split(" ", 1)[0] not in ROLES)
    assert len(sent) - extra_sent == len(operations) * len(ROLES)
    assert fewest >= REQUESTS_PER_OPERATION
    never_ok = [label for label, counts in by_operation.items() if not any(200 <= s < 300 for s in counts)]
    assert not never_ok, f"operations never answered 2xx: {never_ok}"
