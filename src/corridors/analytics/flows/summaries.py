"""Flow totals by period, by region and under a South–South lens, and one corridor's flows.

All functions take the long flows frame of :func:`corridors.analytics.flows.global_run.global_flows`
(or the store's ``flows`` table): ``edition, method, settings, period_start, period_end, origin,
destination, sex, value``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl

from corridors.errors import CorridorsError
from corridors.store import provenance

REGION_COLUMNS = ("sdg_region", "continent", "ims_region", "un_subregion")
PERIOD_KEYS = ["period_start", "period_end", "sex"]


def period_totals(frame: pl.DataFrame) -> pl.DataFrame:
    """Total flows per period and sex, with both sexes added as ``sex = 'both'`` when the frame
    has male and female runs."""
    totals = frame.group_by(PERIOD_KEYS).agg(value=pl.col("value").sum())
    sexes = set(frame["sex"].unique()) if frame.height else set()
    if {"male", "female"} <= sexes and "total" not in sexes:
        both = (frame.filter(pl.col("sex").is_in(["male", "female"]))
                .group_by(["period_start", "period_end"]).agg(value=pl.col("value").sum())
                .with_columns(sex=pl.lit("both")).select(PERIOD_KEYS + ["value"]))
        totals = pl.concat([totals, both])
    return totals.sort(PERIOD_KEYS)


def regional_flows(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame,
                   by: str = "sdg_region") -> pl.DataFrame:
    """Region-to-region flows per period and sex, regions from the store's ``countries`` table.

    Countries without a region (and the "Other" origin) are grouped as ``"(unknown)"``.
    """
    if by not in REGION_COLUMNS:
        raise CorridorsError(f"region {by!r}: choose one of {', '.join(REGION_COLUMNS)}")
    regions = con.execute(f"SELECT iso3, {by} AS region FROM countries").pl()  # by is whitelisted
    lookup = regions.rename({"iso3": "code"})
    out = (frame.join(lookup.rename({"code": "origin", "region": "origin_region"}), on="origin",
                      how="left")
           .join(lookup.rename({"code": "destination", "region": "destination_region"}),
                 on="destination", how="left")
           .with_columns(pl.col("origin_region", "destination_region").fill_null("(unknown)"))
           .group_by(PERIOD_KEYS + ["origin_region", "destination_region"])
           .agg(value=pl.col("value").sum())
           .sort(PERIOD_KEYS + ["value"], descending=[False, False, False, True]))
    return out


def within_region_share(regional: pl.DataFrame) -> pl.DataFrame:
    """Share of flows that stay within a region, per period and sex."""
    return (regional.with_columns(within=pl.col("origin_region") == pl.col("destination_region"))
            .group_by(PERIOD_KEYS)
            .agg(total=pl.col("value").sum(),
                 within=pl.col("value").filter(pl.col("within")).sum())
            .with_columns(share=pl.col("within") / pl.col("total"))
            .sort(PERIOD_KEYS))


def lens_summary(frame: pl.DataFrame, categories: pl.DataFrame, *, year: str = "start"
                 ) -> pl.DataFrame:
    """Flow totals and shares per period, sex and corridor category.

    ``categories`` has one row per ``(origin, destination, year)`` with a ``category`` column (e.g.
    ``south-south``), as a lens produces for stocks, and optionally a ``lens`` column (one row per
    lens; the result then has a ``lens`` column too; see
    :func:`corridors.analytics.flows.lenses.flow_categories`). A period's flows take the category of
    the corridor in its start year (``year="start"``) or end year (``"end"``). Flows whose corridor
    has no category are counted as ``"unclassified"`` so the shares still add up to one.
    """
    needed = {"origin", "destination", "year", "category"}
    if not needed <= set(categories.columns):
        raise CorridorsError("a category frame needs the columns origin, destination, year, "
                             "category")
    key = "period_start" if year == "start" else "period_end"
    by_lens = "lens" in categories.columns
    extra = ["lens"] if by_lens else []
    cats = categories.select(*extra, origin="origin", destination="destination",
                             **{key: pl.col("year").cast(frame.schema[key])},
                             category="category")
    if by_lens:
        frame = frame.join(cats.select("lens").unique(), how="cross")
    keys = extra + PERIOD_KEYS
    joined = frame.join(cats, on=[*extra, "origin", "destination", key], how="left").with_columns(
        pl.col("category").fill_null("unclassified"))
    out = (joined.group_by(keys + ["category"]).agg(value=pl.col("value").sum())
           .with_columns(share=pl.col("value") / pl.col("value").sum().over(keys))
           .sort(keys + ["category"]))
    return out


#: What a flow is estimated for, besides its corridor.
_RUN_KEYS = ["edition", "method", *PERIOD_KEYS]


class FlowIndex:
    """Saved flows held sorted by corridor, each corridor's rows found by key: a server that
    answers corridor after corridor slices them instead of scanning every flow twice (300,958
    flows: 11.6 ms a corridor scanned, well under 1 ms found). ``periods``: the runs' periods
    and sexes, worked out once."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame.sort(["origin", "destination"], maintain_order=True)
        self.periods = frame.select(_RUN_KEYS).unique(maintain_order=True)
        spans = (self.frame.with_row_index("row")
                 .group_by(["origin", "destination"])
                 .agg(pl.col("row").min().alias("first"), pl.len().alias("rows")))
        self._spans: dict[tuple[str, str], tuple[int, int]] = {
            (o, d): (first, rows) for o, d, first, rows in spans.iter_rows()}

    def rows(self, origin: str, destination: str) -> pl.DataFrame:
        """The flows from ``origin`` to ``destination`` (none: an empty frame)."""
        first, rows = self._spans.get((origin, destination), (0, 0))
        return self.frame.slice(first, rows)


def corridor(frame: pl.DataFrame | FlowIndex, origin: str, destination: str) -> pl.DataFrame:
    """Flows both ways along one corridor per period and sex, with the net flow to
    ``destination``; from the saved flows, or from their :class:`FlowIndex`."""
    if isinstance(frame, FlowIndex):
        there, back = frame.rows(origin, destination), frame.rows(destination, origin)
        periods = frame.periods
    else:
        there = frame.filter((pl.col("origin") == origin) & (pl.col("destination") == destination))
        back = frame.filter((pl.col("origin") == destination) & (pl.col("destination") == origin))
        periods = frame.select(_RUN_KEYS).unique()
    # a corridor has a few dozen periods and sexes: put together in Python (each polars join
    # or step cost about 0.14 ms of planning, 1.5 ms a corridor in all)
    flow = {key[:-1]: key[-1] for key in there.select(*_RUN_KEYS, "value").iter_rows()}
    reverse = {key[:-1]: key[-1] for key in back.select(*_RUN_KEYS, "value").iter_rows()}
    rows = []
    for key in periods.iter_rows():
        ahead, behind = flow.get(key), reverse.get(key)
        ahead = 0.0 if ahead is None else ahead
        behind = 0.0 if behind is None else behind
        rows.append((origin, destination, *key, ahead, behind, ahead - behind))
    rows.sort(key=lambda row: (row[4], row[6]))  # by period_start, then sex
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "origin": pl.String, "destination": pl.String,
        **{name: periods.schema[name] for name in _RUN_KEYS},
        "flow": pl.Float64, "reverse_flow": pl.Float64, "net": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def published_totals(path: Path | str) -> dict[int, float]:
    """Totals by period start of a published region-to-region flows CSV (``year0, orig_reg,
    dest_reg, flow``; e.g. Abel 2018's regional estimates), all regions incl. within-region."""
    totals: dict[int, float] = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(float(row["year0"]))
            totals[year] = totals.get(year, 0.0) + float(row["flow"])
    return totals


def sources(con: duckdb.DuckDBPyConnection, edition: str, *, lenses: bool = False) -> list[dict]:
    """The provenance of flows estimated from an edition: its bilateral stock and the population
    it takes the native-born from (and, for flows by category, the classifications the lenses
    read)."""
    tables = ["migrant_stock", "population"]
    found = provenance.of_tables(con, tables, edition)
    if lenses:
        found += provenance.of_tables(con, ["income_groups", "countries"])
    return provenance.public(found)
