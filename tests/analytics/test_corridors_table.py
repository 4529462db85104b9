"""The corridor table on the constructed store (ssm_store.py): every column checked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
import ssm_store

from corridors.analytics.corridors import NoDataError, corridor_table, default_edition
from corridors.analytics.facts import build_facts
from corridors.analytics.lenses import BUILTIN
from corridors.store import connect


def _row(frame: pl.DataFrame, origin: str, destination: str, year: int = 2020,
         sex: str = "total") -> dict:
    rows = frame.filter((pl.col("origin") == origin) & (pl.col("destination") == destination)
                        & (pl.col("year") == year) & (pl.col("sex") == sex))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_one_row_per_corridor_year_and_sex_with_totals_derived(con):
    table = corridor_table(con)
    pairs_2020 = sum(1 for years in ssm_store.STOCK.values() if 2020 in years)
    pairs_2015 = sum(1 for years in ssm_store.STOCK.values() if 2015 in years)
    assert table.height == 3 * (pairs_2020 + pairs_2015)
    assert _row(table, "IND", "SAU")["stock"] == 400
    assert _row(table, "IND", "SAU", sex="female")["stock"] == 100


def test_shares_change_growth_and_female_share(con):
    table = corridor_table(con, years=2020, sex="total")
    row = _row(table, "KEN", "UGA")
    assert row["origin_share"] == pytest.approx(100 / 200)  # Kenya's emigrants: UGA 100 + GBR 100
    assert row["destination_share"] == pytest.approx(1.0)   # Uganda's only immigrants
    assert row["prev_year"] == 2015
    assert row["previous_stock"] == 80
    assert row["change"] == 20
    assert row["growth_rate"] == pytest.approx(math.log(100 / 80) / 5)
    assert row["female_share"] == pytest.approx(0.4)
    # immigrants of Kenya include the unknown origin: 50 + 20 + 10 + 5
    assert _row(table, "UGA", "KEN")["destination_share"] == pytest.approx(50 / 85)
    new = _row(table, "TZA", "KEN")  # absent in 2015: previous 0, growth undefined
    assert new["previous_stock"] == 0 and new["change"] == 20 and new["growth_rate"] is None


def test_first_year_has_no_change(con):
    row = _row(corridor_table(con, years=2015), "KEN", "UGA", 2015)
    assert row["prev_year"] is None and row["change"] is None and row["growth_rate"] is None


def test_categories_per_lens(con):
    table = corridor_table(con, years=2020, sex="total", lenses=list(BUILTIN.values()))
    row = _row(table, "IND", "SAU")
    assert row["category_wb_lmic"] == "north-north"
    assert row["category_wb_non_high"] == "south-north"
    assert row["category_un_developing"] == "south-south"
    assert row["category_gfmd_2018"] == "north-south"
    assert _row(table, "XXX", "KEN")["category_wb_lmic"] == "unknown-origin"
    assert _row(corridor_table(con, years=2015), "IND", "SAU", 2015)["category_gfmd_2018"] == \
        "south-south"


def test_geography_and_communities(con):
    table = corridor_table(con, years=[2015, 2020], sex="total")
    ken_uga = _row(table, "KEN", "UGA")
    assert ken_uga["contiguous"] and ken_uga["same_continent"] and ken_uga["same_un_subregion"]
    assert ken_uga["shared_recs"] == ["COMESA", "EAC"]  # Uganda in the EAC from 2016
    assert _row(table, "KEN", "UGA", 2015)["shared_recs"] == ["COMESA"]
    # Tanzania withdrew from COMESA in 2000; both in the EAC
    assert _row(table, "TZA", "KEN")["shared_recs"] == ["EAC"]
    ind_sau = _row(table, "IND", "SAU")
    assert not ind_sau["contiguous"] and ind_sau["same_continent"]
    assert not ind_sau["same_sdg_region"] and not ind_sau["same_rec"]
    # an observer (GBR in the EAC, constructed) is not a member
    assert _row(table, "GBR", "KEN")["shared_recs"] == []


def test_filters_and_errors(con):
    only = corridor_table(con, origin="KEN", years=2020, sex="male")
    assert set(only["destination"]) == {"UGA", "GBR"}
    assert default_edition(con) == "ims2020"
    with pytest.raises(NoDataError, match="its years are 2015, 2020"):
        corridor_table(con, years=2019)
    with pytest.raises(NoDataError, match="available: ims2020"):
        corridor_table(con, edition="ims2015")


@pytest.mark.parametrize("detail", [True, False])
@pytest.mark.parametrize("ends", [
    {"origin": "KEN"}, {"destination": "KEN"}, {"origin": "IND", "destination": "SAU"},
    {"country": "KEN"}, {"country": "GBR", "origin": "USA"}, {"origin": "FRA"},
])
def test_a_selection_is_the_whole_table_filtered(con, ends, detail):
    """Corridors are selected before the joins; shares stay those of every corridor of the
    origin or destination."""
    whole = corridor_table(con, detail=detail)
    keep = pl.lit(True)
    if "origin" in ends:
        keep = keep & (pl.col("origin") == ends["origin"])
    if "destination" in ends:
        keep = keep & (pl.col("destination") == ends["destination"])
    if "country" in ends:
        keep = keep & ((pl.col("origin") == ends["country"])
                       | (pl.col("destination") == ends["country"]))
    expected = whole.filter(keep)
    got = corridor_table(con, detail=detail, **ends)
    order = ["year", "sex", "origin", "destination"]
    assert got.sort(order).to_dicts() == expected.sort(order).to_dicts()
    if detail and ends == {"origin": "IND", "destination": "SAU"}:
        row = _row(got, "IND", "SAU")
        assert row["origin_share"] == pytest.approx(400 / 600)  # India's emigrants: SAU + GBR
        assert row["destination_share"] == 1.0


def test_totals_kept_when_the_edition_stores_them(tmp_path: Path):
    import duckdb

    from corridors.store import create_schema

    path = tmp_path / "t.duckdb"
    raw = duckdb.connect(str(path))
    create_schema(raw)
    raw.execute("INSERT INTO migrant_stock VALUES ('ims2019', 'KEN', 'UGA', 2019, 'total', 9, 's')")
    build_facts(raw)
    raw.close()
    con = connect(path)
    table = corridor_table(con, lenses=[])
    assert table.select("sex", "stock").rows() == [("total", 9.0)]
    with pytest.raises(NoDataError, match="ims2019 has no female stock"):
        corridor_table(con, sex="female")
    from corridors.analytics.regions import category_summary

    with pytest.raises(NoDataError, match="use --sex total"):
        category_summary(con, sex="male")
    con.close()
