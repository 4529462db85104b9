"""Lenses: the named, cited definitions of "South" every South-South figure is computed under."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from corridors.analytics.lenses import available_lenses, get_lens
from corridors.analytics.thresholds import lens_thresholds
from corridors.api import respond
from corridors.api.deps import Con, FormatQ, StoreDep, selection
from corridors.api.schemas import LensPublic, Page, ThresholdPublic

router = APIRouter(tags=["lenses and summaries"])


@router.get("/lenses", response_model=Page[LensPublic], summary="Definitions of 'South'")
def list_lenses(request: Request, con: Con, format: FormatQ = None) -> Response:
    rows = [lens.describe() | {"note": lens.note} for lens in available_lenses().values()]
    found = respond.sources(con, respond.income_sources(con))
    return respond.page(request, rows, found, limit=len(rows) or 1, offset=0, fmt=format,
                        filename="lenses")


ThresholdLensQ = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9\-]+$",
                                             description="One lens (default: every lens).")]
ThresholdYearQ = Annotated[list[int] | None, Query(
    max_length=100, description="Year(s) (default: every year of the newest edition).")]


@router.get("/lenses/thresholds", response_model=Page[ThresholdPublic],
            summary="The World Bank income thresholds behind each lens, year by year")
def lens_thresholds_route(request: Request, con: Con, store: StoreDep, lens: ThresholdLensQ = None,
                          year: ThresholdYearQ = None, format: FormatQ = None) -> Response:
    """The GNI per capita thresholds (US$, Atlas method) behind each lens per year: the data year
    and fiscal year used, the low / lower-middle / upper-middle ceilings, and up to which GNI per
    capita a country counts as South (the twin of `corridors lenses thresholds`)."""
    chosen = [get_lens(lens)] if lens else list(available_lenses().values())
    years = [y for y in year if 1950 <= y <= 2100] if year else list(selection(con).years)
    frame = store.memo(("thresholds", lens, tuple(years)), lambda: lens_thresholds(con, chosen, years))
    found = respond.sources(con, respond.income_sources(con))
    return respond.page(request, frame, found, limit=max(frame.height, 1), offset=0, fmt=format,
                        filename="lens-thresholds")
