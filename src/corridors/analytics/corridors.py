"""The corridor table: one row per (origin, destination, year, sex) of an IMS edition, read from
the corridor fact table the build writes (:mod:`corridors.analytics.facts`).

Each row carries the stock, its share of the origin's emigrants and of the destination's immigrants,
the change and annualised growth since the previous year of the edition, the female share, the
South–South category under each requested lens, and whether both ends are contiguous, on the same
continent / UN sub-region / SDG region, or in the same regional economic community that year.

Conventions (also in docs/lenses.md):

- shares and rates are fractions (0..1), never percentages;
- the emigrants of an origin and the immigrants of a destination are sums of the edition's bilateral
  stock (the destination sum includes immigrants of unknown origin, ``XXX``, as UN DESA Table 1 does);
- a corridor missing from a year of the edition had a stock of 0 that year (the bilateral files drop
  zeros); the growth rate is then undefined (null);
- growth is UN DESA's exponential annual rate of change: ln(stock_t / stock_prev) / (t - prev);
- total = male + female where an edition stores only the sexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import polars as pl

from corridors.analytics import facts
from corridors.analytics.editions import (  # noqa: F401  (the corridor table's vocabulary)
    SEXES,
    NoDataError,
    check_sex,
    check_years,
    default_edition,
    edition_years,
    editions,
    has_sex,
    sex_for,
    stock_sources,
)
from corridors.analytics.facts import safe, wide_roles  # noqa: F401  (re-exported)
from corridors.analytics.lenses import BUILTIN, Lens, query
from corridors.analytics.rules import category_sql

#: Bilateral stock of one edition, with totals derived as male + female when the edition stores
#: only the sexes. Parameter: $edition.
STOCK_CTE = """
stock AS (
    SELECT origin, destination, year, sex, value FROM migrant_stock WHERE edition = $edition
    UNION ALL
    SELECT origin, destination, year, 'total' AS sex, sum(value) AS value
    FROM migrant_stock
    WHERE edition = $edition AND sex IN ('male', 'female')
      AND NOT EXISTS (SELECT 1 FROM migrant_stock WHERE edition = $edition AND sex = 'total')
    GROUP BY origin, destination, year
)"""


def stock_cte(con: duckdb.DuckDBPyConnection, edition: str) -> str:
    """The ``stock`` CTE for an edition: the stored rows, plus totals derived as male + female
    when the edition stores only the sexes (the simpler form when it stores totals)."""
    if has_sex(con, edition, "total"):
        return """
stock AS (
    SELECT origin, destination, year, sex, value FROM migrant_stock WHERE edition = $edition
)"""
    return STOCK_CTE


#: The columns of the corridor table, in order (``detail=False`` keeps :data:`BRIEF`).
DETAIL = ("edition", "origin", "destination", "year", "sex", "stock", "origin_share",
          "destination_share", "prev_year", "previous_stock", "change", "growth_rate",
          "female_share")
BRIEF = ("edition", "origin", "destination", "year", "sex", "stock", "prev_year",
         "previous_stock", "change", "growth_rate", "female_share")
PLACES = ("contiguous", "same_continent", "same_un_subregion", "same_sdg_region", "shared_recs",
          "same_rec")


def corridor_table(
    con: duckdb.DuckDBPyConnection,
    *,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str | None = None,
    lenses: Sequence[Lens] | None = None,
    origin: str | None = None,
    destination: str | None = None,
    country: str | None = None,
    detail: bool = True,
    roles: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The corridor table (see the module docstring) for an edition; all years and sexes unless
    restricted. ``lenses`` defaults to every built-in lens; one ``category_<lens>`` column each.

    ``origin`` / ``destination`` keep one end; ``country`` keeps the corridors with that country
    at either end. Shares are still of every corridor of the origin or destination that year.

    ``detail=False`` leaves out the shares, the same-region flags and the shared communities
    (what ranking needs is kept: stock, change, growth, female share, categories, contiguity)
    and returns the rows unsorted. ``roles``: the :func:`lens_roles` frame of these lenses and
    years when the caller already has it (used for a lens that is not built in).
    """
    facts.require(con)
    edition = default_edition(con, edition)
    known = edition_years(con, edition)
    wanted = check_years(con, edition, years, known)
    sex_value = sex_for(con, edition, sex) if sex else None
    lenses = list(lenses) if lenses is not None else list(BUILTIN.values())
    where = ["f.edition = $edition", "list_contains($years, f.year)"]
    params: dict = {"edition": edition, "years": wanted}
    if sex_value is not None:
        where.append("f.sex = $sex")
        params["sex"] = sex_value
    for name, value, condition in (("origin", origin, "f.origin = $origin"),
                                   ("destination", destination, "f.destination = $destination"),
                                   ("country", country,
                                    "(f.origin = $country OR f.destination = $country)")):
        if value is not None:
            where.append(condition)
            params[name] = value
    with facts.categories(con, lenses, wanted, frame=roles) as (joins, categories):
        columns = [f"f.{c}" for c in (DETAIL if detail else BRIEF)]
        columns += [f'{expr} AS "category_{safe(lens.id)}"'
                    for lens, expr in zip(lenses, categories, strict=True)]
        columns += [f"f.{c}" for c in (PLACES if detail else PLACES[:1])]
        frame = query(con, f"SELECT {', '.join(columns)} FROM {facts.FACTS} f{joins} "
                           f"WHERE {' AND '.join(where)}", params)
    if not detail:
        return frame  # unsorted: the caller ranks it
    return frame.sort(["year", "sex", "stock", "origin", "destination"],
                      descending=[False, False, True, False, False])


def category_case(i: int, origin: str = "origin") -> str:
    """SQL for lens i's category given joined role tables ``ro`` and ``rd`` with so_<i> / sd_<i>
    flags: the rule of :func:`corridors.analytics.rules.category_sql`."""
    return category_sql(origin, f"ro.so_{i}", f"rd.sd_{i}")
