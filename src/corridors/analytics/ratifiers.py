"""Ratifiers of an instrument counted by lens category: how many of the countries with a
ratification on record count as South, North or unclassified under a lens in a year (the
background paper: "over half of C097 ratifiers are in the South").

A country counts as South by the lens's **origin** rule (the countries whose emigrants make a
corridor South–South; for the symmetric built-in lenses the same as the destination rule), or by
its destination rule with ``role="destination"`` (gfmd-2018 adds the emerging hubs there), with
the World Bank classification of that year (:func:`corridors.analytics.lenses.lens_roles`).
Every answer carries the list's completeness: counts from an incomplete list are lower bounds.

It lives in ``analytics`` (not ``corridors.governance``) because it puts a governance list under an
analytics lens; governance imports nothing from analytics (see :mod:`corridors.analytics.scorecard`).
"""

from __future__ import annotations

from typing import Literal

import duckdb
import polars as pl

from corridors.analytics.lenses import Lens, lens_roles
from corridors.errors import InputError
from corridors.governance.instruments import instruments, normalise_id
from corridors.governance.ratifications import Ratifications

GROUPS = ("south", "north", "unclassified")


def ratifiers_by_category(con: duckdb.DuckDBPyConnection, data: Ratifications, instrument: str,
                          lens: Lens, year: int,
                          role: Literal["origin", "destination"] = "origin") -> pl.DataFrame:
    """One row per group (south, north, unclassified): instrument, lens, year, role, group,
    ratifiers, share (of the classified ratifiers, 0..1), countries (ISO3 list), known,
    list_complete, coverage."""
    key = normalise_id(instrument)
    if key not in instruments():
        raise InputError.one("instrument", "one of " + ", ".join(instruments()),
                             value=instrument)
    if role not in ("origin", "destination"):
        raise InputError.one("role", "origin or destination", value=role)
    parties = data.parties(key)
    roles = lens_roles(con, [lens], [year])
    flag = dict(zip(roles["iso3"].to_list(), roles[f"south_{role}"].to_list(), strict=True))
    groups: dict[str, list[str]] = {g: [] for g in GROUPS}
    for iso3 in parties:
        south = flag.get(iso3)
        groups["unclassified" if south is None else "south" if south else "north"].append(iso3)
    classified = len(groups["south"]) + len(groups["north"])
    cov = data.coverage[key]
    return pl.DataFrame([{
        "instrument": key, "lens": lens.id, "year": year, "role": role, "group": group,
        "ratifiers": len(members),
        "share": (len(members) / classified if classified and group != "unclassified"
                  else None),
        "countries": sorted(members), "known": cov.known, "list_complete": cov.complete,
        "coverage": cov.text,
    } for group, members in groups.items()], schema_overrides={"share": pl.Float64})
