"""The command stores an analysis of a small synthetic county and the page shows it to the roles it is for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.core.management import call_command

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.roles import Role
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.synth.generator import Parameters, generate


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("impact-county")
    generate(
        Parameters(population=15_000, seed=5, start="2013-09-01", years=5),
        out,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    build_perfect_snapshot(
        out, out / "snapshot", contracts=load_contract_set(Path(settings.DEFINITIONS_DIR)), as_of=dt.date(2015, 8, 31)
    )
    worked = pq.read_table(out / "truth" / "worked_with.parquet").to_pylist()
    (out / "worked.csv").write_text(
        "household_id,start_on\n" + "".join(f"H{r['household_id']},{r['start_on']}\n" for r in worked),
        encoding="utf-8",
    )
    cohort = sorted(set(pq.read_table(out / "truth" / "family_terms.parquet").column("household_id").to_pylist()))
    (out / "pool.csv").write_text("household_id\n" + "".join(f"H{h}\n" for h in cohort), encoding="utf-8")
    return out


@pytest.mark.django_db
def test_command_stores_the_run_and_the_page_shows_it(county, make_staff, make_team, client, capsys):
    from wholefamily.governance.models import AuditEvent
    from wholefamily.impact.models import ImpactRun

    call_command(
        "impact", "--snapshot", str(county / "snapshot"), "--worked-with", str(county / "worked.csv"),
        "--pool", str(county / "pool.csv"),
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "worked-with families" in out and "95% CI" in out
    run = ImpactRun.objects.get()
    assert run.worked_with > 0 and run.pool > 0 and run.matched > 0
    assert run.effects.count() == 7
    assert {item["feature"] for item in run.balance} >= {"members", "before_offending"}
    assert AuditEvent.objects.filter(action="impact.analyse", object_id=str(run.pk)).exists()

    for role in (Role.PROGRAMME_MANAGER, Role.COMMISSIONER, Role.DATA_ANALYST):
        client.force_login(make_staff(f"reader-{role.value}", role))
        page = client.get("/impact/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "Difference in differences" in html and "parallel trends" in html and "<svg" in html
    client.force_login(make_staff("kim.worker", Role.KEY_WORKER, team=make_team("Northmoor Family Support")))
    assert client.get("/impact/").status_code == 403


@pytest.mark.django_db
def test_the_page_before_any_analysis(make_staff, client):
    client.force_login(make_staff("pat.programme", Role.PROGRAMME_MANAGER))
    page = client.get("/impact/")
    assert page.status_code == 200
    assert "No impact analysis has been run yet" in page.content.decode()


def test_a_malformed_worked_with_file_is_refused(tmp_path):
    from wholefamily.impact.services import ImpactError, read_worked_with

    bad = tmp_path / "worked.csv"
    bad.write_text("household_id,start_on\nH1,not-a-date\n", encoding="utf-8")
    with pytest.raises(ImpactError, match="household_id,start_on"):
        read_worked_with(bad)


@pytest.mark.django_db
def test_savings_command_sample_page_and_exports(county, make_staff, client, tmp_path, capsys):
    from openpyxl import load_workbook

    from wholefamily.impact.models import SavingsRun

    arguments = ["savings", "--snapshot", str(county / "snapshot"), "--worked-with", str(county / "worked.csv")]
    call_command(
        *arguments, "--programme-cost", "100000", "--xlsx", str(tmp_path / "cb.xlsx"), "--pdf", str(tmp_path / "cb.pdf")
    )
    whole = SavingsRun.objects.get()
    assert whole.families == len((county / "worked.csv").read_text().splitlines()) - 1
    assert whole.total_before > 0 and whole.unverified  # the starter set says its values are unverified
    assert {row["agency"] for row in whole.by_agency} >= {"Police", "Children's social care"}
    out = capsys.readouterr().out
    assert "Benefit-cost ratio" in out
    assert load_workbook(tmp_path / "cb.xlsx").sheetnames == [
        "Cost-benefit",
        "By agency",
        "By problem",
        "By family",
        "Potential savings",
        "Unit costs",
    ]
    care, custody = whole.potential  # care and custody averted, by the stated method, apart from actual savings
    unit = {row["cost"]: row["unit_cost"] for row in whole.by_cost}
    assert care["risk"] == "care" and care["families_at_risk"] > 0 and whole.potential_method
    assert care["saving"] == pytest.approx(care["families_at_risk"] * 0.10 * 0.25 * 52 * unit["looked_after_week"])
    assert custody["saving"] == pytest.approx(custody["families_at_risk"] * 0.05 * 0.20 * 16 * unit["custody_week"])
    assert "Potential saving, a child taken into care averted (not in the cost-benefit)" in out
    assert (tmp_path / "cb.pdf").read_bytes().startswith(b"%PDF")

    for _ in range(2):  # the 10% sample: the same seed, the same families
        call_command(*arguments, "--sample", "0.1", "--seed", "7")
    first, second = SavingsRun.objects.order_by("pk")[1:3]
    assert first.families == second.families == max(1, round(whole.families * 0.1 + 0.49))
    assert [row["household_id"] for row in first.by_family] == [row["household_id"] for row in second.by_family]

    client.force_login(make_staff("carol.commissioner", Role.COMMISSIONER))
    page = client.get("/impact/savings/")
    html = page.content.decode()
    assert page.status_code == 200 and "Net benefit" in html and "Unverified" in html
    assert "Potential savings: care and custody averted" in html and "Not part of the cost-benefit above" in html
    assert client.get("/impact/savings/cost-benefit.xlsx").status_code == 200
    assert client.get("/impact/savings/cost-benefit.pdf").content.startswith(b"%PDF")


def test_a_malformed_unit_cost_definition_is_refused_whole(tmp_path):
    from wholefamily.impact.engine.savings import UnitCostError, load_unit_costs

    bad = tmp_path / "costs.yaml"
    bad.write_text(
        "name: x\nversion: 1\nprice_base_year: 2024\ndeflator: {index: {2024: 100}}\ncosts:\n"
        "  - {code: a, label: A, kind: offences, rule: events, date_column: offence_on, unit: event, value: 1,"
        " year: 2019, type: fiscal, agency: Police, problem: crime, source: s}\n"
        "  - {code: b, label: B, kind: offences, rule: hours, unit: event, value: -1, year: 2024, type: moral,"
        " agency: Police, problem: crime, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitCostError) as error:
        load_unit_costs(bad)
    message = str(error.value)
    assert "year 2019 has no deflator" in message and "rule must be" in message and "type must be" in message
    assert "value must be" in message


@pytest.mark.django_db
def test_the_programme_cost_is_the_budget_spend_over_the_families_period_unless_given(
    county, make_staff, make_team, client
):
    from django.utils import timezone

    from wholefamily.cases.models import BudgetLine, Case
    from wholefamily.impact.models import SavingsRun

    worked = [line.split(",") for line in (county / "worked.csv").read_text().splitlines()[1:]]
    manager = make_staff("pat.manager", Role.PROGRAMME_MANAGER)
    team = make_team("North", "Northshire")
    expected = 0
    for index, (household_id, start_on) in enumerate(worked[:3]):
        start = dt.date.fromisoformat(start_on)
        case = Case.objects.create(reference=f"F-{index}", family_name="A family", household_id=household_id,
                                   team=team, origin="cohort", stage="plan_active", stage_changed_at=timezone.now(),
                                   opened_on=start)  # fmt: skip
        lines = [
            ("spend", "approved", 12_550, start + dt.timedelta(days=10)),  # in the period: counted
            ("spend", "approved", 30_000, start + dt.timedelta(days=364)),  # the period's last day: counted
            ("spend", "approved", 99_900, start + dt.timedelta(days=365)),  # after the period
            ("spend", "approved", 77_700, start - dt.timedelta(days=1)),  # before the start
            ("spend", "requested", 55_500, start + dt.timedelta(days=20)),  # not approved
            ("spend", "rejected", 44_400, start + dt.timedelta(days=20)),
            ("funds", "approved", 500_000, start + dt.timedelta(days=5)),  # money put in, not spent
        ]
        for kind, status, pence, entered_on in lines:
            BudgetLine.objects.create(case=case, kind=kind, status=status, amount_pence=pence, description="x",
                                      entered_on=entered_on, requested_by=manager)  # fmt: skip
        expected += 12_550 + 30_000
    other = Case.objects.create(reference="F-9", family_name="Not worked with", household_id="H-not-in-the-csv",
                                team=team, origin="cohort", stage="plan_active", stage_changed_at=timezone.now(),
                                opened_on=dt.date(2014, 1, 1))  # fmt: skip
    BudgetLine.objects.create(case=other, kind="spend", status="approved", amount_pence=1_000_000, description="x",
                              entered_on=dt.date(2014, 2, 1), requested_by=manager)  # fmt: skip

    arguments = ["savings", "--snapshot", str(county / "snapshot"), "--worked-with", str(county / "worked.csv")]
    call_command(*arguments)
    from_budget = SavingsRun.objects.get()
    assert from_budget.programme_cost_from == "budget" and from_budget.budget_lines == 6
    assert from_budget.programme_cost == expected / 100 == 1_276.50
    call_command(*arguments, "--programme-cost", "250000")
    given = SavingsRun.objects.order_by("-pk").first()
    assert given.programme_cost == 250_000 and given.programme_cost_from == "given" and given.budget_lines == 0

    client.force_login(make_staff("carol.commissioner", Role.COMMISSIONER))
    assert "given by whoever ran the savings" in client.get("/impact/savings/").content.decode()
    given.delete()
    html = client.get("/impact/savings/").content.decode()
    assert "£1,276 (from the budget lines: the approved personalised budget spend" in html
    assert "6 lines" in html


def test_a_potential_savings_method_naming_an_unknown_cost_or_a_share_over_one_is_refused_whole(tmp_path):
    from wholefamily.impact.engine.potential import load_potential
    from wholefamily.impact.engine.savings import UnitCostError, load_unit_costs

    costs = load_unit_costs(Path(settings.DEFINITIONS_DIR) / "impact" / "unit-costs.yaml")
    good = load_potential(Path(settings.DEFINITIONS_DIR) / "impact" / "potential-savings.yaml", costs)
    assert [risk.code for risk in good.risks] == ["care", "custody"]
    bad = tmp_path / "potential.yaml"
    bad.write_text(
        "name: x\nversion: 1\nrisks:\n"
        "  - {code: care, label: Care, at_risk_when: [no_such_cost], probability: 0.1, averted: 0.2,"
        " cost: looked_after_week, quantity: 52, assumption: a}\n"
        "  - {code: custody, label: Custody, at_risk_when: [offence], probability: 1.5, averted: 0.2,"
        " cost: custody_week, quantity: 16, assumption: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitCostError) as refused:
        load_potential(bad, costs)
    assert "no unit cost no_such_cost" in str(refused.value) and "probability must be a share" in str(refused.value)


@pytest.mark.django_db
def test_the_savings_run_costs_with_the_imported_set_chosen(county, tmp_path):
    import yaml
    from django.core.management import CommandError

    from wholefamily.impact.models import SavingsRun
    from wholefamily.impact.unit_costs import definition_workbook, import_unit_costs

    definition = yaml.safe_load((Path(settings.DEFINITIONS_DIR) / "impact" / "unit-costs.yaml").read_text())
    assert definition["costs"][0]["code"] == "offence"
    definition["costs"][0]["value"] *= 2  # the council's own: an offence costs twice the starter's
    (tmp_path / "ours.xlsx").write_bytes(definition_workbook(definition))
    import_unit_costs(tmp_path / "ours.xlsx", name="ours", price_base_year=2024)
    arguments = ["savings", "--snapshot", str(county / "snapshot"), "--worked-with", str(county / "worked.csv")]
    call_command(*arguments, "--programme-cost", "1")
    call_command(*arguments, "--programme-cost", "1", "--unit-cost-set", "ours@1")
    starter, ours = SavingsRun.objects.order_by("pk")
    assert starter.unit_costs == "starter-unit-costs@1" and ours.unit_costs == "ours@1"
    before = {row["cost"]: row["cost_before"] for row in starter.by_cost}
    after = {row["cost"]: row["cost_before"] for row in ours.by_cost}
    assert before["offence"] > 0 and after["offence"] == pytest.approx(2 * before["offence"])
    assert {code: value for code, value in after.items() if code != "offence"} == pytest.approx(
        {code: value for code, value in before.items() if code != "offence"}
    )
    with pytest.raises(CommandError, match="No imported unit cost set"):
        call_command(*arguments, "--unit-cost-set", "ours@9")
