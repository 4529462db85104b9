"""Region and community profiles: one group of countries (a continent, an SDG region, a UN
sub-region, a UN DESA region, a World Bank income group or a regional economic community) over the
years of an edition.

A profile holds the group's members in a year (for a community: every recorded role with its
period), how many members it had each year, the intra-group shares of both views per year
(:func:`corridors.analytics.regions.intra_group_shares`: of the group's emigrants, the share living
in the group; of its immigrants, the share born in it), the largest corridors between members, and
for a community its free-movement instrument and how many members ratified each migrant-specific
instrument. Membership comes from :func:`corridors.analytics.regions.group_membership` (for a
community, the one membership rule of :mod:`corridors.governance.communities`).
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.analytics.choices import GROUPINGS
from corridors.analytics.corridors import (
    NoDataError,
    check_years,
    corridor_table,
    default_edition,
    edition_years,
    safe,
)
from corridors.analytics.lenses import BUILTIN, Lens, LensError
from corridors.analytics.regions import category_summary, group_membership, intra_group_shares, region_members
from corridors.errors import CorridorsError
from corridors.governance import communities

#: The groupings a profile page exists for (a custom grouping has no page): every grouping of
#: ``corridors ssm regions`` but ``custom``.
PROFILED = tuple(g for g in GROUPINGS if g != "custom")


def _name(iso3: str) -> str:
    country = codes.countries().get(iso3)
    return country.short_name if country else iso3


def group_index(con: duckdb.DuckDBPyConnection, year: int) -> list[dict[str, Any]]:
    """Every group of every profiled grouping in ``year``: grouping, group (its name),
    group_code and the number of member countries."""
    frames = [group_membership(con, g, [year]).select(
        pl.lit(g).alias("grouping"), "group", "group_code", "iso3") for g in PROFILED]
    return (pl.concat(frames).group_by("grouping", "group", "group_code", maintain_order=True)
            .agg(pl.col("iso3").n_unique().alias("countries"))
            .sort("grouping", "group").to_dicts())


def groups_of(con: duckdb.DuckDBPyConnection, iso3: str, year: int) -> list[dict[str, Any]]:
    """The groups ``iso3`` belongs to in ``year``, one per profiled grouping it has (several
    communities): grouping, group, group_code."""
    frames = [group_membership(con, g, [year]).filter(pl.col("iso3") == iso3).select(
        pl.lit(g).alias("grouping"), "group", "group_code") for g in PROFILED]
    return pl.concat(frames).unique(maintain_order=True).to_dicts()


def region_profile(
    con: duckdb.DuckDBPyConnection,
    grouping: str,
    code: str,
    *,
    edition: str | None = None,
    year: int | None = None,
    lens: Lens | None = None,
    sex: str = "total",
    top: int = 10,
    ratifications: Any = None,
    instruments: list[str] | None = None,
) -> dict[str, Any]:
    """The profile of the group ``code`` (its M49 code, income letter or community acronym, as
    ``group_code`` of :func:`group_membership`) of ``grouping`` in ``year`` (default: the
    edition's latest). ``ratifications``: a loaded
    :class:`~corridors.governance.ratifications.Ratifications` to count members'
    ratifications of ``instruments`` (default: the migrant-specific ones)."""
    if grouping not in PROFILED:
        raise LensError(f"unknown grouping {grouping!r}; use one of {', '.join(PROFILED)}")
    edition = default_edition(con, edition)
    years = edition_years(con, edition)
    year = check_years(con, edition, year, years)[0] if year is not None else years[-1]
    lens = lens or BUILTIN["wb-lmic"]
    membership = group_membership(con, grouping, years)
    wanted = code.upper() if grouping in ("rec", "income") else code
    mine = membership.filter(pl.col("group_code") == wanted)
    if mine.is_empty():
        known = sorted(set(membership["group_code"].drop_nulls()))
        raise NoDataError(f"no {grouping} group with code {code!r}; use one of "
                          + ", ".join(known))
    name = mine["group"][0]
    members_in_year = sorted(set(mine.filter(pl.col("year") == year)["iso3"]))
    count_by_year = {r[0]: r[1] for r in mine.group_by("year").agg(
        pl.col("iso3").n_unique()).rows()}
    shares = intra_group_shares(con, grouping, edition=edition, years=years, sex=sex).filter(
        pl.col("group_code") == wanted).drop("grouping").sort("year")
    column = f"category_{safe(lens.id)}"
    corridors = corridor_table(con, edition=edition, years=year, sex=sex, lenses=[lens],
                               detail=False)
    inside = (corridors.filter(pl.col("origin").is_in(members_in_year)
                               & pl.col("destination").is_in(members_in_year)
                               & (pl.col("origin") != pl.col("destination")))
              .sort(["stock", "origin", "destination"], descending=[True, False, False])
              .head(top))
    top_rows = [{"origin": r["origin"], "origin_name": _name(r["origin"]),
                 "destination": r["destination"], "destination_name": _name(r["destination"]),
                 "stock": r["stock"], "female_share": r["female_share"],
                 "category": r[column], "contiguous": r["contiguous"]}
                for r in inside.iter_rows(named=True)]
    members: list[dict[str, Any]]
    free_movement = None
    if grouping == "rec":
        rows = [m for m in communities.memberships(con=con) if m.rec_code == wanted]
        members = sorted(
            ({"iso3": m.iso3, "name": _name(m.iso3), "role": m.member_type, "since": m.since,
              "until": m.until, "since_known": m.since is not None,
              "full_member": m.full_member(year), "source_url": m.source_url}
             for m in rows),
            key=lambda r: (not r["full_member"], r["role"], r["name"]))
        movement = communities.free_movement().get(wanted)
        free_movement = communities.as_dict(movement) if movement else {"status": "unknown"}
    else:
        members = [{"iso3": iso3, "name": _name(iso3), "role": "member", "since": None,
                    "until": None, "since_known": False, "full_member": True,
                    "source_url": None} for iso3 in sorted(members_in_year, key=_name)]
    ratified = None
    if ratifications is not None and members_in_year:
        from corridors.governance.instruments import migrant_specific

        ratified = []
        for instrument in instruments or migrant_specific():
            statuses = [ratifications.status(iso3, instrument) for iso3 in members_in_year]
            ratified.append({
                "instrument": statuses[0]["instrument"], "title": statuses[0]["title"],
                "members": len(members_in_year),
                "in_force": sum(s["status"] == "in force" for s in statuses),
                "unknown": sum(s["status"] == "unknown" for s in statuses),
                "parties": [iso3 for iso3, s in zip(members_in_year, statuses, strict=True)
                            if s["status"] == "in force"],
                "list_complete": statuses[0]["list_complete"],
            })
    categories = None  # the category split of the corridors within the group (ssm summary --region)
    asked = wanted if grouping == "rec" else name
    try:
        if region_members(con, asked, [year])[0] == grouping:
            categories = category_summary(con, lenses=lens, edition=edition, years=year, sex=sex,
                                          region=asked).to_dicts()
    except CorridorsError:  # a group the summary cannot select by name (income groups)
        categories = None
    return {
        "grouping": grouping, "group_code": wanted, "group": name, "edition": edition,
        "year": year, "lens": lens.id, "sex": sex,
        "members": members, "member_count": len(members_in_year),
        "members_by_year": [{"year": y, "countries": count_by_year.get(y, 0)} for y in years],
        "shares": shares.to_dicts(),
        "top_corridors": top_rows,
        "free_movement": free_movement,
        "ratifications": ratified,
        "categories": categories,
    }
