"""Country and corridor profiles: everything about one country, or one corridor, in one answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from corridors.analytics.lenses import get_lens
from corridors.analytics.profiles import (
    EditionFacts,
    corridor_profile,
    country_profile,
    edition_facts,
)
from corridors.api import respond
from corridors.api.deps import (
    CodeP,
    Con,
    EditionQ,
    FormatQ,
    LensQ,
    StoreDep,
    YearQ,
    check_edition,
    edition_or_newest,
    lookup,
    require_country,
    years_of,
)
from corridors.api.schemas import CorridorProfilePublic, CountryProfilePublic

router = APIRouter(tags=["profiles"])

MAX_TOP = 300
TopQ = Annotated[int, Query(ge=1, le=MAX_TOP, description="Top origins/destinations listed.")]


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
    edition = edition_or_newest(con, edition)
    year = year if year is not None else years_of(con, edition)[-1]
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


@router.get("/countries/{code}/profile", response_model=CountryProfilePublic,
            summary="Country profile: immigrants, emigrants, South-South shares, trends")
def get_country_profile(request: Request, con: Con, store: StoreDep, code: CodeP,
                        year: YearQ = None, lens: LensQ = "wb-lmic", edition: EditionQ = None,
                        top: TopQ = 10, format: FormatQ = None) -> Response:
    """Immigrants and emigrants, shares of population, female shares, top origins and
    destinations, South-South shares under the lens, income-group history and the trend over every
    year of the edition. CSV gives the trend table."""
    iso3 = require_country(con, store.country_codes(con), "code", code)
    record = country_record(store, con, iso3, year, lens, check_edition(store, con, edition), top)
    found = with_sources(con, record)
    return respond.one(request, record, found, fmt=format, filename=f"profile-{iso3}",
                       table=record["trend"])


@router.get("/corridors/{origin}/{destination}", response_model=CorridorProfilePublic,
            summary="Corridor profile: trend by sex, both ends' groups, contiguity, communities")
def get_corridor_profile(request: Request, con: Con, store: StoreDep, origin: CodeP,
                         destination: CodeP, edition: EditionQ = None,
                         format: FormatQ = None) -> Response:
    known = store.country_codes(con)
    o = require_country(con, known, "origin", origin)
    d = require_country(con, known, "destination", destination)
    record = dict(corridor_record(store, con, o, d, check_edition(store, con, edition)))
    found = with_sources(con, record)
    return respond.one(request, record, found, fmt=format, filename=f"corridor-{o}-{d}",
                       table=record["trend"])
