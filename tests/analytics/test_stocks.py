"""Stocks on a constructed store (hand-computed answers) and on the store built from the mirror
(checked against Table 1 of the official workbook, read independently)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from corridors.analytics.stocks import QueryError, stock
from corridors.store import create_schema


@pytest.fixture
def small_store():
    con = duckdb.connect()
    create_schema(con)
    rows = [
        # edition, origin, destination, year, sex, value
        ("ims2020", "VEN", "COL", 2015, "total", 100), ("ims2020", "VEN", "COL", 2020, "total", 1700),
        ("ims2020", "VEN", "COL", 2020, "female", 900), ("ims2020", "VEN", "COL", 2020, "male", 800),
        ("ims2020", "XXX", "COL", 2020, "total", 50), ("ims2020", "PER", "COL", 2020, "total", 25),
        ("ims2020", "VEN", "PER", 2020, "total", 1000), ("ims2019", "VEN", "COL", 2019, "total", 1400),
    ]
    con.executemany("INSERT INTO migrant_stock VALUES (?, ?, ?, ?, ?, ?, 'test-source')", rows)
    con.execute("INSERT INTO provenance VALUES ('test-source', 'p', 't', 'ims2020', 'CC BY 3.0 IGO',"
                " NULL, NULL, 'f.csv', 'abc', NULL, 8)")
    yield con
    con.close()


def test_one_corridor(small_store):
    frame = stock(small_store, "VEN", "COL", 2020)
    assert frame.to_dicts() == [{
        "origin": "VEN", "destination": "COL", "year": 2020, "sex": "total", "value": 1700,
        "edition": "ims2020", "source": "test-source", "licence": "CC BY 3.0 IGO", "sha256": "abc"}]


def test_omitted_origin_sums_all_origins_including_other(small_store):
    assert stock(small_store, destination="COL", year=2020)["value"].to_list() == [1775]
    assert stock(small_store, destination="COL", year=2020)["origin"].to_list() == ["ALL"]


def test_omitted_both_sums_everything_and_lists_years(small_store):
    frame = stock(small_store)
    assert frame.select("year", "value").rows() == [(2015, 100), (2020, 2775)]


def test_codes_by_m49_and_sex(small_store):
    assert stock(small_store, "862", "170", 2020, sex="female")["value"].item() == 900


def test_edition_defaults_to_latest_and_can_be_chosen(small_store):
    assert stock(small_store, "VEN", "COL")["edition"].unique().to_list() == ["ims2020"]
    assert stock(small_store, "VEN", "COL", edition="ims2019")["value"].to_list() == [1400]


@pytest.mark.parametrize("kwargs, message", [
    ({"origin": "Atlantis"}, "unknown origin 'Atlantis'"),
    ({"sex": "other"}, "unknown sex"),
    ({"edition": "ims1999"}, "unknown edition 'ims1999'; the store has: ims2020, ims2019"),
    ({"year": 2016}, "no year 2016"),
    ({"edition": "ims2019", "sex": "female"}, "no figures by sex 'female'"),
])
def test_bad_filters_say_what_was_expected(small_store, kwargs, message):
    with pytest.raises(QueryError, match=message):
        stock(small_store, **kwargs)


def test_zero_for_a_corridor_with_no_migrants(small_store):
    assert stock(small_store, "PER", "VEN", 2020)["value"].to_list() == [0]


def _table1_world(mirror: Path) -> dict[tuple[int, str], float]:
    """WORLD row of Table 1 of the destination workbook, read straight from the file."""
    path = mirror / "un-desa/ims2020/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Table 1").to_python()
    header = next(r for r in rows if r[1] == "Region, development group, country or area")
    world = next(r for r in rows if r[1] == "WORLD")
    out = {}
    for i, sex in enumerate(("total", "male", "female")):
        for j in range(7):
            out[(int(header[5 + 7 * i + j]), sex)] = world[5 + 7 * i + j]
    return out


def test_ims2020_world_totals_equal_table_1(store_con, mirror: Path):
    expected = _table1_world(mirror)
    assert expected[(2020, "total")] == 280_598_105
    for (year, sex), value in expected.items():
        got = stock(store_con, year=year, sex=sex, edition="ims2020")["value"].item()
        assert got == value, (year, sex)


def test_ims2015_world_total(store_con):
    assert stock(store_con, year=2015, edition="ims2015")["value"].item() == 243_700_236


def test_ims2020_destination_sums_equal_published_totals_for_every_country(store_con):
    """Bilateral sums by destination, year and sex equal the store's copy of Table 1."""
    diff = store_con.execute("""
        WITH bil AS (SELECT destination AS iso3, year, sex, sum(value) AS v FROM migrant_stock
                     WHERE edition = 'ims2020' GROUP BY ALL)
        SELECT t.iso3, t.year, t.sex, t.value, bil.v FROM migrant_stock_totals t
        LEFT JOIN bil USING (iso3, year, sex)
        WHERE t.edition = 'ims2020' AND t.view = 'destination' AND t.iso3 IS NOT NULL
          AND coalesce(bil.v, 0) <> t.value
    """).fetchall()
    assert diff == []


def test_ims2020_origin_sums_equal_the_origin_workbook_for_every_country(store_con):
    """Bilateral sums by origin equal Table 1 of the origin workbook, 'Other' (XXX) included."""
    diff = store_con.execute("""
        WITH bil AS (SELECT origin AS iso3, year, sex, sum(value) AS v FROM migrant_stock
                     WHERE edition = 'ims2020' GROUP BY ALL)
        SELECT t.iso3, t.year, t.sex, t.value, bil.v FROM migrant_stock_totals t
        LEFT JOIN bil USING (iso3, year, sex)
        WHERE t.edition = 'ims2020' AND t.view = 'origin' AND t.iso3 IS NOT NULL
          AND coalesce(bil.v, 0) <> t.value
    """).fetchall()
    assert diff == []
    other = store_con.execute("""SELECT value FROM migrant_stock_totals WHERE view = 'origin'
        AND iso3 = 'XXX' AND year = 2020 AND sex = 'total'""").fetchone()[0]
    assert other == 12_657_151
