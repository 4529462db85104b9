"""A survey's migrant estimate beside the UN DESA international migrant stock for the same
country and year.

UN DESA publishes stocks for mid-year 1990, 1995, ..., 2020; for a survey year in between, the UN
figure is interpolated linearly between the two published years (``un_method`` says which years).
Totals are compared with ``migrant_stock_totals`` (view 'destination'); shares with that stock
divided by the ``population`` of the same edition. ``un_in_ci`` says whether the UN figure lies in
the survey's 95 % confidence interval: survey and census-based estimates differ in definition
(usual residents vs. all residents, coverage of collective living quarters), so a gap is a finding
to explain, not an error.
"""

from __future__ import annotations

import duckdb
import polars as pl

from corridors.errors import CorridorsError

from .estimator import domain_columns

#: survey indicators that have a UN DESA counterpart: indicator -> what UN DESA publishes
COUNTERPARTS = {
    "migrants_foreign_born": "stock",
    "total(foreign_born)": "stock",
    "share_foreign_born": "share",
    "mean(foreign_born)": "share",
}


def _un_series(con: duckdb.DuckDBPyConnection, iso3: str, sex: str, edition: str,
               what: str) -> dict[int, tuple[float, str]]:
    stock = con.execute(
        "SELECT year, value, source_id FROM migrant_stock_totals WHERE edition = ? AND "
        "view = 'destination' AND iso3 = ? AND sex = ? AND value IS NOT NULL",
        [edition, iso3, sex]).fetchall()
    series = {int(y): (float(v), str(s)) for y, v, s in stock}
    if what == "stock":
        return series
    pop = con.execute(
        "SELECT year, value, source_id FROM population WHERE edition = ? AND iso3 = ? AND "
        "sex = ? AND value IS NOT NULL", [edition, iso3, sex]).fetchall()
    people = {int(y): (float(v), str(s)) for y, v, s in pop}
    return {y: (series[y][0] / people[y][0], f"{series[y][1]}; {people[y][1]}")
            for y in series if y in people and people[y][0]}


def un_value(series: dict[int, tuple[float, str]], year: int) -> tuple[float, str, str] | None:
    """(value, method, source ids) at ``year``: exact, linear interpolation, or None."""
    if year in series:
        value, source = series[year]
        return value, f"published {year}", source
    before = [y for y in series if y < year]
    after = [y for y in series if y > year]
    if not before or not after:
        return None
    y0, y1 = max(before), min(after)
    (v0, s0), (v1, _s1) = series[y0], series[y1]
    value = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return value, f"interpolated {y0}-{y1}", s0


def reconcile(con: duckdb.DuckDBPyConnection, estimates: pl.DataFrame, *, iso3: str, year: int,
              edition: str) -> pl.DataFrame:
    """One row per survey estimate with a UN DESA counterpart (all persons, by sex only).

    Columns: indicator, sex, survey_estimate, se, ci_low, ci_high, flag, un_value, un_method,
    un_edition, un_source_id, difference (survey - UN), ratio (survey / UN), un_in_ci.
    ``edition``: the UN DESA edition to compare with, as the caller resolved it (the CLI asks the
    Observatory's selection, whose default is the newest edition); survey sits beside analytics
    and does not decide the default edition itself.
    """
    name = "indicator" if "indicator" in estimates.columns else "measure"
    domains = domain_columns(estimates.columns)
    rows = []
    for record in estimates.to_dicts():
        what = COUNTERPARTS.get(record[name])
        if what is None or any(record[d] is not None for d in domains if d != "sex"):
            continue
        sex = record.get("sex") or "total"
        found = un_value(_un_series(con, iso3, sex, edition, what), year)
        un, method, source = found if found else (None, "no UN figure", None)
        est = record["estimate"]
        rows.append({
            "indicator": record[name], "sex": sex, "survey_estimate": est, "se": record["se"],
            "ci_low": record["ci_low"], "ci_high": record["ci_high"], "flag": record["flag"],
            "un_value": un, "un_method": method, "un_edition": edition, "un_source_id": source,
            "difference": est - un if est is not None and un is not None else None,
            "ratio": est / un if est is not None and un else None,
            "un_in_ci": (record["ci_low"] <= un <= record["ci_high"]
                         if un is not None and record["ci_low"] is not None else None),
        })
    if not rows:
        raise CorridorsError(
            "nothing to reconcile: estimate total(foreign_born) or mean(foreign_born) (or "
            "--indicators icls) for all persons or by sex, with birth_country in the mapping")
    return pl.DataFrame(rows)
