"""The API through real HTTP requests (Django's test client) on the real database: tokens, scopes, the rate limit,
scoping through the apps' selectors and the access door, versions and idempotency keys, and the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wholefamily.api.tests.conftest import County
from wholefamily.cases.models import Case, Plan, Referral
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


def get(path: str, headers: dict[str, str], **params: Any) -> Any:
    return Client().get(f"/api/v1{path}", params, **headers)


def send(method: str, path: str, headers: dict[str, str], body: Any, **extra: str) -> Any:
    client = Client()
    call = getattr(client, method.lower())
    return call(f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers, **extra)


def test_no_token_unknown_expired_revoked_answer_401(county: County, bearer: Bearer) -> None:
    from wholefamily.api.models import ApiToken

    assert get("/cases", {}).status_code == 401
    assert get("/cases", {"HTTP_AUTHORIZATION": "Bearer wf_nothing_here"}).status_code == 401
    assert get("/cases", {"HTTP_AUTHORIZATION": "Basic a2ltOnNlY3JldA=="}).status_code == 401
    expired = get("/cases", bearer(county.users["programme_manager"], expires_in=-1))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    headers = bearer(county.users["programme_manager"])
    assert get("/cases", headers).status_code == 200
    ApiToken.objects.update(revoked_at="2020-01-01T00:00:00Z")
    assert get("/cases", headers).status_code == 401
    assert AuditEvent.objects.filter(action="api.call", outcome=AuditEvent.Outcome.DENIED).count() == 2


def test_the_sign_in_cookie_of_the_web_pages_is_not_accepted(county: County) -> None:
    client = Client()
    client.force_login(county.users["programme_manager"])
    assert client.get("/api/v1/cases").status_code == 401


def test_a_token_is_limited_to_its_scopes(county: County, bearer: Bearer) -> None:
    headers = bearer(county.users["programme_manager"], scopes=["referrals:read"])
    assert get("/cases", headers).status_code == 403
    assert get("/referrals", headers).status_code == 200
    body = {"version": 1, "aims": "New aims"}
    assert send("PUT", f"/cases/{county.cases['north'].pk}/plan", headers, body).status_code == 403
    assert AuditEvent.objects.filter(action="api.call", outcome="denied", detail__scope="cases:read").exists()


def test_rate_limit_per_token(county: County, bearer: Bearer, settings: Any) -> None:
    settings.WHOLEFAMILY_API_RATE_LIMIT = 3
    headers = bearer(county.users["programme_manager"])
    answers = [get("/jobs", headers).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = get("/jobs", headers)
    assert int(limited["Retry-After"]) >= 1
    # Another token of the same person has its own count.
    assert get("/jobs", bearer(county.users["programme_manager"])).status_code == 200


def test_cases_are_scoped_as_the_web_scopes_them(county: County, bearer: Bearer) -> None:
    north_worker = {c["reference"] for c in get("/cases", bearer(county.users["north_worker"])).json()["items"]}
    assert north_worker == {county.cases["north"].reference, county.cases["north_unallocated"].reference}
    south = {c["reference"] for c in get("/cases", bearer(county.users["south_manager"])).json()["items"]}
    assert south == {county.cases["south"].reference}
    everyone = get("/cases", bearer(county.users["programme_manager"])).json()["items"]
    assert len(everyone) == 3
    assert get("/cases", bearer(county.users["commissioner"])).json()["items"] == []
    # One family: another team's is not there (404), and a denial is audited.
    south_case = county.cases["south"].pk
    assert get(f"/cases/{south_case}", bearer(county.users["north_manager"])).status_code == 404
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(south_case), outcome="denied").exists()
    detail = get(f"/cases/{county.cases['north'].pk}", bearer(county.users["north_worker"])).json()
    assert detail["stage"] == "plan_active" and detail["stage_label"] == "Plan active"
    assert [m["display_name"] for m in detail["members"]] == ["Ottoline Parent", "Ottoline Child"]
    assert detail["plan"]["aims"] == "Children in school every day" and detail["key_worker"]["name"] == "kim.worker"


def test_every_read_of_a_family_is_audited_as_on_the_web(county: County, bearer: Bearer) -> None:
    user = county.users["north_manager"]
    headers = bearer(user)
    before = AuditEvent.objects.count()
    get(f"/cases/{county.cases['north'].pk}", headers)
    get("/cases", headers)
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.object_type, e.actor_id) for e in events] == [
        ("view", "cases.case", user.pk),
        ("view", "cases.case_list", user.pk),
    ]
    assert events[1].detail["via"] == "api" and events[1].detail["rows"] == 2 and events[0].request_id


def test_cursor_pages_every_family_once(county: County, bearer: Bearer) -> None:
    headers = bearer(county.users["programme_manager"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = get("/cases", headers, **params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(c.pk for c in Case.objects.all()) and pages == 3
    assert get("/cases", headers, cursor="not a cursor").status_code == 400
    assert get("/cases", headers, stage="closed").json()["items"] == []
    assert get("/cases", headers, stage="nonsense").status_code == 422


def test_plan_change_carries_its_version_and_a_stale_one_answers_409(county: County, bearer: Bearer) -> None:
    case = county.cases["north"]
    headers = bearer(county.users["north_worker"])
    version = Plan.objects.get(case=case).version
    changed = send("PUT", f"/cases/{case.pk}/plan", headers, {"version": version, "aims": "Everyone at school"})
    assert changed.status_code == 200 and changed.json()["version"] == version + 1
    stale = send("PUT", f"/cases/{case.pk}/plan", headers, {"version": version, "aims": "Lost update"})
    assert stale.status_code == 409 and stale.json()["current_version"] == version + 1
    assert Plan.objects.get(case=case).aims == "Everyone at school"
    # Another team's family: out of reach (404), nothing written; an auditor reads but does not change (403).
    south = county.cases["south"]
    assert send("PUT", f"/cases/{south.pk}/plan", headers, {"version": 1, "aims": "x"}).status_code == 404
    auditor = bearer(county.users["auditor"])
    assert send("PUT", f"/cases/{case.pk}/plan", auditor, {"version": version + 1, "aims": "x"}).status_code == 403
    assert Plan.objects.get(case=south).aims == "Children in school every day"


REFERRAL = {
    "source": "school",
    "referrer": "Head teacher, Northmoor Primary",
    "received_on": "2025-01-06",
    "family_name": "the Newcome family",
    "reason": "Attendance below 80% this term.",
    "priority": 1,
}


def test_a_referral_pushed_twice_with_one_key_is_recorded_once(county: County, bearer: Bearer) -> None:
    headers = bearer(county.users["north_worker"])
    body = {**REFERRAL, "team_id": county.north.pk}
    first = send("POST", "/referrals", headers, body, HTTP_IDEMPOTENCY_KEY="case-system-0001")
    again = send("POST", "/referrals", headers, body, HTTP_IDEMPOTENCY_KEY="case-system-0001")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Referral.objects.filter(family_name="the Newcome family").count() == 1
    other = send("POST", "/referrals", headers, {**body, "reason": "else"}, HTTP_IDEMPOTENCY_KEY="case-system-0001")
    assert other.status_code == 422
    assert send("POST", "/referrals", headers, body).status_code == 422  # no key
    # Another team's referral cannot be recorded by this key worker.
    south = send("POST", "/referrals", headers, {**body, "team_id": county.south.pk}, HTTP_IDEMPOTENCY_KEY="k2")
    assert south.status_code == 422 and not Referral.objects.filter(team=county.south).exists()
    assert (
        send("POST", "/referrals", bearer(county.users["auditor"]), body, HTTP_IDEMPOTENCY_KEY="k3").status_code == 403
    )


def test_gatekeeping_decision_by_a_manager_opens_the_case(county: County, bearer: Bearer) -> None:
    worker, manager = bearer(county.users["north_worker"]), bearer(county.users["north_manager"])
    created = send("POST", "/referrals", worker, {**REFERRAL, "team_id": county.north.pk}, HTTP_IDEMPOTENCY_KEY="r1")
    referral_id = created.json()["id"]
    decision = {"decision": "accept", "reason": "Meets two criteria."}
    assert send("POST", f"/referrals/{referral_id}/decision", worker, decision).status_code == 403
    assert (
        send("POST", f"/referrals/{referral_id}/decision", bearer(county.users["south_manager"]), decision).status_code
        == 404
    )
    decided = send("POST", f"/referrals/{referral_id}/decision", manager, decision)
    assert decided.status_code == 200 and decided.json()["decision_label"] == "Accept onto the programme"
    case = Case.objects.get(pk=decided.json()["case_id"])
    assert case.team == county.north and case.family_name == "the Newcome family"
    assert send("POST", f"/referrals/{referral_id}/decision", manager, decision).status_code == 409
    status = get(f"/cases/{case.pk}", manager).json()
    assert status["stage"] == case.stage


def test_audit_log_for_its_readers_only(county: County, bearer: Bearer) -> None:
    page = get("/audit-events", bearer(county.users["auditor"]), limit=5).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids, reverse=True)
    nxt = get("/audit-events", bearer(county.users["auditor"]), limit=5, cursor=page["next_cursor"]).json()
    assert max(item["id"] for item in nxt["items"]) < min(ids)
    assert get("/audit-events", bearer(county.users["north_manager"])).status_code == 403


def test_jobs_are_scoped_by_the_jobs_selectors(county: County, bearer: Bearer) -> None:
    from wholefamily.jobs.models import Job

    job = Job.objects.create(kind="check_data_store", title="Check", created_by=county.users["data_analyst"])
    mine = get("/jobs", bearer(county.users["data_analyst"])).json()["items"]
    assert [item["id"] for item in mine] == [str(job.pk)]
    assert get(f"/jobs/{job.pk}", bearer(county.users["north_worker"])).status_code == 404
    assert get("/jobs/not-a-uuid", bearer(county.users["data_analyst"])).status_code == 404
    assert get("/jobs", bearer(county.users["north_worker"])).json()["items"] == []


def test_openapi_document_and_reference_page(county: County) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.") and "/api/v1/cases/{case_id}/plan" in document["paths"]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    page = Client().get("/api/v1/")
    text = page.content.decode()
    assert page.status_code == 200 and "/api/v1/referrals/{referral_id}/decision" in text
    assert "https://" not in text.split("<main", 1)[0]  # no outside scripts or styles


def test_identification_runs_and_cohorts_with_evidence_scoped_by_team(county: County, bearer: Bearer) -> None:
    import datetime as dt

    from django.utils import timezone

    from wholefamily.identification.models import CohortFamily, Evidence, IdentificationRun

    run = IdentificationRun.objects.create(
        programme="tf-2012", programme_version=1, programme_title="Troubled Families 2012",
        as_of_on=dt.date(2015, 8, 31),
        snapshot="", status=IdentificationRun.Status.SUCCEEDED, started_at=timezone.now(), families_qualifying=2,
    )  # fmt: skip
    for team, family_id in ((county.north, "F-NORTH"), (county.south, "F-SOUTH")):
        family = CohortFamily.objects.create(
            run=run, family_id=family_id, household_id=f"H-{family_id}", district=team.district, ward="Ward",
            problems_met="education;crime", problem_count=2, change=CohortFamily.Change.FIRST_RUN, team=team,
        )  # fmt: skip
        Evidence.objects.create(
            family=family, person_id=f"P-{family_id}", indicator="persistent_absence", problem="education",
            dataset_version_id="education-v1", source_record_id="R1", line_number=7,
        )  # fmt: skip
    worker = bearer(county.users["north_worker"])
    runs = get("/identification-runs", worker).json()["items"]
    assert [r["families_qualifying"] for r in runs] == [2]
    cohort = get(f"/identification-runs/{run.pk}/families", worker).json()["items"]
    assert [f["family_id"] for f in cohort] == ["F-NORTH"] and cohort[0]["problems"] == ["education", "crime"]
    detail = get(f"/identification-runs/{run.pk}/families/F-NORTH", worker).json()
    assert detail["evidence"][0]["line_number"] == 7 and detail["evidence"][0]["dataset_version_id"] == "education-v1"
    assert get(f"/identification-runs/{run.pk}/families/F-SOUTH", worker).status_code == 404
    everyone = get(f"/identification-runs/{run.pk}/families", bearer(county.users["programme_manager"])).json()
    assert len(everyone["items"]) == 2
    assert get(f"/identification-runs/{run.pk + 1}/families", worker).status_code == 404
    assert AuditEvent.objects.filter(object_type="identification.cohortfamily", action="view").count() >= 3


def test_text_holding_the_nul_character_is_refused_before_the_database(county: County, bearer: Bearer) -> None:
    headers = bearer(county.users["north_worker"])
    case = county.cases["north"]
    plan = send("PUT", f"/cases/{case.pk}/plan", headers, {"version": 1, "aims": "a\u0000b"})
    assert plan.status_code == 422 and "NUL" in plan.json()["detail"]
    assert get("/cases", headers, reference="F-\u0000").status_code == 422
    assert get("/identification-runs/1/families/F\u0000", headers).status_code in {404, 422}
    body = {**REFERRAL, "team_id": county.north.pk}
    assert send("POST", "/referrals", headers, body, HTTP_IDEMPOTENCY_KEY="k\u0000").status_code == 422


def test_a_familys_outcomes_and_distance_travelled_behind_the_case_door(county: County, bearer: Bearer) -> None:
    import datetime as dt

    from wholefamily.cases.tests.builders import TODAY
    from wholefamily.domain.outcomes.distance import FAMILY
    from wholefamily.outcomes import services
    from wholefamily.outcomes.models import OutcomeResult, OutcomeRun

    case, worker = county.cases["north"], county.users["north_worker"]
    child = str(case.members.get(role="child").pk)
    for days, housing, aspirations in ((0, 4, 4), (60, 2, 3)):
        services.record_distance_travelled(
            case=case, assessed_on=TODAY + dt.timedelta(days=days), assessor="key_worker",
            scores={(FAMILY, "housing"): housing, (child, "aspirations"): aspirations}, by=worker,
        )  # fmt: skip
    run = OutcomeRun.objects.create(framework="tf-2015", framework_version=1, as_of_on=TODAY, engine="duckdb",
                                    snapshot="", started_at="2025-01-06T10:00:00Z")  # fmt: skip
    OutcomeResult.objects.create(run=run, case=case, family_id="F-N", start_on=TODAY, problem="education",
                                 measure="in_school", status="achieved", members=[{"person_id": "P1",
                                 "status": "achieved"}])  # fmt: skip
    answer = get(f"/outcomes/families/{case.pk}", bearer(worker, scopes=["outcomes:read"]))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    (by_key_worker,) = body["distance_travelled"]
    assert [p["label"] for p in by_key_worker["time_points"]] == ["Baseline", "Review 1"]
    housing = next(i for s in by_key_worker["subjects"] if s["key"] == FAMILY for i in s["items"]
                   if i["code"] == "housing")  # fmt: skip
    assert housing["scores"] == [4, 2] and housing["travelled"] == 2
    (education,) = body["outcomes"]
    assert body["outcomes_run"]["framework"] == "tf-2015"
    assert education["status"] == "achieved" and education["measures"][0]["members"][0]["status_label"]
    assert (body["goals"], body["goals_achieved"]) == (0, 0)
    assert AuditEvent.objects.filter(actor=worker, action="view", object_id=str(case.pk)).exists()
    # Another team's key worker and a commissioner get 404, as on the case page; cases:read is not outcomes:read.
    assert get(f"/outcomes/families/{case.pk}", bearer(county.users["south_worker"])).status_code == 404
    assert get(f"/outcomes/families/{case.pk}", bearer(county.users["commissioner"])).status_code == 404
    assert get(f"/outcomes/families/{case.pk}", bearer(worker, scopes=["cases:read"])).status_code == 403
    assert get(f"/outcomes/families/{case.pk}", bearer(county.users["programme_manager"])).status_code == 200


def test_claims_with_their_evidence_and_history_for_the_claim_readers_only(county: County, bearer: Bearer) -> None:
    from wholefamily.claims.models import Claim, ClaimRun, ClaimStateChange

    run = ClaimRun.objects.create(programme="tf-2012", window="2015-01", as_of_on="2015-08-31", rules="tf-2012 v1",
                                  snapshot="snapshots/s1", started_at="2015-09-01T10:00:00Z")  # fmt: skip
    pack = {"rules": "tf-2012 v1", "funding": "tf-2012 v1", "as_of": "2015-08-31", "snapshot": "snapshots/s1",
            "results": [{"result": "education", "conditions": [{"members": [
                {"label": "Ottoline Child", "refs": ["education-v2:R7:12", "education-v3:R9"]}]}]}]}  # fmt: skip
    claims = []
    for n, state in ((1, "validated"), (2, "draft")):
        claims.append(Claim.objects.create(
            run=run, programme="tf-2012", window="2015-01", reference=f"tf-2012/2015-01/F-{n}",
            case=county.cases["north"] if n == 1 else None, family_id=f"F-{n}", household_id="H",
            results=["education"], amount_pence=80_000, state=state, evidence=pack,
            state_changed_at="2015-09-01T10:00:00Z",
        ))  # fmt: skip
    ClaimStateChange.objects.create(claim=claims[0], from_state="draft", to_state="validated", reason="Checked",
                                    changed_by=county.users["auditor"], changed_at="2015-09-02T10:00:00Z")  # fmt: skip
    auditor = bearer(county.users["auditor"], scopes=["claims:read"])
    listed = get("/claims", auditor, state="validated").json()
    assert [c["reference"] for c in listed["items"]] == ["tf-2012/2015-01/F-1"]
    assert len(get("/claims", auditor, window="2015-01", programme="tf-2012").json()["items"]) == 2
    assert get("/claims", auditor, window="2016-01").json()["items"] == []
    one = get(f"/claims/{claims[0].pk}", auditor).json()
    assert one["rules"] == "tf-2012 v1" and one["dataset_versions"] == ["education-v2", "education-v3"]
    assert one["evidence"]["results"][0]["conditions"][0]["members"][0]["refs"][0] == "education-v2:R7:12"
    assert [(h["from_state"], h["to_state"], h["changed_by"]) for h in one["history"]] == [
        ("draft", "validated", "ada.auditor")
    ]
    assert AuditEvent.objects.filter(action="claims.view", object_id=str(claims[0].pk)).exists()
    assert AuditEvent.objects.filter(action="view", object_type="claims.claim_list", detail__via="api").count() == 3
    # As on the web: team roles, analysts and commissioners may not read claims; the scope is claims:read.
    for role in ("north_manager", "north_worker", "data_analyst", "commissioner"):
        assert get("/claims", bearer(county.users[role])).status_code == 403
        assert get(f"/claims/{claims[0].pk}", bearer(county.users[role])).status_code == 403
    assert get("/claims", bearer(county.users["auditor"], scopes=["cases:read"])).status_code == 403
    assert get("/claims/999999", auditor).status_code == 404
    assert get("/claims", auditor, state="nonsense").status_code == 422
