"""The editions of the bilateral stock in the store: which are there, their years and sexes,
and which one a question gets when it names none.

Light on purpose (DuckDB only, no data-frame library, values written into the SQL rather than bound:
see :func:`corridors.store.literal`): the quick answers of the command line, such as
``corridors stock``, check their edition, year and sex here without loading polars or pandas.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from corridors.errors import CorridorsError, NotFoundError
from corridors.store import literal
from corridors.store.editions import NEWEST_FIRST_SQL
from corridors.store.lookups import lookup

SEXES = ("total", "male", "female")

#: The index of the stock the build writes with the corridor facts (edition, year, sex,
#: source_id, rows; :func:`corridors.analytics.facts.build_facts`).
STOCK_INDEX = "stock_index"


class NoDataError(NotFoundError):
    """The store has no data for what was asked (edition, year, sex, country)."""


def _stock_table(con: duckdb.DuckDBPyConnection) -> str:
    """Where to read which editions, years and sexes the stock has: the index built with the
    corridor facts (a few hundred rows), else the stock itself (a store without stock)."""
    try:
        con.table(STOCK_INDEX)  # a catalog look-up, no query
    except duckdb.CatalogException:
        return "migrant_stock"
    return STOCK_INDEX


def editions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Editions of bilateral stock in the store, newest first (the rule of
    :mod:`corridors.store.editions`)."""
    rows = con.execute(
        f"SELECT edition FROM {_stock_table(con)} GROUP BY edition {NEWEST_FIRST_SQL}"
    ).fetchall()
    return [r[0] for r in rows]


def editions_held(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """:func:`editions`, read once per store file when ``con`` is a served store's cursor
    (:func:`corridors.store.lookups.lookup`)."""
    return lookup(con, ("editions",), lambda: tuple(editions(con)))


def has_sex(con: duckdb.DuckDBPyConnection, edition: str, sex: str) -> bool:
    """Whether the edition stores stock of ``sex`` ('total', 'male', 'female')."""
    return bool(con.execute(
        f"SELECT 1 FROM {_stock_table(con)} WHERE edition = {literal(edition)} "
        f"AND sex = {literal(sex)} LIMIT 1").fetchall())


def stock_sources(con: duckdb.DuckDBPyConnection, edition: str) -> list[str]:
    """Source ids of the edition's stock."""
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT source_id FROM {_stock_table(con)} WHERE edition = {literal(edition)} "
        "ORDER BY 1").fetchall()]


def default_edition(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> str:
    """The edition asked for (checked), else the default: the newest edition in the store, by
    the one rule of :mod:`corridors.store.editions` (the latest year of stock, then the id).
    Every interface calls this; none decides the default on its own."""
    known = editions(con)
    if not known:
        raise NoDataError("the store has no bilateral migrant stock. Run `corridors build`.")
    if edition is None:
        return known[0]
    if edition not in known:
        raise NoDataError(f"edition {edition!r} is not in the store; available: {', '.join(known)}")
    return edition


def edition_years(con: duckdb.DuckDBPyConnection, edition: str) -> list[int]:
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT year FROM {_stock_table(con)} WHERE edition = {literal(edition)} "
        "ORDER BY 1").fetchall()]


def check_years(con: duckdb.DuckDBPyConnection, edition: str,
                years: int | Iterable[int] | None, known: list[int] | None = None) -> list[int]:
    """The years asked for (all of the edition when None); unknown years are an error.
    ``known``: the edition's years when the caller already has them."""
    if known is None:
        known = edition_years(con, edition)
    if years is None:
        return known
    wanted = [years] if isinstance(years, int) else sorted(set(years))
    missing = [y for y in wanted if y not in known]
    if missing:
        raise NoDataError(
            f"{edition} has no year {', '.join(map(str, missing))}; "
            f"its years are {', '.join(map(str, known))}"
        )
    return wanted


def check_sex(sex: str | None) -> str:
    value = (sex or "total").lower()
    if value in ("both", "both sexes", "all"):
        value = "total"
    if value not in SEXES:
        raise CorridorsError(f"sex {sex!r} is not one of {', '.join(SEXES)}")
    return value


def sex_for(con: duckdb.DuckDBPyConnection, edition: str, sex: str | None) -> str:
    """``check_sex`` plus: the edition must hold that sex (IMS 2015 and the IMS 2019 bilateral
    file are both sexes only)."""
    value = check_sex(sex)
    if value != "total" and not has_sex(con, edition, value):
        raise NoDataError(f"{edition} has no {value} stock (both sexes only); use --sex total "
                          "or an edition with sexes, e.g. ims2020")
    return value
