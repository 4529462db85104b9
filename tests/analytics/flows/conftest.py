"""Fixtures for the flow tests: a small store built from the real IMS 2020 files of the mirror.

The lead's ``corridors build`` writes the same tables; until then this fixture loads
``migrant_stock`` from the derived long CSV of IMS 2020 bilateral stocks by sex, ``population``
from Table 2 of the IMS 2020 destination workbook (thousands -> persons) and the ``countries``
regions from the IMS 2020 annex (SDG region, geographic region), all read from the mirror.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import python_calamine

from corridors import codes
from corridors.store import create_schema

IMS = Path("un-desa/ims2020")
YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020)


def _population(workbook: Path) -> pl.DataFrame:
    rows = python_calamine.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(
        "Table 2").to_python()
    header = next(i for i, r in enumerate(rows) if "Location code" in r)
    out = []
    for row in rows[header + 1:]:
        if row[3] in ("", None):
            continue
        m49 = int(row[3])
        iso3 = codes.iso3_for_m49(m49)  # None for regions and groups
        for block, sex in enumerate(("total", "male", "female")):
            for k, year in enumerate(YEARS):
                value = row[5 + block * 7 + k]
                if isinstance(value, (int, float)):
                    out.append((iso3, m49, year, sex, float(value) * 1000.0))
    return pl.DataFrame(out, orient="row", schema={
        "iso3": pl.String, "area_m49": pl.Int32, "year": pl.Int32, "sex": pl.String,
        "value": pl.Float64})


def _regions(annex: Path) -> pl.DataFrame:
    rows = python_calamine.CalamineWorkbook.from_path(str(annex)).get_sheet_by_name(
        "Annex").to_python()
    out = []
    for row in rows:
        iso3 = str(row[3]).strip()
        if len(iso3) == 3 and iso3.isalpha() and iso3 != "ISO":
            out.append((iso3, int(row[2]), str(row[15]), str(row[13])))
    return pl.DataFrame(out, orient="row", schema={
        "iso3": pl.String, "m49": pl.Int32, "continent": pl.String, "sdg_region": pl.String})


@pytest.fixture(scope="session")
def ims2020_store(mirror: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory store with IMS 2020 bilateral stocks by sex, population and regions."""
    con = duckdb.connect()
    create_schema(con)
    stocks = pl.read_csv(mirror / IMS / "derived" / "ims2020_bilateral_by_sex_long.csv")
    stocks = stocks.select(
        edition=pl.lit("ims2020"), origin=pl.col("from"), destination=pl.col("to"),
        year=pl.col("t").cast(pl.Int32), sex=pl.col("sex").str.to_lowercase(),
        value=pl.col("v").cast(pl.Float64), source_id=pl.lit("ims2020-bilateral-derived"))
    con.execute("INSERT INTO migrant_stock SELECT * FROM stocks")
    pop_rows = _population(mirror / IMS / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")
    pop_rows = pop_rows.select(edition=pl.lit("ims2020"), iso3="iso3", area_m49="area_m49",
                                   year="year", sex="sex", value="value",
                                   source_id=pl.lit("ims2020-destination"))
    con.execute("INSERT INTO population SELECT * FROM pop_rows")
    regions = _regions(mirror / IMS / "aggregates_correspondence_table_2020_1.xlsx")
    known = codes.countries()
    regions = regions.filter(pl.col("iso3").is_in(list(known)))
    names = regions.with_columns(  # noqa: F841 - read by DuckDB by name
        name=pl.col("iso3").map_elements(lambda c: known[c].name, return_dtype=pl.String),
        short_name=pl.col("iso3").map_elements(lambda c: known[c].short_name,
                                               return_dtype=pl.String))
    con.execute("INSERT INTO countries (iso3, m49, name, short_name, continent, sdg_region) "
                "SELECT iso3, m49, name, short_name, continent, sdg_region FROM names")
    yield con
    con.close()
