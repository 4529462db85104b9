"""Survey estimates into the store, and beside the UN DESA stock for the same country and year."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from corridors.store import create_schema
from corridors.survey.estimator import estimate_prepared, mean, prepare, total
from corridors.survey.reconcile import reconcile, un_value
from corridors.survey.store import read_estimates, write_estimates

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eph_2016q4.yaml"


@pytest.fixture(scope="module")
def eph_estimates(oracles):
    prep = prepare(oracles / "microdata" / "eph_toybase_individual_2016_04.csv", EXAMPLE)
    out = estimate_prepared(prep, [mean("foreign_born"), total("foreign_born")], ["sex"])
    overall = estimate_prepared(prep, [mean("foreign_born")], [])
    return prep, out, overall


def test_estimates_are_written_as_observations_with_provenance(eph_estimates):
    prep, out, _ = eph_estimates
    con = duckdb.connect()
    create_schema(con)
    assert write_estimates(con, out, prep) == out.height
    assert write_estimates(con, out, prep) == out.height  # writing again replaces, not appends
    stored = read_estimates(con, "eph-2016q4")
    assert stored.height == out.height
    row = stored.filter(indicator="mean(foreign_born)", sex="female").to_dicts()[0]
    source = out.filter(measure="mean(foreign_born)", sex="female").to_dicts()[0]
    assert row["estimate"] == source["estimate"] and row["se"] == source["se"]
    assert (row["iso3"], row["year"], row["domain"]) == ("ARG", 2016, json.dumps({}))
    sha, file_name = con.execute("SELECT sha256, file_name FROM provenance WHERE source_id = ?",
                                 [row["source_id"]]).fetchone()
    assert file_name == "eph_toybase_individual_2016_04.csv" and sha == prep.data.sha256()


def test_interpolation_between_published_years():
    series = {2015: (100.0, "a"), 2020: (150.0, "b")}
    assert un_value(series, 2016) == (110.0, "interpolated 2015-2020", "a")
    assert un_value(series, 2020) == (150.0, "published 2020", "b")
    assert un_value(series, 2021) is None


def test_eph_share_beside_un_desa_stock(eph_estimates, store_con):
    _, out, overall = eph_estimates
    table = reconcile(store_con, pl.concat([overall, out.filter(measure="mean(foreign_born)")],
                                           how="diagonal"),
                      iso3="ARG", year=2016, edition="ims2020")
    row = table.filter(sex="total").to_dicts()[0]
    stock = dict(store_con.execute(
        "SELECT year, value FROM migrant_stock_totals WHERE edition = 'ims2020' AND "
        "view = 'destination' AND iso3 = 'ARG' AND sex = 'total'").fetchall())
    people = dict(store_con.execute(
        "SELECT year, value FROM population WHERE edition = 'ims2020' AND iso3 = 'ARG' AND "
        "sex = 'total'").fetchall())
    s15, s20 = stock[2015] / people[2015], stock[2020] / people[2020]
    assert row["un_value"] == pytest.approx(s15 + (s20 - s15) / 5, rel=1e-12)
    assert row["un_method"] == "interpolated 2015-2020"
    assert row["un_in_ci"] is True  # EPH 2016: 5.4 % (95 % CI 3.6-7.2 %); UN DESA: 4.9 %
    assert set(table["sex"]) == {"total", "male", "female"}
