"""A country's partners (analytics.partners) on the store built from the mirror: the country
page's South–South picture, read from the corridor fact table."""

from __future__ import annotations

import polars as pl
import pytest

from corridors.analytics.editions import NoDataError
from corridors.analytics.lenses import BUILTIN
from corridors.analytics.partners import country_partners


@pytest.fixture
def kenya(store_con):
    return country_partners(store_con, "KEN", edition="ims2020", year=2020)


def test_kenya_immigrants_from_neighbours_and_communities(kenya):
    assert kenya.immigrants == 1_050_147
    neighbours = kenya.inbound.filter(pl.col("neighbour"))
    assert neighbours["stock"].sum() == 904_316
    assert sorted(neighbours["partner"]) == kenya.neighbours == ["ETH", "SOM", "SSD", "TZA", "UGA"]
    assert kenya.neighbour_share["immigrants"] == pytest.approx(904_316 / 1_050_147)
    assert round(kenya.neighbour_share["immigrants"], 3) == 0.861
    assert round(kenya.community_share["immigrants"], 3) == 0.933
    assert [c["rec_code"] for c in kenya.communities] == ["CEN-SAD", "COMESA", "EAC", "IGAD"]


def test_every_mark_is_the_fact_tables(store_con, kenya):
    """Category under the lens, contiguity and shared communities of each partner are the stored
    facts of its corridor (no rule applied again)."""
    rows = store_con.execute("""
        SELECT origin, stock, category_wb_lmic, contiguous, shared_recs FROM corridor_facts
        WHERE edition = 'ims2020' AND year = 2020 AND sex = 'total' AND destination = 'KEN'
          AND origin <> 'KEN'""").fetchall()
    stored = {r[0]: r[1:] for r in rows}
    shown = {r["partner"]: (r["stock"], r["category"], r["neighbour"], r["communities"])
             for r in kenya.inbound.iter_rows(named=True)}
    assert shown == {k: (v[0], v[1], v[2], list(v[3])) for k, v in stored.items()}
    top = kenya.top_south_south("immigrants")
    assert top["partner"].to_list()[:3] == ["SOM", "UGA", "SSD"]
    assert set(top["category"]) == {"south-south"}


def test_lens_and_sex_choose_the_facts(store_con, kenya):
    women = country_partners(store_con, "KEN", edition="ims2020", year=2020, sex="female")
    assert 0 < women.immigrants < kenya.immigrants
    assert women.female_share["immigrants"] == kenya.female_share["immigrants"]
    un = country_partners(store_con, "KEN", edition="ims2020", year=2020,
                          lens=BUILTIN["un-developing"])
    assert un.lens == "un-developing" and un.immigrants == kenya.immigrants
    with pytest.raises(NoDataError, match="no female stock"):
        country_partners(store_con, "KEN", edition="ims2019", sex="female")
