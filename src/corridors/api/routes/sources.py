"""Sources and provenance: every publication in the store with edition, licence and checksum."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from corridors.analytics import reference
from corridors.api import respond
from corridors.api.deps import Con, FormatQ, LimitQ, OffsetQ
from corridors.api.schemas import Page, SourcePublic

router = APIRouter(tags=["sources and provenance"])


@router.get("/sources", response_model=Page[SourcePublic],
            summary="Every publication the store was built from")
def list_sources(request: Request, con: Con, limit: LimitQ = 100, offset: OffsetQ = 0,
                 format: FormatQ = None) -> Response:
    rows = reference.provenance(con)
    return respond.page(request, rows, rows, limit=limit, offset=offset, fmt=format,
                        filename="sources")
