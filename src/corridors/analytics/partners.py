"""A country's partners: every country it receives migrants from and sends migrants to, each
marked South or North under a lens, neighbour or not, and the communities both belong to.

This answers the two first questions a ministry asks of its country page:

- "What are the largest South–South corridors for my country?" (:attr:`Partners.top_south_south`
  both ways: immigrants from South origins into a South country, emigrants from a South country
  in South destinations);
- "How much of my immigration comes from neighbours, and from my communities?"
  (:attr:`Partners.neighbour_share` and :attr:`Partners.community_share`, per year in
  :attr:`Partners.trend`).

Every mark is read from the corridor fact table (``corridor_facts``, built with the store:
:mod:`corridors.analytics.facts`), never worked out again here: the category under the lens (the
stored column of a built-in lens; a custom lens gets the same category rule through
:func:`corridors.analytics.facts.categories`), land contiguity (``contiguous``) and the
communities both ends are full members of that year (``shared_recs``, built by the one membership
rule of :mod:`corridors.governance.communities`). Shares
are fractions (0..1) of all the country's immigrants (immigrants of unknown origin included, as
UN DESA's totals and the corridor table's ``destination_share``) or of all its emigrants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.analytics import facts
from corridors.analytics.editions import check_years, default_edition, edition_years, sex_for
from corridors.analytics.lenses import BUILTIN, CATEGORIES, Lens, query
from corridors.codes import OTHER_ORIGIN
from corridors.governance import communities


#: The two directions: the country's immigrants (partners are origins) and its emigrants
#: (partners are destinations); the categories in which the partner is the South end.
class Direction(TypedDict):
    end: str
    partner: str
    partner_south: tuple[str, ...]


DIRECTIONS: dict[str, Direction] = {
    "immigrants": {"end": "destination", "partner": "origin",
                   "partner_south": ("south-south", "south-north")},
    "emigrants": {"end": "origin", "partner": "destination",
                  "partner_south": ("south-south", "north-south")},
}

PARTNER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
                  "partner": pl.String, "name": pl.String, "stock": pl.Float64,
                  "share": pl.Float64, "female_share": pl.Float64, "category": pl.String,
                  "partner_south": pl.Boolean, "neighbour": pl.Boolean,
                  "communities": pl.List(pl.String)}


def _name(iso3: str) -> str:
    if iso3 == OTHER_ORIGIN:
        return "Other (unknown origin)"
    country = codes.countries().get(iso3)
    return country.short_name if country else iso3


@dataclass
class Partners:
    """One country's partners in one year of an edition, under one lens and sex."""

    iso3: str
    name: str
    edition: str
    year: int
    lens: str
    sex: str
    immigrants: float
    emigrants: float
    #: every origin of the country's immigrants / destination of its emigrants, largest first
    inbound: pl.DataFrame
    outbound: pl.DataFrame
    #: the communities the country is a full member of in the year, with the share of its
    #: immigrants born in (and of its emigrants living in) the other members
    communities: list[dict]
    #: share of immigrants / emigrants whose partner is a land neighbour, a community partner,
    #: or (of the classified stock) a South–South corridor
    neighbour_share: dict[str, float | None]
    community_share: dict[str, float | None]
    south_south_share: dict[str, float | None]
    female_share: dict[str, float | None]
    #: the same shares for every year of the edition
    trend: pl.DataFrame
    top: int = 10
    neighbours: list[str] = field(default_factory=list)

    def top_south_south(self, direction: str) -> pl.DataFrame:
        """The largest South–South corridors of the country in one direction."""
        frame = self.inbound if direction == "immigrants" else self.outbound
        return frame.filter(pl.col("category") == "south-south").head(self.top)

    def to_dict(self) -> dict:
        out = {k: v.to_dicts() if isinstance(v, pl.DataFrame) else v
               for k, v in self.__dict__.items()}
        out["top_south_south"] = {d: self.top_south_south(d).to_dicts() for d in DIRECTIONS}
        return out


#: What the partner picture reads of each of the country's corridor facts (plus ``category``,
#: the category under the lens).
FACT_COLUMNS = ("origin", "destination", "year", "sex", "stock", "female_share", "contiguous",
                "shared_recs")


def _facts(con: duckdb.DuckDBPyConnection, iso3: str, edition: str, years: list[int], lens: Lens,
           sexes: list[str]) -> pl.DataFrame:
    """The country's corridors both ways (a corridor from the country to itself is not a
    partner) in every year, for ``sexes``, from the fact table; largest first within a year and
    sex."""
    facts.require(con)
    with facts.categories(con, [lens], years) as (joins, (category,)):
        frame = query(con, f"""
            SELECT {', '.join(f'f.{c}' for c in FACT_COLUMNS)}, {category} AS category
            FROM {facts.FACTS} f{joins}
            WHERE f.edition = $edition AND list_contains($sexes, f.sex)
              AND (f.origin = $iso3 OR f.destination = $iso3) AND f.origin <> f.destination
        """, {"edition": edition, "sexes": sexes, "iso3": iso3})
    return frame.sort(["year", "sex", "stock", "origin", "destination"],
                      descending=[False, False, True, False, False])


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _shares(rows: pl.DataFrame, column: str) -> dict[str, float]:
    """Sums of one direction's rows: everything, neighbours, community partners, classified,
    South–South and women (over the rows that have a female share)."""
    classified = pl.col(column).is_in(list(CATEGORIES))
    sums = rows.select(
        pl.col("stock").sum().alias("all"),
        pl.col("stock").filter(pl.col("contiguous")).sum().alias("neighbours"),
        pl.col("stock").filter(pl.col("shared_recs").list.len() > 0).sum().alias("community"),
        pl.col("stock").filter(classified).sum().alias("classified"),
        pl.col("stock").filter(pl.col(column) == "south-south").sum().alias("south_south"),
    ).row(0, named=True)
    return {k: float(v or 0) for k, v in sums.items()}


def country_partners(
    con: duckdb.DuckDBPyConnection,
    iso3: str,
    *,
    edition: str | None = None,
    year: int | None = None,
    lens: Lens | None = None,
    sex: str = "total",
    top: int = 10,
) -> Partners:
    """The partners of ``iso3`` (an ISO3 code) in ``year`` (default: the edition's latest) under
    ``lens`` (default ``wb-lmic``), for ``sex`` (total, female or male)."""
    edition = default_edition(con, edition)
    years = edition_years(con, edition)
    year = check_years(con, edition, year, years)[0] if year is not None else years[-1]
    lens = lens or BUILTIN["wb-lmic"]
    sex = sex_for(con, edition, sex)
    column = "category"
    both = _facts(con, iso3, edition, years, lens, sorted({sex, "total"}))
    table = both.filter(pl.col("sex") == sex)
    # female share: of the rows with both sexes (sex total); for a sex, of that sex it is 1 or 0
    female = both.filter(pl.col("sex") == "total") if sex != "total" else table
    female_sums = {
        direction: female.filter(pl.col(spec["end"]) == iso3).group_by("year").agg(
            pl.col("stock").sum().alias("all"),
            (pl.col("stock") * pl.col("female_share")).sum().alias("women"),
            pl.col("female_share").is_not_null().any().alias("known"))
        for direction, spec in DIRECTIONS.items()
    }
    in_force = communities.memberships(con=con)
    frames: dict[str, pl.DataFrame] = {}
    trend: dict[int, dict] = {y: {"year": y} for y in years}
    headline: dict[str, dict[str, float | None]] = {
        "neighbour": {}, "community": {}, "south_south": {}, "female": {}}
    totals: dict[str, float] = {}
    for direction, spec in DIRECTIONS.items():
        rows = table.filter(pl.col(spec["end"]) == iso3)
        for (y,), part in rows.group_by("year"):
            sums = _shares(part, column)
            trend[y][f"{direction}"] = sums["all"]
            trend[y][f"{direction}_neighbour_share"] = _ratio(sums["neighbours"], sums["all"])
            trend[y][f"{direction}_community_share"] = _ratio(sums["community"], sums["all"])
            trend[y][f"{direction}_south_south_share"] = _ratio(sums["south_south"],
                                                                sums["classified"])
        for r in female_sums[direction].iter_rows(named=True):
            trend[r["year"]][f"{direction}_female_share"] = (
                _ratio(r["women"], r["all"]) if r["known"] else None)
        this_year = rows.filter(pl.col("year") == year)
        sums = _shares(this_year, column)
        totals[direction] = sums["all"]
        headline["neighbour"][direction] = _ratio(sums["neighbours"], sums["all"])
        headline["community"][direction] = _ratio(sums["community"], sums["all"])
        headline["south_south"][direction] = _ratio(sums["south_south"], sums["classified"])
        headline["female"][direction] = trend.get(year, {}).get(f"{direction}_female_share")
        frames[direction] = pl.DataFrame([
            {"partner": r[spec["partner"]], "name": _name(r[spec["partner"]]),
             "stock": r["stock"], "share": _ratio(r["stock"], sums["all"]),
             "female_share": r["female_share"], "category": r[column],
             "partner_south": (r[column] in spec["partner_south"]
                               if r[column] in CATEGORIES else None),
             "neighbour": r["contiguous"], "communities": list(r["shared_recs"] or [])}
            for r in this_year.sort(["stock", spec["partner"]], descending=[True, False])
            .iter_rows(named=True)], schema=PARTNER_SCHEMA)
    member_of = [m for m in communities.of_country(in_force, iso3, year) if m["full_member"]]
    shared = []
    for m in sorted(member_of, key=lambda m: m["rec_code"]):
        row = {"rec_code": m["rec_code"], "rec_name": m["rec_name"]}
        for direction in DIRECTIONS:
            frame = frames[direction]
            part = frame.filter(pl.col("communities").list.contains(m["rec_code"]))
            row[f"{direction}_share"] = _ratio(float(part["stock"].sum()), totals[direction])
            row[direction] = float(part["stock"].sum())
        shared.append(row)
    trend_frame = pl.DataFrame(
        [trend[y] for y in years],
        schema={"year": pl.Int32} | {
            f"{d}{suffix}": pl.Float64 for d in DIRECTIONS
            for suffix in ("", "_neighbour_share", "_community_share", "_south_south_share",
                           "_female_share")})
    neighbours = [r[0] for r in con.execute(
        "SELECT DISTINCT iso3_b FROM contiguity WHERE iso3_a = ? ORDER BY 1", [iso3]).fetchall()]
    return Partners(
        iso3=iso3, name=_name(iso3), edition=edition, year=year, lens=lens.id, sex=sex,
        immigrants=totals["immigrants"], emigrants=totals["emigrants"],
        inbound=frames["immigrants"], outbound=frames["emigrants"], communities=shared,
        neighbour_share=headline["neighbour"], community_share=headline["community"],
        south_south_share=headline["south_south"], female_share=headline["female"],
        trend=trend_frame, top=top, neighbours=neighbours)
