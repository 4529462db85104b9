"""Bilateral migrant stocks: the same filters as ``corridors stock``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from corridors.analytics.reference import known_countries
from corridors.analytics.stocks import stock
from corridors.api import respond
from corridors.api.deps import (
    CodeQ,
    Con,
    EditionQ,
    FormatQ,
    LimitQ,
    OffsetQ,
    SexQ,
    StoreDep,
    YearQ,
    check_country,
    check_edition,
)
from corridors.api.schemas import Page, StockPublic

router = APIRouter(tags=["stocks"])


@router.get("/stocks", response_model=Page[StockPublic],
            summary="International migrant stock by origin, destination, year and sex")
def list_stocks(
    request: Request, con: Con, store: StoreDep,
    origin: CodeQ = None, destination: CodeQ = None, year: YearQ = None, sex: SexQ = "total",
    edition: EditionQ = None, limit: LimitQ = 100, offset: OffsetQ = 0, format: FormatQ = None,
) -> Response:
    """Persons living in ``destination`` born in (or citizens of) ``origin``. An omitted origin
    or destination means all countries, summed; an omitted year means every year."""
    known = known_countries(con)
    origin = check_country(con, known, "origin", origin, allow_other=True)
    destination = check_country(con, known, "destination", destination)
    edition = check_edition(store, con, edition)
    frame = store.memo(("stocks", origin, destination, year, sex, edition), lambda: stock(
        con, origin=origin, destination=destination, year=year, sex=sex, edition=edition))
    found = respond.sources(con, respond.ids_in(frame, "source", "source_id"))
    return respond.page(request, frame, found, limit=limit, offset=offset, fmt=format,
                        filename="stocks")
