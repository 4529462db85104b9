"""The corridor profile read from the corridor's own rows and the precomputed tables: the same
figures as the corridor table's, by hand on the constructed store (totals derived as male +
female), and the same answers as without the tables - including when the tables cannot answer
(a lens they do not hold, an edition missing from the totals)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import ssm_store

from corridors.analytics import precomputed
from corridors.analytics.lenses import BUILTIN, Rule
from corridors.analytics.profiles import _stored_pair, corridor_profile, edition_facts
from corridors.store import connect

PAIRS = [("KEN", "UGA"), ("UGA", "KEN"), ("TZA", "KEN"), ("IND", "SAU"), ("KEN", "GBR"),
         ("GBR", "KEN"), ("USA", "GBR")]


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pair-profile")
    plain = ssm_store.build(folder / "plain.duckdb")
    pre = folder / "pre.duckdb"
    shutil.copy(plain, pre)
    con = connect(pre, read_only=False)
    precomputed.precompute(con)
    con.close()
    return plain, pre


@pytest.fixture(scope="module")
def stores(paths):
    cons = connect(paths[0]), connect(paths[1])
    yield cons
    for con in cons:
        con.close()


def test_figures_by_hand(stores):
    _, pre = stores
    assert _stored_pair(pre, "KEN", "UGA", edition_facts(pre), list(BUILTIN.values())) is not None
    p = corridor_profile(pre, "KEN", "UGA")
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


def test_a_corridor_missing_a_year(stores):
    _, pre = stores
    p = corridor_profile(pre, "TZA", "KEN")
    assert p.trend["year"].to_list() == [2020]
    # the previous year of the edition (2015) had no stock: 0 then, growth undefined
    assert p.trend.row(0, named=True)["change"] == 20.0
    assert p.trend.row(0, named=True)["growth_rate"] is None
    assert p.groups["year"].to_list() == [2015, 2020]
    assert p.groups.filter(p.groups["year"] == 2015)["wb-lmic"].to_list() == [None]


def test_same_answers_as_without_the_tables(stores):
    plain, pre = stores
    for origin, destination in PAIRS:
        assert corridor_profile(pre, origin, destination).to_dict() == \
            corridor_profile(plain, origin, destination).to_dict(), (origin, destination)
    with pytest.raises(Exception, match="no migrant stock") as stored_error:
        corridor_profile(pre, "SAU", "IND")
    with pytest.raises(Exception, match="no migrant stock") as plain_error:
        corridor_profile(plain, "SAU", "IND")
    assert str(stored_error.value) == str(plain_error.value)


def test_a_lens_the_tables_do_not_hold(stores):
    plain, pre = stores
    own = replace(BUILTIN["wb-lmic"], id="mine", origin=Rule(countries=("KEN", "IND")),
                  destination=Rule(countries=("UGA",)))
    lenses = [BUILTIN["un-developing"], own]
    assert _stored_pair(pre, "KEN", "UGA", edition_facts(pre), lenses) is None
    p = corridor_profile(pre, "KEN", "UGA", lenses=lenses)
    assert p.to_dict() == corridor_profile(plain, "KEN", "UGA", lenses=lenses).to_dict()
    assert p.groups["mine"].to_list() == ["south-south", "south-south"]
    # a built-in lens alone still reads the tables
    assert _stored_pair(pre, "KEN", "UGA", edition_facts(pre), [BUILTIN["un-developing"]]) \
        is not None


def test_totals_missing_for_the_edition(paths, tmp_path):
    plain_path, pre_path = paths
    changed = tmp_path / "changed.duckdb"
    shutil.copy(pre_path, changed)
    con = connect(changed, read_only=False)
    con.execute(f"DELETE FROM {precomputed.COUNTRY_TOTALS} WHERE edition = 'ims2020'")
    assert _stored_pair(con, "IND", "SAU", edition_facts(con), list(BUILTIN.values())) is None
    plain = connect(plain_path)
    try:
        assert corridor_profile(con, "IND", "SAU").to_dict() == \
            corridor_profile(plain, "IND", "SAU").to_dict()
    finally:
        con.close()
        plain.close()


def test_shares_divide_as_polars_does():
    import math

    import polars as pl

    from corridors.analytics.profiles import _ratio

    parts, wholes = [100.0, 0.0, 7.0, 3.0], [200.0, 0.0, 0.0, 7.0]
    expected = (pl.Series(parts) / pl.Series(wholes)).to_list()
    got = [_ratio(p, w) for p, w in zip(parts, wholes, strict=True)]
    assert got[0] == expected[0] == 0.5
    assert math.isnan(got[1]) and math.isnan(expected[1])
    assert got[2] == expected[2] == math.inf
    assert got[3] == expected[3]
