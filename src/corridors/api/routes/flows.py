"""Migration flows estimated from stocks, read from the store's ``flows`` table (saved by
``corridors build``: demographic accounting, men and women, every period of the edition).

Each route calls ``corridors.analytics.flows`` (``summaries.corridor`` for one corridor,
``lenses.lens_flows`` for the South-South summary), as ``corridors flows corridor`` and
``corridors flows lenses`` do. Nothing is estimated during a request: when the store holds no
saved flows, the answer says how to save them.
"""

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
    Invalid,
    LensQ,
    StoreDep,
    require_country,
)
from corridors.api.schemas import CorridorFlowsPublic, FlowCategoryPublic, Page
from corridors.records.flows import FlowSex, corridor_flows, flow_summary

router = APIRouter(tags=["flows"])

PeriodQ = Annotated[str | None, Query(max_length=9, pattern=r"^\d{4}-\d{4}$",
                                      description="A period such as 2015-2020 (default: all).")]















@router.get("/flows/summary", response_model=Page[FlowCategoryPublic],
            summary="South-South flows: flow totals and shares per category, period and sex")
def get_flow_summary(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
                     period: PeriodQ = None,
                     sex: Annotated[FlowSex, Query(description="both (men + women), male or "
                                                               "female.")] = "both",
                     edition: EditionQ = None, format: FormatQ = None) -> Response:
    """Six rows per period (south-south, south-north, north-south, north-north, unclassified,
    unknown-origin): ``share`` of all flows, ``classified_share`` of the four South/North
    categories. A flow takes its corridor's category in the period's start year."""
    record = flow_summary(store, con, lens, period, sex, edition)
    return respond.page(request, record["rows"], record["sources"], limit=1000, offset=0,
                        fmt=format, filename=f"flows-summary-{lens}")


@router.get("/flows/{origin}/{destination}", response_model=CorridorFlowsPublic,
            summary="Estimated flows along a corridor, both ways, per period and sex")
def get_corridor_flows(request: Request, con: Con, store: StoreDep, origin: CodeP,
                       destination: CodeP,
                       sex: Annotated[FlowSex, Query(description="both (men and women rows), "
                                                                 "male or female.")] = "both",
                       edition: EditionQ = None, format: FormatQ = None) -> Response:
    """Per period and sex: ``flow`` (origin to destination), ``reverse_flow`` and ``net`` (flow
    minus reverse flow), persons. The method and its settings are named. CSV gives the rows."""
    known = known_countries(con)
    o = require_country(con, known, "origin", origin)
    d = require_country(con, known, "destination", destination)
    if o is None or d is None or o == d:
        raise Invalid("destination", destination, "two different countries")
    record = corridor_flows(store, con, o, d, edition, sex)
    found = record.pop("sources")
    return respond.one(request, record, found, fmt=format, filename=f"flows-{o}-{d}",
                       table=record["flows"])
