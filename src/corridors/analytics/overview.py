"""What the store holds, in a few numbers a user can check against the publications."""

from __future__ import annotations

import duckdb
import polars as pl


def store_summary(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Editions and years of bilateral stock with world totals; table sizes; sources."""
    editions = con.execute(
        """
        SELECT edition, year,
               sum(value) FILTER (WHERE sex = 'total') AS migrants,
               sum(value) FILTER (WHERE sex = 'female') AS women,
               count(DISTINCT destination) AS destinations,
               count(DISTINCT origin) AS origins,
               count(*) FILTER (WHERE sex = 'total') AS corridors,
               any_value(source_id) AS source
        FROM migrant_stock GROUP BY edition, year ORDER BY edition DESC, year
        """
    ).pl()
    tables = con.execute(
        "SELECT table_name AS table, estimated_size AS rows FROM duckdb_tables() ORDER BY 1"
    ).pl()
    sources = con.execute(
        "SELECT source_id, edition, licence, substr(sha256, 1, 16) AS sha256, rows_read "
        "FROM provenance ORDER BY source_id"
    ).pl()
    return {"editions": editions, "tables": tables, "sources": sources}
