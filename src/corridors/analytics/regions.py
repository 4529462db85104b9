"""Summaries of South–South migration: categories, intra-group shares, contiguity, top corridors.

- :func:`category_summary` (3a): stock and share of the four categories per lens and year;
- :func:`intra_group_shares` (3b): for a grouping (continent, SDG region, UN sub-region, UN DESA
  region, income group, regional economic community or a custom list), the share of each group's
  emigrants who live in the group and of its immigrants who were born in it;
- :func:`contiguity_share` (3c): the share of South–South stock between land neighbours;
- :func:`top_corridors` (3d): the largest corridors by stock, change or growth.

Shares are fractions (0..1). Category shares are of the *classified* stock: stock whose origin is
unknown (UN "Other", ``XXX``) or whose origin or destination has no group that year is reported in
``unknown_origin`` / ``unclassified`` and left out of the denominator.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.analytics import facts
from corridors.analytics.choices import GROUPINGS, RANKINGS, min_stock_for
from corridors.analytics.corridors import (
    NoDataError,
    check_sex,
    check_years,
    corridor_table,
    default_edition,
    edition_years,
    safe,
    sex_for,
)
from corridors.analytics.lenses import (
    BUILTIN,
    CATEGORIES,
    INCOME_NAMES,
    Lens,
    LensError,
    classification_year,
    query,
    registered,
)
from corridors.codes import NOT_COUNTRY_NAMES
from corridors.governance.communities import full_member_sql
from corridors.store import literal

#: Groupings static over time: the countries-table column that names the group, and the SQL of
#: its code (the M49 code, three digits; UN DESA's code for its geographic regions).
STATIC_GROUPINGS = {
    "continent": ("continent", "continent_m49"),
    "sdg-region": ("sdg_region", "sdg_region_m49"),
    "un-subregion": ("un_subregion", "un_subregion_m49"),
    "un-region": ("ims_region", "(SELECT a.m49 FROM areas a WHERE a.area_type = 'Geographic "
                                "region' AND upper(a.name) = upper(c.ims_region) LIMIT 1)"),
}
assert tuple(STATIC_GROUPINGS) == GROUPINGS[:4]


def _lenses(lenses: Sequence[Lens] | Lens | None) -> list[Lens]:
    if lenses is None:
        return list(BUILTIN.values())
    if isinstance(lenses, Lens):
        return [lenses]
    return list(lenses)


@contextmanager
def _categorised(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens], years: Sequence[int],
                 where: str) -> Iterator[str]:
    """SQL (a CTE body): the corridor facts selected by ``where`` (on ``f``) crossed with every
    lens, with its category (lens, origin, destination, year, value, contiguous, category)."""
    unique = list({lens.id: lens for lens in lenses}.values())
    with facts.categories(con, unique, years) as (joins, categories):
        yield "\nUNION ALL\n".join(
            f"SELECT {literal(lens.id)} AS lens, f.origin, f.destination, f.year, f.stock AS value, "
            f"f.contiguous, {category} AS category FROM {facts.FACTS} f{joins} WHERE {where}"
            for lens, category in zip(unique, categories, strict=True))


def category_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    lenses: Sequence[Lens] | Lens | None = None,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str = "total",
    region: str | None = None,
) -> pl.DataFrame:
    """Stock and share of each category per lens and year (4 rows per lens and year).

    ``region``: only corridors within a region or community (both ends members that year; see
    :func:`region_members`).

    Columns: edition, lens, year, sex, category, value, share, classified_total, unclassified,
    unknown_origin. ``share = value / classified_total``.
    """
    edition = default_edition(con, edition)
    wanted = check_years(con, edition, years)
    sex = sex_for(con, edition, sex)
    lens_list = _lenses(lenses)
    facts.require(con)
    where = "f.edition = $edition AND f.sex = $sex AND list_contains($years, f.year)"
    with ExitStack() as stack:
        if region:  # both ends members that year
            members = stack.enter_context(registered(
                con, region_members(con, region, wanted)[2], "members"))
            where += f""" AND EXISTS (SELECT 1 FROM {members} m WHERE m.iso3 = f.origin
                  AND m.year = f.year) AND EXISTS (SELECT 1 FROM {members} m
                  WHERE m.iso3 = f.destination AND m.year = f.year)"""
        categorised = stack.enter_context(_categorised(con, lens_list, wanted, where))
        counts = query(con, f"""
            WITH c AS ({categorised})
            SELECT lens, year, category, sum(value) AS value FROM c GROUP BY ALL
        """, {"edition": edition, "sex": sex, "years": wanted})
    grid = pl.DataFrame({"lens": [lens.id for lens in lens_list]}).join(
        pl.DataFrame({"year": wanted}, schema={"year": pl.Int32}), how="cross").join(
        pl.DataFrame({"category": list(CATEGORIES)}), how="cross")
    counts = counts.with_columns(pl.col("year").cast(pl.Int32), pl.col("value").cast(pl.Float64))
    extra = counts.filter(~pl.col("category").is_in(list(CATEGORIES))).pivot(
        on="category", index=["lens", "year"], values="value")
    for column in ("unclassified", "unknown-origin"):
        if column not in extra.columns:
            extra = extra.with_columns(pl.lit(0.0).alias(column))
    frame = (
        grid.join(counts, on=["lens", "year", "category"], how="left")
        .with_columns(pl.col("value").fill_null(0.0))
        .with_columns(pl.col("value").sum().over(["lens", "year"]).alias("classified_total"))
        .with_columns((pl.col("value") / pl.col("classified_total")).alias("share"))
        .join(extra.select("lens", "year", "unclassified", "unknown-origin"),
              on=["lens", "year"], how="left")
        .with_columns(pl.col("unclassified").fill_null(0.0),
                      pl.col("unknown-origin").fill_null(0.0).alias("unknown_origin"))
    )
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return frame.with_columns(
        pl.lit(edition).alias("edition"), pl.lit(sex).alias("sex"),
        pl.col("category").replace_strict(order).alias("_order"),
    ).sort("lens", "year", "_order").select(
        "edition", "lens", "year", "sex", "category", "value", "share", "classified_total",
        "unclassified", "unknown_origin",
    )


def region_members(con: duckdb.DuckDBPyConnection, region: str,
                   years: Sequence[int]) -> tuple[str, str, pl.DataFrame]:
    """The members (iso3, year) of a region or community named by its name or code, in each
    year: a continent, UN sub-region, SDG region or UN DESA region (as in the countries table), or
    a regional economic community (acronym such as ECOWAS, or its name). Returns (grouping, group
    name, members)."""
    wanted = region.strip().casefold()
    for grouping in (*STATIC_GROUPINGS, "rec"):
        frame = group_membership(con, grouping, years)
        hit = frame.filter((pl.col("group").str.to_lowercase() == wanted)
                           | (pl.col("group_code").cast(pl.String).str.to_lowercase() == wanted))
        if hit.height:
            return grouping, hit["group"][0], hit.select("iso3", pl.col("year").cast(pl.Int32))
    raise LensError(f"unknown region or community {region!r}: give a continent (Africa), UN "
                    "sub-region (Western Asia), SDG region (Sub-Saharan Africa) or community "
                    "(ECOWAS); `corridors communities` lists the communities")


def south_south_share_by_destination(
    con: duckdb.DuckDBPyConnection,
    lens: Lens | None = None,
    year: int | None = None,
    sex: str = "total",
    edition: str | None = None,
) -> pl.DataFrame:
    """For each destination country: the share of its immigrants who are in a South–South
    corridor under ``lens`` (default ``wb-lmic``) in ``year`` (default: the latest of the edition).

    ``share = south_south / immigrants``: the denominator is every immigrant, those of unknown
    origin (UN "Other") and those from or in an unclassified country included; those are never
    counted as South–South and are stated apart in ``unclassified`` and ``unknown_origin``.
    One row per destination with stock that year, sorted by ISO3. Columns: iso3, immigrants,
    south_south, share, unclassified, unknown_origin, edition, lens, year, sex.
    """
    edition = default_edition(con, edition)
    known = edition_years(con, edition)
    year = check_years(con, edition, year, known)[0] if year is not None else known[-1]
    sex = sex_for(con, edition, sex)
    lens = lens or BUILTIN["wb-lmic"]
    facts.require(con)
    with _categorised(con, [lens], [year], "f.edition = $edition AND f.sex = $sex "
                      "AND f.year = $year") as categorised:
        frame = query(con, f"""
            WITH c AS ({categorised})
            SELECT destination AS iso3, sum(value) AS immigrants,
                   coalesce(sum(value) FILTER (WHERE category = 'south-south'), 0) AS south_south,
                   coalesce(sum(value) FILTER (WHERE category = 'unclassified'), 0)
                       AS unclassified,
                   coalesce(sum(value) FILTER (WHERE category = 'unknown-origin'), 0)
                       AS unknown_origin
            FROM c GROUP BY destination
        """, {"edition": edition, "sex": sex, "year": year})
    return (
        frame.with_columns(pl.col(c).cast(pl.Float64) for c in (
            "immigrants", "south_south", "unclassified", "unknown_origin"))
        .with_columns((pl.col("south_south") / pl.col("immigrants")).alias("share"),
                      pl.lit(edition).alias("edition"), pl.lit(lens.id).alias("lens"),
                      pl.lit(year, pl.Int32).alias("year"), pl.lit(sex).alias("sex"))
        .select("iso3", "immigrants", "south_south", "share", "unclassified", "unknown_origin",
                "edition", "lens", "year", "sex")
        .sort("iso3")
    )


def group_membership(
    con: duckdb.DuckDBPyConnection,
    grouping: str,
    years: Sequence[int],
    members: Iterable[str] | None = None,
    name: str | None = None,
) -> pl.DataFrame:
    """Which countries belong to which group in each year: columns group (its name), group_code
    (its code: M49 for UN regions, the World Bank letter for income groups, the community's
    acronym; none for a custom group), iso3, year.

    Static groupings come from the countries table; ``income`` from the World Bank group of the
    data year mapped to each year; ``rec`` from membership periods (members, and withdrawn or
    suspended members within since..until; not associates or observers); ``custom`` from
    ``members`` (ISO3, M49 or names), named ``name``.
    """
    year_frame = pl.DataFrame({"year": list(years)}, schema={"year": pl.Int32})
    if grouping in STATIC_GROUPINGS:
        column, code = STATIC_GROUPINGS[grouping]
        frame = query(con,
            f"SELECT c.{column} AS \"group\", printf('%03d', {code}) AS group_code, "
            f"c.iso3 FROM countries c WHERE c.{column} IS NOT NULL"
        )
        return frame.join(year_frame, how="cross")
    if grouping == "income":
        data_years = [r[0] for r in con.execute(
            "SELECT DISTINCT data_year FROM income_groups ORDER BY 1").fetchall()]
        mapping = pl.DataFrame(
            {"year": list(years), "data_year": [classification_year(y, data_years) for y in years]},
            schema={"year": pl.Int32, "data_year": pl.Int32},
        )
        income = query(con,
            "SELECT iso3, data_year, income_group FROM income_groups "
            "WHERE income_group IN ('L', 'LM', 'UM', 'H')"
        ).with_columns(pl.col("data_year").cast(pl.Int32))
        return mapping.join(income, on="data_year").select(
            pl.col("income_group").replace_strict(INCOME_NAMES).alias("group"),
            pl.col("income_group").alias("group_code"), "iso3", "year",
        )
    if grouping == "rec":
        with registered(con, year_frame, "years") as years_name:
            return query(con, f"""
                SELECT DISTINCT rec.rec_name AS "group", rec.rec_code AS group_code, rec.iso3,
                       y.year::INTEGER AS year
                FROM rec_membership rec JOIN {years_name} y
                  ON {full_member_sql('rec', 'y.year')}
            """)
    if grouping == "custom":
        listed = []
        for value in members or ():
            iso3 = codes.code_for(value)
            if iso3 is None:
                raise LensError(f"unknown country {value!r} in the custom group; use ISO3 or M49")
            listed.append(iso3)
        if not listed:
            raise LensError("a custom grouping needs members, e.g. --members KEN,UGA,TZA")
        label = name or "custom"
        return pl.DataFrame({"group": label, "group_code": None, "iso3": listed},
                            schema={"group": pl.String, "group_code": pl.String,
                                    "iso3": pl.String}).join(year_frame, how="cross")
    raise LensError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")


def intra_group_shares(
    con: duckdb.DuckDBPyConnection,
    grouping: str | Sequence[str],
    *,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str = "total",
    members: Iterable[str] | None = None,
    name: str | None = None,
) -> pl.DataFrame:
    """Intra-group shares per group and year, for one grouping or several at once (one pass).

    ``origin_view_share = intra / emigrants`` (share of the group's emigrants living in the
    group); ``destination_view_share = intra / immigrants`` (share of the group's immigrants born
    in the group, immigrants of unknown origin included in the denominator). Null when the
    denominator is 0.
    """
    edition = default_edition(con, edition)
    wanted = check_years(con, edition, years)
    sex = sex_for(con, edition, sex)
    groupings = [grouping] if isinstance(grouping, str) else list(grouping)
    membership = pl.concat([
        group_membership(con, g, wanted, members, name).select(
            pl.lit(g).alias("grouping"), "group", "group_code", "iso3",
            pl.col("year").cast(pl.Int32))
        for g in groupings
    ])
    facts.require(con)
    with registered(con, membership, "members") as m:
        frame = query(con, f"""
            WITH s AS (SELECT origin, destination, year, stock AS value FROM {facts.FACTS}
                       WHERE edition = $edition AND sex = $sex AND list_contains($years, year)),
            out_country AS (SELECT origin AS iso3, year, sum(value) AS v FROM s GROUP BY ALL),
            in_country AS (SELECT destination AS iso3, year, sum(value) AS v FROM s GROUP BY ALL),
            em AS (SELECT m.grouping, m."group", m.year, sum(c.v) AS v
                   FROM out_country c JOIN {m} m ON m.iso3 = c.iso3 AND m.year = c.year
                   GROUP BY ALL),
            im AS (SELECT m.grouping, m."group", m.year, sum(c.v) AS v
                   FROM in_country c JOIN {m} m ON m.iso3 = c.iso3 AND m.year = c.year
                   GROUP BY ALL),
            intra AS (SELECT mo.grouping, mo."group", s.year, sum(s.value) AS v
                      FROM s JOIN {m} mo ON mo.iso3 = s.origin AND mo.year = s.year
                      JOIN {m} md ON md.iso3 = s.destination AND md.year = s.year
                                 AND md.grouping = mo.grouping AND md."group" = mo."group"
                      GROUP BY ALL),
            g AS (SELECT grouping, "group", any_value(group_code) AS group_code, year,
                         count(DISTINCT iso3) AS countries
                  FROM {m} GROUP BY grouping, "group", year)
            SELECT g."group", g.group_code, g.year, $sex AS sex, g.countries,
                   coalesce(em.v, 0) AS emigrants, coalesce(im.v, 0) AS immigrants,
                   coalesce(intra.v, 0) AS intra_group,
                   coalesce(intra.v, 0) / nullif(em.v, 0) AS origin_view_share,
                   coalesce(intra.v, 0) / nullif(im.v, 0) AS destination_view_share,
                   g.grouping
            FROM g
            LEFT JOIN em USING (grouping, "group", year)
            LEFT JOIN im USING (grouping, "group", year)
            LEFT JOIN intra USING (grouping, "group", year)
        """, {"edition": edition, "sex": sex, "years": wanted})
    order = {g: i for i, g in enumerate(groupings)}
    return frame.with_columns(
        pl.lit(edition).alias("edition"),
        pl.col("grouping").replace_strict(order, return_dtype=pl.Int32).alias("_order"),
    ).sort("_order", "year", "group").drop("_order")


def contiguity_share(
    con: duckdb.DuckDBPyConnection,
    *,
    lenses: Sequence[Lens] | Lens | None = None,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str = "total",
) -> pl.DataFrame:
    """Share of South–South stock between countries sharing a land border, per lens and year.

    Columns: edition, lens, year, sex, south_south, contiguous, share_contiguous.
    """
    edition = default_edition(con, edition)
    wanted = check_years(con, edition, years)
    sex = sex_for(con, edition, sex)
    lens_list = _lenses(lenses)
    facts.require(con)
    with _categorised(con, lens_list, wanted, "f.edition = $edition AND f.sex = $sex AND "
                      "list_contains($years, f.year)") as categorised:
        frame = query(con, f"""
            WITH c AS ({categorised})
            SELECT c.lens, c.year,
                   sum(c.value) AS south_south,
                   coalesce(sum(c.value) FILTER (WHERE c.contiguous), 0) AS contiguous
            FROM c
            WHERE c.category = 'south-south'
            GROUP BY ALL
        """, {"edition": edition, "sex": sex, "years": wanted})
    grid = pl.DataFrame({"lens": [lens.id for lens in lens_list]}).join(
        pl.DataFrame({"year": wanted}, schema={"year": pl.Int32}), how="cross")
    return (
        grid.join(frame.with_columns(pl.col("year").cast(pl.Int32)), on=["lens", "year"],
                  how="left")
        .with_columns(pl.col("south_south").fill_null(0.0), pl.col("contiguous").fill_null(0.0))
        .with_columns(
            (pl.col("contiguous") / pl.when(pl.col("south_south") > 0)
             .then(pl.col("south_south"))).alias("share_contiguous"),
            pl.lit(edition).alias("edition"), pl.lit(sex).alias("sex"),
        )
        .select("edition", "lens", "year", "sex", "south_south", "contiguous", "share_contiguous")
        .sort("lens", "year")
    )


def _region_match(column_prefix: str, region: str) -> pl.Expr:
    wanted = region.casefold()
    return pl.any_horizontal(
        pl.col(f"{column_prefix}_{c}").str.to_lowercase() == wanted
        for c in ("continent", "un_subregion", "sdg_region", "ims_region")
    ).fill_null(False)


def top_corridors(
    con: duckdb.DuckDBPyConnection,
    *,
    lenses: Sequence[Lens] | Lens | None = None,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str = "total",
    by: str = "stock",
    category: str | None = None,
    origin_region: str | None = None,
    destination_region: str | None = None,
    n: int = 10,
    min_stock: int | None = None,
) -> pl.DataFrame:
    """The ``n`` largest corridors per lens and year, ranked by stock, change or growth rate.

    ``min_stock`` keeps corridors with at least that many migrants in the year and in the
    previous year of the edition (default: :data:`MIN_GROWTH_STOCK` when ranking by growth, so
    a handful of people that doubles does not top the list; none otherwise).

    ``category`` keeps one category (e.g. 'south-south') under each lens; ``origin_region`` /
    ``destination_region`` keep corridors whose end lies in a continent, UN sub-region, SDG region
    or UN DESA region of that name. Unknown origins are never ranked.
    """
    if by not in RANKINGS:
        raise LensError(f"rank by one of {', '.join(RANKINGS)}, not {by!r}")
    if category is not None and category not in CATEGORIES:
        raise LensError(f"category must be one of {', '.join(CATEGORIES)}")
    lens_list = _lenses(lenses)
    rank = RANKINGS[by]
    table = corridor_table(con, edition=edition, years=years, sex=check_sex(sex),
                           lenses=lens_list, detail=False)
    # "Other" origins (unknown; IMS 2015 Other North / South) are not corridors
    table = table.filter(~pl.col("origin").is_in(list(NOT_COUNTRY_NAMES)) & pl.col(rank).is_not_null())
    min_stock = min_stock_for(by, min_stock)
    if min_stock > 0:
        previous = pl.col("stock") - pl.col("change")
        table = table.filter((pl.col("stock") >= min_stock)
                             & (previous.is_null() | (previous >= min_stock)))
    places = query(con, "SELECT iso3, short_name AS name, continent, un_subregion, sdg_region, "
                        "ims_region FROM countries")
    for end, region in (("origin", origin_region), ("destination", destination_region)):
        if region:
            ends = places.rename({c: f"{end}_{c}" for c in places.columns})
            keep = ends.filter(_region_match(end, region))[f"{end}_iso3"]
            if keep.is_empty():
                raise NoDataError(
                    f"no country lies in a region called {region!r}; use a continent, UN "
                    "sub-region, SDG region or UN DESA region name, e.g. 'Africa' or "
                    "'Western Asia'")
            table = table.filter(pl.col(end).is_in(keep.implode()))
    table = table.sort(["year", rank, "origin", "destination"],
                       descending=[False, True, False, False])
    names = places.select("iso3", "name")
    frames = []
    for lens in lens_list:
        part = table.rename({f"category_{safe(lens.id)}": "category"})
        if category:
            part = part.filter(pl.col("category") == category)
        part = (
            part.group_by("year", maintain_order=True).head(n)
            .with_columns(pl.lit(lens.id).alias("lens"),
                          pl.int_range(1, pl.len() + 1).over("year").alias("rank"))
            .join(names.rename({"iso3": "origin", "name": "origin_name"}), on="origin",
                  how="left")
            .join(names.rename({"iso3": "destination", "name": "destination_name"}),
                  on="destination", how="left")
        )
        frames.append(part.select(
            "edition", "lens", "year", "sex", "rank", "origin", "origin_name", "destination",
            "destination_name", "stock", "change", "growth_rate", "female_share", "category",
            "contiguous",
        ))
    return pl.concat(frames) if frames else pl.DataFrame()
