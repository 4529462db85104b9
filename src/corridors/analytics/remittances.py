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
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from corridors.analytics.lenses import query

WDI_SERIES = ("BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT")
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
