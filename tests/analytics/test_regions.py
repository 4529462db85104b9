"""Intra-group shares, contiguity and top corridors on the constructed store (ssm_store.py)."""

from __future__ import annotations

import math

import polars as pl
import pytest
import ssm_store

from corridors.analytics.lenses import BUILTIN, LensError
from corridors.analytics.regions import (
    contiguity_share,
    group_membership,
    intra_group_shares,
    top_corridors,
)
from corridors.store import connect


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = ssm_store.build(tmp_path_factory.mktemp("ssm") / "corridors.duckdb")
    con = connect(path)
    yield con
    con.close()


def _by_group(frame: pl.DataFrame, year: int = 2020) -> dict[str, dict]:
    return {r["group"]: r for r in frame.filter(pl.col("year") == year).iter_rows(named=True)}


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
    ("rec", "EAC", 170 / 270, 170 / 185),
    ("rec", "COMESA", 150 / 250, 150 / 185),
])
def test_groupings_2020(con, grouping, group, origin_view, destination_view):
    row = _by_group(intra_group_shares(con, grouping, years=2020))[group]
    assert row["origin_view_share"] == pytest.approx(origin_view)
    assert row["destination_view_share"] == pytest.approx(destination_view)


def test_community_membership_follows_the_periods(con):
    eac_2015 = _by_group(intra_group_shares(con, "rec", years=2015), 2015)["EAC"]
    assert eac_2015["countries"] == 2  # Uganda joins in 2016 (constructed); GBR is an observer
    assert eac_2015["origin_view_share"] == 0.0
    members = group_membership(con, "rec", [1999, 2001])
    tza = members.filter((pl.col("group") == "COMESA") & (pl.col("iso3") == "TZA"))
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
    growth = top_corridors(con, lenses=BUILTIN["wb-lmic"], years=2020, by="growth", n=2)
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
