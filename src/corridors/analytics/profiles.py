"""Country and corridor profiles: everything the store knows about one country or one corridor.

A :class:`CountryProfile` answers "who lives here from abroad, who left, where to, and how has that
changed": immigrants and emigrants in a year, their share of the population, the female share, top
origins and destinations, the South–South share under a lens, the World Bank income-group history and
the trend over every year of the edition. A :class:`CorridorProfile` gives one corridor's trend by
sex, the groups of both ends by year, contiguity and the communities both ends belong to.

Shares are fractions (0..1). Immigrants include those of unknown origin (UN "Other").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.analytics import precomputed
from corridors.analytics.corridors import (
    STOCK_CTE,
    NoDataError,
    category_case,
    check_years,
    corridor_table,
    default_edition,
    edition_years,
    safe,
    stock_cte,
    stock_sources,
)
from corridors.analytics.governance.communities import in_force
from corridors.analytics.lenses import (
    BUILTIN,
    CATEGORIES,
    INCOME_NAMES,
    Lens,
    LensError,
    lens_roles,
    pair_category,
    query,
    registered,
)
from corridors.codes import OTHER_ORIGIN
from corridors.store import provenance


def resolve_country(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """ISO3 for what a user typed (ISO3, M49, ISO2 or a name); an error says what to type."""
    iso3 = codes.code_for(text)
    if iso3 is None:
        raise LensError(f"unknown country {text!r}: give an ISO3 code (KEN), an M49 code (404) "
                        "or a name as UN DESA spells it")
    return iso3


def _name(iso3: str) -> str:
    if iso3 in codes.NOT_COUNTRY_NAMES:  # "Other" origins (issue 11 item 5: with IMS 2015's two)
        return codes.NOT_COUNTRY_NAMES[iso3]
    country = codes.countries().get(iso3)
    return country.short_name if country else iso3


#: Polars types of the provenance columns as DuckDB's frames give them.
_PROVENANCE_TYPES = {"VARCHAR": pl.String, "TIMESTAMP": pl.Datetime("us")}


def sources(con: duckdb.DuckDBPyConnection, source_ids: list[str] | None = None) -> pl.DataFrame:
    """The provenance rows (publisher, title, edition, licence, file, checksum) of sources used."""
    cursor = con.execute("SELECT source_id, publisher, title, edition, licence, url, file_name, "
                         "sha256, fetched_at FROM provenance ORDER BY source_id")
    types = {column[0]: _PROVENANCE_TYPES.get(str(column[1])) for column in cursor.description}
    if None in types.values():  # a store with other column types: DuckDB's own conversion
        frame = cursor.pl() if hasattr(cursor, "pl") else pl.from_arrow(cursor.to_arrow_table())
        if source_ids is not None:
            frame = frame.filter(pl.col("source_id").is_in(source_ids))
        return frame
    # a few dozen rows: as Python rows, without an Arrow conversion (the same frame)
    rows = cursor.fetchall()
    if source_ids is not None:
        wanted = set(source_ids)
        rows = [row for row in rows if row[0] in wanted]
    return pl.DataFrame(rows, schema=types, orient="row")


def caption(con: duckdb.DuckDBPyConnection, edition: str) -> str:
    """'Source: <publisher>, <title> (<edition>), <licence>' for the stock of an edition."""
    return _caption(sources(con, stock_sources(con, edition)), edition)


def _caption(rows: pl.DataFrame, edition: str) -> str:
    """:func:`caption` from the provenance rows of the edition's stock."""
    if rows.is_empty():
        return f"Source: migrant stock, edition {edition} (no provenance recorded)"
    return provenance.caption(rows.iter_rows(named=True))  # the one footer (issue 11 item 4)


#: The stock CTE of an edition that stores totals (what :func:`stock_cte` gives then).
STORED_STOCK = """
stock AS (
    SELECT origin, destination, year, sex, value FROM migrant_stock WHERE edition = $edition
)"""


@dataclass
class EditionFacts:
    """What an answer needs to know about an edition of the stock, read in one query when the
    store has the precomputed index: the edition (checked, or the newest), its years, its stock
    CTE, whether it stores totals (else they are male + female) and the source ids of its stock.

    A caller that answers many questions about one store (the REST API) may keep them, with the
    provenance rows of those sources (``sources``, see :meth:`with_sources`), and pass them to
    :func:`country_profile` and :func:`corridor_profile` (``facts=``) instead of the edition."""

    edition: str
    years: list[int]
    stock: str
    source_ids: list[str]
    has_total: bool
    sources: pl.DataFrame | None = None

    def with_sources(self, con: duckdb.DuckDBPyConnection) -> EditionFacts:
        """These facts with the provenance rows of the edition's stock (:func:`sources`)."""
        return replace(self, sources=sources(con, self.source_ids))

    def used_sources(self, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
        """The provenance rows of the edition's stock: the kept ones, else read now."""
        return self.sources if self.sources is not None else sources(con, self.source_ids)


def edition_facts(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> EditionFacts:
    """:class:`EditionFacts` of ``edition`` (default: the newest); errors as
    :func:`default_edition`'s."""
    rows = precomputed.stock_editions(con)
    found = None
    if rows:
        found = rows[0] if edition is None else next((r for r in rows if r[0] == edition), None)
    if found is None:  # no index, an unknown edition or an empty store: the general way
        edition = default_edition(con, edition)
        stock = stock_cte(con, edition)
        return EditionFacts(edition, edition_years(con, edition), stock,
                            stock_sources(con, edition), stock is not STOCK_CTE)
    name, years, sexes, ids = found
    total = "total" in sexes
    return EditionFacts(name, years, STORED_STOCK if total else stock_cte(con, name), ids, total)


@dataclass
class CountryProfile:
    """One country in one year of an edition, with its trend over every year of the edition."""

    iso3: str
    name: str
    m49: int | None
    edition: str
    year: int
    lens: str
    immigrants: float
    emigrants: float
    immigrants_unknown_origin: float
    female_share_immigrants: float | None
    female_share_emigrants: float | None
    population: float | None
    immigrants_share_of_population: float | None
    emigrants_share_of_population: float | None
    south_south_share_immigrants: float | None
    south_south_share_emigrants: float | None
    income_group: str | None
    groups: dict[str, str | None]
    top_origins: pl.DataFrame
    top_destinations: pl.DataFrame
    income_history: pl.DataFrame
    trend: pl.DataFrame
    sources: pl.DataFrame
    caption: str = ""

    def to_dict(self) -> dict:
        """JSON-ready: scalars as they are, frames as lists of records."""
        out = {}
        for key, value in self.__dict__.items():
            out[key] = value.to_dicts() if isinstance(value, pl.DataFrame) else value
        return out


def _share(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _top(rows: list[tuple[str, str, float]], column: str, n: int, total: float) -> pl.DataFrame:
    """The ``n`` largest partners in ``rows`` (origin, destination, stock; the partner is
    ``column``), largest first, with their name and share of ``total``."""
    at = 0 if column == "origin" else 1
    stock: dict[str, float] = {}
    for row in rows:
        stock[row[at]] = stock.get(row[at], 0.0) + row[2]
    ranked = sorted(stock.items(), key=lambda item: (-item[1], item[0]))[:n]
    return pl.DataFrame(
        [(code, _name(code), value, value / total if total else None) for code, value in ranked],
        schema={column: pl.String, "name": pl.String, "stock": pl.Float64, "share": pl.Float64},
        orient="row",
    )


#: Every corridor of an edition (one row per origin, destination, year and sex, as in the corridor
#: table) with its category under one lens: roles registered as ``{roles}`` with so_0 / sd_0
#: flags; ``{where}`` selects corridors. Parameter: $edition.
CATEGORISED = """
WITH {stock},
s AS (SELECT origin, destination, year, sex, sum(value) AS stock FROM stock
      WHERE sex IN ('total', 'male', 'female') {where}
      GROUP BY origin, destination, year, sex HAVING sum(value) IS NOT NULL),
c AS (SELECT s.origin, s.destination, s.year, s.sex, s.stock, {category} AS category
      FROM s LEFT JOIN {roles} ro ON ro.iso3 = s.origin AND ro.year = s.year
      LEFT JOIN {roles} rd ON rd.iso3 = s.destination AND rd.year = s.year)"""


def _flags(roles: pl.DataFrame) -> pl.DataFrame:
    return roles.select("iso3", "year", pl.col("south_origin").alias("so_0"),
                        pl.col("south_destination").alias("sd_0"))


def _categorised(con: duckdb.DuckDBPyConnection, edition: str, roles: str, where: str,
                 stock: str | None = None) -> str:
    return CATEGORISED.format(stock=stock or stock_cte(con, edition), where=where, roles=roles,
                              category=category_case(0, "s.origin"))


def _country_corridors(con: duckdb.DuckDBPyConnection, iso3: str, edition: str,
                       roles: pl.DataFrame, column: str, stock: str | None = None
                       ) -> pl.DataFrame:
    """The rows of the corridor table with ``iso3`` at one end, every year and sex of the edition:
    origin, destination, year, sex, stock and the category under the one lens of ``roles`` (the
    :func:`lens_roles` frame of that lens), named ``column``. Only those corridors are read."""
    with registered(con, _flags(roles), "roles") as name:
        return query(con, _categorised(
            con, edition, name, "AND (origin = $iso3 OR destination = $iso3)", stock) + f"""
            SELECT origin, destination, year, sex, stock, category AS "{column}" FROM c
        """, {"edition": edition, "iso3": iso3})


def country_totals(con: duckdb.DuckDBPyConnection, edition: str, lens: Lens) -> pl.DataFrame:
    """Immigrants (direction 'in') and emigrants ('out') of every country of an edition per year
    and sex, with the classified and the South–South part under ``lens``: what a profile sums
    from its corridors, for every country at once (:mod:`corridors.analytics.precomputed`).
    Columns: iso3, direction, year, sex, stock, classified, south_south."""
    roles = lens_roles(con, [lens], edition_years(con, edition))
    cats = ", ".join(f"'{c}'" for c in CATEGORIES)
    with registered(con, _flags(roles), "roles") as name:
        return query(con, _categorised(con, edition, name, "") + f""",
            sums AS (SELECT *, category IN ({cats}) AS classified,
                            category = 'south-south' AS south_south FROM c)
            SELECT destination AS iso3, 'in' AS direction, year, sex, sum(stock) AS stock,
                   coalesce(sum(stock) FILTER (WHERE classified), 0) AS classified,
                   coalesce(sum(stock) FILTER (WHERE south_south), 0) AS south_south
            FROM sums GROUP BY destination, year, sex
            UNION ALL
            SELECT origin, 'out', year, sex, sum(stock),
                   coalesce(sum(stock) FILTER (WHERE classified), 0),
                   coalesce(sum(stock) FILTER (WHERE south_south), 0)
            FROM sums GROUP BY origin, year, sex
        """, {"edition": edition})


#: What a country profile reads besides its sums, in one query of tagged rows (part, s1..s5,
#: y, v1..v3): the population in the year (the profile's edition first, else the newest), the
#: country's groupings and its World Bank income-group history. Parameters: $iso3, $year,
#: $edition.
COUNTRY_FACTS = """
(SELECT 'population' AS part, NULL::VARCHAR AS s1, NULL::VARCHAR AS s2, NULL::VARCHAR AS s3,
        NULL::VARCHAR AS s4, NULL::VARCHAR AS s5, NULL::INTEGER AS y, value AS v1,
        NULL::DOUBLE AS v2, NULL::DOUBLE AS v3
 FROM population WHERE iso3 = $iso3 AND year = $year AND sex = 'total'
 ORDER BY (edition = $edition) DESC, edition DESC LIMIT 1)
UNION ALL
SELECT 'place', continent, un_subregion, sdg_region, ims_region, development_group, NULL, NULL,
       NULL, NULL FROM countries WHERE iso3 = $iso3
UNION ALL
SELECT 'history', fiscal_year, income_group, NULL, NULL, NULL, data_year, NULL, NULL, NULL
FROM income_groups WHERE iso3 = $iso3"""

#: With the precomputed tables, also in the same query: the country's sums per direction, year
#: and sex under the lens ($key), its income group per year (from the precomputed roles) and
#: both sexes' stock of its corridors in the year. ``{stock}``: the stock CTE. Parameters also:
#: $key, $years.
STORED_COUNTRY = """
WITH {stock}
{facts}
UNION ALL
SELECT 'sum', direction, sex, NULL, NULL, NULL, year, stock, classified, south_south
FROM {totals} WHERE edition = $edition AND lens_key = $key AND iso3 = $iso3
UNION ALL
SELECT 'own', income_group, NULL, NULL, NULL, NULL, year, NULL, NULL, NULL FROM {roles}
WHERE lens_key = $key AND iso3 = $iso3 AND list_contains($years, year)
UNION ALL
SELECT 'partner', origin, destination, NULL, NULL, NULL, NULL, sum(value), NULL, NULL
FROM stock WHERE sex = 'total' AND year = $year AND (origin = $iso3 OR destination = $iso3)
GROUP BY origin, destination HAVING sum(value) IS NOT NULL"""

PLACE = ("continent", "un_subregion", "sdg_region", "ims_region", "development_group")


def _stored_sums(rows: list[tuple]) -> dict[str, dict[tuple[int, str], dict]]:
    """The country's sums per direction, year and sex from the tagged rows of precomputed
    totals."""
    sums: dict[str, dict[tuple[int, str], dict]] = {"immigrants": {}, "emigrants": {}}
    for _, direction, sex, _, _, _, y, stock, classified, south_south in rows:
        label = "immigrants" if direction == "in" else "emigrants"
        sums[label][(y, sex)] = {"all": stock, "classified": classified,
                                 "south_south": south_south}
    return sums


def _parts(rows: list[tuple]) -> dict[str, list[tuple]]:
    """Tagged rows grouped by their tag (the first column)."""
    out: dict[str, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row)
    return out


def country_profile(
    con: duckdb.DuckDBPyConnection,
    country: str,
    *,
    edition: str | None = None,
    year: int | None = None,
    lens: Lens | None = None,
    top: int = 10,
    facts: EditionFacts | None = None,
) -> CountryProfile:
    """The profile of ``country`` (ISO3, M49 or name) in ``year`` (default: latest of the edition).

    ``facts``: the :class:`EditionFacts` of the edition when the caller keeps them (``edition``
    is then theirs)."""
    iso3 = resolve_country(con, country)
    facts = facts or edition_facts(con, edition)
    edition = facts.edition
    all_years = facts.years
    year = check_years(con, edition, year, all_years)[0] if year is not None else all_years[-1]
    lens = lens or BUILTIN["wb-lmic"]
    column = f"category_{safe(lens.id)}"
    params = {"iso3": iso3, "year": year, "edition": edition}
    # per direction, year and sex: stock, classified stock and South-South stock (sums of whole
    # persons, exact in any order), precomputed by the build or summed here from the corridors
    sums = None
    if precomputed.present(con, precomputed.COUNTRY_TOTALS):
        key = precomputed.lens_key(lens)
        parts = _parts(con.execute(STORED_COUNTRY.format(
            stock=facts.stock, facts=COUNTRY_FACTS.strip(), totals=precomputed.COUNTRY_TOTALS,
            roles=precomputed.LENS_ROLES), params | {"key": key, "years": all_years}).fetchall())
        if "sum" in parts or con.execute(
                f"SELECT 1 FROM {precomputed.COUNTRY_TOTALS} WHERE edition = ? AND lens_key = ? "
                "LIMIT 1", [edition, key]).fetchall():
            sums = _stored_sums(parts.get("sum", []))
            own = sorted(((r[6], r[1]) for r in parts.get("own", [])), key=lambda r: r[0])
            partners = [(r[1], r[2], r[7]) for r in parts.get("partner", [])]
            in_year = [r for r in partners if r[1] == iso3]
            out_year = [r for r in partners if r[0] == iso3]
    else:
        parts = _parts(con.execute(COUNTRY_FACTS, params).fetchall())
    if sums is None:
        roles = lens_roles(con, [lens], all_years)
        own = roles.filter(pl.col("iso3") == iso3).select("year", "income_group").rows()
        table = _country_corridors(con, iso3, edition, roles, column, facts.stock)
        inbound = table.filter(pl.col("destination") == iso3)
        outbound = table.filter(pl.col("origin") == iso3)
        in_year, out_year = (
            part.filter((pl.col("year") == year) & (pl.col("sex") == "total"))
            .select("origin", "destination", "stock").rows()
            for part in (inbound, outbound))
        sums = {
            label: {
                (row["year"], row["sex"]): row
                for row in frame.group_by("year", "sex").agg(
                    pl.col("stock").sum().alias("all"),
                    pl.col("stock").filter(pl.col(column).is_in(list(CATEGORIES))).sum()
                    .alias("classified"),
                    pl.col("stock").filter(pl.col(column) == "south-south").sum()
                    .alias("south_south"),
                ).iter_rows(named=True)
            }
            for label, frame in (("immigrants", inbound), ("emigrants", outbound))
        }
    if not sums["immigrants"] and not sums["emigrants"]:
        raise NoDataError(f"{_name(iso3)} ({iso3}) has no migrant stock in {edition}")
    unknown = float(sum(r[2] for r in in_year if r[0] == OTHER_ORIGIN))
    has_sex = any(sex == "female" for part in sums.values() for _, sex in part)

    def total(label: str, y: int, sex: str, what: str = "all") -> float:
        row = sums[label].get((y, sex))
        return float(row[what]) if row is not None else 0.0

    def south_south(label: str, y: int) -> float | None:
        return _share(total(label, y, "total", "south_south"),
                      total(label, y, "total", "classified"))

    immigrants = total("immigrants", year, "total")
    emigrants = total("emigrants", year, "total")
    population = next((float(r[7]) for r in parts.get("population", []) if r[7] is not None),
                      None)
    groups_by_year: dict[int, str | None] = {}
    for y, group in own:
        groups_by_year.setdefault(y, group)
    income_group = groups_by_year.get(year)
    place = parts.get("place")
    groups = dict(zip(PLACE, place[0][1:6], strict=True)) if place else {}
    history = pl.DataFrame(
        sorted(((r[6], r[1], r[2]) for r in parts.get("history", [])), key=lambda r: r[0]),
        schema={"data_year": pl.Int32, "fiscal_year": pl.String, "income_group": pl.String},
        orient="row",
    ).with_columns(pl.col("income_group").replace(INCOME_NAMES).alias("income_group_name"))

    trend_rows = []
    for y in all_years:
        row = {"year": y}
        for label in ("immigrants", "emigrants"):
            everyone = total(label, y, "total")
            row[label] = everyone
            row[f"{label}_female_share"] = (
                _share(total(label, y, "female"), everyone) if has_sex else None)
            row[f"{label}_south_south_share"] = south_south(label, y)
        row["income_group"] = groups_by_year.get(y)
        trend_rows.append(row)
    trend = pl.DataFrame(trend_rows, infer_schema_length=None)

    def female_share(label: str) -> float | None:
        if not has_sex:
            return None
        return _share(total(label, year, "female"), total(label, year, "total"))

    used_sources = facts.used_sources(con)
    return CountryProfile(
        iso3=iso3, name=_name(iso3), m49=codes.m49_for_iso3(iso3), edition=edition, year=year,
        lens=lens.id, immigrants=immigrants, emigrants=emigrants,
        immigrants_unknown_origin=unknown,
        female_share_immigrants=female_share("immigrants"),
        female_share_emigrants=female_share("emigrants"),
        population=population,
        immigrants_share_of_population=_share(immigrants, population),
        emigrants_share_of_population=_share(emigrants, population),
        south_south_share_immigrants=south_south("immigrants", year),
        south_south_share_emigrants=south_south("emigrants", year),
        income_group=income_group, groups=groups,
        top_origins=_top(in_year, "origin", top, immigrants),
        top_destinations=_top(out_year, "destination", top, emigrants),
        income_history=history, trend=trend,
        sources=used_sources, caption=_caption(used_sources, edition),
    )


@dataclass
class CorridorProfile:
    """One corridor (origin -> destination) over every year of an edition."""

    origin: str
    origin_name: str
    destination: str
    destination_name: str
    edition: str
    contiguous: bool
    same_continent: bool | None
    same_un_subregion: bool | None
    same_sdg_region: bool | None
    trend: pl.DataFrame
    groups: pl.DataFrame
    shared_communities: pl.DataFrame
    sources: pl.DataFrame
    caption: str = ""
    lenses: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: v.to_dicts() if isinstance(v, pl.DataFrame) else v
                for k, v in self.__dict__.items()}


#: Everything a corridor profile reads, in one query of tagged rows (part, year, t1..t4, i1,
#: v1..v7, b1..b3) when the store has the precomputed tables:
#: 'year': per year of the corridor (as the corridor table, whose stock CTE and arithmetic this
#: follows): v1..v3 its total, male and female stock, and for the total v4 the change since the
#: edition's previous year (a corridor missing that year had 0), v5 UN DESA's exponential annual
#: growth rate, v6 the female share;
#: 'total': the origin's emigrants ('out') and the destination's immigrants ('in') in total per
#: year from the precomputed totals (t1 direction, v1; sums of whole persons: the corridor
#: table's sums exactly);
#: 'role': both ends' roles per lens (t1 lens key, t2 iso3, t3 income group, t4 development
#: group, i1 data year, b1/b2 South as origin/destination);
#: 'member': both ends' memberships that count (t1 community, t2 iso3, i1 since, v1 until);
#: 'contiguous': a row when they are; 'place': each end's continent, UN sub-region and SDG
#: region (t1 iso3, t2..t4).
#: ``{stock}``: the stock CTE. Parameters: $edition, $origin, $destination, $all_years, $keys,
#: $key (of the lens whose totals are read).
STORED_CORRIDOR = """
WITH {stock},
pair AS MATERIALIZED (
    SELECT year, sex, value FROM stock WHERE origin = $origin AND destination = $destination
),
wide AS (
    SELECT year, sum(value) FILTER (WHERE sex = 'total') AS total,
           sum(value) FILTER (WHERE sex = 'male') AS male,
           sum(value) FILTER (WHERE sex = 'female') AS female
    FROM pair GROUP BY year
),
yrs AS (SELECT year, lag(year) OVER (ORDER BY year) AS prev_year
        FROM (SELECT unnest($all_years) AS year)),
paired AS (
    SELECT w.year, yrs.prev_year, w.total, w.male, w.female, p.total AS lagged
    FROM wide w JOIN yrs ON yrs.year = w.year LEFT JOIN wide p ON p.year = yrs.prev_year
),
{rec}
SELECT 'year' AS part, year, NULL::VARCHAR AS t1, NULL::VARCHAR AS t2, NULL::VARCHAR AS t3,
       NULL::VARCHAR AS t4, NULL::INTEGER AS i1, total AS v1, male AS v2, female AS v3,
       CASE WHEN prev_year IS NOT NULL THEN total - coalesce(lagged, 0) END AS v4,
       CASE WHEN lagged > 0 AND total > 0 THEN ln(total / lagged) / (year - prev_year) END
           AS v5,
       female / nullif(total, 0) AS v6, NULL::DOUBLE AS v7, NULL::BOOLEAN AS b1,
       NULL::BOOLEAN AS b2, NULL::BOOLEAN AS b3
FROM paired
UNION ALL
SELECT 'total', year, direction, NULL, NULL, NULL, NULL, stock, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL
FROM {totals} WHERE edition = $edition AND lens_key = $key AND sex = 'total'
     AND ((iso3 = $origin AND direction = 'out') OR (iso3 = $destination AND direction = 'in'))
UNION ALL
SELECT 'role', year, lens_key, iso3, income_group, development_group, data_year, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, south_origin, south_destination, NULL
FROM {roles} WHERE list_contains($keys, lens_key) AND (iso3 = $origin OR iso3 = $destination)
     AND list_contains($all_years, year)
UNION ALL
SELECT 'member', NULL, rec_code, iso3, NULL, NULL, since, until, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL
FROM rec WHERE iso3 = $origin OR iso3 = $destination
UNION ALL
(SELECT 'contiguous', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL
 FROM contiguity WHERE iso3_a = $origin AND iso3_b = $destination LIMIT 1)
UNION ALL
SELECT 'place', NULL, iso3, continent, un_subregion, sdg_region, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL
FROM countries WHERE iso3 = $origin OR iso3 = $destination"""

#: A corridor profile's trend, groups (then one column per lens and the fiscal year) and shared
#: communities, in the types the corridor table gives them.
TREND = {"year": pl.Int32, "total": pl.Float64, "male": pl.Float64, "female": pl.Float64,
         "female_share": pl.Float64, "origin_share": pl.Float64,
         "destination_share": pl.Float64, "change": pl.Float64, "growth_rate": pl.Float64}
GROUPS = {"year": pl.Int32, "data_year": pl.Int32, "origin_income_group": pl.String,
          "origin_development_group": pl.String, "destination_income_group": pl.String,
          "destination_development_group": pl.String}
SHARED = {"rec_code": pl.String, "years": pl.List(pl.Int32)}


@dataclass
class _StoredPair:
    """What a corridor profile shows, worked out from the stored rows (:func:`_stored_pair`)."""

    trend: pl.DataFrame
    groups: pl.DataFrame
    shared: pl.DataFrame
    contiguous: bool
    same: tuple[bool | None, bool | None, bool | None]


def _shared_recs(members: list[tuple], o: str, d: str, years: list[int]) -> dict[int, list[str]]:
    """Per year, the communities both ends are members of that year ('member' rows: community,
    iso3, since, until; as the corridor table's ``shared_recs``)."""
    if o == d:
        return {}
    spans: dict[str, dict[str, list[tuple]]] = {}
    for _, _, code, iso3, _, _, since, until, *_ in members:
        spans.setdefault(code, {}).setdefault(iso3, []).append((since, until))

    def active(rows: list[tuple], year: int) -> bool:
        return any(in_force(since, until, year) for since, until in rows)

    shared: dict[int, list[str]] = {}
    for code in sorted(spans):
        ends = spans[code]
        for year in years:
            if active(ends.get(o, []), year) and active(ends.get(d, []), year):
                shared.setdefault(year, []).append(code)
    return shared


def _stored_pair(con: duckdb.DuckDBPyConnection, o: str, d: str, facts: EditionFacts,
                 lens_list: list[Lens]) -> _StoredPair | None:
    """The trend, groups, shared communities, contiguity and places of a corridor profile, as
    the corridor table gives them, from the corridor's own rows and the precomputed tables; None
    when the store lacks them (or they do not hold every lens, year and total asked)."""
    if not (precomputed.present(con, precomputed.LENS_ROLES)
            and precomputed.present(con, precomputed.COUNTRY_TOTALS)):
        return None
    from corridors.analytics.corridors import REC_CTE

    keys = [precomputed.lens_key(lens) for lens in lens_list]
    years = facts.years
    sql = STORED_CORRIDOR.format(
        stock=facts.stock.strip().replace("stock AS (", "stock AS NOT MATERIALIZED (", 1),
        rec=REC_CTE.strip(), totals=precomputed.COUNTRY_TOTALS, roles=precomputed.LENS_ROLES)
    parts = _parts(con.execute(sql, {
        "edition": facts.edition, "origin": o, "destination": d, "all_years": years,
        "keys": list(dict.fromkeys(keys)),
        "key": precomputed.lens_key(next(iter(BUILTIN.values()))),
    }).fetchall())
    flags = {(r[2], r[3], r[1]): (r[14], r[15]) for r in parts.get("role", [])}
    # every lens's roles for every year (an end in the country table has a row each year)
    wanted = set(years)
    for key in keys:
        if {y for (k, _, y) in flags if k == key} != wanted:
            return None  # a lens or a year the build did not precompute
    totals = {(r[2], r[1]): r[7] for r in parts.get("total", [])}
    shared = _shared_recs(parts.get("member", []), o, d, years)
    places = {r[2]: r[3:6] for r in parts.get("place", [])}
    if len(parts.get("place", [])) != len(places):
        return None  # a country twice in the country table: the corridor table's joins decide

    def same(i: int) -> bool | None:  # as SQL's co.x = cd.x after LEFT JOINs: NULL if unknown
        a, b = places.get(o, (None,) * 3)[i], places.get(d, (None,) * 3)[i]
        return None if a is None or b is None else a == b

    trend, categories = [], {}
    for _, year, *_, total, male, female, change, growth, female_share, _, _, _, _ in sorted(
            parts.get("year", []), key=lambda r: r[1]):
        if total is None and male is None and female is None:
            continue  # as the corridor table: no row for a year without a figure
        shares = (None, None)
        if total is not None:
            out_total, in_total = totals.get(("out", year)), totals.get(("in", year))
            if out_total is None or in_total is None:
                return None  # totals the build did not precompute
            shares = (_ratio(total, out_total), _ratio(total, in_total))
            categories[year] = [
                pair_category(o, flags.get((key, o, year), (None, None))[0],
                               flags.get((key, d, year), (None, None))[1]) for key in keys]
        else:
            change = growth = female_share = None  # the total's row is not there
        trend.append((year, total, male, female, female_share, *shares, change, growth))
    ends: dict[str, dict[int, tuple]] = {o: {}, d: {}} if o != d else {o: {}}
    for r in parts.get("role", []):
        if r[2] == keys[0]:
            ends[r[3]][r[1]] = (r[6], r[4], r[5])  # data year, income group, development group
    groups = []
    nothing = (None, None, None)
    for year in sorted(set(ends[o]) | set(ends[d])):
        data_year, origin_income, origin_development = ends[o].get(year, nothing)
        _, destination_income, destination_development = ends[d].get(year, nothing)
        groups.append((year, data_year, origin_income, origin_development, destination_income,
                       destination_development, *categories.get(year, [None] * len(keys)),
                       None if data_year is None else f"FY{(data_year + 2) % 100:02d}"))
    communities: dict[str, list[int]] = {}
    for year in categories:  # the years of the total's rows, in order
        for code in shared.get(year, []):
            communities.setdefault(code, []).append(year)
    same_places = (same(0), same(1), same(2))
    return _StoredPair(
        trend=pl.DataFrame(trend, schema=TREND, orient="row"),
        groups=pl.DataFrame(groups, schema=GROUPS | {lens.id: pl.String for lens in lens_list}
                            | {"fiscal_year": pl.String}, orient="row"),
        shared=pl.DataFrame(sorted(communities.items()), schema=SHARED, orient="row"),
        contiguous="contiguous" in parts, same=same_places)


def _ratio(part: float, whole: float) -> float:
    """``part / whole`` as polars divides floats (a zero whole gives infinity or NaN)."""
    if whole == 0:
        return math.nan if part == 0 or math.isnan(part) else math.copysign(math.inf, part) * \
            math.copysign(1.0, whole)
    return part / whole


def _pair_from_table(con: duckdb.DuckDBPyConnection, o: str, d: str, edition: str,
                     years: list[int], lens_list: list[Lens]) -> _StoredPair:
    """What :func:`_stored_pair` gives, from the corridor table of the corridor (any store)."""
    roles = lens_roles(con, lens_list, years)
    table = corridor_table(con, edition=edition, lenses=lens_list, origin=o, destination=d,
                           roles=roles)
    if table.is_empty():
        return _StoredPair(pl.DataFrame(schema=TREND), pl.DataFrame(), pl.DataFrame(), False,
                           (None, None, None))
    roles = roles.slice(0, roles.height // len(lens_list))  # the first lens's block
    trend = (
        table.pivot(on="sex", index="year", values="stock")
        .join(table.filter(pl.col("sex") == "total").select(
            "year", "origin_share", "destination_share", "change", "growth_rate",
            "female_share"), on="year", how="left")
        .sort("year")
    )
    for sex in ("total", "male", "female"):
        if sex not in trend.columns:
            trend = trend.with_columns(pl.lit(None, pl.Float64).alias(sex))
    trend = trend.select("year", "total", "male", "female", "female_share", "origin_share",
                         "destination_share", "change", "growth_rate")
    ends = (
        roles.filter(pl.col("iso3") == o).select(
            "year", "data_year", pl.col("income_group").alias("origin_income_group"),
            pl.col("development_group").alias("origin_development_group"))
        .join(roles.filter(pl.col("iso3") == d).select(
            "year", pl.col("income_group").alias("destination_income_group"),
            pl.col("development_group").alias("destination_development_group")),
            on="year", how="full", coalesce=True)
    )
    categories = table.filter(pl.col("sex") == "total").select(
        "year", *[pl.col(f"category_{safe(lens.id)}").alias(lens.id) for lens in lens_list])
    groups = ends.join(categories, on="year", how="left").sort("year").with_columns(
        pl.col("data_year").map_elements(lambda y: f"FY{(y + 2) % 100:02d}",
                                         return_dtype=pl.String).alias("fiscal_year"))
    shared = (
        table.filter(pl.col("sex") == "total").select("year", "shared_recs")
        .explode("shared_recs").drop_nulls("shared_recs")
        .group_by("shared_recs").agg(pl.col("year").sort().alias("years"))
        .rename({"shared_recs": "rec_code"}).sort("rec_code")
    )
    first = table.row(0, named=True)
    return _StoredPair(trend, groups, shared, bool(first["contiguous"]),
                       (first["same_continent"], first["same_un_subregion"],
                        first["same_sdg_region"]))


def corridor_profile(
    con: duckdb.DuckDBPyConnection,
    origin: str,
    destination: str,
    *,
    edition: str | None = None,
    lenses: list[Lens] | None = None,
    facts: EditionFacts | None = None,
) -> CorridorProfile:
    """Trend by sex, both ends' groups and categories by year, contiguity, shared communities.

    With the precomputed tables, the corridor's own rows and both ends' totals and roles are read
    in one query; otherwise the corridor table of the corridor gives them (same answers).
    ``facts``: as for :func:`country_profile`."""
    o = resolve_country(con, origin)
    d = resolve_country(con, destination)
    facts = facts or edition_facts(con, edition)
    edition = facts.edition
    years = facts.years
    lens_list = lenses or list(BUILTIN.values())
    stored = _stored_pair(con, o, d, facts, lens_list)
    if stored is None:
        stored = _pair_from_table(con, o, d, edition, years, lens_list)
    if stored.trend.is_empty():
        raise NoDataError(f"no migrant stock from {_name(o)} ({o}) in {_name(d)} ({d}) "
                          f"in {edition}")
    used_sources = facts.used_sources(con)
    return CorridorProfile(
        origin=o, origin_name=_name(o), destination=d, destination_name=_name(d),
        edition=edition, contiguous=stored.contiguous, same_continent=stored.same[0],
        same_un_subregion=stored.same[1], same_sdg_region=stored.same[2], trend=stored.trend,
        groups=stored.groups, shared_communities=stored.shared, sources=used_sources,
        caption=_caption(used_sources, edition), lenses=[lens.id for lens in lens_list],
    )
