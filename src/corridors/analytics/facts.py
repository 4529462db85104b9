"""The corridor fact table, built with the store: one row per edition, origin, destination, year
and sex, with everything the summaries, profiles, rankings and the scorecard read.

:func:`build_facts` writes three derived tables from ``migrant_stock``, ``income_groups``,
``countries``, ``contiguity`` and ``rec_membership`` (the build calls it last; a store built by
hand calls it too, after its tables are final):

- ``corridor_facts`` (:data:`FACTS`): edition, origin, destination, year, sex, stock, its share of
  the origin's emigrants and of the destination's immigrants, the previous year of the edition
  and the stock then, change and growth (:mod:`corridors.analytics.rules`), female share, the
  category under every built-in lens (``category_<lens>``, the category rule), contiguity, same
  continent / UN sub-region / SDG region, the communities both ends are full members of that
  year (``shared_recs``, ``same_rec``: the membership rule of
  :mod:`corridors.governance.communities`) and every community both ends have a role in
  that year with each end's role as recorded (``communities``), and the sources its stock
  that year was read from, any sex (``source_ids``);
- ``corridor_roles`` (:data:`ROLES`): every built-in lens's South flags for every country and
  year of the stock (:func:`corridors.analytics.lenses.lens_roles`);
- ``stock_index`` (:data:`corridors.analytics.editions.STOCK_INDEX`): the editions, years, sexes
  and sources of the stock.

A lens that is not built in (a custom lens, ``gfmd-2018`` with other emerging destinations) gets
its category from the same rule over its own roles, joined to the same facts
(:func:`categories`). Totals are male + female where an edition stores only the sexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby

import duckdb
import polars as pl

from corridors.analytics.editions import STOCK_INDEX, NoDataError
from corridors.analytics.lenses import BUILTIN, Lens, lens_roles, query, registered
from corridors.analytics.rules import category_sql, change_sql, growth_sql
from corridors.governance.communities import full_member_sql, listed_sql
from corridors.store import provenance
from corridors.store.frames import parquet_source

FACTS = "corridor_facts"
ROLES = "corridor_roles"
TABLES = (FACTS, ROLES, STOCK_INDEX)
#: Every store table :func:`build_facts` reads (the build starts it once these are written).
READS = ("migrant_stock", "income_groups", "countries", "contiguity", "rec_membership")


def safe(lens_id: str) -> str:
    """A column-name form of a lens id: 'wb-lmic' -> 'wb_lmic'."""
    return "".join(ch if ch.isalnum() else "_" for ch in lens_id)


def stored(lens: Lens) -> bool:
    """Whether the fact table holds this lens's categories (a built-in lens, as built in)."""
    return BUILTIN.get(lens.id) == lens


def _share(part: str, whole: str) -> str:
    """``part / whole`` as floats divide (a zero whole gives infinity or NaN, never NULL)."""
    return (f"CASE WHEN {whole} = 0 THEN CASE WHEN {part} = 0 OR isnan({part}) THEN 'NaN'::DOUBLE "
            f"WHEN {part} > 0 THEN 'Infinity'::DOUBLE ELSE '-Infinity'::DOUBLE END "
            f"ELSE {part} / {whole} END")


def _facts_sql(lenses: Sequence[Lens]) -> str:
    flags = ", ".join(
        f"any_value(south_origin) FILTER (WHERE lens = '{lens.id}') AS so_{i}, "
        f"any_value(south_destination) FILTER (WHERE lens = '{lens.id}') AS sd_{i}"
        for i, lens in enumerate(lenses))
    categories = "".join(
        f"{category_sql('s.origin', f'ro.so_{i}', f'rd.sd_{i}')} AS \"category_{safe(lens.id)}\",\n"
        for i, lens in enumerate(lenses))
    return f"""
    CREATE TABLE {FACTS} AS
    WITH has_total AS (SELECT DISTINCT edition FROM {STOCK_INDEX} WHERE sex = 'total'),
    stock AS (
        SELECT edition, origin, destination, year, sex, value, source_id FROM migrant_stock
        UNION ALL
        SELECT edition, origin, destination, year, 'total' AS sex, sum(value) AS value,
               any_value(source_id) AS source_id
        FROM migrant_stock
        WHERE sex IN ('male', 'female') AND edition NOT IN (SELECT edition FROM has_total)
        GROUP BY edition, origin, destination, year
    ),
    wide AS (
        SELECT edition, origin, destination, year,
            sum(value) FILTER (WHERE sex = 'total') AS total,
            sum(value) FILTER (WHERE sex = 'male') AS male,
            sum(value) FILTER (WHERE sex = 'female') AS female,
            list_sort(list(DISTINCT source_id) FILTER (WHERE source_id IS NOT NULL))
                AS source_ids
        FROM stock GROUP BY edition, origin, destination, year
    ),
    yrs AS (SELECT edition, year, lag(year) OVER (PARTITION BY edition ORDER BY year) AS prev_year
            FROM (SELECT DISTINCT edition, year FROM {STOCK_INDEX} WHERE year IS NOT NULL)),
    paired AS (
        SELECT w.edition, w.origin, w.destination, w.year, yrs.prev_year, w.total, w.male,
               w.female, p.total AS p_total, p.male AS p_male, p.female AS p_female,
               w.source_ids
        FROM wide w JOIN yrs ON yrs.edition = w.edition AND yrs.year = w.year
        LEFT JOIN wide p ON p.edition = w.edition AND p.origin = w.origin
                        AND p.destination = w.destination AND p.year = yrs.prev_year
    ),
    long AS (
        SELECT edition, origin, destination, year, prev_year, 'total' AS sex, total AS value,
               p_total AS lagged, female, total, source_ids
        FROM paired WHERE total IS NOT NULL
        UNION ALL
        SELECT edition, origin, destination, year, prev_year, 'male', male, p_male, female, total,
               source_ids
        FROM paired WHERE male IS NOT NULL
        UNION ALL
        SELECT edition, origin, destination, year, prev_year, 'female', female, p_female, female,
               total, source_ids
        FROM paired WHERE female IS NOT NULL
    ),
    out_totals AS (SELECT edition, origin, year, sex, sum(value) AS out_total FROM long
                   GROUP BY ALL),
    in_totals AS (SELECT edition, destination, year, sex, sum(value) AS in_total FROM long
                  GROUP BY ALL),
    -- one end's totals, then the other's: joined together first, the two totals tables make a
    -- 1.5 million row product that costs more than the rest of the table (materialised: kept
    -- as written by the optimiser)
    with_out AS MATERIALIZED (
        SELECT l.*, o.out_total FROM long l JOIN out_totals o USING (edition, origin, year, sex)
    ),
    ends AS (
        SELECT w.*, i.in_total FROM with_out w JOIN in_totals i USING (edition, destination, year, sex)
    ),
    s AS (
        SELECT edition, origin, destination, year, sex, value AS stock,
            {_share('value', 'out_total')} AS origin_share,
            {_share('value', 'in_total')} AS destination_share,
            prev_year,
            CASE WHEN prev_year IS NOT NULL THEN coalesce(lagged, 0) END AS previous_stock,
            {change_sql('value', 'lagged', 'prev_year')} AS change,
            {growth_sql('value', 'lagged', 'year', 'prev_year')} AS growth_rate,
            female / nullif(total, 0) AS female_share, source_ids
        FROM ends
    ),
    roles AS (SELECT iso3, year, {flags} FROM {ROLES} GROUP BY iso3, year),
    neighbours AS (SELECT DISTINCT iso3_a, iso3_b FROM contiguity),
    years AS (SELECT DISTINCT year FROM {STOCK_INDEX} WHERE year IS NOT NULL),
    full_years AS (SELECT DISTINCT m.rec_code, m.iso3, y.year FROM rec_membership m
                   JOIN years y ON {full_member_sql('m', 'y.year')}),
    recpairs AS (
        SELECT a.iso3 AS origin, b.iso3 AS destination, a.year,
               list_sort(list(a.rec_code)) AS recs
        FROM full_years a JOIN full_years b
          ON b.rec_code = a.rec_code AND b.year = a.year AND b.iso3 <> a.iso3
        GROUP BY ALL
    ),
    role_years AS (SELECT DISTINCT m.rec_code, m.iso3, m.member_type, y.year
                   FROM rec_membership m JOIN years y ON {listed_sql('m', 'y.year')}),
    rolepairs AS (
        SELECT a.iso3 AS origin, b.iso3 AS destination, a.year,
               list_sort(list({{'rec_code': a.rec_code, 'origin_role': a.member_type,
                     'destination_role': b.member_type}})) AS communities
        FROM role_years a JOIN role_years b
          ON b.rec_code = a.rec_code AND b.year = a.year AND b.iso3 <> a.iso3
        GROUP BY ALL
    )
    SELECT s.edition, s.origin, s.destination, s.year, s.sex, s.stock, s.origin_share,
        s.destination_share, s.prev_year, s.previous_stock, s.change, s.growth_rate,
        s.female_share,
        {categories}
        nb.iso3_a IS NOT NULL AS contiguous,
        co.continent = cd.continent AS same_continent,
        co.un_subregion = cd.un_subregion AS same_un_subregion,
        co.sdg_region = cd.sdg_region AS same_sdg_region,
        coalesce(rp.recs, []) AS shared_recs,
        rp.recs IS NOT NULL AS same_rec,
        coalesce(rl.communities, []) AS communities,
        s.source_ids
    FROM s
    LEFT JOIN neighbours nb ON nb.iso3_a = s.origin AND nb.iso3_b = s.destination
    LEFT JOIN roles ro ON ro.iso3 = s.origin AND ro.year = s.year
    LEFT JOIN roles rd ON rd.iso3 = s.destination AND rd.year = s.year
    LEFT JOIN countries co ON co.iso3 = s.origin
    LEFT JOIN countries cd ON cd.iso3 = s.destination
    LEFT JOIN recpairs rp ON rp.origin = s.origin AND rp.destination = s.destination
                         AND rp.year = s.year
    LEFT JOIN rolepairs rl ON rl.origin = s.origin AND rl.destination = s.destination
                          AND rl.year = s.year
    """


def build_facts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)write the fact tables from the store's tables on a writable connection; returns the
    rows of each. The build calls it once the source tables are final; so does any code that
    builds or changes a store by hand."""
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
    with parquet_source(lens_roles(con, lenses, years)) as name:
        con.execute(f"CREATE TABLE {ROLES} AS SELECT * FROM {name} ORDER BY lens, iso3, year")
    con.execute(_facts_sql(lenses))
    counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone() for table in TABLES}
    return {table: row[0] if row else 0 for table, row in counts.items()}


def present(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds the fact tables."""
    try:
        con.table(FACTS)  # a catalog look-up, no query
    except duckdb.CatalogException:
        return False
    return True


def require(con: duckdb.DuckDBPyConnection) -> None:
    """Stop with what to run when the store has no fact table (a store from an older version)."""
    if not present(con):
        raise NoDataError("the store has no corridor fact table (built by an older version). "
                          "Run `corridors build` again.")


def roles(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens],
          years: Iterable[int]) -> pl.DataFrame:
    """:func:`corridors.analytics.lenses.lens_roles` of ``lenses`` and ``years``: read from the
    built table when it holds every lens (built in, as built in) and year, else worked out by that
    function (a custom lens, a year without stock such as a remittance matrix's)."""
    years = sorted(set(years))
    if lenses and years and all(stored(lens) for lens in lenses) and present(con):
        frame = query(con, f"""
            SELECT lens, iso3, year, data_year, income_group, development_group, south_origin,
                   south_destination
            FROM {ROLES} WHERE list_contains($lenses, lens) AND list_contains($years, year)
            ORDER BY lens, iso3, year
        """, {"lenses": [lens.id for lens in lenses], "years": years})
        if frame.select("year").n_unique() == len(years):
            blocks = {key: part for (key,), part in
                      frame.partition_by("lens", as_dict=True, maintain_order=True).items()}
            if len(blocks) == len({lens.id for lens in lenses}):
                return pl.concat([blocks[lens.id] for lens in lenses])
    return lens_roles(con, lenses, years)


def wide_roles(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens],
               years: Iterable[int], frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (iso3, year) with so_<i> / sd_<i> South flags for lens number i.

    ``frame``: the :func:`roles` frame of these lenses and years when the caller already has it."""
    if frame is None:
        frame = roles(con, lenses, years)
    out = frame.select("iso3", "year").unique()
    for i, lens in enumerate(lenses):
        part = frame.filter(pl.col("lens") == lens.id).select(
            "iso3", "year", pl.col("south_origin").alias(f"so_{i}"),
            pl.col("south_destination").alias(f"sd_{i}"),
        )
        out = out.join(part, on=["iso3", "year"], how="left")
    return out


@contextmanager
def categories(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens], years: Iterable[int],
               alias: str = "f", frame: pl.DataFrame | None = None
               ) -> Iterator[tuple[str, list[str]]]:
    """``(joins, expressions)`` for a query over ``corridor_facts {alias}``: the SQL joins to add
    after its FROM and each lens's category as an SQL expression: the stored column of a built-in
    lens, the category rule over the lens's own roles otherwise (joined for ``years``).
    ``frame``: the :func:`roles` frame of these lenses when the caller has it."""
    computed = [(i, lens) for i, lens in enumerate(lenses) if not stored(lens)]
    expressions = [f'{alias}."category_{safe(lens.id)}"' for lens in lenses]
    if not computed:
        yield "", expressions
        return
    years = sorted(set(years))
    if frame is not None:
        frame = frame.filter(pl.col("lens").is_in([lens.id for _, lens in computed]))
    flags = wide_roles(con, [lens for _, lens in computed], years, frame)
    with registered(con, flags, "roles") as name:
        joins = (f"\nLEFT JOIN {name} _ro ON _ro.iso3 = {alias}.origin AND _ro.year = {alias}.year"
                 f"\nLEFT JOIN {name} _rd ON _rd.iso3 = {alias}.destination "
                 f"AND _rd.year = {alias}.year")
        for j, (i, _) in enumerate(computed):
            expressions[i] = category_sql(f"{alias}.origin", f"_ro.so_{j}", f"_rd.sd_{j}")
        yield joins, expressions


#: The columns of a corridor's facts that :class:`CorridorIndex` keeps: what a corridor profile
#: and a scorecard read (with the category of every built-in lens).
KEPT = ("year", "sex", "stock", "prev_year", "previous_stock", "change", "growth_rate",
        "female_share", "origin_share", "destination_share", "contiguous", "same_continent",
        "same_un_subregion", "same_sdg_region", "shared_recs", "source_ids",
        *(f"category_{safe(lens.id)}" for lens in BUILTIN.values()))


class CorridorIndex:
    """Every corridor's facts held in memory (the :data:`KEPT` columns) and every country's
    stored roles, found by key without a query: what a server keeps per store file (prepared
    when it starts, :mod:`corridors.records.prepare`), so that a corridor never asked before is
    answered at once. :func:`corridor_rows` and :func:`role_rows` read the same rows, from the
    index when they are given one and with a query otherwise."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        require(con)
        table = con.execute(f"""
            SELECT edition, origin, destination, {", ".join(f'"{c}"' for c in KEPT)}
            FROM {FACTS} ORDER BY edition, origin, destination, year, sex
        """).to_arrow_table()
        keys = zip(*(table.column(c).to_pylist() for c in ("edition", "origin", "destination")),
                   strict=True)
        #: (edition, origin, destination) -> (first row, number of rows) in :attr:`table`.
        self.spans: dict[tuple[str, str, str], tuple[int, int]] = {}
        start = 0
        for key, group in groupby(keys):
            count = sum(1 for _ in group)
            self.spans[key] = (start, count)
            start += count
        self.table = table.drop_columns(["edition", "origin", "destination"])
        #: The provenance rows of the stock's sources, by source id.
        ids = [r[0] for r in con.execute(
            f"SELECT DISTINCT source_id FROM {STOCK_INDEX} WHERE source_id IS NOT NULL").fetchall()]
        self.provenance: dict[str, dict] = {row["source_id"]: row
                                            for row in provenance.rows(con, ids)}
        #: (lens, iso3) -> (year, data_year, income group, development group), by year.
        self.roles: dict[tuple[str, str], list[tuple]] = {}
        for lens, iso3, *row in con.execute(f"""
                SELECT lens, iso3, year, data_year, income_group, development_group
                FROM {ROLES} ORDER BY lens, iso3, year""").fetchall():
            self.roles.setdefault((lens, iso3), []).append(tuple(row))

    def rows(self, edition: str, origin: str, destination: str,
             columns: Sequence[str]) -> list[tuple]:
        """The corridor's rows (``columns`` of :data:`KEPT`), by year and sex."""
        span = self.spans.get((edition, origin, destination))
        if span is None:
            return []
        part = self.table.slice(*span)
        return list(zip(*(part.column(c).to_pylist() for c in columns), strict=True))


def corridor_rows(con: duckdb.DuckDBPyConnection, edition: str, origin: str, destination: str,
                  columns: Sequence[str], index: CorridorIndex | None = None) -> list[tuple]:
    """One corridor's facts in the edition (``columns`` of :data:`KEPT`), by year and sex: from
    the ``index`` when given, else in one query (the same rows)."""
    unknown = [c for c in columns if c not in KEPT]
    if unknown:
        raise ValueError(f"not a kept corridor fact: {', '.join(unknown)}")
    if index is not None:
        return index.rows(edition, origin, destination, columns)
    return con.execute(f"""
        SELECT {", ".join(f'"{c}"' for c in columns)} FROM {FACTS}
        WHERE edition = $edition AND origin = $origin AND destination = $destination
        ORDER BY year, sex
    """, {"edition": edition, "origin": origin, "destination": destination}).fetchall()


def role_rows(con: duckdb.DuckDBPyConnection, lens: str, iso3: str, years: Iterable[int],
              index: CorridorIndex | None = None) -> list[tuple]:
    """A country's stored groups under a built-in lens in ``years``: (year, data year, income
    group, development group), by year; from the ``index`` when given, else in one query."""
    wanted = set(years)
    if index is not None:
        return [row for row in index.roles.get((lens, iso3), []) if row[0] in wanted]
    return con.execute(f"""
        SELECT year, data_year, income_group, development_group FROM {ROLES}
        WHERE lens = $lens AND iso3 = $iso3 AND list_contains($years, year) ORDER BY year
    """, {"lens": lens, "iso3": iso3, "years": sorted(wanted)}).fetchall()


def stock_sources(con: duckdb.DuckDBPyConnection, ids: Iterable[str],
                  index: CorridorIndex | None = None) -> list[dict]:
    """Source id, title, edition and checksum of the stock sources ``ids`` (a corridor fact's
    ``source_ids``), by source id: from the ``index`` when given, else read."""
    wanted = sorted(set(ids))
    found = index.provenance if index is not None else {
        row["source_id"]: row for row in provenance.rows(con, wanted)}
    return [{"source_id": i, "title": found[i]["title"] if i in found else None,
             "edition": found[i]["edition"] if i in found else None,
             "sha256": found[i]["sha256"] if i in found else None} for i in wanted]
