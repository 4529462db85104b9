"""The named choices the analytics accept: export tables, formats and SDMX versions, groupings,
rankings and the defaults of the flow estimator.

Plain data that imports nothing: the command line lists these in its ``--help`` when it starts,
before any data library is loaded. The modules that act on them import them from here.
"""

from __future__ import annotations

#: Groupings of ``corridors.analytics.regions``: the first four are columns of the countries table.
GROUPINGS = ("continent", "sdg-region", "un-subregion", "un-region", "income", "rec", "custom")

#: How ``top_corridors`` ranks: option value -> column of the corridor table.
RANKINGS = {"stock": "stock", "change": "change", "growth": "growth_rate"}

#: Ranking by growth keeps corridors with at least this many migrants in both years compared:
#: a corridor of a few dozen people that doubles is not a fast-growing corridor.
MIN_GROWTH_STOCK = 10_000


def min_stock_for(by: str, min_stock: int | None = None) -> int:
    """The minimum corridor size of a ranking: the one asked for, else MIN_GROWTH_STOCK when
    ranking by growth and none (0) otherwise."""
    if min_stock is not None:
        return min_stock
    return MIN_GROWTH_STOCK if by == "growth" else 0

#: Export formats and tables of ``corridors.analytics.exports``.
FORMATS = ("xlsx", "csv", "parquet", "sdmx-csv", "datapackage")
TABLES = ("summary", "regions", "contiguity", "top", "corridors")
ALL_TABLES = (*TABLES, "stock", "remittances", "remittance-summary", "remittance-costs", "survey")
#: SDMX-CSV versions of ``--to sdmx-csv`` (the first is the default), and the export tables with
#: an SDMX dataflow (``corridors.analytics.sdmx.structures`` declares one for each, in this order).
SDMX_VERSIONS = ("2.0", "1.0")
SDMX_TABLES = ("stock", "summary", "remittances", "survey")

#: Iterative proportional fitting of demographic accounting: tolerance (largest margin gap
#: relative to the largest margin) and iteration limit.
DEFAULT_TOL = 1e-10
DEFAULT_MAX_ITER = 1000
#: The ``rescale`` fit stops when no cell moves by this many persons or more in a sweep: the
#: stopping rule and value of the reference implementation (migest's ``ffs_demo``, Abel 2018).
DEFAULT_RESCALE_TOL = 1e-3
