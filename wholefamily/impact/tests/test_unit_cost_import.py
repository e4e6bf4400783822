"""A council's own unit costs imported from a workbook or CSV files: validated whole, bad lines named, formulas
refused, versioned, re-runnable without duplicates, the page and the command (ADR 0029)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from wholefamily.domain.roles import Role

STARTER = Path(settings.DEFINITIONS_DIR) / "impact" / "unit-costs.yaml"


def starter_workbook() -> Workbook:
    from wholefamily.impact.unit_costs import definition_workbook

    return load_workbook(io.BytesIO(definition_workbook(yaml.safe_load(STARTER.read_text(encoding="utf-8")))))


def save(workbook: Workbook, path: Path) -> Path:
    workbook.save(path)
    return path


@pytest.mark.django_db
def test_the_starter_set_goes_round_the_workbook_shape_and_a_second_import_keeps_nothing_new(tmp_path):
    from wholefamily.governance.models import AuditEvent
    from wholefamily.impact.engine.savings import load_unit_costs
    from wholefamily.impact.models import UnitCostSet
    from wholefamily.impact.unit_costs import import_unit_costs, unit_costs_of

    path = save(starter_workbook(), tmp_path / "costs.xlsx")
    first = import_unit_costs(path, name="council-costs", price_base_year=2024)
    again = import_unit_costs(path, name="council-costs", price_base_year=2024)
    assert first.created and not again.created and again.unit_cost_set.pk == first.unit_cost_set.pk
    assert UnitCostSet.objects.count() == 1
    shipped, imported = load_unit_costs(STARTER), unit_costs_of(first.unit_cost_set)
    assert imported.costs == shipped.costs  # every field of every cost, as the YAML has it
    assert imported.deflator == shipped.deflator and imported.price_base_year == 2024
    assert str(first.unit_cost_set) == "council-costs@1" and first.unit_cost_set.unverified == len(shipped.costs)
    assert AuditEvent.objects.filter(action="impact.unit_costs_import", object_id=str(first.unit_cost_set.pk)).exists()

    workbook = starter_workbook()
    workbook["costs"]["J2"] = 2600  # the first cost's value, changed
    changed = import_unit_costs(save(workbook, tmp_path / "changed.xlsx"), name="council-costs", price_base_year=2024)
    assert changed.created and changed.unit_cost_set.version == 2
    assert unit_costs_of(changed.unit_cost_set).costs[0].value == 2600


@pytest.mark.django_db
def test_csv_with_a_deflator_csv(tmp_path):
    from wholefamily.impact.unit_costs import import_unit_costs, unit_costs_of

    costs = tmp_path / "costs.csv"
    costs.write_text(
        "code,label,kind,rule,date_column,column,codes,where_column,unit,value,year,type,agency,problem,source,"
        "verified\n"
        'offence,An offence,offences,events,offence_on,,,,event,"£2,100",2023,fiscal,Police,crime,'
        "Our finance team,yes\n"
        "looked_after,A week looked after,social_care,weeks,,episode_type,looked_after,,week,1250.50,2024,fiscal,"
        "Children's social care,need_help,Our finance team,no\n"
        "callout,A police call-out,domestic_abuse,events,incident_on,,,is_police_callout,event,800,2024,fiscal,"
        "Police,domestic_abuse,Our finance team,\n",
        encoding="utf-8",
    )
    deflator = tmp_path / "deflator.csv"
    deflator.write_text("year;index;source;verified\n2023;97.5;HM Treasury GDP deflator;yes\n2024;100;;yes\n")
    kept = import_unit_costs(costs, deflator_file=deflator, name="csv-costs", price_base_year=2024).unit_cost_set
    parsed = unit_costs_of(kept)
    assert [cost.code for cost in parsed.costs] == ["offence", "looked_after", "callout"]
    assert parsed.costs[0].value == 2100 and parsed.costs[0].verified and not parsed.costs[1].verified
    assert parsed.costs[1].codes == ("looked_after",) and parsed.costs[2].where_true == "is_police_callout"
    assert parsed.uprated(parsed.costs[0]) == pytest.approx(2100 * 100 / 97.5) and parsed.deflator_verified


@pytest.mark.django_db
def test_bad_lines_are_named_with_their_reasons_and_nothing_is_kept(tmp_path):
    from wholefamily.governance.models import AuditEvent
    from wholefamily.impact.models import UnitCostSet
    from wholefamily.impact.unit_costs import UnitCostsRefused, import_unit_costs

    workbook = starter_workbook()
    sheet = workbook["costs"]
    sheet["J2"] = "=2500*1.1"  # a formula, line 2
    sheet["J3"] = "seven hundred"  # line 3
    sheet["D4"] = "hours"  # rule, line 4
    sheet["C5"] = "offences; DROP TABLE x"  # kind, line 5: never reaches a query
    sheet["E12"] = "1 OR 1=1"  # date column, line 12
    sheet["A7"] = sheet["A6"].value  # a code twice
    sheet["O9"] = "@SUM(A1)"  # formula-like text in source, line 9
    sheet["M8"] = '=HYPERLINK("http://evil.example","x")'  # written as a formula by the spreadsheet, line 8
    sheet["K10"] = 1850  # a year with no index
    sheet["P11"] = "perhaps"  # verified
    workbook["deflator"].append([2024, 101])  # a year twice
    path = save(workbook, tmp_path / "bad.xlsx")
    with pytest.raises(UnitCostsRefused) as refused:
        import_unit_costs(path, name="bad", price_base_year=2024)
    text = "\n".join(refused.value.problems)
    for expected in (
        "costs, line 2, value: a formula",
        "costs, line 3, value: 'seven hundred' is not a number",
        "costs, line 4: rule must be one of events, weeks",
        "costs, line 5: kind 'offences; DROP TABLE x' is not a kind",
        "costs, line 12: date_column '1 OR 1=1' is not a date column",
        "costs, line 8, agency: a formula",
        "cost codes must be unique",
        "costs, line 9, source: text that starts like a spreadsheet formula",
        "costs, line 10, year: 1850 is not a year",
        "costs, line 11, verified: 'perhaps' is not yes or no",
        "deflator, line 13: year 2024 is given twice",
    ):
        assert expected in text
    assert not UnitCostSet.objects.exists()
    assert AuditEvent.objects.filter(action="impact.unit_costs_import", outcome="failed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"code,label\n", "missing columns kind, rule"),
        (b"code,label,colour\nx,y,z\n", "unknown columns colour"),
        (b'code,label\n"open quote,', "truncated"),
    ],
)
def test_hostile_csv_is_refused_in_words(tmp_path, content, expected):
    from wholefamily.impact.unit_costs import UnitCostsRefused, import_unit_costs

    costs, deflator = tmp_path / "costs.csv", tmp_path / "deflator.csv"
    costs.write_bytes(content)
    deflator.write_text("year,index\n2024,100\n")
    with pytest.raises(UnitCostsRefused, match=expected):
        import_unit_costs(costs, deflator_file=deflator, name="x", price_base_year=2024)


@pytest.mark.django_db
def test_a_workbook_without_its_deflator_sheet_and_a_csv_without_a_deflator(tmp_path):
    from wholefamily.impact.unit_costs import UnitCostsRefused, import_unit_costs

    workbook = starter_workbook()
    del workbook["deflator"]
    with pytest.raises(UnitCostsRefused, match="no sheet named 'deflator'"):
        import_unit_costs(save(workbook, tmp_path / "a.xlsx"), name="x", price_base_year=2024)
    (tmp_path / "c.csv").write_text("code\n")
    with pytest.raises(UnitCostsRefused, match="need a second CSV file of the deflator"):
        import_unit_costs(tmp_path / "c.csv", name="x", price_base_year=2024)


@pytest.mark.django_db
def test_the_command_imports_lists_and_writes_the_shape(tmp_path, capsys):
    call_command("unit_costs", "template", str(tmp_path / "shape.xlsx"))
    assert load_workbook(tmp_path / "shape.xlsx").sheetnames == ["costs", "deflator"]
    for _ in range(2):
        call_command(
            "unit_costs", "import", str(tmp_path / "shape.xlsx"), "--name", "ours", "--price-base-year", "2024"
        )
    call_command("unit_costs", "list")
    out = capsys.readouterr().out
    assert "Kept ours@1" in out and "Already kept as ours@1: nothing new" in out and "ours@1: 11 costs" in out
    (tmp_path / "bad.csv").write_text("code,label\n")
    with pytest.raises(CommandError, match="nothing was kept"):
        call_command("unit_costs", "import", str(tmp_path / "bad.csv"), "--deflator", str(tmp_path / "bad.csv"),
                     "--name", "ours", "--price-base-year", "2024")  # fmt: skip


@pytest.mark.django_db
def test_the_page_imports_refuses_and_is_for_those_who_run_the_savings(client, make_staff, tmp_path):
    from wholefamily.impact.models import UnitCostSet

    client.force_login(make_staff("dana.analyst", Role.DATA_ANALYST))
    page = client.get("/impact/unit-costs/")
    assert page.status_code == 200 and "None yet" in page.content.decode()
    template = client.get("/impact/unit-costs/template.xlsx")
    assert template.status_code == 200 and template.content.startswith(b"PK")
    upload = io.BytesIO(template.content)
    upload.name = "ours.xlsx"
    answer = client.post("/impact/unit-costs/", {"name": "ours", "price_base_year": "2024", "file": upload})
    kept = UnitCostSet.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/impact/unit-costs/{kept.pk}/?created=1"
    detail = client.get(answer["Location"]).content.decode()
    assert "checked and kept as version 1" in detail and "An offence dealt with by the police" in detail

    bad = io.BytesIO(b"code,label\nx,y\n")
    bad.name = "bad.csv"
    refused = client.post("/impact/unit-costs/", {"name": "ours", "price_base_year": "2024", "file": bad})
    html = refused.content.decode()
    assert refused.status_code == 400 and "Why the file was refused" in html and "need a second CSV file" in html
    for hostile in ({"name": "", "price_base_year": "next year"}, {"name": "x" * 500, "price_base_year": "-5"}):
        assert client.post("/impact/unit-costs/", hostile).status_code == 400  # the form again, with its errors
    assert UnitCostSet.objects.count() == 1
    assert client.get("/impact/unit-costs/999999/").status_code == 404

    client.force_login(make_staff("carol.commissioner", Role.COMMISSIONER))
    assert client.get("/impact/unit-costs/").status_code == 403
