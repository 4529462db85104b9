"""The World Bank income thresholds behind each lens, year by year: for an observation year Y the
lens uses the classification of data year Y (fiscal year Y+2, :func:`lenses.year_mapping`), whose
groups are fixed by GNI per capita thresholds (US$, Atlas method; OGHIST sheet "Thresholds",
store table ``income_thresholds``). A lens whose rule names income groups counts a country as
South up to the upper threshold of its highest South group (wb-lmic: the lower-middle-income
ceiling; wb-non-high: the upper-middle-income ceiling); ``un-developing`` uses no threshold."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import polars as pl

from corridors.analytics.lenses import INCOME_GROUPS, Lens, Rule, query, year_mapping
from corridors.errors import CorridorsError


def _ceiling(rule: Rule, limits: dict[str, float | None]) -> float | None:
    """GNI per capita up to which the rule's income groups count as South (None: no income rule,
    or every group including high income)."""
    if not rule.income_groups:
        return None
    highest = max(rule.income_groups, key=INCOME_GROUPS.index)
    return limits.get(highest)


def lens_thresholds(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens],
                    years: Iterable[int]) -> pl.DataFrame:
    """One row per lens and year: lens, year, data_year, fiscal_year, l_max, lm_max, um_max (the
    upper thresholds of low, lower-middle and upper-middle income, US$), origin_south_gni_max,
    destination_south_gni_max (the ceiling of South under the lens's origin and destination
    rules; null when the rule uses no income group), origin_rule, destination_rule."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "income_thresholds" not in tables:
        raise CorridorsError("the store has no income thresholds (OGHIST 'Thresholds'). Run "
                             "`corridors build` again.")
    limits = query(con, "SELECT data_year, income_group, gni_max FROM income_thresholds")
    by_year: dict[int, dict[str, float | None]] = {}
    for data_year, group, gni_max in limits.iter_rows():
        by_year.setdefault(data_year, {})[group] = gni_max
    rows = []
    for mapped in year_mapping(con, years).iter_rows(named=True):
        year_limits = by_year.get(mapped["data_year"], {})
        for lens in lenses:
            rows.append({
                "lens": lens.id, "year": mapped["year"], "data_year": mapped["data_year"],
                "fiscal_year": mapped["fiscal_year"], "l_max": year_limits.get("L"),
                "lm_max": year_limits.get("LM"), "um_max": year_limits.get("UM"),
                "origin_south_gni_max": _ceiling(lens.origin, year_limits),
                "destination_south_gni_max": _ceiling(lens.destination, year_limits),
                "origin_rule": lens.origin.describe(),
                "destination_rule": lens.destination.describe(),
            })
    return pl.DataFrame(rows, schema={
        "lens": pl.String, "year": pl.Int32, "data_year": pl.Int32, "fiscal_year": pl.String,
        "l_max": pl.Float64, "lm_max": pl.Float64, "um_max": pl.Float64,
        "origin_south_gni_max": pl.Float64, "destination_south_gni_max": pl.Float64,
        "origin_rule": pl.String, "destination_rule": pl.String}).sort("lens", "year")
