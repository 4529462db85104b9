"""Country and corridor profiles: everything the store knows about one country or one corridor.

A :class:`CountryProfile` answers "who lives here from abroad, who left, where to, and how has that
changed": immigrants and emigrants in a year, their share of the population, the female share, top
origins and destinations, the South–South share under a lens, the World Bank income-group history and
the trend over every year of the edition. A :class:`CorridorProfile` gives one corridor's trend by
sex, the groups of both ends by year, contiguity and the communities both ends belong to.

Shares are fractions (0..1). Immigrants include those of unknown origin (UN "Other").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.analytics import facts as corridor_facts
from corridors.analytics.corridors import (
    NoDataError,
    check_years,
    default_edition,
    stock_cte,
)
from corridors.analytics.editions import STOCK_INDEX
from corridors.analytics.lenses import (
    BUILTIN,
    CATEGORIES,
    INCOME_NAMES,
    Lens,
    LensError,
)
from corridors.codes import OTHER_ORIGIN
from corridors.store import literal, provenance


def resolve_country(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """ISO3 for what a user typed (ISO3, M49, ISO2 or a name); an error says what to type."""
    iso3 = codes.code_for(text)
    if iso3 is None:
        raise LensError(f"unknown country {text!r}: give an ISO3 code (KEN), an M49 code (404) "
                        "or a name (Kenya, Côte d'Ivoire, UK)" + codes.did_you_mean(text))
    return iso3


def _name(iso3: str) -> str:
    if iso3 in codes.NOT_COUNTRY_NAMES:  # "Other" origins (issue 11 item 5: with IMS 2015's two)
        return codes.NOT_COUNTRY_NAMES[iso3]
    country = codes.countries().get(iso3)
    return country.short_name if country else iso3


#: A frame's column types (polars takes data type classes and instances alike).
_Schema = dict[str, pl.DataType | type[pl.DataType]]

#: Polars types of the provenance columns as DuckDB's frames give them.
_PROVENANCE_TYPES: _Schema = {"VARCHAR": pl.String, "TIMESTAMP": pl.Datetime("us")}


def sources(con: duckdb.DuckDBPyConnection, source_ids: list[str] | None = None) -> pl.DataFrame:
    """The provenance rows (publisher, title, edition, licence, file, checksum) of sources used."""
    cursor = provenance.read(con).select(*provenance.COLUMNS)
    types = {name: _PROVENANCE_TYPES.get(str(kind)) for name, kind in zip(cursor.columns, cursor.types,
                                                                          strict=True)}
    if None in types.values():  # a store with other column types: DuckDB's own conversion
        frame = cursor.pl()
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
    return _caption(sources(con, edition_facts(con, edition).source_ids), edition)


def _caption(rows: pl.DataFrame, edition: str) -> str:
    """:func:`caption` from the provenance rows of the edition's stock."""
    if rows.is_empty():
        return f"Source: migrant stock, edition {edition} (no provenance recorded)"
    return provenance.caption(rows.iter_rows(named=True))  # the one footer (issue 11 item 4)


@dataclass
class EditionFacts:
    """What an answer needs to know about an edition of the stock, read in one query of the
    stock index: the edition (checked, or the newest), its years, its stock CTE, whether it
    stores totals (else they are male + female) and the source ids of its stock.

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
    corridor_facts.require(con)
    edition = default_edition(con, edition)
    found = con.execute(
        f"SELECT list(DISTINCT year ORDER BY year), list(DISTINCT sex), "
        f"list(DISTINCT source_id ORDER BY source_id) FROM {STOCK_INDEX} "
        f"WHERE edition = {literal(edition)}").fetchone()
    years, sexes, ids = found if found else ([], [], [])  # aggregates: always one row
    total = "total" in sexes
    return EditionFacts(edition, list(years), stock_cte(con, edition) if not total else """
stock AS (
    SELECT origin, destination, year, sex, value FROM migrant_stock WHERE edition = $edition
)""", list(ids), total)


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


def _top(ranked: list[tuple[str, str, float]], column: str, n: int,
         total: float) -> pl.DataFrame:
    """The first ``n`` of the ``ranked`` partners (code, name, stock; largest first) as a
    frame, the partner's code in ``column``, with their share of ``total``."""
    return pl.DataFrame(
        [(code, name, value, value / total if total else None)
         for code, name, value in ranked[:n]],
        schema={column: pl.String, "name": pl.String, "stock": pl.Float64, "share": pl.Float64},
        orient="row",
    )


#: What country profiles read, in one query of tagged rows (part, iso3, s1..s5, y, v1..v3) for
#: the countries asked (``$all``: every country) covering every year of the edition and every
#: lens asked (a profile of another year or lens is then derived without reading again): the
#: population per year (the profile's edition first, else the newest), the country's groupings,
#: its World Bank income-group history, its income group in each year of the edition ('own'), its
#: immigrants ('in') and emigrants ('out') per year and sex with their classified and
#: South-South parts under each lens ('sum', the lens id in s3), and its corridors' total stock
#: per year ('partner', the direction in s3); all from the corridor facts. ``{categories}``: the
#: lenses' categories as columns ``cat_0``.. (with their ``{joins}``), ``{sums}``: one 'sum' part
#: per lens (:data:`_SUM`). Parameters: $countries, $all, $edition, $years, $lens (a built-in
#: lens id: whose stored roles give the income group, the same for every lens).
COUNTRY_FACTS = """
WITH c AS MATERIALIZED (
    SELECT f.destination AS iso3, 'in' AS direction, f.origin, f.destination, f.year, f.sex,
           f.stock, {categories}
    FROM {facts} f{joins}
    WHERE f.edition = $edition AND ($all OR list_contains($countries, f.destination))
    UNION ALL
    SELECT f.origin, 'out', f.origin, f.destination, f.year, f.sex, f.stock, {categories}
    FROM {facts} f{joins}
    WHERE f.edition = $edition AND ($all OR list_contains($countries, f.origin))
)
SELECT 'population' AS part, iso3, NULL::VARCHAR AS s1, NULL::VARCHAR AS s2,
       NULL::VARCHAR AS s3, NULL::VARCHAR AS s4, NULL::VARCHAR AS s5, year::INTEGER AS y,
       value AS v1, NULL::DOUBLE AS v2, NULL::DOUBLE AS v3
FROM population WHERE ($all OR list_contains($countries, iso3)) AND list_contains($years, year)
  AND sex = 'total'
QUALIFY row_number() OVER (PARTITION BY iso3, year
                           ORDER BY (edition = $edition) DESC, edition DESC) = 1
UNION ALL
SELECT 'place', iso3, continent, un_subregion, sdg_region, ims_region, development_group, NULL,
       NULL, NULL, NULL FROM countries WHERE $all OR list_contains($countries, iso3)
UNION ALL
SELECT 'history', iso3, fiscal_year, income_group, NULL, NULL, NULL, data_year, NULL, NULL, NULL
FROM income_groups WHERE $all OR list_contains($countries, iso3)
UNION ALL
SELECT 'own', iso3, income_group, NULL, NULL, NULL, NULL, year, NULL, NULL, NULL FROM {roles}
WHERE lens = $lens AND ($all OR list_contains($countries, iso3)) AND list_contains($years, year)
{sums}
UNION ALL
SELECT 'partner', iso3, origin, destination, direction, NULL, NULL, year, stock, NULL, NULL
FROM c WHERE sex = 'total'"""

#: One lens's 'sum' part of :data:`COUNTRY_FACTS`: ``{i}`` its column, ``{lens}`` its id.
_SUM = """UNION ALL
SELECT 'sum', iso3, direction, sex, {lens}, NULL, NULL, year, sum(stock),
       coalesce(sum(stock) FILTER (WHERE cat_{i} IN ({classified})), 0),
       coalesce(sum(stock) FILTER (WHERE cat_{i} = 'south-south'), 0)
FROM c GROUP BY iso3, direction, year, sex"""

PLACE = ("continent", "un_subregion", "sdg_region", "ims_region", "development_group")


def _sums(rows: list[tuple], lens: str) -> dict[str, dict[tuple[int, str], dict]]:
    """The country's sums per direction, year and sex under ``lens`` from the tagged 'sum'
    rows."""
    sums: dict[str, dict[tuple[int, str], dict]] = {"immigrants": {}, "emigrants": {}}
    for _, direction, sex, lens_id, _, _, y, stock, classified, south_south in rows:
        if lens_id != lens:
            continue
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


#: The built-in lens whose stored roles give each country's groups per year (income group, UN
#: development group and the World Bank data year do not depend on the lens).
GROUPS_LENS = next(iter(BUILTIN))


@dataclass(frozen=True)
class CountryFacts:
    """What a country's profiles read, for every year of an edition under the lenses read
    (:data:`COUNTRY_FACTS`): the profile of any of those years and lenses is derived from it
    (:func:`country_profile` with ``read=``), so a server keeps one per country and edition
    rather than one per year and lens. ``parts``: the tagged rows without the country column;
    ``arranged``: the same rows arranged once for every profile derived from them."""

    iso3: str
    edition: str
    lenses: tuple[str, ...]
    parts: dict[str, list[tuple]]
    arranged: _Arranged = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arranged", _Arranged.of(self.parts))


@dataclass(frozen=True)
class _Arranged:
    """A country's tagged rows arranged by what a profile looks up: the sums per lens, its groups
    and population per year, its partners per year and direction (largest first, named) and its
    income-group history (the same in every year and under every lens)."""

    sums: dict[str, dict[str, dict[tuple[int, str], dict]]]
    groups_by_year: dict[int, str | None]
    population: dict[int, float]
    #: per (year, 'in' or 'out'): (partner, its name, stock), largest first
    partners: dict[tuple[int, str], list[tuple[str, str, float]]]
    history: pl.DataFrame
    #: the trend under each lens asked so far (it does not depend on the year)
    trends: dict[str, pl.DataFrame] = field(default_factory=dict)

    @classmethod
    def of(cls, parts: dict[str, list[tuple]]) -> _Arranged:
        sums = {lens: _sums(parts.get("sum", []), lens)
                for lens in {r[3] for r in parts.get("sum", [])}}
        groups_by_year: dict[int, str | None] = {}
        for y, group in sorted(((r[6], r[1]) for r in parts.get("own", [])), key=lambda r: r[0]):
            groups_by_year.setdefault(y, group)
        population: dict[int, float] = {}
        for r in parts.get("population", []):
            if r[7] is not None:
                population.setdefault(r[6], float(r[7]))
        stock: dict[tuple[int, str], dict[str, float]] = {}
        for _, origin, destination, direction, _, _, y, value, _, _ in parts.get("partner", []):
            partner = origin if direction == "in" else destination
            by_partner = stock.setdefault((y, direction), {})
            by_partner[partner] = by_partner.get(partner, 0.0) + value
        partners = {key: [(code, _name(code), value) for code, value in
                          sorted(found.items(), key=lambda item: (-item[1], item[0]))]
                    for key, found in stock.items()}
        history = pl.DataFrame(
            sorted(((r[6], r[1], r[2], INCOME_NAMES.get(r[2], r[2]))
                    for r in parts.get("history", [])), key=lambda r: r[0]),
            schema={"data_year": pl.Int32, "fiscal_year": pl.String, "income_group": pl.String,
                    "income_group_name": pl.String},
            orient="row",
        )
        return cls(sums, groups_by_year, population, partners, history)


def country_facts(con: duckdb.DuckDBPyConnection, countries: Sequence[str] | None = None, *,
                  edition: str | None = None, lenses: Sequence[Lens] | None = None,
                  facts: EditionFacts | None = None) -> dict[str, CountryFacts]:
    """The tagged rows the profiles of ``countries`` (ISO3 codes, M49 or names; None: every
    country) in the edition read under ``lenses`` (default: every built-in lens), by ISO3 code,
    in one query of the corridor facts (see :data:`COUNTRY_FACTS`)."""
    codes_ = None if countries is None else [resolve_country(con, c) for c in countries]
    facts = facts or edition_facts(con, edition)
    chosen = list(lenses) if lenses else list(BUILTIN.values())
    params = {"countries": codes_ or [], "all": codes_ is None, "edition": facts.edition,
              "years": facts.years, "lens": GROUPS_LENS}
    classified = ", ".join(f"'{c}'" for c in CATEGORIES)
    # per direction, year and sex: stock, classified stock and South-South stock (sums of whole
    # persons, exact in any order) of the countries' corridor facts, for each lens
    with corridor_facts.categories(con, chosen, facts.years) as (joins, expressions):
        rows = con.execute(COUNTRY_FACTS.format(
            facts=corridor_facts.FACTS, roles=corridor_facts.ROLES, joins=joins,
            categories=", ".join(f"{e} AS cat_{i}" for i, e in enumerate(expressions)),
            sums="\n".join(_SUM.format(i=i, lens=literal(lens.id), classified=classified)
                           for i, lens in enumerate(chosen))),
            params).fetchall()
    by_country: dict[str, list[tuple]] = {}
    for row in rows:
        by_country.setdefault(row[1], []).append((row[0], *row[2:]))
    ids = tuple(lens.id for lens in chosen)
    wanted = codes_ if codes_ is not None else list(by_country)
    return {iso3: CountryFacts(iso3, facts.edition, ids, _parts(by_country.get(iso3, [])))
            for iso3 in wanted}


def country_profile(
    con: duckdb.DuckDBPyConnection,
    country: str,
    *,
    edition: str | None = None,
    year: int | None = None,
    lens: Lens | None = None,
    top: int = 10,
    facts: EditionFacts | None = None,
    read: CountryFacts | None = None,
) -> CountryProfile:
    """The profile of ``country`` (ISO3, M49 or name) in ``year`` (default: latest of the edition).

    ``facts``: the :class:`EditionFacts` of the edition when the caller keeps them (``edition``
    is then theirs); ``read``: the country's :class:`CountryFacts` under the lens in that edition
    when the caller keeps them (the profile is then derived without a query)."""
    facts = facts or edition_facts(con, edition)
    edition = facts.edition
    all_years = facts.years
    year = check_years(con, edition, year, all_years)[0] if year is not None else all_years[-1]
    lens = lens or BUILTIN["wb-lmic"]
    if read is None or lens.id not in read.lenses or read.edition != edition:
        read = next(iter(country_facts(con, [country], lenses=[lens], facts=facts).values()))
    iso3 = read.iso3
    arranged = read.arranged
    sums = arranged.sums.get(lens.id) or {"immigrants": {}, "emigrants": {}}
    if not sums["immigrants"] and not sums["emigrants"]:
        raise NoDataError(f"{_name(iso3)} ({iso3}) has no migrant stock in {edition}")
    origins = arranged.partners.get((year, "in"), [])
    destinations = arranged.partners.get((year, "out"), [])
    unknown = next((float(stock) for code, _, stock in origins if code == OTHER_ORIGIN), 0.0)
    has_sex = any(sex == "female" for part in sums.values() for _, sex in part)

    def total(label: str, y: int, sex: str, what: str = "all") -> float:
        row = sums[label].get((y, sex))
        return float(row[what]) if row is not None else 0.0

    def south_south(label: str, y: int) -> float | None:
        return _share(total(label, y, "total", "south_south"),
                      total(label, y, "total", "classified"))

    immigrants = total("immigrants", year, "total")
    emigrants = total("emigrants", year, "total")
    population = arranged.population.get(year)
    groups_by_year = arranged.groups_by_year
    income_group = groups_by_year.get(year)
    place = read.parts.get("place")
    groups = dict(zip(PLACE, place[0][1:6], strict=True)) if place else {}

    trend = arranged.trends.get(lens.id)
    if trend is None:
        trend_rows = []
        for y in all_years:
            row: dict[str, int | float | str | None] = {"year": y}
            for label in ("immigrants", "emigrants"):
                everyone = total(label, y, "total")
                row[label] = everyone
                row[f"{label}_female_share"] = (
                    _share(total(label, y, "female"), everyone) if has_sex else None)
                row[f"{label}_south_south_share"] = south_south(label, y)
            row["income_group"] = groups_by_year.get(y)
            trend_rows.append(row)
        trend = arranged.trends.setdefault(lens.id, pl.DataFrame(trend_rows,
                                                                 infer_schema_length=None))

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
        top_origins=_top(origins, "origin", top, immigrants),
        top_destinations=_top(destinations, "destination", top, emigrants),
        income_history=arranged.history, trend=trend,
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


#: A corridor profile's trend, groups (then one column per lens and the fiscal year) and shared
#: communities, in the types the corridor table gives them.
TREND: _Schema = {"year": pl.Int32, "total": pl.Float64, "male": pl.Float64, "female": pl.Float64,
         "female_share": pl.Float64, "origin_share": pl.Float64,
         "destination_share": pl.Float64, "change": pl.Float64, "growth_rate": pl.Float64}
GROUPS: _Schema = {"year": pl.Int32, "data_year": pl.Int32, "origin_income_group": pl.String,
          "origin_development_group": pl.String, "destination_income_group": pl.String,
          "destination_development_group": pl.String}
SHARED: _Schema = {"rec_code": pl.String, "years": pl.List(pl.Int32)}


@dataclass
class _Pair:
    """What a corridor profile shows, read from the corridor facts (:func:`_pair`)."""

    trend: pl.DataFrame
    groups: pl.DataFrame
    shared: pl.DataFrame
    contiguous: bool
    same: tuple[bool | None, bool | None, bool | None]


#: The corridor facts a corridor profile shows (then the category under each lens).
PAIR_COLUMNS = ("year", "sex", "stock", "female_share", "origin_share", "destination_share",
                "change", "growth_rate", "contiguous", "same_continent", "same_un_subregion",
                "same_sdg_region", "shared_recs")


def _pair(con: duckdb.DuckDBPyConnection, o: str, d: str, facts: EditionFacts,
          lens_list: list[Lens], index: corridor_facts.CorridorIndex | None = None) -> _Pair:
    """The trend, groups, shared communities, contiguity and places of a corridor profile: the
    corridor's own facts (every year and sex of the edition) and both ends' groups by year;
    from the ``index`` when given and every lens is built in."""
    years = facts.years
    if all(corridor_facts.stored(lens) for lens in lens_list):
        rows = corridor_facts.corridor_rows(
            con, facts.edition, o, d,
            PAIR_COLUMNS + tuple(f"category_{corridor_facts.safe(lens.id)}" for lens in lens_list),
            index)
    else:
        with corridor_facts.categories(con, lens_list, years) as (joins, categories):
            rows = con.execute(f"""
                SELECT {", ".join(f"f.{c}" for c in PAIR_COLUMNS)}, {", ".join(categories)}
                FROM {corridor_facts.FACTS} f{joins}
                WHERE f.edition = $edition AND f.origin = $origin
                  AND f.destination = $destination
                ORDER BY f.year, f.sex
            """, {"edition": facts.edition, "origin": o, "destination": d}).fetchall()
    ends_rows = [(iso3, *row) for iso3 in dict.fromkeys((o, d))
                 for row in corridor_facts.role_rows(con, GROUPS_LENS, iso3, years, index)]
    if not rows:
        return _Pair(pl.DataFrame(schema=TREND), pl.DataFrame(), pl.DataFrame(), False,
                     (None, None, None))
    by_year: dict[int, dict[str, tuple]] = {}
    for row in rows:
        by_year.setdefault(row[0], {})[row[1]] = row
    trend, categories_by_year = [], {}
    communities: dict[str, list[int]] = {}
    for year, sexes in by_year.items():
        stock = {sex: row[2] for sex, row in sexes.items()}
        total = sexes.get("total")
        if total is not None:
            female_share, origin_share, destination_share, change, growth = (
                total[3], total[4], total[5], total[6], total[7])
            categories_by_year[year] = list(total[13:])
            for code in total[12]:
                communities.setdefault(code, []).append(year)
        else:  # the total's row is not there
            female_share = origin_share = destination_share = change = growth = None
        trend.append((year, stock.get("total"), stock.get("male"), stock.get("female"),
                      female_share, origin_share, destination_share, change, growth))
    ends: dict[str, dict[int, tuple]] = {o: {}, d: {}}
    for iso3, year, data_year, income, development in ends_rows:
        ends[iso3][year] = (data_year, income, development)
    groups = []
    nothing = (None, None, None)
    for year in sorted(set(ends[o]) | set(ends[d])):
        data_year, origin_income, origin_development = ends[o].get(year, nothing)
        _, destination_income, destination_development = ends[d].get(year, nothing)
        groups.append((year, data_year, origin_income, origin_development, destination_income,
                       destination_development,
                       *categories_by_year.get(year, [None] * len(lens_list)),
                       None if data_year is None else f"FY{(data_year + 2) % 100:02d}"))
    first = rows[0]
    return _Pair(
        trend=pl.DataFrame(trend, schema=TREND, orient="row"),
        groups=pl.DataFrame(groups, schema=GROUPS | {lens.id: pl.String for lens in lens_list}
                            | {"fiscal_year": pl.String}, orient="row"),
        shared=pl.DataFrame(sorted(communities.items()), schema=SHARED, orient="row"),
        contiguous=bool(first[8]), same=(first[9], first[10], first[11]))


def corridor_profile(
    con: duckdb.DuckDBPyConnection,
    origin: str,
    destination: str,
    *,
    edition: str | None = None,
    lenses: list[Lens] | None = None,
    facts: EditionFacts | None = None,
    index: corridor_facts.CorridorIndex | None = None,
) -> CorridorProfile:
    """Trend by sex, both ends' groups and categories by year, contiguity, shared communities.

    Read from the corridor's own facts and both ends' stored groups.
    ``facts``: as for :func:`country_profile`; ``index``: the corridor facts held in memory
    (:class:`~corridors.analytics.facts.CorridorIndex`) when the caller keeps them."""
    o = resolve_country(con, origin)
    d = resolve_country(con, destination)
    facts = facts or edition_facts(con, edition)
    edition = facts.edition
    lens_list = lenses or list(BUILTIN.values())
    stored = _pair(con, o, d, facts, lens_list, index)
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
