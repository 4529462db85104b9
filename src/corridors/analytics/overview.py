"""What the store holds, in a few numbers a user can check against the publications."""

from __future__ import annotations

import duckdb
import polars as pl

from corridors.analytics import corridors as corridor_facts
from corridors.store import provenance
from corridors.store.editions import NEWEST_FIRST_SQL

SEX_ORDER = {"total": 0, "male": 1, "female": 2}


def edition_coverage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per edition of bilateral stock, newest first: its years, its sexes, its source,
    and whether it is the default edition (what every command, endpoint, page and lens uses when
    no edition is given: :func:`corridors.analytics.corridors.default_edition`)."""
    rows = con.execute(
        "SELECT edition, list(DISTINCT year ORDER BY year) AS years, list(DISTINCT sex) AS sexes, "
        "string_agg(DISTINCT source_id, ', ' ORDER BY source_id) AS source "
        f"FROM migrant_stock GROUP BY edition {NEWEST_FIRST_SQL}").fetchall()
    default = corridor_facts.default_edition(con) if rows else None
    return pl.DataFrame(
        [{"edition": edition, "years": ", ".join(map(str, years)),
          "sexes": ", ".join(sorted(sexes, key=lambda s: SEX_ORDER.get(s, 9))), "source": source,
          "default": edition == default} for edition, years, sexes, source in rows],
        schema={"edition": pl.String, "years": pl.String, "sexes": pl.String,
                "source": pl.String, "default": pl.Boolean})


def lens_years(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The default edition's years with the World Bank classification the lenses apply to each
    (IMS year Y -> data year Y, fiscal year FY(Y+2)): empty when the store has no stock."""
    from corridors.analytics.lenses import year_mapping

    if not corridor_facts.editions(con):
        return pl.DataFrame(schema={"edition": pl.String, "year": pl.Int32,
                                    "data_year": pl.Int32, "fiscal_year": pl.String})
    edition = corridor_facts.default_edition(con)
    return year_mapping(con, corridor_facts.edition_years(con, edition)).select(
        pl.lit(edition).alias("edition"), pl.all())


def store_summary(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Editions present (years, sexes, which one is the default), the years and world totals of
    each, the World Bank years the lenses use for the default edition, table sizes, sources."""
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
    sources = provenance.read(con).project(
        "source_id, edition, licence, substr(sha256, 1, 16) AS sha256, rows_read").pl()
    return {"coverage": edition_coverage(con), "lens_years": lens_years(con),
            "editions": editions, "tables": tables, "sources": sources}
