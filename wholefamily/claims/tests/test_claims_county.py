"""Claims on a small synthetic county with perfect linkage (tf-2015, the families the generator worked with): claims
agree with the planted improvements, every claimed family's evidence pack cites source records that exist, and the
claim's states move with audit; the command writes the CSV."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wholefamily.cases.models import Case, Member
from wholefamily.claims.models import Claim, ClaimStateChange
from wholefamily.claims.services import change_claim_state, compute_claims, draw_spot_check
from wholefamily.domain.claims.states import ClaimState, MoveError
from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.pathway import Stage
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.outcomes.engine import FamilyStart
from wholefamily.synth.generator import Parameters, generate

WINDOW, AS_OF = "2018-07", dt.date(2018, 7, 31)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims-county")
    generate(
        Parameters(population=5_000, seed=3, start="2013-09-01", years=5, worked_share=0.8),
        out,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    build_perfect_snapshot(out, out / "snapshot", contracts=contracts, as_of=dt.date(2015, 8, 31))
    return out


def _truth(county):
    worked = [row for row in pq.read_table(county / "truth" / "worked_with.parquet").to_pylist()
              if row["programme"] == "tf2015"]  # fmt: skip
    eligibility = pq.read_table(county / "truth" / "eligibility.parquet").to_pylist()
    families, problems = [], {}
    for row in worked:
        family_id = f"H{row['household_id']}"
        families.append(FamilyStart(family_id, family_id, row["start_on"]))
        found = sorted(
            (e for e in eligibility if e["household_id"] == row["household_id"] and e["programme"] == "tf2015"
             and e["evaluated_on"] <= row["start_on"]),
            key=lambda e: e["evaluated_on"],
        )  # fmt: skip
        problems[family_id] = frozenset(code for code in (found[-1]["problems"] if found else "").split(";") if code)
    return families, problems


@pytest.fixture
def computed(county, db):
    families, problems = _truth(county)
    run, evaluated = compute_claims(
        programme="tf-2015",
        window=WINDOW,
        snapshot_dir=county / "snapshot",
        datasets_root=county / "snapshot" / "datasets",
        families=families,
        problems=problems,
        by=None,
    )
    return run, evaluated, families


def _last_term_problems(county, household_id: int) -> set[str]:
    terms = [t for t in pq.read_table(county / "truth" / "family_terms.parquet").to_pylist()
             if t["household_id"] == household_id and t["term_end_on"] <= AS_OF]  # fmt: skip
    last = max(terms, key=lambda t: t["term_end_on"])
    return {code for code in last["problems"].split(";") if code}


def test_claims_agree_with_the_planted_improvements(county, computed):
    run, evaluated, families = computed
    claims = list(Claim.objects.filter(run=run))
    assert run.families == len(families) > 10
    assert claims, "the planted effect leaves some families claimable"
    _, problems = _truth(county)
    for claim in claims:
        household = int(claim.family_id[1:])
        now = _last_term_problems(county, household)
        assert claim.state == ClaimState.DRAFT
        assert claim.amount_pence == 80_000  # tf-2015: £800, one payment a family
        if "continuous_employment" in claim.results:
            assert "work" not in now  # off out-of-work benefits in truth
        else:
            assert len(now & problems[claim.family_id]) < len(problems[claim.family_id])  # fewer problems in truth
    claimed = {claim.family_id for claim in claims}
    for item in evaluated:  # a family whose every problem persists in truth is never claimed
        if item.problems and item.problems <= _last_term_problems(county, int(item.family.family_id[1:])):
            assert item.family.family_id not in claimed


def test_every_evidence_pack_cites_source_records_that_exist(county, computed):
    run, _, _ = computed
    known = set(
        pq.read_table(county / "truth" / "source_records.parquet", columns=["source_record_id"]).column(0).to_pylist()
    )
    for claim in Claim.objects.filter(run=run):
        pack = claim.evidence
        assert pack["rules"] == "tf-2015 v1" and pack["window"] == WINDOW and pack["as_of"] == AS_OF.isoformat()
        payable = [result for result in pack["results"] if result["result"] in claim.results]
        refs = [ref for result in payable for condition in result["conditions"] for member in condition["members"]
                for ref in member["refs"]]  # fmt: skip
        assert refs, f"{claim.reference} cites no records"
        for ref in refs:
            assert ref.split(":")[1] in known, ref


def test_a_second_computation_does_not_claim_a_family_twice(computed, county):
    run, _, families = computed
    first = set(Claim.objects.filter(run=run).values_list("family_id", flat=True))
    Claim.objects.filter(run=run).update(state=ClaimState.SUBMITTED)
    _, problems = _truth(county)
    again, _ = compute_claims(programme="tf-2015", window="2018-07", snapshot_dir=county / "snapshot",
                              datasets_root=county / "snapshot" / "datasets", families=families, problems=problems,
                              by=None)  # fmt: skip
    assert first and not Claim.objects.filter(run=again).exists()


def test_states_move_with_who_and_why_audited(computed, make_staff):
    run, _, _ = computed
    claim = Claim.objects.filter(run=run).first()
    auditor = make_staff("ines", Role.AUDITOR)
    manager = make_staff("pat", Role.PROGRAMME_MANAGER)
    with pytest.raises(MoveError):
        change_claim_state(claim=claim, to=ClaimState.VALIDATED, reason="", by=manager)
    change_claim_state(claim=claim, to=ClaimState.VALIDATED, reason="evidence checked", by=auditor)
    change_claim_state(claim=claim, to=ClaimState.SUBMITTED, reason="", by=manager)
    change_claim_state(claim=claim, to=ClaimState.PAID, reason="", by=manager)
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID and claim.state_changed_by == manager
    moves = list(
        ClaimStateChange.objects.filter(claim=claim).values_list(
            "from_state", "to_state", "changed_by__username", "reason"
        )
    )
    assert moves == [
        ("draft", "validated", "ines", "evidence checked"),
        ("validated", "submitted", "pat", ""),
        ("submitted", "paid", "pat", ""),
    ]
    client = Client()
    client.force_login(auditor)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert claim.reference in page and "Source records" in page
    assert client.get(reverse("claims:pdf", args=[claim.pk])).content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="claims.change_state", object_id=str(claim.pk))
    assert events.filter(outcome="denied").count() == 1
    assert events.exclude(outcome="denied").count() == 3


def test_spot_check_sample_is_reproducible(computed):
    run, _, _ = computed
    first = draw_spot_check(programme="tf-2015", window=WINDOW, percent=Decimal(50), seed=7, by=None)
    again = draw_spot_check(programme="tf-2015", window=WINDOW, percent=Decimal(50), seed=7, by=None)
    assert first == again
    assert set(Claim.objects.filter(run=run, is_sampled=True).values_list("reference", flat=True)) == set(first)


def test_claims_command_writes_csv(county, db, tmp_path, capsys, new_family, worker):
    """A family on the programme as a case: its claim carries the case's lead professional, assessment and plan."""
    families, problems = _truth(county)
    target = next(family for family in families if problems[family.family_id])
    case = new_family(Stage.PLAN_ACTIVE, worker=worker, household=target.household_id)
    Case.objects.filter(pk=case.pk).update(programme="tf-2015", plan_agreed_on=target.start_on)
    Member.objects.filter(case=case).delete()  # the household's members come from the linked snapshot
    run = IdentificationRun.objects.create(
        programme="tf-2015", programme_version=1, programme_title="t", as_of_on=target.start_on, snapshot="s",
        started_at=timezone.now(), status=IdentificationRun.Status.SUCCEEDED,
    )  # fmt: skip
    CohortFamily.objects.create(run=run, family_id=target.family_id, household_id=target.household_id,
                                problems_met=";".join(sorted(problems[target.family_id])), change="new")  # fmt: skip
    out = tmp_path / "claims.csv"
    snapshot = county / "snapshot"
    call_command("claims", "--programme", "tf-2015", "--window", WINDOW, "--out", str(out),
                 "--snapshot", str(snapshot), "--datasets", str(snapshot / "datasets"))  # fmt: skip
    printed = capsys.readouterr().out
    assert "1 families" in printed
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    claims = list(Claim.objects.filter(case=case))
    assert len(claims) == 1  # this family's data show continuous employment (the truth test above checks it)
    assert [row["case"] for row in rows] == [case.reference]
    for claim in claims:
        pack = claim.evidence["case"]
        assert pack["lead_professional"] == "Kim Worker"
        assert pack["assessment"]["summary"] == "S" and pack["plan"]["aims"] == "Children in school every day"
        assert rows[0]["evidence_records"]


def test_recomputing_a_window_replaces_its_drafts(computed, county):
    run, _, families = computed
    first = sorted(Claim.objects.filter(run=run).values_list("reference", "amount_pence"))
    _, problems = _truth(county)
    snapshot = county / "snapshot"
    again, _ = compute_claims(
        programme="tf-2015",
        window=WINDOW,
        snapshot_dir=snapshot,
        datasets_root=snapshot / "datasets",
        families=families,
        problems=problems,
        by=None,
    )
    assert sorted(Claim.objects.filter(run=again).values_list("reference", "amount_pence")) == first
    assert not Claim.objects.filter(run=run).exists()
