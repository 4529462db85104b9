"""Remittances in the store, as one long table: the World Bank WDI series of personal remittances
received (``BX.TRF.PWKR.CD.DT``) and paid (``BM.TRF.PWKR.CD.DT``) by each economy, in current US$,
and the World Bank / KNOMAD bilateral remittance estimates (US$ millions).

Columns: ``indicator`` (the WDI series code, or ``bilateral``), ``area`` (the economy receiving,
or for ``BM.TRF.PWKR.CD.DT`` paying), ``counterpart`` (for ``bilateral`` the sending economy;
otherwise ``_T``, every counterpart), ``year``, ``value``, ``unit`` (as stored), ``unit_mult``
(the power of ten of ``unit``: 6 for US$ millions), ``obs_status`` (``A`` as reported by the WDI,
``E`` for the bilateral estimates), ``edition`` and ``source_id``.

The KNOMAD matrix is stored in the migration sense (origin = receiving economy, destination =
sending economy; see :mod:`corridors.readers.world_bank_bilateral`).

Everything else in this module speaks of money: **origin is the sending country** (the migrants'
host), destination the receiving one (the migrants' home). A remittance corridor S -> R is the
migrant corridor R -> S seen the other way:

- :func:`country_remittances`: received and paid (US$), GDP (US$) and received as a share of GDP
  (fraction 0..1) per country and year, gaps left null, with their sources;
- :func:`remittance_corridors`: bilateral remittances (KNOMAD 2017, 2018) with the corridor's
  category under a lens and the migrant stock of the same corridor (origin R, destination S) in
  the IMS year nearest the remittance year, and US$ per migrant;
- :func:`remittance_summary`: totals and shares by category per lens and year;
- :func:`remittance_costs`, :func:`cost_targets`: Remittance Prices Worldwide (SDG 10.c.1);
- :func:`remittance_fees`: money lost to fees per corridor and year, estimated as
  ``value_usd * cost_pct / 100`` (see its doc).

Categories read in the direction of the money and come from the lens rule of
:mod:`corridors.analytics.lenses`: the sender takes the lens's *destination* role (it hosts the
migrants; gfmd-2018's emerging hubs are destinations) and the receiver its *origin* role. So
``north-south`` is money sent from a North host to a South home: the remittances of the
South–North migrant corridor. ``south-south`` is the same set of pairs as for stocks.
A pair with either end without a group that year is ``unclassified``: reported apart and left out
of the shares' denominator, as for stocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.analytics.facts import roles as lens_roles
from corridors.analytics.lenses import CATEGORIES, Lens, query, registered
from corridors.analytics.rules import category_sql
from corridors.errors import NotFoundError

WDI_SERIES = ("BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT")
RECEIVED, PAID, GDP = "BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT", "NY.GDP.MKTP.CD"
#: RPW sources, preferred first: a quarter is read from the first source that publishes it (the
#: official dataset, which no reader reads yet; the official DataBank export to 2020Q3; then the
#: corridor-quarter file).
COST_SOURCES = ("wb-rpw", "wb-rpw-databank", "wb-rpw-filtered")
#: SDG 10.c: average cost below 3 %, no corridor above 5 % (percent of the amount sent).
SDG_TARGET_PCT = 3.0
SDG_CORRIDOR_LIMIT_PCT = 5.0
BILATERAL = "bilateral"
_MULTIPLIERS = {"US$ millions": 6}


def remittance_table(con: duckdb.DuckDBPyConnection,
                     years: int | Iterable[int] | None = None) -> pl.DataFrame:
    """Every remittance figure in the store (``years``: only those years)."""
    wanted = None if years is None else ([years] if isinstance(years, int) else list(years))
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    bilateral = (f"UNION ALL SELECT '{BILATERAL}', origin, destination, year, value, unit, 'E', "
                 "edition, source_id FROM wb_bilateral WHERE kind = 'remittances'"
                 if "wb_bilateral" in tables else "")
    frame = query(con, f"""
        SELECT * FROM (
            SELECT indicator, iso3 AS area, '_T' AS counterpart, year, value, unit,
                   'A' AS obs_status, edition, source_id
            FROM indicators WHERE dataset = 'wdi' AND list_contains($series, indicator)
            {bilateral}
        ) WHERE value IS NOT NULL AND ($years IS NULL OR list_contains($years, year))
        ORDER BY indicator DESC, year, area, counterpart
    """, {"series": list(WDI_SERIES), "years": wanted})
    return frame.with_columns(
        pl.col("unit").replace_strict(_MULTIPLIERS, default=0, return_dtype=pl.Int64)
        .alias("unit_mult")).select("indicator", "area", "counterpart", "year", "value", "unit",
                                   "unit_mult", "obs_status", "edition", "source_id")


class RemittanceDataError(NotFoundError):
    """The store cannot answer a remittance question (no such country, year or period)."""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _country(code: str) -> str:
    iso3 = codes.code_for(code)
    if iso3 is None:
        raise RemittanceDataError(f"unknown country {code!r}: give an ISO3 code (NPL), an M49 "
                                  "code or a name")
    return iso3


def country_remittances(con: duckdb.DuckDBPyConnection, code: str | None,
                        years: int | Iterable[int] | None = None) -> pl.DataFrame:
    """Remittances received and paid, GDP and received / GDP for one country (``None``: every
    country), one row per country and year with either flow published (gaps null, never zero).

    Columns: iso3, year, received_usd, paid_usd, gdp_usd, received_share_gdp (fraction 0..1),
    sources (the source ids of the figures in the row)."""
    iso3 = None if code is None else _country(code)
    wanted = None if years is None else ([years] if isinstance(years, int) else list(years))
    frame = query(con, """
        WITH v AS (
            SELECT iso3, year, indicator, value, source_id FROM indicators
            WHERE dataset = 'wdi' AND ($iso3 IS NULL OR iso3 = $iso3) AND value IS NOT NULL
              AND list_contains($series, indicator))
        SELECT iso3, year,
            max(value) FILTER (indicator = $received) AS received_usd,
            max(value) FILTER (indicator = $paid) AS paid_usd,
            max(value) FILTER (indicator = $gdp) AS gdp_usd,
            received_usd / gdp_usd AS received_share_gdp,
            list_sort(list_distinct(list(source_id))) AS sources
        FROM v GROUP BY iso3, year
        HAVING (received_usd IS NOT NULL OR paid_usd IS NOT NULL)
           AND ($years IS NULL OR list_contains($years, year))
        ORDER BY iso3, year
    """, {"iso3": iso3, "series": [RECEIVED, PAID, GDP], "received": RECEIVED, "paid": PAID,
          "gdp": GDP, "years": wanted})
    if frame.is_empty() and wanted:
        raise RemittanceDataError(f"no remittances of {iso3 or 'any country'} in "
                                  f"{', '.join(map(str, wanted))}")
    return frame


def bilateral_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years of the bilateral remittance matrices in the store."""
    if "wb_bilateral" not in _tables(con):
        return []
    return [r[0] for r in con.execute("SELECT DISTINCT year FROM wb_bilateral "
                                      "WHERE kind = 'remittances' ORDER BY 1").fetchall()]


def _bilateral_years(con: duckdb.DuckDBPyConnection,
                     years: int | Iterable[int] | None) -> list[int]:
    known = bilateral_years(con)
    if not known:
        raise RemittanceDataError("the store has no bilateral remittance matrix. Run "
                                  "`corridors pull` and `corridors build`.")
    if years is None:
        return known
    wanted = [years] if isinstance(years, int) else list(years)
    missing = [y for y in wanted if y not in known]
    if missing:
        raise RemittanceDataError(f"no bilateral remittance matrix for {missing[0]}; available: "
                                  f"{', '.join(map(str, known))}")
    return wanted


def nearest_stock_year(year: int, stock_years: Sequence[int]) -> int:
    """The IMS year nearest ``year`` (the earlier one on a tie)."""
    return min(stock_years, key=lambda y: (abs(y - year), y))


def _classified(roles_name: str) -> str:
    """SQL: remittance rows ``r`` (origin = sender) with their category under each lens of the
    roles table: the sender in the lens's destination role, the receiver in its origin role."""
    category = category_sql("r.origin", "rs.south_destination", "rr.south_origin")
    return f"""
        SELECT l.lens, r.*, {category} AS category
        FROM r CROSS JOIN (SELECT DISTINCT lens FROM {roles_name}) l
        LEFT JOIN {roles_name} rs ON rs.lens = l.lens AND rs.iso3 = r.origin AND rs.year = r.year
        LEFT JOIN {roles_name} rr ON rr.lens = l.lens AND rr.iso3 = r.destination
                                 AND rr.year = r.year"""


_MATRIX = """r AS (
    SELECT year, destination AS origin, origin AS destination,
           value * CASE unit WHEN 'US$ millions' THEN 1e6 ELSE NULL END AS value_usd,
           edition, source_id
    FROM wb_bilateral WHERE kind = 'remittances' AND list_contains($years, year))"""


def remittance_corridors(con: duckdb.DuckDBPyConnection, *, lens: Lens,
                         years: int | Iterable[int] | None = None, origin: str | None = None,
                         destination: str | None = None, category: str | None = None,
                         limit: int | None = None, stock_edition: str | None = None
                         ) -> pl.DataFrame:
    """Bilateral remittance corridors, largest first. ``origin`` = sending country.

    Columns: year, origin, destination, value_usd, category (under ``lens``), migrant_stock (the
    migrants of ``destination`` living in ``origin``, total of both sexes), stock_year (the IMS
    year nearest ``year``), stock_edition, usd_per_migrant, edition, source_id."""
    from corridors.analytics.corridors import default_edition, edition_years

    wanted = _bilateral_years(con, years)
    sender = _country(origin) if origin else None
    receiver = _country(destination) if destination else None
    if category is not None and category not in (*CATEGORIES, "unclassified"):
        raise RemittanceDataError(f"unknown category {category!r}; one of "
                                  f"{', '.join((*CATEGORIES, 'unclassified'))}")
    edition = default_edition(con, stock_edition)
    stock_years = edition_years(con, edition)
    nearest = pl.DataFrame({"year": wanted,
                            "stock_year": [nearest_stock_year(y, stock_years) for y in wanted]},
                           schema={"year": pl.Int32, "stock_year": pl.Int32})
    roles = lens_roles(con, [lens], wanted).select("lens", "iso3", "year", "south_origin",
                                                   "south_destination")
    with registered(con, roles, "roles") as roles_name, registered(con, nearest, "near") as near:
        frame = query(con, f"""
            WITH {_MATRIX}, c AS ({_classified(roles_name)})
            SELECT c.year, c.origin, c.destination, c.value_usd, c.category,
                   s.value AS migrant_stock, n.stock_year, $edition AS stock_edition,
                   c.value_usd / nullif(s.value, 0) AS usd_per_migrant, c.edition, c.source_id
            FROM c JOIN {near} n ON n.year = c.year
            LEFT JOIN migrant_stock s ON s.edition = $edition AND s.sex = 'total'
                 AND s.year = n.stock_year AND s.origin = c.destination
                 AND s.destination = c.origin
            WHERE ($origin IS NULL OR c.origin = $origin)
              AND ($destination IS NULL OR c.destination = $destination)
              AND ($category IS NULL OR c.category = $category)
            ORDER BY c.year, c.value_usd DESC, c.origin, c.destination
        """, {"years": wanted, "edition": edition, "origin": sender, "destination": receiver,
              "category": category})
    if limit is not None:
        frame = frame.group_by("year", maintain_order=True).head(limit)
    return frame


def remittance_summary(con: duckdb.DuckDBPyConnection, *, lenses: Sequence[Lens],
                       years: int | Iterable[int] | None = None) -> pl.DataFrame:
    """Bilateral remittances by category, per lens and year (4 rows per lens and year).

    Columns: lens, year, category, value_usd, share (of the classified total, 0..1),
    classified_total_usd, unclassified_usd, world_usd (every published pair), edition,
    source_id."""
    wanted = _bilateral_years(con, years)
    roles = lens_roles(con, list(lenses), wanted).select("lens", "iso3", "year", "south_origin",
                                                         "south_destination")
    with registered(con, roles, "roles") as roles_name:
        counts = query(con, f"""
            WITH {_MATRIX}, c AS ({_classified(roles_name)})
            SELECT lens, year, category, sum(value_usd) AS value_usd,
                   any_value(edition) AS edition, any_value(source_id) AS source_id
            FROM c GROUP BY ALL
        """, {"years": wanted})
    grid = (pl.DataFrame({"lens": [lens.id for lens in lenses]})
            .join(pl.DataFrame({"year": wanted}, schema={"year": pl.Int32}), how="cross")
            .join(pl.DataFrame({"category": list(CATEGORIES)}), how="cross"))
    counts = counts.with_columns(pl.col("year").cast(pl.Int32))
    extra = (counts.group_by("lens", "year").agg(
        pl.col("value_usd").filter(pl.col("category") == "unclassified").sum()
        .alias("unclassified_usd"),
        pl.col("value_usd").sum().alias("world_usd"),
        pl.col("edition").first(), pl.col("source_id").first()))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return (
        grid.join(counts.select("lens", "year", "category", "value_usd"),
                  on=["lens", "year", "category"], how="left")
        .with_columns(pl.col("value_usd").fill_null(0.0))
        .with_columns(pl.col("value_usd").sum().over(["lens", "year"])
                      .alias("classified_total_usd"))
        .with_columns((pl.col("value_usd") / pl.col("classified_total_usd")).alias("share"))
        .join(extra, on=["lens", "year"], how="left")
        .with_columns(pl.col("category").replace_strict(order).alias("_order"))
        .sort("_order").sort("lens", "year", maintain_order=True)
        .select("lens", "year", "category", "value_usd", "share", "classified_total_usd",
                "unclassified_usd", "world_usd", "edition", "source_id")
    )


# --- costs (Remittance Prices Worldwide, SDG 10.c.1) ------------------------------------------

_COSTS = f"""costs AS (
    SELECT * FROM remittance_costs
    QUALIFY dense_rank() OVER (PARTITION BY period ORDER BY
        coalesce(list_position({list(COST_SOURCES)!r}, source_id), 99)) = 1)"""


def cost_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters with corridor costs in the store, oldest first (``2020Q3``)."""
    if "remittance_costs" not in _tables(con):
        return []
    return [r[0] for r in con.execute(
        "SELECT DISTINCT period FROM remittance_costs ORDER BY 1").fetchall()]


def _period(con: duckdb.DuckDBPyConnection, period: str | None) -> str | None:
    known = cost_periods(con)
    if not known:
        raise RemittanceDataError("the store has no remittance costs (Remittance Prices "
                                  "Worldwide). Run `corridors pull` and `corridors build`.")
    if period is None:
        return None
    text = period.strip().upper().replace("-", "")
    if text == "LATEST":
        return known[-1]
    if text not in known:
        raise RemittanceDataError(f"no corridor costs for {period!r}; periods are quarters such "
                                  f"as 2020Q3, from {known[0]} to {known[-1]} (or 'latest')")
    return text


def remittance_costs(con: duckdb.DuckDBPyConnection, *, origin: str | None = None,
                     destination: str | None = None, period: str | None = None) -> pl.DataFrame:
    """Average total cost of sending USD 200 per corridor and quarter, as published (percent of
    the amount sent). ``origin`` = sending country. Each quarter comes from one source: the first
    of :data:`COST_SOURCES` that publishes it.

    Columns: origin, destination, period, year, quarter, cost_pct, cost_pct_500, fx_margin_pct,
    providers, above_5_pct, edition, source_id."""
    wanted = _period(con, period)
    sender = _country(origin) if origin else None
    receiver = _country(destination) if destination else None
    return query(con, f"""
        WITH {_COSTS}
        SELECT origin, destination, period, year, quarter, cost_pct, cost_pct_500, fx_margin_pct,
               providers, cost_pct > {SDG_CORRIDOR_LIMIT_PCT} AS above_5_pct, edition, source_id
        FROM costs
        WHERE ($period IS NULL OR period = $period) AND ($origin IS NULL OR origin = $origin)
          AND ($destination IS NULL OR destination = $destination)
        ORDER BY period, origin, destination
    """, {"period": wanted, "origin": sender, "destination": receiver})


def cost_targets(con: duckdb.DuckDBPyConnection, period: str | None = None) -> pl.DataFrame:
    """SDG 10.c.1 per quarter: corridors priced, their simple average cost, the corridors above
    5 % and at most 3 %, and the two tests (average below 3 %; no corridor above 5 %).

    Columns: period, corridors, average_cost_pct, median_cost_pct, corridors_above_5_pct,
    share_above_5 (0..1), corridors_at_most_3_pct, average_below_3_pct,
    no_corridor_above_5_pct, source_id."""
    wanted = _period(con, period)
    return query(con, f"""
        WITH {_COSTS}
        SELECT period, count(*) AS corridors, avg(cost_pct) AS average_cost_pct,
               median(cost_pct) AS median_cost_pct,
               count(*) FILTER (cost_pct > {SDG_CORRIDOR_LIMIT_PCT}) AS corridors_above_5_pct,
               corridors_above_5_pct / count(*) AS share_above_5,
               count(*) FILTER (cost_pct <= {SDG_TARGET_PCT}) AS corridors_at_most_3_pct,
               average_cost_pct < {SDG_TARGET_PCT} AS average_below_3_pct,
               corridors_above_5_pct = 0 AS no_corridor_above_5_pct,
               any_value(source_id) AS source_id
        FROM costs WHERE $period IS NULL OR period = $period
        GROUP BY period ORDER BY period
    """, {"period": wanted})


def remittance_fees(con: duckdb.DuckDBPyConnection, *, lens: Lens,
                    years: int | Iterable[int] | None = None, origin: str | None = None,
                    destination: str | None = None, limit: int | None = None) -> pl.DataFrame:
    """Costs beside volume and migrants, per corridor (origin = sending country) and year.

    ``fees_usd`` estimates the money lost to fees in a year as ``value_usd * cost_pct / 100``:
    the KNOMAD bilateral remittances of the year times the corridor's average total cost of
    sending USD 200 over the quarters of that year the RPW publishes (``cost_quarters``). The
    cost of USD 200 overstates the percentage paid on larger transfers, so this is an upper-side
    estimate. Only corridors with both a volume and a cost that year.

    Columns: year, origin, destination, category, value_usd, migrant_stock, usd_per_migrant,
    cost_pct, cost_quarters, fees_usd, fees_per_migrant_usd, stock_year."""
    corridors = remittance_corridors(con, lens=lens, years=years, origin=origin,
                                     destination=destination)
    _period(con, None)
    with registered(con, corridors, "remit") as remit:
        frame = query(con, f"""
            WITH {_COSTS},
            yearly AS (SELECT origin, destination, year, avg(cost_pct) AS cost_pct,
                              count(*) AS cost_quarters
                       FROM costs GROUP BY ALL)
            SELECT r.year, r.origin, r.destination, r.category, r.value_usd, r.migrant_stock,
                   r.usd_per_migrant, y.cost_pct, y.cost_quarters,
                   r.value_usd * y.cost_pct / 100 AS fees_usd,
                   fees_usd / nullif(r.migrant_stock, 0) AS fees_per_migrant_usd, r.stock_year
            FROM {remit} r JOIN yearly y USING (origin, destination, year)
            ORDER BY r.year, fees_usd DESC, r.origin, r.destination
        """)
    if limit is not None:
        frame = frame.group_by("year", maintain_order=True).head(limit)
    return frame
