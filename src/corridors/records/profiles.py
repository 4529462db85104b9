"""Country and corridor profile records, as the API's /countries/{code}/profile and /corridors/{o}/{d}
and the dashboard's country and corridor pages serve them.
"""

from __future__ import annotations

from typing import Any

from corridors.analytics import reference
from corridors.analytics.facts import CorridorIndex, stored
from corridors.analytics.lenses import get_lens
from corridors.analytics.profiles import (
    CountryFacts,
    EditionFacts,
    corridor_profile,
    country_facts,
    country_profile,
    edition_facts,
)
from corridors.observatory import selection
from corridors.store import provenance
from corridors.store.lookups import lookup

MAX_TOP = 300


def with_sources(con, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's own sources plus the income classification its lens uses."""
    found = list(record.pop("sources", []) or [])
    ids = {s["source_id"] for s in found}
    found += [s for s in provenance.sources(con, reference.income_sources(con))
              if s["source_id"] not in ids]
    return found


def facts_of(con, edition: str | None) -> EditionFacts:
    """The edition's facts and the provenance rows of its stock (what every profile of it reads
    first), read once per store file."""
    return lookup(con, ("edition-facts", edition),
                  lambda: edition_facts(con, edition).with_sources(con))


def country_record(store, con, iso3: str, year: int | None, lens: str, edition: str | None,
                   top: int) -> dict[str, Any]:
    """The country profile as a JSON-ready dict with the ``top`` origins and destinations. The
    country's facts are read once per country, lens and edition (every year at once: a profile of
    another year needs no query) and the profile is computed once per year with every origin and
    destination (the page's map needs them all); both memoised per store file."""
    chosen = selection(con, edition)
    edition = chosen.edition
    year = year if year is not None else chosen.year
    facts = facts_of(con, edition)
    read = _country_facts(store, con, iso3, lens, facts)

    def profile() -> dict[str, Any]:
        return country_profile(con, iso3, year=year, lens=get_lens(lens), top=MAX_TOP,
                               facts=facts, read=read).to_dict()

    full = store.memo(("country-profile", iso3, year, lens, edition), profile)
    return {**full, "top_origins": full["top_origins"][:top],
            "top_destinations": full["top_destinations"][:top]}


def every_country_facts(store, con, facts: EditionFacts) -> dict[str, CountryFacts]:
    """Every country's profile facts in the edition under every built-in lens, read at once (one
    query) and kept per store file."""
    return store.memo(("country-facts", facts.edition), lambda: country_facts(con, facts=facts),
                      keep=True)


def _country_facts(store, con, iso3: str, lens: str, facts: EditionFacts) -> CountryFacts:
    """What the country's profiles read in the edition: under the built-in lenses, cut from
    :func:`every_country_facts` (prepared when the server starts:
    :mod:`corridors.records.prepare`); under a lens of the user's own, read for this country
    alone."""
    chosen = get_lens(lens)
    if stored(chosen):
        every = every_country_facts(store, con, facts)
        if iso3 in every:
            return every[iso3]
    return store.memo(("country-facts", iso3, lens, facts.edition), lambda: country_facts(
        con, [iso3], lenses=[chosen], facts=facts)[iso3])


def corridor_index(store, con) -> CorridorIndex:
    """Every corridor's facts held in memory, read once per store file (prepared when the server
    starts: :mod:`corridors.records.prepare`)."""
    return store.memo(("corridor-index",), lambda: CorridorIndex(con), keep=True)


def corridor_record(store, con, origin: str, destination: str,
                    edition: str | None) -> dict[str, Any]:
    index = corridor_index(store, con)
    return store.memo(("corridor-profile", origin, destination, edition), lambda: (
        corridor_profile(con, origin, destination, edition=edition,
                         facts=facts_of(con, edition), index=index).to_dict()))
