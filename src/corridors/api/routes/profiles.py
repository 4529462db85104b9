"""Country and corridor profiles: everything about one country, or one corridor, in one answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from corridors.analytics.reference import known_countries
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
    require_country,
)
from corridors.api.schemas import CorridorProfilePublic, CountryProfilePublic
from corridors.records.profiles import MAX_TOP, corridor_record, country_record, with_sources

router = APIRouter(tags=["profiles"])

TopQ = Annotated[int, Query(ge=1, le=MAX_TOP, description="Top origins/destinations listed.")]










@router.get("/countries/{code}/profile", response_model=CountryProfilePublic,
            summary="Country profile: immigrants, emigrants, South-South shares, trends")
def get_country_profile(request: Request, con: Con, store: StoreDep, code: CodeP,
                        year: YearQ = None, lens: LensQ = "wb-lmic", edition: EditionQ = None,
                        top: TopQ = 10, format: FormatQ = None) -> Response:
    """Immigrants and emigrants, shares of population, female shares, top origins and
    destinations, South-South shares under the lens, income-group history and the trend over every
    year of the edition. CSV gives the trend table."""
    iso3 = require_country(con, known_countries(con), "code", code)
    record = country_record(store, con, iso3, year, lens, check_edition(store, con, edition), top)
    found = with_sources(con, record)
    return respond.one(request, record, found, fmt=format, filename=f"profile-{iso3}",
                       table=record["trend"])


@router.get("/corridors/{origin}/{destination}", response_model=CorridorProfilePublic,
            summary="Corridor profile: trend by sex, both ends' groups, contiguity, communities")
def get_corridor_profile(request: Request, con: Con, store: StoreDep, origin: CodeP,
                         destination: CodeP, edition: EditionQ = None,
                         format: FormatQ = None) -> Response:
    known = known_countries(con)
    o = require_country(con, known, "origin", origin)
    d = require_country(con, known, "destination", destination)
    record = dict(corridor_record(store, con, o, d, check_edition(store, con, edition)))
    found = with_sources(con, record)
    return respond.one(request, record, found, fmt=format, filename=f"corridor-{o}-{d}",
                       table=record["trend"])
