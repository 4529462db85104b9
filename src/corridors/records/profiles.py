"""Country and corridor profile records, as the API's /countries/{code}/profile and /corridors/{o}/{d}
and the dashboard's country and corridor pages serve them.
"""

from __future__ import annotations

from typing import Any

from corridors.analytics.lenses import get_lens
from corridors.analytics.profiles import (
    EditionFacts,
    corridor_profile,
    country_profile,
    edition_facts,
)
from corridors.api import respond
from corridors.api.deps import (
    lookup,
    selection,
)

MAX_TOP = 300


def with_sources(con, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's own sources plus the income classification its lens uses."""
    found = list(record.pop("sources", []) or [])
    ids = {s["source_id"] for s in found}
    found += [s for s in respond.sources(con, respond.income_sources(con))
              if s["source_id"] not in ids]
    return found


def facts_of(con, edition: str | None) -> EditionFacts:
    """The edition's facts and the provenance rows of its stock (what every profile of it reads
    first), read once per store file."""
    return lookup(con, ("edition-facts", edition),
                  lambda: edition_facts(con, edition).with_sources(con))


def country_record(store, con, iso3: str, year: int | None, lens: str, edition: str | None,
                   top: int) -> dict[str, Any]:
    """The country profile as a JSON-ready dict with the ``top`` origins and destinations. Computed
    once per country, year, lens and edition with every origin and destination (the page's map
    needs them all) and memoised per store file."""
    chosen = selection(con, edition)
    edition = chosen.edition
    year = year if year is not None else chosen.year
    full = store.memo(("country-profile", iso3, year, lens, edition), lambda: (
        country_profile(con, iso3, edition=edition, year=year, lens=get_lens(lens),
                        top=MAX_TOP, facts=facts_of(con, edition)).to_dict()))
    return {**full, "top_origins": full["top_origins"][:top],
            "top_destinations": full["top_destinations"][:top]}


def corridor_record(store, con, origin: str, destination: str,
                    edition: str | None) -> dict[str, Any]:
    return store.memo(("corridor-profile", origin, destination, edition), lambda: (
        corridor_profile(con, origin, destination, edition=edition,
                         facts=facts_of(con, edition)).to_dict()))
