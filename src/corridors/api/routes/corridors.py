"""The corridor table: every (origin, destination, year, sex) with shares, growth, categories."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from corridors.analytics.corridors import corridor_table
from corridors.analytics.lenses import BUILTIN
from corridors.analytics.reference import known_countries
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
from corridors.api.schemas import CorridorPublic, Page

router = APIRouter(tags=["corridors"])


@router.get("/corridors", response_model=Page[CorridorPublic],
            summary="The corridor table, filtered by origin, destination, year and sex")
def list_corridors(
    request: Request, con: Con, store: StoreDep,
    origin: CodeQ = None, destination: CodeQ = None, year: YearQ = None, sex: SexQ = "total",
    edition: EditionQ = None, limit: LimitQ = 100, offset: OffsetQ = 0, format: FormatQ = None,
) -> Response:
    """Each corridor's stock, its share of the origin's emigrants and of the destination's
    immigrants, change and growth since the previous year, female share, category under every
    built-in lens (``category_<lens>``), contiguity and shared regional communities."""
    known = known_countries(con)
    origin = check_country(con, known, "origin", origin, allow_other=True)
    destination = check_country(con, known, "destination", destination)
    edition = check_edition(store, con, edition)

    def compute():
        return corridor_table(con, edition=edition, years=year, sex=sex, origin=origin,
                              destination=destination, lenses=list(BUILTIN.values()))

    if origin is None and destination is None:  # the whole table: too big to keep in memory
        frame = compute()
    else:
        frame = store.memo(("corridors", origin, destination, year, sex, edition), compute)
    found = respond.sources(con, respond.income_sources(con), respond.ids_in(frame, "edition"))
    return respond.page(request, frame, found, limit=limit, offset=offset, fmt=format,
                        filename="corridors")
