"""The global run over a store: a small store we construct by hand (flows checked by hand) and
the store built from the mirror (IMS 2020 bilateral stocks by sex, Table 2 population; its saved
``flows`` table is the default run, checked against a fresh run)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import polars as pl
import pytest

from corridors.analytics.flows.global_run import (
    STORED,
    FlowsQueryError,
    global_flows,
    load_flows,
    parse_period,
    period_matrices,
    periods,
    write_flows,
)
from corridors.analytics.flows.summaries import (
    corridor,
    lens_summary,
    period_totals,
    published_totals,
    regional_flows,
    within_region_share,
)
from corridors.store import create_schema

# male stocks (origin, destination, year, value); KEN, TZA, UGA and the UN "Other" origin
STOCKS = [
    ("UGA", "KEN", 2015, 100), ("TZA", "KEN", 2015, 50), ("KEN", "UGA", 2015, 30),
    ("XXX", "KEN", 2015, 10),
    ("UGA", "KEN", 2020, 150), ("TZA", "KEN", 2020, 40), ("KEN", "UGA", 2020, 30),
    ("KEN", "TZA", 2020, 20), ("XXX", "KEN", 2020, 10),
]
POPULATION = [("KEN", 2015, 1000), ("KEN", 2020, 1100), ("UGA", 2015, 800), ("UGA", 2020, 850),
              ("TZA", 2015, 900), ("TZA", 2020, 1000)]


def small_store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_schema(con)
    for o, d, y, v in STOCKS:
        for sex in ("male", "female"):
            con.execute("INSERT INTO migrant_stock VALUES ('ims2020', ?, ?, ?, ?, ?, 'test')",
                        [o, d, y, sex, float(v)])
    for iso, y, v in POPULATION:
        con.execute("INSERT INTO population VALUES ('ims2020', ?, NULL, ?, 'male', ?, 'test')",
                    [iso, y, float(v)])
        # female population only as both sexes together: native-born split half and half
        con.execute("INSERT INTO population VALUES ('ims2020', ?, NULL, ?, 'total', ?, 'test')",
                    [iso, y, float(2 * v)])
    for iso, m49, region in (("KEN", 404, "Sub-Saharan Africa"), ("UGA", 800, "Sub-Saharan Africa"),
                             ("TZA", 834, "Sub-Saharan Africa")):
        con.execute("INSERT INTO countries (iso3, m49, name, short_name, continent, sdg_region) "
                    "VALUES (?, ?, ?, ?, 'Africa', ?)", [iso, m49, iso, iso, region])
    return con


def test_native_born_are_population_minus_immigrants():
    con = small_store()
    mats = period_matrices(con, "ims2020", 2015, 2020, "male")
    assert mats.places == ["KEN", "TZA", "UGA", "XXX"]
    k, t, u, x = range(4)
    assert mats.start[k, k] == 1000 - 160 and mats.end[k, k] == 1100 - 200
    assert mats.start[u, u] == 770 and mats.end[t, t] == 980
    assert mats.start[x, k] == 10 and mats.end[x, x] == 0
    female = period_matrices(con, "ims2020", 2015, 2020, "female")
    # (2000 - 2 x 160 immigrants of both sexes) / 2
    assert female.start[k, k] == 840
    assert "KEN" in female.notes["population_by_sex_missing_2015"]


def test_small_store_flows_by_hand():
    con = small_store()
    frame, runs = global_flows(con, sexes=["male"])
    assert periods(con, "ims2020") == [(2015, 2020)]
    got = {(r["origin"], r["destination"]): r["value"] for r in frame.iter_rows(named=True)}
    # KEN-born: 20 move KEN -> TZA; TZA-born: 10 return KEN -> TZA; UGA-born: 50 UGA -> KEN
    assert got == pytest.approx({("KEN", "TZA"): 30.0, ("UGA", "KEN"): 50.0})
    assert runs[0].converged and runs[0].iterations == 1
    settings = json.loads(frame["settings"][0])
    assert settings["birthplace_match"] == "native" and settings["method"] == "demo"
    assert set(frame.columns) == {"edition", "method", "settings", "period_start", "period_end",
                                  "origin", "destination", "sex", "value"}
    diff, _ = global_flows(con, sexes=["male"], method="diff-zero")
    got = {(r["origin"], r["destination"]): r["value"] for r in diff.iter_rows(named=True)}
    assert got == {("UGA", "KEN"): 50.0, ("KEN", "TZA"): 20.0}  # the fall of TZA-born is ignored


def test_total_sex_sums_male_and_female_when_the_store_has_no_total_rows():
    con = small_store()
    frame, _ = global_flows(con, sexes=["total"])
    got = {(r["origin"], r["destination"]): r["value"] for r in frame.iter_rows(named=True)}
    assert got == pytest.approx({("KEN", "TZA"): 60.0, ("UGA", "KEN"): 100.0})
    assert frame["sex"].unique().to_list() == ["total"]


def test_write_flows_creates_and_replaces():
    con = small_store()
    frame, _ = global_flows(con)
    assert write_flows(con, frame) == frame.height == 4
    assert con.execute("SELECT sum(value) FROM flows WHERE sex = 'male'").fetchone()[0] == (
        pytest.approx(80.0))
    write_flows(con, frame.filter(pl.col("sex") == "female"))
    assert con.execute("SELECT count(*) FROM flows").fetchone()[0] == 2
    with pytest.raises(FlowsQueryError, match="columns"):
        write_flows(con, frame.drop("settings"))


def test_summaries_on_small_store():
    con = small_store()
    frame, _ = global_flows(con)
    totals = period_totals(frame)
    assert totals.filter(pl.col("sex") == "both")["value"][0] == pytest.approx(160.0)
    regional = regional_flows(con, frame, "sdg_region")
    assert regional["origin_region"].unique().to_list() == ["Sub-Saharan Africa"]
    assert within_region_share(regional)["share"].to_list() == [1.0, 1.0]
    categories = pl.DataFrame({"origin": ["UGA", "KEN"], "destination": ["KEN", "TZA"],
                               "year": [2015, 2015], "category": ["south-south", "south-north"]})
    lens = lens_summary(frame.filter(pl.col("sex") == "male"), categories)
    shares = dict(zip(lens["category"], lens["share"], strict=True))
    assert shares == pytest.approx({"south-south": 50 / 80, "south-north": 30 / 80})
    lens_end = lens_summary(frame, categories, year="end")
    assert lens_end["category"].unique().to_list() == ["unclassified"]
    row = corridor(frame, "KEN", "TZA").filter(pl.col("sex") == "male").row(0, named=True)
    assert (row["flow"], row["reverse_flow"], row["net"]) == pytest.approx((30.0, 0.0, 30.0))


def test_bad_queries_say_what_to_do():
    con = small_store()
    with pytest.raises(FlowsQueryError, match="no stocks for 2010"):
        period_matrices(con, "ims2020", 2010, 2015, "male")
    with pytest.raises(FlowsQueryError, match="START-END"):
        parse_period("2015")
    with pytest.raises(FlowsQueryError, match="method"):
        global_flows(con, method="rates-rvr")
    empty = duckdb.connect()
    create_schema(empty)
    with pytest.raises(FlowsQueryError, match="corridors build"):
        global_flows(empty)


# --- the real IMS 2020 stocks ------------------------------------------------------------------

@pytest.fixture(scope="module")
def ims_run(ims2020_store):
    """The build's saved flows (all periods, men and women, default settings)."""
    frame, source, _ = load_flows(ims2020_store, edition="ims2020")
    assert source == STORED
    return frame


def test_ims2020_all_periods_and_sexes_saved_by_the_build(ims_run):
    frame = ims_run
    held = frame.select("period_start", "period_end", "sex").unique().sort("period_start", "sex")
    assert sorted(held.iter_rows()) == sorted(
        (y, y + 5, s) for y in range(1990, 2020, 5) for s in ("male", "female"))
    assert frame["value"].min() > 0
    assert not frame.filter((pl.col("origin") == "XXX") | (pl.col("destination") == "XXX")).height
    settings = json.loads(frame["settings"][0])
    assert (settings["birthplace_match"], settings["tol"], settings["max_iter"]) == (
        "native", 1e-10, 1000)


def test_ims2020_fresh_run_converges_and_equals_the_saved_flows(ims2020_store, ims_run):
    fresh, runs = global_flows(ims2020_store, edition="ims2020", period_list=[(2015, 2020)],
                               sexes=["female"])
    (run,) = runs
    assert run.converged and run.places >= 232
    saved = ims_run.filter((pl.col("period_start") == 2015) & (pl.col("sex") == "female"))
    joined = saved.join(fresh, on=["origin", "destination"], how="full", coalesce=True)
    assert joined.height == saved.height == fresh.height > 20_000
    np.testing.assert_allclose(joined["value_right"].to_numpy(), joined["value"].to_numpy(),
                               rtol=1e-9)


def test_ims2020_accounting_identity(ims2020_store):
    # net inflow to each country = change in residents - change in its birthplace total
    con = ims2020_store
    mats = period_matrices(con, "ims2020", 2015, 2020, "female")
    from corridors.analytics.flows.accounting import demographic_accounting

    result = demographic_accounting(mats.start, mats.end, birthplace_match="native")
    net = result.flows.sum(axis=0) - result.flows.sum(axis=1)
    expected = (mats.end.sum(axis=0) - mats.start.sum(axis=0)) - (
        mats.end.sum(axis=1) - mats.start.sum(axis=1))
    assert np.abs(expected).max() > 1e6
    np.testing.assert_allclose(net, expected, rtol=0, atol=1e-6 * np.abs(expected).max())


def test_ims2020_venezuelan_exodus_shows(ims_run):
    frame = ims_run
    ven_col = corridor(frame, "VEN", "COL").filter(pl.col("period_start") == 2015)
    assert ven_col["flow"].sum() > 1_000_000  # both sexes; UN DESA stocks: ~1.7M VEN-born in 2020
    earlier = corridor(frame, "VEN", "COL").filter(pl.col("period_start") == 2005)
    assert earlier["flow"].sum() < 0.1 * ven_col["flow"].sum()


def test_ims2020_totals_beside_abel_2018(ims_run, oracles):
    frame = ims_run
    published = published_totals(oracles / "flows" / "abel2018_imr_regional_flows.csv")
    assert published[1990] == pytest.approx(38.45e6, rel=1e-3)
    both = period_totals(frame).filter(pl.col("sex") == "both")
    ours = dict(zip(both["period_start"], both["value"], strict=True))
    for year in (1990, 1995, 2000, 2005, 2010):
        # same order of magnitude: different stock edition, no births and deaths (docs/flows.md)
        assert 0.5 < ours[year] / published[year] < 1.5, (year, ours[year], published[year])


def test_ims2020_regional_summary(ims2020_store, ims_run):
    frame = ims_run
    regional = regional_flows(ims2020_store, frame, "continent")
    totals = regional.group_by("period_start").agg(pl.col("value").sum()).sort("period_start")
    both = period_totals(frame).filter(pl.col("sex") == "both").sort("period_start")
    np.testing.assert_allclose(totals["value"].to_numpy(), both["value"].to_numpy(), rtol=1e-9)
    unknown = regional.filter(pl.col("origin_region") == "(unknown)")["value"].sum()
    assert unknown < 0.01 * frame["value"].sum()
