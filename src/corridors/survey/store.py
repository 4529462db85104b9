"""Survey estimates as observations in the store: table ``survey_estimates`` (dataset = the survey).

Each row is one estimate in one domain, with its SE, CV, 95 % CI (its method and the design df),
unweighted n and reliability flag; ``source_id`` points at a ``provenance`` row for the microdata
file (its SHA-256), so a survey figure is as traceable as a UN DESA one. Writing a survey again
replaces its rows. The table's DDL is the store schema's (``store/schema.sql``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import duckdb
import polars as pl

from corridors.store import provenance

from .estimator import Prepared, domain_columns

COLUMNS = ("dataset", "indicator", "kind", "iso3", "year", "sex", "domain", "estimate", "se", "cv",
           "ci_low", "ci_high", "df", "ci_method", "n", "flag", "unit", "source_id")
#: columns added since the first stores: a store saved before them gains them (NULL) on write
ADDED = {"df": "INTEGER", "ci_method": "VARCHAR"}


def ddl() -> str:
    """The table's DDL, as the store schema (``store/schema.sql``) declares it, IF NOT EXISTS."""
    from corridors.store import schema_sql

    match = re.search(r"CREATE TABLE survey_estimates \(.*?\n\);", schema_sql(), re.S)
    assert match, "store/schema.sql declares survey_estimates"
    return match.group(0).replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1)


_UNITS = {"total": "persons", "mean": "proportion or mean", "ratio": "ratio",
          "quantile": "value of the variable"}


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(ddl())
    for column, kind in ADDED.items():
        con.execute(f"ALTER TABLE survey_estimates ADD COLUMN IF NOT EXISTS {column} {kind}")


def source_id(prep: Prepared) -> str:
    return f"survey-{prep.mapping.survey_id}"


def write_estimates(con: duckdb.DuckDBPyConnection, estimates: pl.DataFrame,
                    prep: Prepared) -> int:
    """Replace the survey's rows in ``survey_estimates`` with ``estimates`` and record the file
    in ``provenance``. Returns the number of rows written."""
    create_table(con)
    name = "indicator" if "indicator" in estimates.columns else "measure"
    domains = domain_columns(estimates.columns)
    mapping, sid = prep.mapping, source_id(prep)
    rows = []
    for record in estimates.to_dicts():
        other = {d: record[d] for d in domains if d != "sex" and record[d] is not None}
        rows.append((mapping.survey_id, record[name], record["kind"], mapping.country,
                     mapping.year, record.get("sex") or "total", json.dumps(other, sort_keys=True),
                     record["estimate"], record["se"], record["cv"], record["ci_low"],
                     record["ci_high"], record["df"], record["ci_method"], record["n"], record["flag"],
                     _UNITS.get(record["kind"], ""), sid))
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM survey_estimates WHERE dataset = ?", [mapping.survey_id])
        if rows:
            con.executemany(f"INSERT INTO survey_estimates ({', '.join(COLUMNS)}) VALUES "
                            f"({', '.join('?' * len(COLUMNS))})", rows)
        if _has_table(con, "provenance"):
            provenance.replace(con, {
                "source_id": sid, "publisher": mapping.publisher or "user", "title": mapping.title,
                "edition": str(mapping.year) if mapping.year else "unknown",
                "licence": "user-supplied microdata", "url": None,
                "fetched_from": str(prep.data.path), "file_name": prep.data.name,
                "sha256": prep.data.sha256(), "fetched_at": datetime.now(UTC).replace(tzinfo=None),
                "rows_read": None})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                        [table]).fetchone()
    return bool(found and found[0])


def read_estimates(con: duckdb.DuckDBPyConnection, dataset: str) -> pl.DataFrame:
    """The stored estimates of one survey."""
    cursor = con.execute("SELECT * FROM survey_estimates WHERE dataset = ? "
                         "ORDER BY indicator, sex, domain", [dataset])
    columns = [d[0] for d in cursor.description]
    return pl.DataFrame(cursor.fetchall(), schema=columns, orient="row")


def estimates_table(con: duckdb.DuckDBPyConnection, years: list[int] | None = None,
                    sexes: list[str] | None = None) -> pl.DataFrame:
    """Every stored survey estimate (``years``, ``sexes``: only those), one row per survey,
    indicator, sex and domain, as exports write them."""
    if not _has_table(con, "survey_estimates"):
        return pl.DataFrame(schema=_SCHEMA)
    present = {row[0] for row in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_estimates'"
    ).fetchall()}
    columns = [c if c in present else f"NULL AS {c}" for c in _SCHEMA]  # a store saved before
    cursor = con.execute(
        f"SELECT {', '.join(columns)} FROM survey_estimates "
        "WHERE ($years IS NULL OR list_contains($years, year)) "
        "AND ($sexes IS NULL OR list_contains($sexes, sex)) "
        "ORDER BY dataset, indicator, sex, domain", {"years": years, "sexes": sexes})
    return pl.DataFrame(cursor.fetchall(), schema=_SCHEMA, orient="row")


_SCHEMA = {"dataset": pl.String, "indicator": pl.String, "kind": pl.String, "iso3": pl.String,
           "year": pl.Int32, "sex": pl.String, "domain": pl.String, "estimate": pl.Float64,
           "se": pl.Float64, "cv": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
           "df": pl.Int64, "ci_method": pl.String, "n": pl.Int64, "flag": pl.String,
           "unit": pl.String, "source_id": pl.String}
