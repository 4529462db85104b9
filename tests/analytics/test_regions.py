"""Intra-group shares, contiguity and top corridors on the constructed store (ssm_store.py)."""

from __future__ import annotations

import math

import polars as pl
import pytest
import ssm_store

from corridors.analytics.corridors import NoDataError
from corridors.analytics.facts import build_facts
from corridors.analytics.lenses import BUILTIN, LensError
from corridors.analytics.regions import (
    contiguity_share,
    group_membership,
    intra_group_shares,
    south_south_share_by_destination,
    top_corridors,
)
from corridors.store import connect


def _by_group(frame: pl.DataFrame, year: int = 2020, key: str = "group") -> dict[str, dict]:
    return {r[key]: r for r in frame.filter(pl.col("year") == year).iter_rows(named=True)}


def test_continents_2020(con):
    groups = _by_group(intra_group_shares(con, "continent", years=2020))
    assert set(groups) == {"Africa", "Asia", "Europe", "Americas"}
    africa = groups["Africa"]
    # emigrants: KEN->UGA 100, UGA->KEN 50, TZA->KEN 20, KEN->GBR 100; intra 170
    assert (africa["emigrants"], africa["intra_group"]) == (270, 170)
    assert africa["origin_view_share"] == pytest.approx(170 / 270)
    # immigrants: Kenya 85 (incl. 5 of unknown origin) + Uganda 100
    assert africa["destination_view_share"] == pytest.approx(170 / 185)
    assert groups["Asia"]["origin_view_share"] == pytest.approx(400 / 600)
    assert groups["Asia"]["destination_view_share"] == 1.0
    assert groups["Americas"]["destination_view_share"] is None  # no immigrants at all


@pytest.mark.parametrize(("grouping", "group", "origin_view", "destination_view"), [
    ("sdg-region", "Sub-Saharan Africa", 170 / 270, 170 / 185),
    ("sdg-region", "Europe and Northern America", 40 / 50, 40 / 340),
    ("un-subregion", "Eastern Africa", 170 / 270, 170 / 185),
    ("un-region", "Asia", 400 / 600, 1.0),
    ("income", "Lower middle income", 20 / 220, 20 / 85),
    ("income", "High income", 40 / 50, 40 / 740),
    ("rec", "East African Community", 170 / 270, 170 / 185),
    ("rec", "Common Market for Eastern and Southern Africa", 150 / 250, 150 / 185),
])
def test_groupings_2020(con, grouping, group, origin_view, destination_view):
    row = _by_group(intra_group_shares(con, grouping, years=2020))[group]
    assert row["origin_view_share"] == pytest.approx(origin_view)
    assert row["destination_view_share"] == pytest.approx(destination_view)


def test_community_membership_follows_the_periods(con):
    eac_2015 = _by_group(intra_group_shares(con, "rec", years=2015), 2015)["East African Community"]
    assert eac_2015["group_code"] == "EAC"  # group: the name people read; group_code: the code
    assert eac_2015["countries"] == 2  # Uganda joins in 2016 (constructed); GBR is an observer
    assert eac_2015["origin_view_share"] == 0.0
    members = group_membership(con, "rec", [1999, 2001])
    tza = members.filter((pl.col("group_code") == "COMESA") & (pl.col("iso3") == "TZA"))
    assert tza["year"].to_list() == [1999]  # withdrawn 2000


def test_income_groups_use_the_year(con):
    lm = _by_group(intra_group_shares(con, "income", years=2015), 2015)
    # 2015: LM = KEN, IND; IND->SAU is H; KEN->UGA is L
    assert lm["Lower middle income"]["emigrants"] == 80 + 60 + 350
    assert lm["Lower middle income"]["intra_group"] == 0


def test_custom_group(con):
    row = _by_group(intra_group_shares(con, "custom", years=2020, members=["KEN", "834"],
                                       name="KEN+TZA"))["KEN+TZA"]
    assert row["emigrants"] == 220 and row["intra_group"] == 20
    assert row["destination_view_share"] == pytest.approx(20 / 85)
    assert row["group_code"] is None  # a group of the user's has a name, no code
    with pytest.raises(LensError, match="needs members"):
        intra_group_shares(con, "custom", years=2020)
    with pytest.raises(LensError, match="unknown grouping"):
        intra_group_shares(con, "planet", years=2020)


def test_contiguity_share(con):
    frame = contiguity_share(con, years=[2015, 2020])
    got = {(r["lens"], r["year"]): (r["south_south"], r["contiguous"], r["share_contiguous"])
           for r in frame.iter_rows(named=True)}
    assert got[("wb-lmic", 2020)] == (170, 170, 1.0)
    assert got[("un-developing", 2020)] == (570, 170, pytest.approx(170 / 570))
    assert got[("gfmd-2018", 2015)] == (330, 130, pytest.approx(130 / 330))


def test_top_corridors(con):
    top = top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, n=3)
    assert top.select("origin", "destination", "stock").rows() == [
        ("IND", "SAU", 400), ("IND", "GBR", 200), ("KEN", "GBR", 100)]
    growth = top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, by="growth", n=2,
                           min_stock=0)
    assert growth["growth_rate"].to_list() == pytest.approx(
        [math.log(2) / 5, math.log(100 / 60) / 5])
    ss = top_corridors(con, lenses=BUILTIN["un-developing"], years=2020,
                       category="south-south", by="change")
    assert ss.select("origin", "destination", "change").rows()[0] == ("IND", "SAU", 200)
    assert set(ss["category"]) == {"south-south"}
    africa = top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020,
                           origin_region="Eastern Africa", destination_region="europe")
    assert africa.select("origin", "destination").rows() == [("KEN", "GBR")]
    assert "XXX" not in top_corridors(con, years=2020, n=50)["origin"].to_list()


def test_growth_ranks_only_corridors_of_a_minimum_size(con):
    # the constructed corridors hold at most a few hundred people: none reaches 10,000
    assert top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, by="growth").is_empty()
    kept = top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, by="growth", n=50,
                         min_stock=100)
    assert kept.height > 0
    assert (kept["stock"] >= 100).all() and ((kept["stock"] - kept["change"]) >= 100).all()
    every = top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, by="growth", n=50,
                          min_stock=0)
    assert every.height > kept.height
    assert top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, n=3).height == 3  # stock: no minimum


def test_south_south_share_by_destination_by_hand(con):
    frame = south_south_share_by_destination(con, BUILTIN["wb-lmic"], 2020)
    rows = {r["iso3"]: r for r in frame.iter_rows(named=True)}
    assert list(rows) == ["GBR", "KEN", "SAU", "UGA"]  # destinations with stock, by ISO3
    kenya = rows["KEN"]
    # Kenya's immigrants 85: UGA 50 + TZA 20 (both L/LM: South-South), GBR 10, unknown origin 5
    assert (kenya["immigrants"], kenya["south_south"], kenya["unknown_origin"]) == (85, 70, 5)
    assert kenya["unclassified"] == 0
    assert kenya["share"] == pytest.approx(70 / 85)
    assert rows["UGA"]["share"] == 1.0  # KEN -> UGA only
    assert rows["GBR"]["share"] == 0.0 and rows["GBR"]["immigrants"] == 340
    assert set(frame["lens"]) == {"wb-lmic"} and set(frame["year"]) == {2020}
    female = {r["iso3"]: r for r in south_south_share_by_destination(
        con, BUILTIN["wb-lmic"], 2020, "female").iter_rows(named=True)}
    assert female["KEN"]["share"] == pytest.approx((20 + 10) / (20 + 10 + 5 + 2))
    # 2015: Kenya's only immigrants come from Uganda (L) and Kenya is LM
    assert south_south_share_by_destination(con, year=2015).filter(
        pl.col("iso3") == "KEN")["share"].to_list() == [1.0]
    # under un-developing India -> Saudi Arabia is South-South (both less developed)
    un = south_south_share_by_destination(con, BUILTIN["un-developing"], 2020)
    assert un.filter(pl.col("iso3") == "SAU")["share"].to_list() == [1.0]


def test_south_south_share_by_destination_states_the_unclassified(tmp_path):
    path = ssm_store.build(tmp_path / "corridors.duckdb")
    raw = connect(path, read_only=False)
    raw.execute("DELETE FROM income_groups WHERE iso3 = 'TZA' AND data_year = 2020")
    build_facts(raw)  # the store changed: its derived tables again
    raw.close()
    con = connect(path)
    kenya = south_south_share_by_destination(con, BUILTIN["wb-lmic"], 2020).filter(
        pl.col("iso3") == "KEN").row(0, named=True)
    con.close()
    # Tanzania has no group in 2020: its 20 emigrants in Kenya are unclassified, not South-South,
    # and stay in the denominator
    assert (kenya["south_south"], kenya["unclassified"], kenya["immigrants"]) == (50, 20, 85)
    assert kenya["share"] == pytest.approx(50 / 85)


def test_south_south_share_by_destination_errors(con):
    with pytest.raises(NoDataError, match="its years are 2015, 2020"):
        south_south_share_by_destination(con, year=2019)
