"""South–South flows: flow totals and shares per lens, period and sex.

A flow ``origin -> destination`` over a period ``Y0-Y1`` is classified like a stock corridor, with
the lenses of :mod:`corridors.analytics.lenses` (their rules and year mapping are used as they are,
never restated here): the corridor takes its category in the period's **start year** Y0 (the
countries' groups when the moves began; IMS year Y0 -> World Bank data year Y0, FY(Y0+2)).
``year="end"`` uses Y1 instead.

Categories: ``south-south``, ``south-north``, ``north-south``, ``north-north``; ``unclassified``
when either end has no group that year (e.g. OGHIST ``..``), and ``unknown-origin`` for flows from
the UN's "Other" origin (``XXX``; always 0 for the store's runs, which drop moves from or to that
pseudo-place, kept so the categories are those of the stock summaries). ``share`` is of all flows
(the six add up to one); ``classified_share`` is of the four categories only, as
``corridors ssm summary`` reports stock shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from corridors.analytics.facts import roles as lens_roles
from corridors.analytics.flows.summaries import PERIOD_KEYS
from corridors.analytics.lenses import BUILTIN, CATEGORIES, Lens, query, registered
from corridors.analytics.rules import category_sql
from corridors.errors import CorridorsError

UNCLASSIFIED = "unclassified"
UNKNOWN_ORIGIN = "unknown-origin"
FLOW_CATEGORIES = (*CATEGORIES, UNCLASSIFIED, UNKNOWN_ORIGIN)
SUMMARY_COLUMNS = ("lens", "period_start", "period_end", "sex", "category", "value", "share",
                   "classified_share")


def _lens_list(lenses: Sequence[Lens] | Lens | None) -> list[Lens]:
    if lenses is None:
        return list(BUILTIN.values())
    if isinstance(lenses, Lens):
        return [lenses]
    return list(lenses)


def _check_year(year: str) -> str:
    if year not in ("start", "end"):
        raise CorridorsError(f"year {year!r}: a period takes the category of its 'start' or 'end' "
                             "year")
    return "period_start" if year == "start" else "period_end"


def _roles(con: duckdb.DuckDBPyConnection, lens_list: list[Lens], years: list[int]) -> pl.DataFrame:
    return lens_roles(con, lens_list, years).select(
        "lens", "iso3", "year", "south_origin", "south_destination")


def _categorised(rows: str, year: str, roles: str, lenses: str) -> str:
    """SQL FROM-clause pieces: ``rows`` (with origin, destination and a ``year`` column named
    by ``year``) crossed with the lenses, each row with its ``category`` under each lens."""
    return f"""
        {category_sql("c.origin", "ro.south_origin", "rd.south_destination")} AS category
        FROM {rows} c CROSS JOIN {lenses} l
        LEFT JOIN {roles} ro ON ro.lens = l.lens AND ro.iso3 = c.origin AND ro.year = c.{year}
        LEFT JOIN {roles} rd ON rd.lens = l.lens AND rd.iso3 = c.destination
                            AND rd.year = c.{year}"""


def flow_categories(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame,
                    lenses: Sequence[Lens] | Lens | None = None, *,
                    year: str = "start") -> pl.DataFrame:
    """The category of every corridor of a flows frame under each lens, in each period's start
    (or end) year: columns ``lens, origin, destination, year, category`` (every corridor x lens
    once; ``unclassified`` / ``unknown-origin`` as in the module docstring)."""
    key = _check_year(year)
    lens_list = _lens_list(lenses)
    corridors = frame.select("origin", "destination", pl.col(key).cast(pl.Int32).alias("year")
                             ).unique()
    roles = _roles(con, lens_list, sorted(corridors["year"].unique().to_list()))
    ids = pl.DataFrame({"lens": [lens.id for lens in lens_list]})
    with registered(con, corridors, "corridors") as c, registered(con, roles, "roles") as r, \
            registered(con, ids, "lenses") as ls:
        out = query(con, f"SELECT l.lens, c.origin, c.destination, c.year, "
                         f"{_categorised(c, 'year', r, ls)}")
    return out.with_columns(pl.col("year").cast(pl.Int32))


def lens_flows(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame,
               lenses: Sequence[Lens] | Lens | None = None, *, year: str = "start",
               both: bool = True) -> pl.DataFrame:
    """Flow totals and shares of each category per lens, period and sex (six rows each).

    ``frame`` is a long flows frame (the store's ``flows`` table or
    :func:`~corridors.analytics.flows.global_run.global_flows`). With ``both`` (default) and male
    and female runs in the frame, their sum is added as ``sex = 'both'``. Columns:
    lens, period_start, period_end, sex, category, value, share (of all flows, the six add up to
    one), classified_share (of the four South/North categories; null for the other two).
    """
    key = _check_year(year)
    lens_list = _lens_list(lenses)
    roles = _roles(con, lens_list, sorted(frame[key].unique().to_list()))
    ids = pl.DataFrame({"lens": [lens.id for lens in lens_list]})
    flows = frame.select("origin", "destination", "period_start", "period_end", "sex", "value")
    with registered(con, flows, "flows") as f, registered(con, roles, "roles") as r, \
            registered(con, ids, "lenses") as ls:
        summary = query(con, f"""
            SELECT lens, period_start, period_end, sex, category, sum(value) AS value
            FROM (SELECT l.lens, c.period_start, c.period_end, c.sex, c.value,
                         {_categorised(f, key, r, ls)})
            GROUP BY ALL""")
    summary = summary.with_columns(pl.col("period_start", "period_end").cast(pl.Int32),
                                   pl.col("value").cast(pl.Float64))
    sexes = set(summary["sex"].unique()) if summary.height else set()
    if both and {"male", "female"} <= sexes and "total" not in sexes:
        summary = pl.concat([summary, summary.filter(pl.col("sex").is_in(["male", "female"]))
                             .with_columns(sex=pl.lit("both"))])
    keys = ["lens", *PERIOD_KEYS]
    grid = (summary.select(keys).unique()
            .join(pl.DataFrame({"category": list(FLOW_CATEGORIES)}), how="cross"))
    order = {c: i for i, c in enumerate(FLOW_CATEGORIES)}
    lens_order = {lens.id: i for i, lens in enumerate(lens_list)}
    sex_order = {"male": 0, "female": 1, "both": 2, "total": 3}
    classified = pl.col("category").is_in(list(CATEGORIES))
    return (grid.join(summary.group_by([*keys, "category"]).agg(pl.col("value").sum()),
                      on=[*keys, "category"], how="left")
            .with_columns(pl.col("value").fill_null(0.0))
            .with_columns(share=pl.col("value") / pl.col("value").sum().over(keys),
                          classified_share=pl.when(classified).then(
                              pl.col("value") / pl.col("value").filter(classified).sum().over(keys)))
            .sort(pl.col("lens").replace_strict(lens_order, default=len(lens_order)),
                  "period_start", pl.col("sex").replace_strict(sex_order, default=9),
                  pl.col("category").replace_strict(order))
            .select(SUMMARY_COLUMNS))


def south_south_flows(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, lens: Lens, *,
                      year: str = "start", category: str = "south-south") -> pl.DataFrame:
    """The rows of a flows frame whose corridor is in ``category`` (default South–South) under
    one lens, in each period's start (or end) year."""
    if category not in FLOW_CATEGORIES:
        raise CorridorsError(f"category {category!r}: choose one of {', '.join(FLOW_CATEGORIES)}")
    key = "period_start" if year == "start" else "period_end"
    cats = (flow_categories(con, frame, lens, year=year)
            .filter(pl.col("category") == category)
            .select("origin", "destination", pl.col("year").alias(key)))
    return frame.join(cats, on=["origin", "destination", key], how="semi")
