"""Lenses: the named, cited definitions of "South" every South-South figure is computed under."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from corridors.analytics.lenses import available_lenses
from corridors.api import respond
from corridors.api.deps import Con, FormatQ
from corridors.api.schemas import LensPublic, Page

router = APIRouter(tags=["lenses and summaries"])


@router.get("/lenses", response_model=Page[LensPublic], summary="Definitions of 'South'")
def list_lenses(request: Request, con: Con, format: FormatQ = None) -> Response:
    rows = [lens.describe() | {"note": lens.note} for lens in available_lenses().values()]
    found = respond.sources(con, respond.income_sources(con))
    return respond.page(request, rows, found, limit=len(rows) or 1, offset=0, fmt=format,
                        filename="lenses")
