"""Flows under the South–South lenses: a store we construct (category totals worked out by hand)
and the store built from the mirror, checked against an independent computation from its
``flows`` table and World Bank OGHIST read straight from the mirror."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from corridors.analytics.flows.global_run import (
    STORED,
    load_flows,
    method_settings,
    stored_flows,
    write_flows,
)
from corridors.analytics.flows.lenses import (
    FLOW_CATEGORIES,
    flow_categories,
    lens_flows,
    south_south_flows,
)
from corridors.analytics.flows.summaries import lens_summary
from corridors.analytics.lenses import BUILTIN, get_lens
from corridors.errors import CorridorsError
from corridors.store import create_schema

# World Bank groups by data year; SSD has none for 2015 (OGHIST '..'), TZA moves up in 2020.
INCOME = {"KEN": ("LM", "LM"), "UGA": ("L", "L"), "TZA": ("L", "LM"), "GBR": ("H", "H"),
          "SAU": ("H", "H"), "SSD": (None, "L")}
DEVELOPMENT = {"KEN": "less developed", "UGA": "less developed", "TZA": "less developed",
               "GBR": "more developed", "SAU": "less developed", "SSD": "less developed"}
# 2015-2020 flows (origin, destination, male, female); XXX = the UN "Other" origin
FLOWS = [("UGA", "KEN", 100, 50), ("TZA", "KEN", 15, 0), ("KEN", "GBR", 40, 10),
         ("GBR", "KEN", 10, 0), ("KEN", "SAU", 30, 0), ("SAU", "GBR", 5, 0), ("SSD", "UGA", 20, 4),
         ("XXX", "KEN", 7, 0)]
SETTINGS = json.dumps(method_settings("demo", "native", 1e-10, 1000, "ims2020"), sort_keys=True)


def _store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_schema(con)
    for m49, (iso, group) in enumerate(DEVELOPMENT.items(), start=1):
        con.execute("INSERT INTO countries (iso3, m49, name, short_name, continent, "
                    "development_group) VALUES (?, ?, ?, ?, 'Somewhere', ?)",
                    [iso, m49, iso, iso, group])
    for iso, groups in INCOME.items():
        for year, group in zip((2015, 2020), groups, strict=True):
            if group:
                con.execute("INSERT INTO income_groups VALUES (?, ?, ?, ?, 'test')",
                            [iso, year, f"FY{(year + 2) % 100}", group])
    rows = [("ims2020", "demo", SETTINGS, 2015, 2020, o, d, sex, float(v))
            for o, d, male, female in FLOWS for sex, v in (("male", male), ("female", female))
            if v]
    write_flows(con, pl.DataFrame(rows, orient="row", schema={
        "edition": pl.String, "method": pl.String, "settings": pl.String,
        "period_start": pl.Int32, "period_end": pl.Int32, "origin": pl.String,
        "destination": pl.String, "sex": pl.String, "value": pl.Float64}))
    return con


def _values(summary: pl.DataFrame, lens: str, sex: str) -> dict[str, float]:
    part = summary.filter((pl.col("lens") == lens) & (pl.col("sex") == sex))
    return dict(zip(part["category"], part["value"], strict=True))


def test_categories_of_a_constructed_store_by_hand():
    con = _store()
    frame = con.execute("SELECT * FROM flows").pl()
    summary = lens_flows(con, frame)
    assert summary["lens"].unique(maintain_order=True).to_list() == list(BUILTIN)
    # wb-lmic: UGA->KEN + TZA->KEN south-south; KEN->GBR, KEN->SAU south-north; SSD unclassified
    assert _values(summary, "wb-lmic", "male") == {
        "south-south": 115, "south-north": 70, "north-south": 10, "north-north": 5,
        "unclassified": 20, "unknown-origin": 7}
    # gfmd-2018: Saudi Arabia is an emerging destination, so KEN->SAU is south-south
    assert _values(summary, "gfmd-2018", "male") == {
        "south-south": 145, "south-north": 40, "north-south": 10, "north-north": 5,
        "unclassified": 20, "unknown-origin": 7}
    # un-developing: SAU and SSD are less developed regions, every country is classified
    assert _values(summary, "un-developing", "male") == {
        "south-south": 165, "south-north": 45, "north-south": 10, "north-north": 0,
        "unclassified": 0, "unknown-origin": 7}
    assert _values(summary, "wb-lmic", "female") == {
        "south-south": 50, "south-north": 10, "north-south": 0, "north-north": 0,
        "unclassified": 4, "unknown-origin": 0}
    assert _values(summary, "wb-lmic", "both")["south-south"] == 165
    row = summary.filter((pl.col("lens") == "wb-lmic") & (pl.col("sex") == "male")
                         & (pl.col("category") == "south-south")).row(0, named=True)
    assert row["share"] == pytest.approx(115 / 227)
    assert row["classified_share"] == pytest.approx(115 / 200)
    shares = summary.group_by("lens", "sex").agg(pl.col("share").sum())["share"]
    assert shares.to_list() == pytest.approx([1.0] * shares.len())
    assert summary.filter(~pl.col("category").is_in(["south-south", "south-north", "north-south",
                                                     "north-north"]))["classified_share"
                                                                      ].null_count() == 24


def test_a_period_takes_the_category_of_its_start_year_or_of_its_end_year():
    con = _store()
    frame = con.execute("SELECT * FROM flows WHERE sex = 'male'").pl()
    wb = get_lens("wb-lmic")
    start = _values(lens_flows(con, frame, wb), "wb-lmic", "male")
    end = _values(lens_flows(con, frame, wb, year="end"), "wb-lmic", "male")
    # SSD is classified (L) only from data year 2020: its flow is south-south by the end year
    assert (start["unclassified"], end["unclassified"]) == (20, 0)
    assert end["south-south"] == start["south-south"] + 20
    cats = flow_categories(con, frame, wb)
    assert cats.height == frame.height and set(cats["year"]) == {2015}
    assert set(cats["category"]) <= set(FLOW_CATEGORIES)
    # the generic summary over a per-lens category frame agrees with the lens summary
    generic = lens_summary(frame, flow_categories(con, frame, list(BUILTIN.values())))
    for lens in BUILTIN:
        part = generic.filter(pl.col("lens") == lens)
        expected = {k: v for k, v in _values(lens_flows(con, frame, BUILTIN[lens]), lens,
                                             "male").items() if v}
        assert dict(zip(part["category"], part["value"], strict=True)) == expected
    with pytest.raises(CorridorsError, match="start"):
        flow_categories(con, frame, wb, year="middle")


def test_south_south_flows_keeps_only_that_category():
    con = _store()
    frame = con.execute("SELECT * FROM flows").pl()
    kept = south_south_flows(con, frame, get_lens("gfmd-2018"))
    assert sorted(set(zip(kept["origin"], kept["destination"], strict=True))) == [
        ("KEN", "SAU"), ("TZA", "KEN"), ("UGA", "KEN")]
    assert kept["value"].sum() == 195
    with pytest.raises(CorridorsError, match="category"):
        south_south_flows(con, frame, get_lens("wb-lmic"), category="south-east")


def test_the_saved_flows_are_read_only_when_they_hold_the_settings_asked_for():
    con = _store()
    con.execute("INSERT INTO migrant_stock VALUES ('ims2020', 'UGA', 'KEN', 2015, 'male', 1, 't'), "
                "('ims2020', 'UGA', 'KEN', 2020, 'male', 2, 't')")
    frame, source, runs = load_flows(con, edition="ims2020", period_list=[(2015, 2020)])
    assert (source, runs, frame.height) == (STORED, [], 11)  # 8 male and 3 female flows
    assert stored_flows(con, edition="ims2020", period_list=[(2015, 2020)], sexes=["total"]) is None
    assert stored_flows(con, edition="ims2020", period_list=[(2015, 2020)], sexes=["male"],
                        tol=1e-6) is None
    assert stored_flows(con, edition="ims2020", period_list=[(2010, 2015)], sexes=["male"]) is None
    assert stored_flows(con, edition="ims2020", period_list=[(2015, 2020)], sexes=["male"],
                        method="diff-zero") is None
    # a request the table cannot answer is estimated: here there is no population, so it says so
    with pytest.raises(CorridorsError, match="no population"):
        load_flows(con, edition="ims2020", period_list=[(2015, 2020)], sexes=["male"],
                   birthplace_match="rescale")


# --- the store built from the mirror -----------------------------------------------------------

def _oghist(mirror: Path) -> pl.DataFrame:
    """(code, data_year, group) straight from OGHIST; '..' and blanks left out."""
    rows = CalamineWorkbook.from_path(str(mirror / "world-bank/OGHIST.xlsx")).get_sheet_by_name(
        "Country Analytical History").to_python()
    header = next(r for r in rows if str(r[1]).startswith("Data for calendar year"))
    out = []
    for row in rows[rows.index(header) + 1:]:
        code = str(row[0]).strip()
        if len(code) != 3:
            continue
        for year, value in zip(header[2:], row[2:], strict=True):
            group = str(value).strip().rstrip("*")
            if isinstance(year, float) and group in ("L", "LM", "UM", "H"):
                out.append((code, int(year), group))
    return pl.DataFrame(out, orient="row", schema={"code": pl.String, "data_year": pl.Int32,
                                                   "group": pl.String})


@pytest.fixture(scope="module")
def real(ims2020_store):
    frame, source, _ = load_flows(ims2020_store, edition="ims2020")
    assert source == STORED
    return frame, lens_flows(ims2020_store, frame)


@pytest.mark.mirror
def test_real_shares_add_up_to_one_per_lens_period_and_sex(real):
    frame, summary = real
    assert summary.height == 4 * 6 * 3 * len(FLOW_CATEGORIES)  # lenses x periods x sexes
    sums = summary.group_by("lens", "period_start", "sex").agg(pl.col("share").sum(),
                                                               pl.col("value").sum())
    assert sums["share"].to_list() == pytest.approx([1.0] * sums.height, abs=1e-12)
    totals = frame.group_by("period_start", "sex").agg(pl.col("value").sum())
    check = sums.join(totals, on=["period_start", "sex"], suffix="_flows")
    assert check["value"].to_list() == pytest.approx(check["value_flows"].to_list(), rel=1e-12)
    classified = summary.filter(pl.col("classified_share").is_not_null()).group_by(
        "lens", "period_start", "sex").agg(pl.col("classified_share").sum())
    assert classified["classified_share"].to_list() == pytest.approx([1.0] * classified.height)


@pytest.mark.mirror
def test_real_wb_lmic_south_south_equals_flows_table_and_raw_oghist(real, ims2020_store, mirror):
    _, summary = real
    flows = ims2020_store.execute("SELECT period_start, sex, origin, destination, value "
                                  "FROM flows").pl()
    south = _oghist(mirror).filter(pl.col("group").is_in(["L", "LM"]))
    expected = (flows
                .join(south.select(origin="code", period_start="data_year"),
                      on=["origin", "period_start"], how="semi")
                .join(south.select(destination="code", period_start="data_year"),
                      on=["destination", "period_start"], how="semi")
                .group_by("period_start", "sex").agg(pl.col("value").sum()))
    got = summary.filter((pl.col("lens") == "wb-lmic") & (pl.col("category") == "south-south")
                         & (pl.col("sex") != "both")).select("period_start", "sex", "value")
    check = expected.join(got, on=["period_start", "sex"], suffix="_lens")
    assert check.height == 12
    assert check["value"].min() > 1_000_000
    assert check["value_lens"].to_list() == pytest.approx(check["value"].to_list(), rel=1e-12)
