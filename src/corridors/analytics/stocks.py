"""Bilateral migrant stocks as published: the figures behind every other view.

``stock()`` answers "how many people born in ORIGIN live in DESTINATION", by year and sex, for an
edition of UN DESA's International Migrant Stock; an omitted origin or destination means all of
them, summed (including the UN's "Other" origins, so destination totals equal Table 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

import corridors.codes as codes
from corridors.analytics import editions as corridor_table
from corridors.errors import CorridorsError, NotFoundError
from corridors.store import literal, provenance

if TYPE_CHECKING:
    import polars as pl

ALL = "ALL"
SEXES = ("total", "male", "female")
#: The columns of an answer, in order, with their polars types (see :func:`stock`).
COLUMNS = {"origin": "String", "destination": "String", "year": "Int32", "sex": "String",
           "value": "Int64", "edition": "String", "source": "String", "licence": "String",
           "sha256": "String"}


class QueryError(CorridorsError):
    """A filter the store cannot answer (unknown code, edition, sex or year)."""


class YearNotHeldError(QueryError, NotFoundError):
    """A year the edition does not hold (over HTTP: 404)."""


def editions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Editions in the store, newest first."""
    return corridor_table.editions(con)


def latest_edition(con: duckdb.DuckDBPyConnection) -> str:
    """The store's default edition (``analytics.corridors.default_edition``, the one rule)."""
    try:
        return corridor_table.default_edition(con)
    except corridor_table.NoDataError:
        raise QueryError("the store holds no migrant stocks: run `corridors build`.") from None


def resolve_code(text: str | int | None, role: str = "country") -> str | None:
    """ISO3 for an ISO3, M49, ISO2 code or name a user typed; None stays None (= all)."""
    if text is None or str(text).strip() == "" or str(text).upper() == ALL:
        return None
    iso3 = codes.code_for(text)
    if iso3 is None:
        raise QueryError(
            f"unknown {role} {text!r}: give an ISO3 code (e.g. KEN), an M49 code (e.g. 404) "
            "or a country name (see `corridors countries`)" + codes.did_you_mean(str(text))
        )
    return iso3


def check_edition(con: duckdb.DuckDBPyConnection, edition: str | None) -> str:
    if edition is None:
        return latest_edition(con)
    known = editions(con)
    if edition not in known:
        raise QueryError(f"unknown edition {edition!r}; the store has: {', '.join(known)}")
    return edition


def stock_rows(
    con: duckdb.DuckDBPyConnection,
    origin: str | int | None = None,
    destination: str | int | None = None,
    year: int | None = None,
    sex: str = "total",
    edition: str | None = None,
) -> list[dict]:
    """Migrant stock (persons) for one corridor, or summed over all origins and/or destinations,
    as plain records (no data-frame library: the command line answers with these).

    One record per year with ``origin``, ``destination`` (``ALL`` when summed), ``year``,
    ``sex``, ``value``, ``edition``, ``source`` (source id), ``licence`` and ``sha256`` of the file.
    A year asked for that has no stock for the corridor answers 0.
    """
    if sex not in SEXES:
        raise QueryError(f"unknown sex {sex!r}; expected one of: {', '.join(SEXES)}")
    edition = check_edition(con, edition)
    origin_code = resolve_code(origin, "origin")
    destination_code = resolve_code(destination, "destination")
    if not corridor_table.has_sex(con, edition, sex):
        available = [s for s in SEXES if corridor_table.has_sex(con, edition, s)]
        raise QueryError(
            f"edition {edition} has no figures by sex {sex!r}; it has: {', '.join(sorted(available))}"
        )
    if year is not None:
        years = corridor_table.edition_years(con, edition)
        if year not in years:
            raise YearNotHeldError(
                f"edition {edition} has no year {year}; it has: {', '.join(map(str, years))}"
            )
    o, d, y = literal(origin_code), literal(destination_code), literal(year)
    cursor = con.execute(f"""
        SELECT coalesce({o}, 'ALL') AS origin, coalesce({d}, 'ALL') AS destination, s.year, s.sex,
               CAST(round(sum(s.value)) AS BIGINT) AS value, s.edition, s.source_id AS source
        FROM migrant_stock s
        WHERE s.edition = {literal(edition)} AND s.sex = {literal(sex)}
          AND ({o} IS NULL OR s.origin = {o}) AND ({d} IS NULL OR s.destination = {d})
          AND ({y} IS NULL OR s.year = {y})
        GROUP BY s.year, s.sex, s.edition, s.source_id
        ORDER BY s.year
    """)
    found = cursor.fetchall()
    files = {r[0]: (r[1], r[2]) for r in provenance.read(con, {row[6] for row in found if row[6]})
             .select("source_id", "licence", "sha256").fetchall()}
    rows = [dict(zip(COLUMNS, (*row, *files.get(row[6], (None, None))), strict=True))
            for row in found]
    if not rows and year is not None:
        rows = [{"origin": origin_code or ALL, "destination": destination_code or ALL,
                 "year": year, "sex": sex, "value": 0, "edition": edition, "source": None,
                 "licence": None, "sha256": None}]
    return rows


def stock(
    con: duckdb.DuckDBPyConnection,
    origin: str | int | None = None,
    destination: str | int | None = None,
    year: int | None = None,
    sex: str = "total",
    edition: str | None = None,
) -> pl.DataFrame:
    """:func:`stock_rows` as a data frame: one row per year with ``origin``, ``destination``
    (``ALL`` when summed), ``year``, ``sex``, ``value``, ``edition``, ``source`` (source id),
    ``licence`` and ``sha256`` of the file."""
    import polars as pl

    rows = stock_rows(con, origin, destination, year, sex, edition)
    return pl.DataFrame(rows, schema={name: getattr(pl, kind) for name, kind in COLUMNS.items()})
