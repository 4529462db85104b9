"""The Python API: one object over the store, returning polars frames.

>>> from corridors import Observatory
>>> obs = Observatory()                       # the store built by `corridors build`
>>> obs.stock(origin="VEN", destination="COL", year=2020)        # doctest: +SKIP
>>> obs.stock(destination="KEN").to_pandas()                      # doctest: +SKIP

Every frame converts with ``.to_pandas()`` or ``.to_arrow()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from corridors import store
from corridors.analytics import stocks
from corridors.analytics.overview import store_summary


class Observatory:
    """Read-only access to a built store: stocks, countries, sources and raw SQL."""

    def __init__(self, path: Path | str | None = None):
        self.con: duckdb.DuckDBPyConnection = store.connect(Path(path) if path else None)

    def __enter__(self) -> Observatory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def stock(self, origin: str | int | None = None, destination: str | int | None = None,
              year: int | None = None, sex: str = "total", edition: str | None = None
              ) -> pl.DataFrame:
        """Migrant stock (persons); omitted origin/destination = all, summed."""
        return stocks.stock(self.con, origin, destination, year, sex, edition)

    def editions(self) -> list[str]:
        return stocks.editions(self.con)

    def countries(self) -> pl.DataFrame:
        return self.con.execute("SELECT * FROM countries ORDER BY iso3").pl()

    def sources(self) -> pl.DataFrame:
        """Provenance of every file in the store: edition, licence, sha256, where it came from."""
        return self.con.execute("SELECT * FROM provenance ORDER BY source_id").pl()

    def summary(self) -> dict[str, pl.DataFrame]:
        return store_summary(self.con)

    def sql(self, query: str, params: list[Any] | None = None) -> pl.DataFrame:
        """Any read-only SQL over the store's tables (see docs/store.md)."""
        return self.con.execute(query, params or []).pl()
