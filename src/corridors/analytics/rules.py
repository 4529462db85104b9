"""The corridor rules, each written once as SQL: every query that needs one calls it from here.

- **Category** of a corridor under a lens (:func:`category_sql`): from both ends' South flags that
  year, ``south-south``, ``south-north`` (South origin, North destination), ``north-south`` or
  ``north-north``; ``unclassified`` when either end has no group that year; ``unknown-origin`` for
  UN DESA's "Other" origins (``XXX``). :func:`four_categories_sql` is the same rule without the
  two extra labels (NULL instead), for tables whose rows have no unknown origin (flows,
  remittances).
- **Change** (:func:`change_sql`): ``stock - previous``, where a corridor missing from the
  previous year of its edition had 0; NULL in an edition's first year.
- **Growth** (:func:`growth_sql`): UN DESA's exponential annual rate of change,
  ``ln(stock / previous) / (year - previous year)``; NULL unless both stocks are positive.

The membership rule (who belongs to which regional community in a year) has its own home,
:mod:`corridors.governance.communities` (``full_member_sql``, ``in_force_sql``).
The corridor fact table (:mod:`corridors.analytics.facts`) is built with these rules and every
summary reads it; see docs/store.md.
"""

from __future__ import annotations

from functools import cache

import duckdb

from corridors.codes import OTHER_ORIGIN

#: The four categories, in their reporting order.
CATEGORIES = ("south-south", "south-north", "north-south", "north-north")

_FOUR = """CASE
    WHEN {o} IS NULL OR {d} IS NULL THEN NULL
    WHEN {o} AND {d} THEN 'south-south'
    WHEN {o} THEN 'south-north'
    WHEN {d} THEN 'north-south'
    ELSE 'north-north' END"""


def four_categories_sql(south_origin: str, south_destination: str) -> str:
    """SQL for the four categories from two South flags (SQL expressions); NULL when either is
    unclassified (NULL)."""
    return _FOUR.format(o=south_origin, d=south_destination)


def category_sql(origin: str, south_origin: str, south_destination: str) -> str:
    """SQL for a corridor's category: ``unknown-origin`` when the origin (SQL expression) is UN
    DESA's "Other", ``unclassified`` when either flag is NULL, else one of the four."""
    return (f"CASE WHEN {origin} = '{OTHER_ORIGIN}' THEN 'unknown-origin' ELSE coalesce("
            f"{four_categories_sql(south_origin, south_destination)}, 'unclassified') END")


def change_sql(stock: str, previous: str, prev_year: str) -> str:
    """SQL for the change since the previous year of the edition (``previous`` NULL = the corridor
    was missing that year, i.e. 0); NULL when there is no previous year."""
    return f"CASE WHEN {prev_year} IS NOT NULL THEN {stock} - coalesce({previous}, 0) END"


def growth_sql(stock: str, previous: str, year: str, prev_year: str) -> str:
    """SQL for UN DESA's exponential annual rate of change; NULL unless both stocks are > 0."""
    return (f"CASE WHEN {previous} > 0 AND {stock} > 0 "
            f"THEN ln({stock} / {previous}) / ({year} - {prev_year}) END")


@cache
def _evaluator() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def pair_category(origin: str, south_origin: bool | None, south_destination: bool | None) -> str:
    """One corridor's category, decided by :func:`category_sql` itself (for code that holds the
    flags in Python)."""
    cursor = _evaluator().cursor()
    try:
        rows = cursor.execute(f"SELECT {category_sql('$1', '$2::BOOLEAN', '$3::BOOLEAN')}",
                              [origin, south_origin, south_destination]).fetchall()
        return rows[0][0]  # a SELECT without FROM: exactly one row
    finally:
        cursor.close()
