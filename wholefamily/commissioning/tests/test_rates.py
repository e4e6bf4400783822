"""Rates per 1,000 residents (or children) by district and ward from the imported area statistics: the rules on
plain rows, then the needs page and the market position statement, one ward's rate recomputed from the stored
statistics and the cohort; small counts and the rates made from them hidden."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from wholefamily.commissioning.tests.conftest import TODAY
from wholefamily.commissioning.tests.test_area_statistics import HEADER
from wholefamily.commissioning.tests.test_needs import _run
from wholefamily.domain.area_rates import WardStatistics, area_rates, latest_statistics, median_decile
from wholefamily.domain.commissioning import AreaFamily

JUNE = dt.date(TODAY.year - 1, 6, 30)


def _ward(district: str, ward: str, population: int, children: int, decile: int, on: dt.date = JUNE) -> WardStatistics:
    return WardStatistics(district, ward, on, population, children, population // 2, decile)


WARDS = [
    _ward("Northmoor", "Moor End", 5200, 1100, 3),
    _ward("Northmoor", "Highfield", 4100, 900, 1),
    _ward("Southvale", "Dock", 3900, 800, 7),
]


@pytest.mark.parametrize(
    ("by_ward", "code", "children", "expected"),
    [
        # Families per 1,000 residents: Highfield 9 / 4,100, Moor End 7 / 5,200, Dock 2 / 3,900.
        (
            True,
            "",
            False,
            [("Northmoor: Highfield", "2.2"), ("Northmoor: Moor End", "1.3"), ("Southvale: Dock", "0.5")],
        ),
        # A child's indicator per 1,000 children: Moor End 7 / 1,100; the others have none.
        (
            True,
            "child_proven_offence",
            True,
            [("Northmoor: Moor End", "6.4"), ("Northmoor: Highfield", "0.0"), ("Southvale: Dock", "0.0")],
        ),
        # Districts add their wards: Northmoor 16 / 9,300.
        (False, "", False, [("Northmoor", "1.7"), ("Southvale", "0.5")]),
    ],
)
def test_rates_rank_areas(by_ward: bool, code: str, children: bool, expected: list[tuple[str, str]]) -> None:
    families = (
        [AreaFamily("Northmoor", "Moor End", frozenset({"crime", "child_proven_offence"}))] * 7
        + [AreaFamily("Northmoor", "highfield ", frozenset({"crime"}))] * 9  # matched ignoring case and spaces
        + [AreaFamily("Southvale", "Dock", frozenset({"education"}))] * 2
    )
    rows = area_rates(families, WARDS, by_ward=by_ward, code=code, is_per_children=children)
    assert [(row.area, str(row.with_code_per_1000)) for row in rows] == expected


def test_an_area_without_statistics_ranks_last_and_the_estimate_is_set_against_the_cohort() -> None:
    families = [AreaFamily("Northmoor", "Moor End", frozenset())] * 30 + [AreaFamily("Eastfield", "Quay", frozenset())]
    rows = area_rates(families, WARDS, by_ward=False, estimate_per_1000=Decimal("2.19"))
    assert [(r.area, r.families, r.residents, r.estimated, r.against_estimate) for r in rows] == [
        ("Northmoor", 30, 9300, 20, 10),  # 9,300 x 2.19 / 1,000 = 20.4
        ("Southvale", 0, 3900, 9, -9),  # 8.5 rounds half up
        ("Eastfield", 1, None, None, None),
    ]


def test_the_latest_figures_at_the_date_and_a_districts_median_decile() -> None:
    older = _ward("Northmoor", "Moor End", 5000, 1000, 4, on=dt.date(2022, 6, 30))
    middle = _ward("Northmoor", "Moor End", 5200, 1100, 3, on=dt.date(2023, 6, 30))
    later = _ward("Northmoor", "Moor End", 5400, 1200, 2, on=dt.date(2024, 6, 30))
    assert latest_statistics([older, later, middle], on=dt.date(2024, 3, 31)) == [middle]
    assert latest_statistics([later, middle], on=dt.date(2020, 3, 31)) == [middle]  # none that old: the earliest
    # Highfield (decile 1) holds 4,100 of 9,300 residents: the median resident lives in Moor End (decile 3).
    assert median_decile(WARDS[:2]) == 3


def _import_statistics(tmp_path: Path) -> Any:
    from wholefamily.ingest.models import ImportRun
    from wholefamily.ingest.services import import_file

    path = tmp_path / "area.csv"
    path.write_text(
        HEADER
        + f"A1,E05000001,Moor End,Northmoor,{JUNE},5200,1100,2100,3,\n"
        + f"A2,E05000002,Highfield,Northmoor,{JUNE},4100,900,1800,1,4\n"
        + f"A3,E05000003,Dock,Southvale,{JUNE},3900,800,1500,7,\n",
        encoding="utf-8",
    )
    run = import_file(path=path, kind="area_statistics", profile="synthetic-county", by=None)
    assert run.status == ImportRun.Status.ACCEPTED, run.message
    return run.dataset_version


@pytest.mark.django_db
def test_the_needs_page_and_the_statement_show_rates(
    client: Any, staff: dict[str, Any], north: Any, settings: Any, tmp_path: Path
) -> None:
    from wholefamily.identification.models import CohortFamily
    from wholefamily.ingest.store import DATA_FILE, version_dir

    settings.DATA_DIR = tmp_path / "data"
    families = (
        [("Northmoor", "Moor End", "crime;education;health", ["child_proven_offence"])] * 7
        + [("Northmoor", "Highfield", "crime;housing;health", ["asb_intervention"])] * 9
        + [("Southvale", "Dock", "education;housing;health", ["persistent_absence"])] * 2
    )
    run = _run(TODAY - dt.timedelta(days=35), families, north)
    client.force_login(staff["commissioner"])
    assert "No area statistics have been imported" in client.get("/commissioning/needs/").content.decode()
    version = _import_statistics(tmp_path)
    page = client.get("/commissioning/needs/", {"area": "ward"}).content.decode()
    rates = page[page.index('id="rates-table"') :]
    # Another way: Highfield's identified families counted in the cohort, its residents read from the stored file.
    stored = pq.read_table(version_dir("area_statistics", version.version_id) / DATA_FILE).to_pylist()
    residents = next(row["population"] for row in stored if row["ward_name"] == "Highfield")
    counted = CohortFamily.objects.filter(run=run, ward="Highfield", is_qualifying=True).count()
    highfield = f"{counted * 1000 / residents:.1f}"
    assert highfield == "2.2"
    row = rates[rates.index("Northmoor: Highfield") : rates.index("</tr>", rates.index("Northmoor: Highfield"))]
    assert ">4,100<" in row and ">900<" in row and f">{highfield}<" in row and ">1<" in row  # decile 1
    dock = rates[rates.index("Southvale: Dock") : rates.index("</tr>", rates.index("Southvale: Dock"))]
    assert dock.count("fewer than 5") == 2  # two families: the count and its rate hidden
    assert rates.index("Northmoor: Highfield") < rates.index("Northmoor: Moor End") < rates.index("Southvale: Dock")
    assert "has no estimate of the number of families" in page  # the programme's definition has none
    child = client.get("/commissioning/needs/", {"area": "ward", "code": "child_proven_offence"}).content.decode()
    assert "per 1,000 children" in child and ">6.4<" in child  # Moor End: 7 of 1,100 children

    from wholefamily.commissioning import market

    figures = market.current_figures()
    assert figures["rates"]["body"][0][:6] == ["Northmoor", "9,300", "2,000", "3", "16", "1.7"]
    assert "no estimate" in figures["rates_note"]


@pytest.mark.django_db
def test_looked_after_children_from_social_care_and_conceptions_from_the_area_statistics(
    client: Any, staff: dict[str, Any], north: Any, settings: Any, tmp_path: Path
) -> None:
    import pyarrow as pa

    from wholefamily.ingest.models import ImportRun
    from wholefamily.ingest.services import import_file

    settings.DATA_DIR = tmp_path / "data"
    run = _run(TODAY - dt.timedelta(days=35), [("Northmoor", "Moor End", "crime;education;health", [])] * 6, north)
    client.force_login(staff["programme"])
    on = run.as_of_on
    none_yet = client.get("/commissioning/needs/", {"code": "looked_after_children"}).content.decode()
    assert "No area statistics have been imported" in none_yet
    statistics = tmp_path / "area.csv"
    statistics.write_text(
        HEADER
        + f"A1,E05000001,Moor End,Northmoor,{JUNE},5200,1100,2100,3,\n"
        + f"A2,E05000002,Highfield,Northmoor,{JUNE},4100,900,1800,1,9\n"
        + f"A3,E05000003,Dock,Southvale,{JUNE},3900,800,1500,7,1\n",
        encoding="utf-8",
    )
    assert (
        import_file(path=statistics, kind="area_statistics", profile="synthetic-county", by=None).status == "accepted"
    )
    no_records = client.get("/commissioning/needs/", {"code": "looked_after_children", "area": "ward"})
    assert "No such records have been imported" in no_records.content.decode()

    lookup = Path(settings.DATA_DIR) / "geography" / "postcodes.parquet"
    lookup.parent.mkdir(parents=True)
    pq.write_table(pa.table({"postcode": ["ZZ1 1AA", "ZZ2 1AA"], "district": ["Northmoor", "Southvale"],
                             "ward": ["Moor End", "Dock"]}), lookup)  # fmt: skip
    start, before = on - dt.timedelta(days=90), on - dt.timedelta(days=400)
    episodes = [f"S{n},P{n},,,,,,ZZ1 1AA,,SC{n},looked_after,{start},\n" for n in range(6)]  # six in Moor End
    episodes += [
        f"S6,P0,,,,,,zz11aa,,SC0,looked_after,{before},\n",  # the same child's older episode: counted once
        f"S7,P7,,,,,,ZZ2 1AA,,SC7,looked_after,{before},{before + dt.timedelta(days=30)}\n",  # ended before
        f"S8,P8,,,,,,ZZ2 1AA,,SC8,child_in_need,{start},\n",  # not looked after
        f"S9,P9,,,,,,ZZ2 1AA,,SC9,looked_after,{on + dt.timedelta(days=1)},\n",  # starts after the date
    ]
    care = tmp_path / "social_care.csv"
    care.write_text(
        "source_record_id,source_person_id,forename,surname,date_of_birth,sex,address,postcode,uprn,social_care_id,"
        "episode_type,start_on,end_on\n" + "".join(episodes),
        encoding="utf-8",
    )
    imported = import_file(path=care, kind="social_care", profile="synthetic-county", by=None)
    assert imported.status == ImportRun.Status.ACCEPTED, list(imported.problems.values_list("line", "reason"))
    page = client.get("/commissioning/needs/", {"code": "looked_after_children", "area": "ward"}).content.decode()
    table = page[page.index('id="rates-table"') :]
    assert "counted from the social care records" in page and "per 1,000 children" in page
    from wholefamily.governance.models import AuditEvent

    viewed = AuditEvent.objects.filter(object_type="commissioning.needs", object_id="looked_after_children").last()
    assert viewed is not None and viewed.detail == {"counted_from": "social_care"}
    moor_end = table[table.index("Northmoor: Moor End") : table.index("</tr>", table.index("Northmoor: Moor End"))]
    assert ">1,100<" in moor_end and ">6<" in moor_end and f">{6 * 1000 / 1100:.1f}<" in moor_end  # 5.5
    dock = table[table.index("Southvale: Dock") : table.index("</tr>", table.index("Southvale: Dock"))]
    assert ">0<" in dock  # the ended, the not-yet-started and the child in need are not counted

    conceptions = client.get("/commissioning/needs/", {"code": "under_18_conceptions", "area": "ward"})
    text = conceptions.content.decode()
    assert "the figure comes from an imported area statistic" in text
    table = text[text.index('id="rates-table"') :]
    assert table.index("Northmoor: Highfield") < table.index("Southvale: Dock") < table.index("Northmoor: Moor End")
    assert ">10.0<" in table  # Highfield: 9 of 900 children
    assert "fewer than 5" in table  # Dock's one, and its rate
    assert "not known" in table  # Moor End has no figure


RECORDS = {"kind": "social_care", "code_column": "episode_type", "codes": ["looked_after"], "start_column": "start_on",
           "end_column": "end_on", "person_columns": ["social_care_id"]}  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "refused"),
    [
        ({"code": "x", "label": "X", "column": "under_18_conceptions"}, None),
        ({"code": "x", "label": "X"}, "either an area statistics column or records"),
        ({"code": "x", "label": "X", "column": "c", "records": RECORDS}, "either"),
        ({"code": "x", "label": "X", "records": {"kind": "social_care"}}, "code_column"),
    ],
)
def test_an_area_indicator_is_counted_one_way(indicator: dict[str, Any], refused: str | None) -> None:
    from wholefamily.domain.area_rates import NeedsDefinitionError, parse_needs

    raw = {"child_max_age": 17, "area_indicators": [indicator]}
    if refused is None:
        assert parse_needs(raw).area_indicator("x") is not None
    else:
        with pytest.raises(NeedsDefinitionError, match=refused):
            parse_needs(raw)
