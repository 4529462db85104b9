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

#: Every edition of bilateral stock the build can read and the years each publishes (UN DESA
#: IMS Rev. 2024, 2020, 2019, 2015). A year the store holds that is not listed here fails
#: ``test_every_year_of_the_store_is_checked``, so no edition or year escapes the invariant.
EDITION_YEARS = {
    "ims2024": (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024),
    "ims2020": (1990, 1995, 2000, 2005, 2010, 2015, 2020),
    "ims2019": (1990, 1995, 2000, 2005, 2010, 2015, 2019),
    "ims2015": (2015,),
}
CASES = [(e, y) for e, years in EDITION_YEARS.items() for y in years]


@pytest.fixture(scope="module")
def obs(built_store):
    with Observatory(built_store) as found:
        yield found


def test_every_year_of_the_store_is_checked(obs):
    held = set(obs.con.execute("SELECT DISTINCT edition, year FROM migrant_stock").fetchall())
    assert held <= set(CASES), sorted(held - set(CASES))
    assert {e for e, _ in held} >= {"ims2020", "ims2019", "ims2015"}


@pytest.mark.parametrize(("edition", "year"), CASES, ids=[f"{e}-{y}" for e, y in CASES])
def test_categories_unclassified_and_unknown_origin_add_up_to_the_published_world_total(
        obs, edition, year):
    """South–South + South–North + North–South + North–North + unclassified + unknown origin =
    the published world total, for each sex the edition has and every built-in lens."""
    if edition not in obs.editions():
        pytest.skip(f"{edition} is not in the mirror (see MANIFEST.md)")
    stored = dict(obs.con.execute(
        "SELECT sex, value FROM migrant_stock_totals WHERE edition = ? AND year = ? "
        "AND area_m49 = 900 AND view = 'destination'", [edition, year]).fetchall())
    sexes = [r[0] for r in obs.con.execute(
        "SELECT DISTINCT sex FROM migrant_stock WHERE edition = ? ORDER BY 1", [edition]).fetchall()]
    assert sexes and set(sexes) <= set(stored), (edition, year, sexes, stored)
    for sex in sexes:
        summary = obs.summary_by_category(list(BUILTIN), year=year, sex=sex, edition=edition)
        assert set(summary["lens"]) == set(BUILTIN)
        for lens, part in summary.group_by("lens"):
            got = part["value"].sum() + part["unclassified"][0] + part["unknown_origin"][0]
            assert got == pytest.approx(stored[sex], abs=0.5), (edition, year, sex, lens)


def test_ims2015_world_total_is_the_files_world_row(obs, mirror):
    """The store's IMS 2015 world total is the WORLD row of Table 16's Total column, read here
    from the file itself."""
    sheet = CalamineWorkbook.from_path(
        mirror / "un-desa/ims2015/UN_MigrantStockByOriginAndDestination_2015.xlsx"
    ).get_sheet_by_name("Table 16").to_python()
    world = next(r[5] for r in sheet if str(r[1]).strip() == "WORLD")
    assert world == 243_700_236
    assert obs.con.execute("SELECT value FROM migrant_stock_totals WHERE edition = 'ims2015' "
                           "AND area_m49 = 900").fetchall() == [(world,)]


def test_ims2015_other_north_and_south_are_kept_and_only_the_un_lens_places_them(obs):
    """IMS 2015 Other North (XON) and Other South (XOS) stay two residual origins, never the
    unknown origin: the UN lens classifies them (North / South), the income lenses cannot."""
    residual = dict(obs.con.execute(
        "SELECT origin, sum(value) FROM migrant_stock WHERE edition = 'ims2015' "
        "AND origin IN ('XON', 'XOS', 'XXX') GROUP BY 1").fetchall())
    assert residual == {"XON": 2_139_539, "XOS": 7_644_005}  # Table 16, row WORLD
    table = obs.corridors(["un-developing", "wb-lmic"], year=2015, edition="ims2015",
                          destination="USA")
    other = {r["origin"]: r for r in table.filter(pl.col("origin").is_in(["XON", "XOS"]))
             .iter_rows(named=True)}
    assert other["XON"]["category_un_developing"] == "north-north"
    assert other["XOS"]["category_un_developing"] == "south-north"
    assert other["XON"]["category_wb_lmic"] == other["XOS"]["category_wb_lmic"] == "unclassified"
    un = obs.summary_by_category("un-developing", year=2015, edition="ims2015")
    wb = obs.summary_by_category("wb-lmic", year=2015, edition="ims2015")
    assert un["unknown_origin"][0] == wb["unknown_origin"][0] == 0
    assert un["unclassified"][0] == 0  # every origin of IMS 2015 has a UN development group
    assert wb["unclassified"][0] >= 2_139_539 + 7_644_005


def test_ims2019_carries_its_missing_origins_as_unknown(obs):
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
