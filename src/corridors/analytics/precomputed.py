"""Small tables the build adds to the store so that the first answer to a question is fast.

The country profile, the corridor profile and the lens summaries are asked for one country, one
lens or one year at a time, by the REST API and the web pages as much as by the CLI. Each needs a
few facts that would otherwise be worked out again from the whole bilateral stock at every call:
which editions, years, sexes and sources the stock has; which countries count as South under each
built-in lens in each year; the stock and share of each category per edition, lens, year and sex;
each country's immigrants and emigrants. :func:`precompute` writes them once, at the end of ``corridors build``:

- ``ssm_stock_index``: edition, year, sex, source_id, rows of ``migrant_stock``;
- ``ssm_lens_roles``: :func:`corridors.analytics.lenses.lens_roles` of every built-in lens for
  the years of the bilateral remittance matrices and
  every year of every edition (the same rows, computed by the same code);
- ``ssm_category_summary``: :func:`corridors.analytics.regions.category_summary` of every built-in
  lens, edition and sex, every year (the same rows, computed by that function);
- ``ssm_country_totals``: immigrants and emigrants of every country per edition, year and sex,
  with their classified and South–South parts under every built-in lens (what a country profile
  sums; :func:`corridors.analytics.profiles.country_totals`).

Rows of a lens carry a fingerprint of its rules (:func:`lens_key`): a lens whose definition is not
the one precomputed (a changed built-in, ``gfmd-2018`` with other emerging destinations, a custom
lens) is always computed from the stock.

They are derived data, never a source: every answer is the same with or without them (the
analytics read them when present and compute from ``migrant_stock`` otherwise, e.g. on a store a
test builds by hand), and a rebuilt store gets fresh ones. A store changed after the build must be
given fresh ones with :func:`precompute` again.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import duckdb

from corridors.store.editions import newest_first

if TYPE_CHECKING:
    from corridors.analytics.lenses import Lens

#: Changes when the way roles or totals are worked out changes: tables written by another
#: version are then not used (the answers are computed from the stock until the next build).
VERSION = 1

STOCK_INDEX = "ssm_stock_index"
LENS_ROLES = "ssm_lens_roles"
CATEGORY_SUMMARY = "ssm_category_summary"
COUNTRY_TOTALS = "ssm_country_totals"
TABLES = (STOCK_INDEX, LENS_ROLES, CATEGORY_SUMMARY, COUNTRY_TOTALS)


def lens_key(lens: Lens) -> str:
    """A fingerprint of a lens's rules (and of :data:`VERSION`): precomputed rows are used only
    for the definition they were computed with, never for a lens id whose rules changed."""
    text = f"{VERSION}|{lens.id}|{lens.origin!r}|{lens.destination!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def present(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the store holds the precomputed ``table`` (one of :data:`TABLES`)."""
    try:
        con.table(table)  # a catalog look-up (microseconds), no query
    except duckdb.CatalogException:
        return False
    return True


def stock_editions(con: duckdb.DuckDBPyConnection
                   ) -> list[tuple[str, list[int], set[str], list[str]]] | None:
    """Every edition of the stock index, newest first (as
    :func:`corridors.analytics.corridors.editions` orders them): (edition, sorted years, sexes,
    sorted source ids), from one read of its few rows; None when the store has no index (or an
    index with empty keys, which the general queries handle)."""
    if not present(con, STOCK_INDEX):
        return None
    rows = con.execute(f"SELECT edition, year, sex, source_id FROM {STOCK_INDEX}").fetchall()
    if any(None in row for row in rows):
        return None
    found: dict[str, tuple[set[int], set[str], set[str]]] = {}
    for edition, year, sex, source_id in rows:
        years, sexes, ids = found.setdefault(edition, (set(), set(), set()))
        years.add(year)
        sexes.add(sex)
        ids.add(source_id)
    order = newest_first((edition, max(years)) for edition, (years, _, _) in found.items())
    return [(edition, sorted(found[edition][0]), found[edition][1], sorted(found[edition][2]))
            for edition in order]


def precompute(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)write the precomputed tables from the store's tables; returns the rows of each.

    Run it on a writable connection after ``migrant_stock``, ``income_groups`` and ``countries``
    are final (the build calls it last).
    """
    import polars as pl

    from corridors.analytics.lenses import BUILTIN, CATEGORIES, lens_roles, registered
    from corridors.analytics.profiles import country_totals
    from corridors.analytics.regions import category_summary

    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"""
        CREATE TABLE {STOCK_INDEX} AS
        SELECT edition, year, sex, source_id, count(*) AS rows
        FROM migrant_stock GROUP BY ALL ORDER BY ALL
    """)
    years = [r[0] for r in con.execute(
        f"SELECT DISTINCT year FROM {STOCK_INDEX} WHERE year IS NOT NULL ORDER BY 1").fetchall()]
    lenses = list(BUILTIN.values())
    # the roles also serve the years of the bilateral remittance matrices (2017, 2018)
    from corridors.analytics.remittances import bilateral_years

    roles = lens_roles(con, lenses, sorted(set(years) | set(bilateral_years(con))))
    keys = pl.DataFrame({"lens": [lens.id for lens in lenses],
                         "lens_key": [lens_key(lens) for lens in lenses]})
    with registered(con, roles.join(keys, on="lens"), "roles") as name:
        con.execute(f"CREATE TABLE {LENS_ROLES} AS SELECT * FROM {name} ORDER BY lens, iso3, year")
    summaries = [
        category_summary(con, lenses=lenses, edition=edition, sex=sex)
        for edition, sex in _edition_sexes(con)
    ]
    con.execute(f"""
        CREATE TABLE {CATEGORY_SUMMARY} (
            edition VARCHAR, lens VARCHAR, lens_key VARCHAR, year INTEGER, sex VARCHAR,
            category VARCHAR, position INTEGER, value DOUBLE, share DOUBLE,
            classified_total DOUBLE, unclassified DOUBLE, unknown_origin DOUBLE)""")
    positions = pl.DataFrame({"category": list(CATEGORIES),
                              "position": list(range(len(CATEGORIES)))})
    for frame in summaries:
        rows = frame.join(keys, on="lens").join(positions, on="category")
        with registered(con, rows, "summary") as name:
            con.execute(f"INSERT INTO {CATEGORY_SUMMARY} SELECT edition, lens, lens_key, year, "
                        f"sex, category, position, value, share, classified_total, "
                        f"unclassified, unknown_origin FROM {name} ORDER BY lens, year, position")
    con.execute(f"""
        CREATE TABLE {COUNTRY_TOTALS} (edition VARCHAR, lens VARCHAR, lens_key VARCHAR,
                                       iso3 VARCHAR, direction VARCHAR, year INTEGER,
                                       sex VARCHAR, stock DOUBLE, classified DOUBLE,
                                       south_south DOUBLE)""")
    for edition in [r[0] for r in con.execute(
            f"SELECT DISTINCT edition FROM {STOCK_INDEX} ORDER BY 1").fetchall()]:
        for lens in lenses:
            totals = country_totals(con, edition, lens)
            with registered(con, totals, "totals") as name:
                con.execute(f"INSERT INTO {COUNTRY_TOTALS} SELECT ?, ?, ?, iso3, direction, year, "
                            f"sex, stock, classified, south_south FROM {name} "
                            "ORDER BY iso3, direction, year, sex",
                            [edition, lens.id, lens_key(lens)])
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in TABLES}


def _edition_sexes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (edition, sex) a category summary can be asked for: the stored sexes, and the total
    when an edition stores only the sexes (derived as male + female)."""
    found = []
    rows = con.execute(
        f"SELECT edition, list(DISTINCT sex ORDER BY sex) FROM {STOCK_INDEX} "
        "GROUP BY edition ORDER BY edition"
    ).fetchall()
    for edition, sexes in rows:
        wanted = {s for s in sexes if s in ("total", "male", "female")} | {"total"}
        found += [(edition, sex) for sex in sorted(wanted)]
    return found
