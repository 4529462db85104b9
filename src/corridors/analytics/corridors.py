"""The corridor table: one row per (origin, destination, year, sex) of an IMS edition.

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
from corridors.analytics.governance.communities import FULL_MEMBERSHIP, in_force_sql
from corridors.analytics.lenses import BUILTIN, Lens, lens_roles, query, registered
from corridors.codes import OTHER_ORIGIN

#: REC member types that count as membership: the one rule of the communities module.
REC_MEMBER_TYPES = FULL_MEMBERSHIP

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


#: Regional economic community full memberships (rows; joined with a year through ``rec_active``).
REC_CTE = f"""
rec AS (
    SELECT DISTINCT rec_code, rec_name, iso3, since, until FROM rec_membership
    WHERE member_type IN ({", ".join(f"'{t}'" for t in FULL_MEMBERSHIP)})
)"""

#: SQL condition: membership row ``alias`` is in force in ``year`` (the communities module's rule).
rec_active = in_force_sql


def safe(lens_id: str) -> str:
    """A column-name form of a lens id: 'wb-lmic' -> 'wb_lmic'."""
    return "".join(ch if ch.isalnum() else "_" for ch in lens_id)


def wide_roles(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens],
               years: Iterable[int], roles: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (iso3, year) with so_<i> / sd_<i> South flags for lens number i.

    ``roles``: the :func:`lens_roles` frame of these lenses and years when the caller already has
    it (it is then not computed again)."""
    if roles is None:
        roles = lens_roles(con, lenses, years)
    frame = roles.select("iso3", "year").unique()
    for i, lens in enumerate(lenses):
        part = roles.filter(pl.col("lens") == lens.id).select(
            "iso3", "year", pl.col("south_origin").alias(f"so_{i}"),
            pl.col("south_destination").alias(f"sd_{i}"),
        )
        frame = frame.join(part, on=["iso3", "year"], how="left")
    return frame


def category_case(i: int, origin: str = "origin") -> str:
    """SQL for lens i's category given joined role tables ``ro`` and ``rd``."""
    return f"""CASE
        WHEN {origin} = '{OTHER_ORIGIN}' THEN 'unknown-origin'
        WHEN ro.so_{i} IS NULL OR rd.sd_{i} IS NULL THEN 'unclassified'
        WHEN ro.so_{i} AND rd.sd_{i} THEN 'south-south'
        WHEN ro.so_{i} THEN 'south-north'
        WHEN rd.sd_{i} THEN 'north-south'
        ELSE 'north-north' END"""


#: Every corridor-year-sex of the selected years with the previous year's stock and the female
#: share: stock pivoted by sex, joined to itself at the previous year of the edition (a corridor
#: missing that year had 0). Parameters: $edition, $years, $sex (NULL = every sex).
#: Parameters also: $all_years (every year of the edition: the previous year of a year is the
#: edition's, whatever corridors are selected); ``{where}`` selects corridors of ``{source}``
#: (the stock CTE or a part of it) before any join.
BASE_CTES = """
wide AS (
    SELECT origin, destination, year,
        sum(value) FILTER (WHERE sex = 'total') AS total,
        sum(value) FILTER (WHERE sex = 'male') AS male,
        sum(value) FILTER (WHERE sex = 'female') AS female
    FROM {source} {where} GROUP BY origin, destination, year
),
yrs AS (SELECT year, lag(year) OVER (ORDER BY year) AS prev_year
        FROM (SELECT unnest($all_years) AS year)),
paired AS (
    SELECT w.origin, w.destination, w.year, yrs.prev_year, w.total, w.male, w.female,
        p.total AS p_total, p.male AS p_male, p.female AS p_female
    FROM wide w JOIN yrs ON yrs.year = w.year
    LEFT JOIN wide p ON p.origin = w.origin AND p.destination = w.destination
                    AND p.year = yrs.prev_year
    WHERE list_contains($years, w.year)
),
long AS (
    SELECT origin, destination, year, prev_year, 'total' AS sex, total AS value,
        p_total AS lagged, female, total
    FROM paired WHERE total IS NOT NULL AND ($sex IS NULL OR $sex = 'total')
    UNION ALL
    SELECT origin, destination, year, prev_year, 'male', male, p_male, female, total
    FROM paired WHERE male IS NOT NULL AND ($sex IS NULL OR $sex = 'male')
    UNION ALL
    SELECT origin, destination, year, prev_year, 'female', female, p_female, female, total
    FROM paired WHERE female IS NOT NULL AND ($sex IS NULL OR $sex = 'female')
),
base AS (
    SELECT origin, destination, year, sex, value AS stock, prev_year,
        CASE WHEN prev_year IS NOT NULL THEN coalesce(lagged, 0) END AS previous_stock,
        CASE WHEN prev_year IS NOT NULL THEN value - coalesce(lagged, 0) END AS change,
        CASE WHEN lagged > 0 AND value > 0
             THEN ln(value / lagged) / (year - prev_year) END AS growth_rate,
        female / nullif(total, 0) AS female_share
    FROM long
),
neighbours AS (SELECT DISTINCT iso3_a, iso3_b FROM contiguity)"""


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
    years when the caller already has it.
    """
    edition = default_edition(con, edition)
    known = edition_years(con, edition)
    wanted = check_years(con, edition, years, known)
    sex_value = sex_for(con, edition, sex) if sex else None
    lenses = list(lenses) if lenses is not None else list(BUILTIN.values())
    roles = wide_roles(con, lenses, wanted, roles)
    # Corridors are selected in the first scan of the stock, before any join. A share is of
    # every corridor of the origin (or destination) that year, so a selection reads those
    # totals apart.
    filters = []  # on the ends {o} and {d}
    if origin is not None:
        filters.append("{o} = $origin")
    if destination is not None:
        filters.append("{d} = $destination")
    if country is not None:
        filters.append("({o} = $country OR {d} = $country)")
    selection = " AND ".join(filters)
    where = "WHERE " + selection.format(o="origin", d="destination") if filters else ""
    rec_where = "AND " + selection.format(o="a.iso3", d="b.iso3") if filters else ""
    end_totals = bool(filters) and detail
    categories = "".join(
        f"{category_case(i, 's.origin')} AS \"category_{safe(lens.id)}\",\n"
        for i, lens in enumerate(lenses)
    )
    role_cols = "".join(f", so_{i}, sd_{i}" for i in range(len(lenses)))
    geography = """,
            co.continent = cd.continent AS same_continent,
            co.un_subregion = cd.un_subregion AS same_un_subregion,
            co.sdg_region = cd.sdg_region AS same_sdg_region,
            coalesce(rp.recs, []) AS shared_recs,
            rp.recs IS NOT NULL AS same_rec""" if detail else ""
    geography_joins = """
        LEFT JOIN countries co ON co.iso3 = s.origin
        LEFT JOIN countries cd ON cd.iso3 = s.destination
        LEFT JOIN recpairs rp ON rp.origin = s.origin AND rp.destination = s.destination
                             AND rp.year = s.year""" if detail else ""
    totals_ctes = totals_cols = totals_joins = ""
    source, pair = "stock", ""
    if end_totals:
        # the totals of the selected corridors' origins and destinations; with both ends asked
        # for, the stock is read once for the corridor and both totals
        if origin is not None and destination is not None:
            source = "pair_stock"
            pair = """,
        pair_stock AS MATERIALIZED (SELECT origin, destination, year, sex, value FROM stock
                                    WHERE origin = $origin OR destination = $destination)"""
        kept = ("sex IN ('total', 'male', 'female') AND value IS NOT NULL "
                "AND list_contains($years, year) AND ($sex IS NULL OR sex = $sex)")
        out_end = " AND origin = $origin" if origin is not None else ""
        in_end = " AND destination = $destination" if destination is not None else ""
        totals_ctes = f""",
        out_total AS (SELECT origin, year, sex, sum(value) AS v FROM {source}
                      WHERE {kept}{out_end} GROUP BY ALL),
        in_total AS (SELECT destination, year, sex, sum(value) AS v FROM {source}
                     WHERE {kept}{in_end} GROUP BY ALL)"""
        totals_cols = ", ot.v AS _origin_total, it.v AS _destination_total"
        totals_joins = """
        LEFT JOIN out_total ot ON ot.origin = s.origin AND ot.year = s.year AND ot.sex = s.sex
        LEFT JOIN in_total it ON it.destination = s.destination AND it.year = s.year
                             AND it.sex = s.sex"""
    with registered(con, roles, "roles") as roles_name:
        sql = f"""
        WITH {stock_cte(con, edition).replace("stock AS (", "stock AS NOT MATERIALIZED (", 1)}{pair},
        {BASE_CTES.format(where=where, source=source)},
        {REC_CTE.strip()},
        recpairs AS (
            SELECT a.iso3 AS origin, b.iso3 AS destination, y.year,
                   list(DISTINCT a.rec_code ORDER BY a.rec_code) AS recs
            FROM rec a JOIN rec b ON b.rec_code = a.rec_code AND b.iso3 <> a.iso3 {rec_where}
            JOIN (SELECT unnest($years) AS year) y
              ON {rec_active('a', 'y.year')} AND {rec_active('b', 'y.year')}
            GROUP BY ALL
        ),
        roles AS (SELECT iso3, year{role_cols} FROM {roles_name}){totals_ctes}
        SELECT
            $edition AS edition, s.origin, s.destination, s.year, s.sex, s.stock,
            s.prev_year, s.previous_stock, s.change, s.growth_rate, s.female_share,
            {categories}
            nb.iso3_a IS NOT NULL AS contiguous{geography}{totals_cols}
        FROM base s
        LEFT JOIN neighbours nb ON nb.iso3_a = s.origin AND nb.iso3_b = s.destination
        LEFT JOIN roles ro ON ro.iso3 = s.origin AND ro.year = s.year
        LEFT JOIN roles rd ON rd.iso3 = s.destination AND rd.year = s.year{geography_joins}{totals_joins}
        """
        params = {"edition": edition, "years": wanted, "sex": sex_value, "all_years": known}
        params |= {name: value for name, value in (("origin", origin), ("destination", destination),
                                                    ("country", country)) if value is not None}
        frame = query(con, sql, params)
    if end_totals:
        # shares over every corridor of the year and sex, read apart for a selection
        frame = frame.with_columns(
            (pl.col("stock") / pl.col("_origin_total")).alias("origin_share"),
            (pl.col("stock") / pl.col("_destination_total")).alias("destination_share"),
        ).drop("_origin_total", "_destination_total")
    elif detail:
        # shares over every corridor of the year and sex
        frame = frame.with_columns(
            (pl.col("stock") / pl.col("stock").sum().over("origin", "year", "sex"))
            .alias("origin_share"),
            (pl.col("stock") / pl.col("stock").sum().over("destination", "year", "sex"))
            .alias("destination_share"),
        )
    if detail:
        columns = frame.columns
        at = columns.index("prev_year")
        frame = frame.select(columns[:at] + ["origin_share", "destination_share"]
                             + columns[at:-2])
    if not detail:
        return frame  # unsorted: the caller ranks it
    return frame.sort(["year", "sex", "stock", "origin", "destination"],
                      descending=[False, False, True, False, False])
