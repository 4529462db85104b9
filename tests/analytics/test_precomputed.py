"""The precomputed tables: what they hold (by hand, on the constructed store ssm_store.py) and that
every answer is the same with them as without them (constructed store and the store built from the
mirror)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import ssm_store

from corridors.analytics import precomputed, regions
from corridors.analytics.corridors import (
    corridor_table,
    edition_years,
    editions,
    has_sex,
    safe,
    stock_sources,
)
from corridors.analytics.lenses import BUILTIN, Rule, get_lens, lens_roles
from corridors.analytics.profiles import corridor_profile, country_profile
from corridors.store import connect


def _copy_with_tables(path: Path, to: Path) -> Path:
    shutil.copy(path, to)
    con = connect(to, read_only=False)
    precomputed.precompute(con)
    con.close()
    return to


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory):
    """(plain, precomputed) connections to two copies of the constructed store."""
    folder = tmp_path_factory.mktemp("ssm-pre")
    plain = ssm_store.build(folder / "plain.duckdb")
    pre = _copy_with_tables(plain, folder / "pre.duckdb")
    cons = connect(plain), connect(pre)
    yield cons
    for con in cons:
        con.close()


def _answers(con, countries, pairs, lenses, years_of_profiles) -> dict:
    """Profiles, summaries and shares of a store, as plain data."""
    out: dict = {}
    for edition in editions(con):
        years = edition_years(con, edition)
        out[("index", edition)] = (years, stock_sources(con, edition),
                                   [has_sex(con, edition, s) for s in ("total", "male", "female")])
        sexes = [s for s in ("total", "male", "female") if s == "total" or has_sex(con, edition, s)]
        for lens in lenses:
            for sex in sexes:
                out[("summary", edition, lens.id, sex)] = regions.category_summary(
                    con, lenses=lens, edition=edition, sex=sex).to_dicts()
            out[("contiguity", edition, lens.id)] = regions.contiguity_share(
                con, lenses=lens, edition=edition).to_dicts()
            for year in years_of_profiles(years):
                out[("map", edition, lens.id, year)] = regions.south_south_share_by_destination(
                    con, lens, year, edition=edition).to_dicts()
                for country in countries:
                    out[("profile", edition, lens.id, year, country)] = country_profile(
                        con, country, edition=edition, year=year, lens=lens, top=300).to_dict()
            out[("roles", lens.id)] = lens_roles(con, [lens], years).sort("iso3", "year").to_dicts()
        out[("all lenses", edition)] = regions.category_summary(
            con, lenses=lenses, edition=edition).to_dicts()
        for origin, destination in pairs:
            out[("corridor", edition, origin, destination)] = corridor_profile(
                con, origin, destination, edition=edition).to_dict()
    return out


def test_what_the_tables_hold(stores):
    _, con = stores
    index = con.execute(f"SELECT edition, year, sex, source_id, rows FROM {precomputed.STOCK_INDEX} "
                        "ORDER BY ALL").fetchall()
    assert index == [("ims2020", 2015, "female", "test-ims", 6), ("ims2020", 2015, "male",
                      "test-ims", 6), ("ims2020", 2020, "female", "test-ims", 9),
                     ("ims2020", 2020, "male", "test-ims", 9)]
    summary = con.execute(
        f"SELECT category, value, share, unknown_origin FROM {precomputed.CATEGORY_SUMMARY} "
        "WHERE edition = 'ims2020' AND lens = 'wb-lmic' AND year = 2020 AND sex = 'total' "
        "ORDER BY position").fetchall()
    # 2020, World Bank L/LM = KEN, UGA, TZA: KEN<->UGA 150 + TZA->KEN 20; KEN->GBR 100;
    # GBR->KEN 10; IND(UM)->SAU 400 + IND->GBR 200 + USA->GBR 40 of 920 classified;
    # unknown origin 5
    assert summary == [("south-south", 170, 170 / 920, 5), ("south-north", 100, 100 / 920, 5),
                       ("north-south", 10, 10 / 920, 5), ("north-north", 640, 640 / 920, 5)]
    kenya = con.execute(
        f"SELECT direction, sex, stock, classified, south_south FROM {precomputed.COUNTRY_TOTALS} "
        "WHERE iso3 = 'KEN' AND lens = 'wb-lmic' AND year = 2020 ORDER BY ALL").fetchall()
    # in: UGA 30+20, TZA 10+10 (South-South), GBR 5+5, unknown origin 3+2 (not classified);
    # out: UGA 60+40 (South-South), GBR 50+50
    assert kenya == [("in", "female", 37, 35, 30), ("in", "male", 48, 45, 40),
                     ("in", "total", 85, 80, 70), ("out", "female", 90, 90, 40),
                     ("out", "male", 110, 110, 60), ("out", "total", 200, 200, 100)]
    roles = con.execute(f"SELECT lens, south_origin FROM {precomputed.LENS_ROLES} "
                        "WHERE iso3 = 'IND' AND year = 2015 ORDER BY lens").fetchall()
    assert roles == [("gfmd-2018", True), ("un-developing", True), ("wb-lmic", True),
                     ("wb-non-high", True)]


def test_precompute_again_replaces_the_tables(tmp_path):
    path = _copy_with_tables(ssm_store.build(tmp_path / "plain.duckdb"), tmp_path / "pre.duckdb")
    first = con_rows(path)
    con = connect(path, read_only=False)
    rows = precomputed.precompute(con)
    con.close()
    # 4 (year, sex) index rows; 4 lenses x (7 countries + the 2 residual origins of IMS 2015)
    # x 2 years; 4 categories x 4 lenses x 2 years x 3 sexes (total derived); the countries'
    # totals as many as in the first run
    assert rows[precomputed.STOCK_INDEX] == 4
    assert rows[precomputed.LENS_ROLES] == 4 * (7 + 2) * 2
    assert rows[precomputed.CATEGORY_SUMMARY] == 4 * 4 * 2 * 3
    assert rows[precomputed.COUNTRY_TOTALS] == first > 0


def con_rows(path: Path) -> int:
    con = connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {precomputed.COUNTRY_TOTALS}").fetchone()[0]
    finally:
        con.close()


def test_every_answer_is_the_same_with_the_tables(stores):
    plain, pre = stores
    assert precomputed.present(pre, precomputed.LENS_ROLES)
    assert not precomputed.present(plain, precomputed.LENS_ROLES)

    def args(con):
        return _answers(con, ["KEN", "IND", "GBR", "SAU"], [("IND", "SAU"), ("KEN", "UGA")],
                        list(BUILTIN.values()), lambda years: years)

    assert args(pre) == args(plain)


def test_a_lens_with_other_rules_is_computed_from_the_stock(stores):
    plain, pre = stores
    # gfmd-2018 with the United Kingdom as the only emerging destination, 2015 (IND LM):
    # KEN->UGA 80, UGA->KEN 50, KEN->GBR 60, IND->GBR 150 South-South; IND->SAU 200 South-North;
    # USA->GBR 40 North-South
    lens = get_lens("gfmd-2018", emerging=["GBR"])
    frame = regions.category_summary(pre, lenses=lens, years=2015)
    assert dict(frame.select("category", "value").rows()) == {
        "south-south": 340, "south-north": 200, "north-south": 40, "north-north": 0}
    assert frame.to_dicts() == regions.category_summary(plain, lenses=lens, years=2015).to_dicts()
    # a built-in id whose rules are not those precomputed (e.g. a newer definition)
    changed = replace(BUILTIN["wb-lmic"], origin=Rule(income_groups=("L",)))
    assert lens_roles(pre, [changed], [2015]).sort("iso3").to_dicts() == \
        lens_roles(plain, [changed], [2015]).sort("iso3").to_dicts()
    assert country_profile(pre, "KEN", year=2020, lens=changed).south_south_share_immigrants == \
        pytest.approx(50 / 80)  # TZA (LM) no longer South as an origin
    # a year the build did not precompute
    assert lens_roles(pre, [BUILTIN["wb-lmic"]], [2010]).sort("iso3").to_dicts() == \
        lens_roles(plain, [BUILTIN["wb-lmic"]], [2010]).sort("iso3").to_dicts()


def test_lens_roles_keeps_the_order_of_the_lenses(stores):
    _, pre = stores
    lenses = [BUILTIN["wb-non-high"], BUILTIN["gfmd-2018"], BUILTIN["wb-lmic"]]
    frame = lens_roles(pre, lenses, [2015, 2020])
    blocks = frame.height // 3
    assert [frame["lens"][i * blocks] for i in range(3)] == [x.id for x in lenses]
    assert frame.schema == lens_roles(pre, [replace(lenses[0], note="x")], [2015]).schema


@pytest.mark.mirror
def test_same_answers_on_the_store_built_from_the_mirror(built_store, tmp_path):
    pre_path = _copy_with_tables(built_store, tmp_path / "pre.duckdb")
    plain, pre = connect(built_store), connect(pre_path)
    try:
        def args(con):
            return _answers(con, ["KEN", "IND", "BRA", "ARE"], [("IND", "ARE")],
                            [BUILTIN["wb-lmic"], BUILTIN["gfmd-2018"]],
                            lambda years: years[-1:])

        assert args(pre) == args(plain)
        assert corridor_table(pre, years=2020, sex="total").equals(
            corridor_table(plain, years=2020, sex="total"))
    finally:
        plain.close()
        pre.close()


def _governance(con, shared: Path, mirror: Path):
    from corridors.analytics.governance.scorecard import Governance

    return Governance.load(con, shared / "reference", mirror=mirror)


def _stock_part(con, gov, origin: str, destination: str, year: int, edition: str) -> dict:
    """The scorecard's stock and trend, next to what the corridor table says of the corridor."""
    from corridors.analytics.governance.scorecard import scorecard

    card = scorecard(con, origin, destination, year, edition=edition, gov=gov)
    return {"stock": {k: v for k, v in card["stock"].items() if k != "sources"},
            "trend": card["trend"], "has_sources": bool(card["stock"]["sources"])}


def _from_table(con, origin: str, destination: str, year: int, edition: str) -> dict:
    lenses = list(BUILTIN.values())
    table = corridor_table(con, edition=edition, sex="total", lenses=lenses, origin=origin,
                           destination=destination)
    row = table.filter(table["year"] == year).row(0, named=True)
    return {
        "stock": {"value": row["stock"], "previous_year": row["prev_year"],
                  "previous": row["previous_stock"], "change": row["change"],
                  "growth_rate": row["growth_rate"], "female_share": row["female_share"],
                  "contiguous": row["contiguous"],
                  "categories": {lens.id: row[f"category_{safe(lens.id)}"] for lens in lenses}},
        "trend": table.select("year", "stock", "growth_rate").to_dicts(),
        "has_sources": True,
    }


def test_scorecard_stock_is_the_corridor_table_row(stores, shared, mirror):
    """The scorecard reads one corridor's rows; its figures are the corridor table's, with and
    without the tables, on a store whose totals are derived (male + female)."""
    from corridors.analytics.governance.scorecard import rank, south_south_corridors

    plain, pre = stores
    gov = _governance(plain, shared, mirror)
    pairs = corridor_table(plain, sex="total").filter(
        corridor_table(plain, sex="total")["origin"] != "XXX").select(
        "origin", "destination", "year").rows()
    assert len(pairs) > 10
    for con in (plain, pre):
        for origin, destination, year in pairs:
            assert _stock_part(con, gov, origin, destination, year, "ims2020") == \
                _from_table(con, origin, destination, year, "ims2020")
        for lens in BUILTIN:
            for year in (2015, 2020):
                ranked = rank(con, lens, year, top=3, gov=gov)
                expected = south_south_corridors(con, lens, year, top=3)
                assert sorted((r["origin"], r["destination"], r["stock"]) for r in ranked) == \
                    sorted((r["origin"], r["destination"], r["stock"]) for r in expected)


@pytest.mark.mirror
def test_scorecards_and_ranking_are_the_corridor_tables_on_the_mirror(store_con, shared, mirror):
    """The largest South-South corridors of 2020 and 2010 (IMS 2020) and of 2019 (IMS 2019): the
    scorecard's stock is the corridor table's row, the ranking's corridors are the table's."""
    from corridors.analytics.governance.scorecard import rank, south_south_corridors

    gov = _governance(store_con, shared, mirror)
    for lens, year, edition in (("wb-lmic", 2020, "ims2020"), ("wb-non-high", 2010, "ims2020"),
                                ("un-developing", 2019, "ims2019")):
        expected = south_south_corridors(store_con, lens, year, edition=edition, top=25)
        ranked = rank(store_con, lens, year, edition=edition, top=25, gov=gov)
        assert sorted((r["origin"], r["destination"], r["stock"]) for r in ranked) == \
            sorted((r["origin"], r["destination"], r["stock"]) for r in expected)
        for row in expected[:8]:
            assert _stock_part(store_con, gov, row["origin"], row["destination"], year,
                               edition) == _from_table(store_con, row["origin"],
                                                       row["destination"], year, edition)
