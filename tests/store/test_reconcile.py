"""Every edition reconciles with its published world totals: categories + unclassified + unknown
origin = the published total, for every edition, year, sex and built-in lens (issue: IMS 2019 lost
11.4 million migrants of unknown origin)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from corridors import Observatory
from corridors.analytics.lenses import BUILTIN
from corridors.store.reconcile import carry_unknown_origin


def _published_world(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, str], float]:
    rows = con.execute("SELECT DISTINCT edition, year, sex, value FROM migrant_stock_totals "
                       "WHERE area_m49 = 900 AND view = 'destination'").fetchall()
    return {(e, y, s): v for e, y, s, v in rows}


def test_every_edition_year_sex_and_lens_adds_up_to_the_published_world_total(built_store, mirror):
    obs = Observatory(built_store)
    published = _published_world(obs.con)
    # IMS 2015: the world total is the WORLD row of Table 16's Total column (read here from the file)
    sheet = CalamineWorkbook.from_path(
        mirror / "un-desa/ims2015/UN_MigrantStockByOriginAndDestination_2015.xlsx"
    ).get_sheet_by_name("Table 16").to_python()
    world_2015 = next(r[5] for r in sheet if str(r[1]).strip() == "WORLD")
    published[("ims2015", 2015, "total")] = float(world_2015)
    checked = 0
    stored_sexes = set(obs.con.execute("SELECT DISTINCT edition, sex FROM migrant_stock").fetchall())
    for edition in obs.editions():
        for (e, year, sex), total in sorted(published.items()):
            if e != edition or (e, sex) not in stored_sexes:
                continue
            summary = obs.summary_by_category(list(BUILTIN), year=year, sex=sex, edition=edition)
            for lens, part in summary.group_by("lens"):
                got = part["value"].sum() + part["unclassified"][0] + part["unknown_origin"][0]
                assert got == pytest.approx(total, abs=0.5), (edition, year, sex, lens)
                checked += 1
    assert {e for e, _, _ in published} >= {"ims2019", "ims2020", "ims2015"}
    assert checked == len(BUILTIN) * (7 * 3 + 7 + 1)  # ims2020 by sex, ims2019 and ims2015 both sexes


def test_ims2019_carries_its_missing_origins_as_unknown(built_store):
    obs = Observatory(built_store)
    summary = obs.summary_by_category("wb-lmic", year=2019, edition="ims2019")
    # published world total 271,642,105; the derived bilateral file alone sums to 260,283,744
    assert summary["unknown_origin"][0] == 271_642_105 - 260_283_744
    usa = obs.stock(destination="USA", year=2019, edition="ims2019")
    assert usa["value"].sum() == 50_661_149  # IMS 2019 Table 1, United States of America


def _small_store(rows: list[tuple], totals: list[tuple]) -> duckdb.DuckDBPyConnection:
    from corridors.store import create_schema

    con = duckdb.connect()
    create_schema(con)
    con.executemany("INSERT INTO migrant_stock VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO migrant_stock_totals VALUES (?, 'destination', ?, ?, ?, ?, ?, 't')",
                    totals)
    return con


def test_gap_tops_up_an_existing_unknown_origin_row_and_never_lowers_a_published_figure():
    con = _small_store(
        [("e", "KEN", "UGA", 2020, "total", 100.0, "b"), ("e", "XXX", "UGA", 2020, "total", 5.0, "b"),
         ("e", "KEN", "TZA", 2020, "total", 80.0, "b")],
        [("e", 800, "UGA", 2020, "total", 130.0), ("e", 834, "TZA", 2020, "total", 70.0),
         ("e", 404, "KEN", 2020, "total", 9.0)])
    found = carry_unknown_origin(con)
    stock = pl.from_arrow(con.execute(
        "SELECT origin, destination, value, source_id FROM migrant_stock ORDER BY ALL").arrow())
    assert stock.rows() == [("KEN", "TZA", 80.0, "b"), ("KEN", "UGA", 100.0, "b"),
                            ("XXX", "KEN", 9.0, "t"), ("XXX", "UGA", 30.0, "b")]
    assert found.rows == 2 and found.persons == {"e": 34.0}
    assert found.excess == [("e", "TZA", 2020, "total", -10.0)]
