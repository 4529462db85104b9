"""The corridor fact table (analytics/facts.py) and the rules it is built with (analytics/rules.py),
by hand on the constructed store (totals derived as male + female): stock, change, growth, shares,
categories under every built-in lens, contiguity, communities with each end's role; a lens that is
not built in gets its category from the same rule over its own roles."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import product
from pathlib import Path

import duckdb
import polars as pl
import pytest
import ssm_store

from corridors.analytics import facts
from corridors.analytics.corridors import corridor_table
from corridors.analytics.lenses import BUILTIN, Rule
from corridors.analytics.profiles import corridor_profile
from corridors.analytics.rules import category_sql, pair_category
from corridors.store import connect


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ssm_store.build(tmp_path_factory.mktemp("facts") / "store.duckdb")


@pytest.fixture(scope="module")
def con(path):
    connection = connect(path)
    yield connection
    connection.close()


def _fact(con, origin: str, destination: str, year: int, sex: str = "total") -> dict:
    cursor = con.execute(f"SELECT * FROM {facts.FACTS} WHERE edition = 'ims2020' AND origin = ? "
                         "AND destination = ? AND year = ? AND sex = ?",
                         [origin, destination, year, sex])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def test_one_row_per_corridor_year_and_sex(con):
    # 9 corridors; 2015: 6 of them; 3 sexes each (totals derived as male + female)
    assert con.execute(f"SELECT count(*) FROM {facts.FACTS}").fetchone()[0] == (9 + 6) * 3
    assert con.execute(f"SELECT count(*) FROM (SELECT DISTINCT edition, origin, destination, year, "
                       f"sex FROM {facts.FACTS})").fetchone()[0] == (9 + 6) * 3


def test_stock_change_growth_and_shares_by_hand(con):
    row = _fact(con, "KEN", "UGA", 2020)
    assert row["stock"] == 100.0 and row["previous_stock"] == 80.0 and row["prev_year"] == 2015
    assert row["change"] == 20.0
    assert row["growth_rate"] == pytest.approx(math.log(100 / 80) / 5)
    assert row["female_share"] == 40 / 100
    assert row["origin_share"] == 100 / 200  # Kenya's emigrants: UGA 100 + GBR 100
    assert row["destination_share"] == 1.0
    male = _fact(con, "KEN", "UGA", 2020, "male")
    assert male["stock"] == 60.0 and male["change"] == 20.0 and male["female_share"] == 0.4
    first = _fact(con, "KEN", "UGA", 2015)
    assert first["prev_year"] is None and first["change"] is None and first["growth_rate"] is None
    # missing in 2015: 0 then, growth undefined
    new = _fact(con, "TZA", "KEN", 2020)
    assert new["previous_stock"] == 0.0 and new["change"] == 20.0 and new["growth_rate"] is None


def test_categories_contiguity_and_communities_by_hand(con):
    row = _fact(con, "KEN", "UGA", 2020)
    assert row["category_wb_lmic"] == "south-south"  # LM -> L
    assert row["category_wb_non_high"] == "south-south"
    assert row["category_un_developing"] == "south-south"
    assert row["contiguous"] is True and row["same_continent"] is True
    # COMESA: both members since 1994; EAC: Uganda a member from 2016
    assert row["shared_recs"] == ["COMESA", "EAC"] and row["same_rec"] is True
    assert _fact(con, "KEN", "UGA", 2015)["shared_recs"] == ["COMESA"]
    assert _fact(con, "IND", "SAU", 2020)["category_wb_lmic"] == "north-north"  # UM -> H
    assert _fact(con, "IND", "SAU", 2015)["category_wb_lmic"] == "south-north"  # LM -> H
    assert _fact(con, "IND", "SAU", 2020)["category_gfmd_2018"] == "north-south"  # GCC
    assert _fact(con, "XXX", "KEN", 2020)["category_wb_lmic"] == "unknown-origin"
    # Britain is an EAC observer: a role both ends have, never a shared full membership
    gbr = _fact(con, "KEN", "GBR", 2020)
    assert gbr["shared_recs"] == [] and gbr["same_rec"] is False
    assert gbr["communities"] == [{"rec_code": "EAC", "origin_role": "member",
                                   "destination_role": "observer"}]
    # Tanzania left COMESA in 2000: no shared COMESA in 2020, EAC (members since 2000) shared
    assert _fact(con, "TZA", "KEN", 2020)["shared_recs"] == ["EAC"]


def test_built_again_the_same(path, tmp_path):
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(path.read_bytes())
    before = duckdb.connect(str(path), read_only=True)
    after = duckdb.connect(str(copy))
    try:
        rows = facts.build_facts(after)
        assert rows[facts.FACTS] == 45
        query = f"SELECT * FROM {facts.FACTS} ORDER BY ALL"
        assert after.execute(query).fetchall() == before.execute(query).fetchall()
    finally:
        before.close()
        after.close()


def test_corridor_profile_by_hand(con):
    p = corridor_profile(con, "KEN", "UGA")
    # KEN -> UGA: 2015 40 + 40, 2020 60 + 40; Kenya's emigrants 2020: UGA 100 + GBR 100;
    # Uganda's immigrants 2020: Kenya's only
    assert p.trend.select("year", "total", "male", "female").rows() == [
        (2015, 80.0, 40.0, 40.0), (2020, 100.0, 60.0, 40.0)]
    row = p.trend.row(1, named=True)
    assert row["origin_share"] == 100 / 200
    assert row["destination_share"] == 1.0
    assert row["female_share"] == 40 / 100
    assert row["change"] == 20.0
    assert p.contiguous is True
    assert p.same_continent is True
    # COMESA: both members since 1994; EAC: Uganda a member from 2016
    assert p.shared_communities.rows() == [("COMESA", [2015, 2020]), ("EAC", [2020])]
    # World Bank 2020: both low or lower-middle income
    assert p.groups.filter(p.groups["year"] == 2020)["wb-lmic"].to_list() == ["south-south"]


def test_a_corridor_missing_a_year(con):
    p = corridor_profile(con, "TZA", "KEN")
    assert p.trend["year"].to_list() == [2020]
    # the previous year of the edition (2015) had no stock: 0 then, growth undefined
    assert p.trend.row(0, named=True)["change"] == 20.0
    assert p.trend.row(0, named=True)["growth_rate"] is None
    assert p.groups["year"].to_list() == [2015, 2020]
    assert p.groups.filter(p.groups["year"] == 2015)["wb-lmic"].to_list() == [None]


def test_a_lens_that_is_not_built_in(con):
    own = replace(BUILTIN["wb-lmic"], id="mine", origin=Rule(countries=("KEN", "IND")),
                  destination=Rule(countries=("UGA",)))
    assert not facts.stored(own) and facts.stored(BUILTIN["wb-lmic"])
    p = corridor_profile(con, "KEN", "UGA", lenses=[BUILTIN["un-developing"], own])
    assert p.groups["mine"].to_list() == ["south-south", "south-south"]
    assert p.groups["un-developing"].to_list() == ["south-south", "south-south"]
    table = corridor_table(con, years=2020, sex="total", lenses=[own, BUILTIN["wb-lmic"]])
    categories = dict(zip(zip(table["origin"], table["destination"], strict=True),
                          table["category_mine"], strict=True))
    assert categories[("KEN", "UGA")] == "south-south"
    assert categories[("IND", "GBR")] == "south-north"
    assert categories[("USA", "GBR")] == "north-north"
    assert categories[("XXX", "KEN")] == "unknown-origin"
    # the built-in lens beside it: its stored column
    assert table.filter(table["origin"] == "IND")["category_wb_lmic"].to_list() == \
        ["north-north", "north-north"]


def test_the_category_rule_in_python_is_the_sql_rule():
    con = duckdb.connect()
    for origin, so, sd in product(("KEN", "XXX"), (True, False, None), (True, False, None)):
        sql = con.execute(f"SELECT {category_sql('$1', '$2::BOOLEAN', '$3::BOOLEAN')}",
                          [origin, so, sd]).fetchone()[0]
        assert pair_category(origin, so, sd) == sql
    assert pair_category("KEN", True, False) == "south-north"
    assert pair_category("KEN", None, True) == "unclassified"
    assert pair_category("XXX", True, True) == "unknown-origin"


def test_shares_divide_as_polars_does():
    parts, wholes = [100.0, 0.0, 7.0, 3.0], [200.0, 0.0, 0.0, 7.0]
    expected = (pl.Series(parts) / pl.Series(wholes)).to_list()
    con = duckdb.connect()
    got = [con.execute(f"SELECT {facts._share('$1::DOUBLE', '$2::DOUBLE')}", [p, w]).fetchone()[0]
           for p, w in zip(parts, wholes, strict=True)]
    assert got[0] == expected[0] == 0.5
    assert math.isnan(got[1]) and math.isnan(expected[1])
    assert got[2] == expected[2] == math.inf
    assert got[3] == expected[3]


def test_a_store_without_facts_says_what_to_run(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    from corridors.store import create_schema

    create_schema(con)
    con.execute("INSERT INTO migrant_stock VALUES ('ims2020', 'KEN', 'UGA', 2020, 'total', 1, 's')")
    with pytest.raises(Exception, match="corridors build"):
        corridor_table(con)
