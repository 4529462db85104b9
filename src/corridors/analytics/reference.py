"""Reference look-ups as they are stored: countries and areas, groupings and their members,
income-group history, the provenance of every file, and the years of the bilateral stock.

Plain parameterised reads of the store's reference tables, the one place the interfaces (CLI,
REST API, web pages) read them from; the membership of the groupings that change over time
(income, rec) is the analytics' own rule (:func:`corridors.analytics.regions.group_membership`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from corridors.codes import NOT_COUNTRY_NAMES
from corridors.store import provenance as provenance_table
from corridors.store.lookups import lookup

#: Grouping name -> column of ``countries`` that holds the group.
COLUMN_GROUPINGS = {
    "continent": "continent",
    "un-subregion": "un_subregion",
    "sdg-region": "sdg_region",
    "ims-region": "ims_region",
    "development": "development_group",
}
#: Groupings that change over time (need a year).
TIMED_GROUPINGS = ("income", "rec")
GROUPINGS = (*COLUMN_GROUPINGS, *TIMED_GROUPINGS)

_COUNTRY_COLUMNS = (
    "iso3, m49, iso2, name, short_name, continent, un_subregion, intermediate_region, ims_region, "
    "sdg_region, development_group, least_developed, lldc, sids"
)


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def countries(con: duckdb.DuckDBPyConnection, *, grouping: str | None = None,
              group: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
    """Countries and areas, optionally those of one group of a column grouping or matching a
    name fragment."""
    sql = f"SELECT {_COUNTRY_COLUMNS} FROM countries WHERE 1=1"
    params: list[Any] = []
    if grouping is not None and group is not None:
        sql += f" AND {COLUMN_GROUPINGS[grouping]} = ?"  # column from a fixed mapping
        params.append(group)
    if search:
        sql += " AND (name ILIKE ? OR short_name ILIKE ? OR iso3 = upper(?))"
        params += [f"%{search}%", f"%{search}%", search]
    sql += " ORDER BY short_name"
    return _records(con.execute(sql, params))


def country_table(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every country and area with its codes and groupings, by name (``corridors countries``)."""
    return _records(con.execute(
        "SELECT iso3, m49, name, continent, un_subregion, sdg_region, development_group "
        "FROM countries ORDER BY name"))


def country_codes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """ISO3 codes of the store's country table."""
    return frozenset(r[0] for r in con.execute("SELECT iso3 FROM countries").fetchall())


def known_countries(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """:func:`country_codes`, read once per store file when ``con`` is a served store's cursor
    (:func:`corridors.store.lookups.lookup`): what a request's country is checked against."""
    return lookup(con, ("country-codes",), lambda: country_codes(con))


def country(con: duckdb.DuckDBPyConnection, iso3: str) -> dict[str, Any] | None:
    rows = _records(con.execute(f"SELECT {_COUNTRY_COLUMNS} FROM countries WHERE iso3 = ?",
                                [iso3]))
    return rows[0] if rows else None


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """ISO3 -> the short name people read (UN DESA's spelling), and UN DESA's "Other" origin."""
    found = dict(con.execute("SELECT iso3, short_name FROM countries").fetchall())
    for code, name in NOT_COUNTRY_NAMES.items():
        found.setdefault(code, name)
    return found


def groups(con: duckdb.DuckDBPyConnection, grouping: str, year: int | None) -> list[dict]:
    """Every group of a grouping with its member ISO3 codes (for income and rec: in ``year``)."""
    if grouping in COLUMN_GROUPINGS:
        column = COLUMN_GROUPINGS[grouping]
        sql = (f"SELECT {column} AS grp, list(iso3 ORDER BY iso3) FROM countries "
               f"WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 1")
        rows = con.execute(sql).fetchall()
    else:
        # regions loads polars: imported here so that reading countries or provenance stays light
        from corridors.analytics.regions import group_membership

        # income and rec: the analytics' own membership rule (nearest World Bank data year;
        # full members of a community in force that year), never a second copy of it here
        if year is None:  # the route gives timed groupings the default year
            raise ValueError(f"the {grouping} grouping needs a year")
        frame = group_membership(con, grouping, [year])
        members: dict[str, list[str]] = {}
        for code, iso3 in zip(frame["group_code"], frame["iso3"], strict=True):
            members.setdefault(code, []).append(iso3)
        rows = [(code, sorted(set(iso3s))) for code, iso3s in sorted(members.items())]
    return [{"grouping": grouping, "group": g, "members": list(m)} for g, m in rows]


def income_history(con: duckdb.DuckDBPyConnection, iso3: str) -> list[dict[str, Any]]:
    return _records(con.execute(
        "SELECT data_year, fiscal_year, income_group, source_id FROM income_groups "
        "WHERE iso3 = ? ORDER BY data_year", [iso3]))


def provenance(con: duckdb.DuckDBPyConnection,
               ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Provenance of every file in the store (source, edition, licence, sha256, where from), by
    source id; ``ids``: only those sources."""
    return provenance_table.records(
        provenance_table.read(con, ids).select(*provenance_table.COLUMNS))


def source_ids_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Source ids a reference table was built from (table name from a fixed list)."""
    if table not in {"countries", "income_groups", "contiguity", "migrant_stock"}:
        raise ValueError(table)
    if table == "countries":
        return [r[0] for r in provenance_table.read(con).select("source_id").fetchall()
                if "m49" in r[0].lower() or "annex" in r[0].lower()]
    return [r[0] for r in con.execute(f"SELECT DISTINCT source_id FROM {table}").fetchall()
            if r[0]]


def table_sources(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    """:func:`source_ids_of`, read once per store file when ``con`` is a served store's cursor."""
    return lookup(con, ("table-sources", table), lambda: tuple(source_ids_of(con, table)))


def income_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Source ids of the income classification (every lens built on income groups uses it)."""
    return list(table_sources(con, "income_groups"))


def years(con: duckdb.DuckDBPyConnection, edition: str | None) -> list[int]:
    """Years of the bilateral stock in an edition (None: every edition)."""
    rows = con.execute(
        "SELECT DISTINCT year FROM migrant_stock WHERE ? IS NULL OR edition = ? ORDER BY year",
        [edition, edition]).fetchall()
    return [r[0] for r in rows]
