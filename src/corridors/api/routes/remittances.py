"""Remittances and their cost, the twins of ``corridors remittances ...``: received, paid and as a
share of GDP; bilateral corridors and their categories under a lens; Remittance Prices Worldwide
costs (SDG 10.c.1); money lost to fees. **Origin is the sending country** (the migrants' host),
destination the receiving one. Each route calls ``corridors.analytics.remittances``; the response
models live here, beside the routes they describe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from corridors.analytics import remittances
from corridors.analytics.lenses import get_lens
from corridors.api import respond
from corridors.api.deps import Con, FormatQ, LensQ, LimitQ, OffsetQ, StoreDep
from corridors.api.schemas import Page

router = APIRouter(prefix="/remittances", tags=["remittances"])

DIRECTION = "Origin is the sending country (the migrants' host); destination the receiving one."
CountryQ = Annotated[str | None, Query(max_length=60, description="ISO3 (NPL), M49 or name.")]
MatrixYearQ = Annotated[int | None, Query(ge=2017, le=2018, description="Year of the bilateral "
                                          "matrix (2017 or 2018); omit for both.")]
PeriodQ = Annotated[str | None, Query(max_length=8, pattern=r"^(\d{4}[Qq][1-4]|latest)$",
                                      description="Quarter, e.g. 2020Q3, or latest; omit for all.")]
TopQ = Annotated[int | None, Query(ge=1, le=1000, description="Largest N corridors per year.")]


class CountryRemittancesPublic(BaseModel):
    """One country and year: WDI remittances and GDP, current US$ (null when not published)."""

    iso3: str
    year: int
    received_usd: float | None
    paid_usd: float | None
    gdp_usd: float | None
    received_share_gdp: float | None = Field(description="received / GDP, fraction 0..1.")
    sources: list[str] = Field(description="source_id of each figure in the row.")


class RemittanceCategoryPublic(BaseModel):
    """Bilateral remittances of one category under a lens in a year (US$)."""

    lens: str
    year: int
    category: str = Field(description="south-south | south-north | north-south | north-north, "
                                      "in the direction of the money (sender first).")
    value_usd: float
    share: float | None = Field(description="Fraction (0..1) of the classified total.")
    classified_total_usd: float
    unclassified_usd: float
    world_usd: float
    edition: str
    source_id: str


class RemittanceCorridorPublic(BaseModel):
    """One bilateral remittance corridor. origin = sending country."""

    year: int
    origin: str = Field(description="ISO3 of the sending country (the migrants' host).")
    destination: str = Field(description="ISO3 of the receiving country (the migrants' home).")
    value_usd: float
    category: str
    migrant_stock: float | None = Field(description="Migrants of destination living in origin.")
    stock_year: int = Field(description="IMS year nearest the remittance year.")
    stock_edition: str
    usd_per_migrant: float | None
    edition: str
    source_id: str


class RemittanceCostPublic(BaseModel):
    """Average total cost of sending USD 200 in a corridor and quarter, percent, as published."""

    origin: str = Field(description="ISO3 of the sending country.")
    destination: str
    period: str
    year: int
    quarter: int
    cost_pct: float
    cost_pct_500: float | None
    fx_margin_pct: float | None
    providers: int | None
    above_5_pct: bool
    edition: str
    source_id: str


class CostTargetPublic(BaseModel):
    """SDG 10.c.1 in one quarter."""

    period: str
    corridors: int
    average_cost_pct: float
    median_cost_pct: float
    corridors_above_5_pct: int
    share_above_5: float
    corridors_at_most_3_pct: int
    average_below_3_pct: bool
    no_corridor_above_5_pct: bool
    source_id: str


class FeePublic(BaseModel):
    """Money lost to fees in a corridor and year, estimated: value_usd * cost_pct / 100."""

    year: int
    origin: str
    destination: str
    category: str
    value_usd: float
    migrant_stock: float | None
    usd_per_migrant: float | None
    cost_pct: float
    cost_quarters: int
    fees_usd: float
    fees_per_migrant_usd: float | None
    stock_year: int


def _found(con, frame, *extra: str) -> list[dict]:
    ids = set(extra)
    if "source_id" in frame.columns:
        ids |= set(frame["source_id"].unique().to_list())
    if "sources" in frame.columns:
        ids |= {s for row in frame["sources"].to_list() for s in row}
    return respond.sources(con, sorted(ids))


@router.get("/country/{code}", response_model=Page[CountryRemittancesPublic],
            summary="Remittances received and paid, GDP and received as a share of GDP")
def country(request: Request, con: Con, store: StoreDep,
            code: Annotated[str, Path(max_length=60, description="ISO3, M49 or name.")],
            year: Annotated[int | None, Query(ge=1960, le=2100)] = None,
            format: FormatQ = None) -> Response:
    """One row per year with either flow published; gaps are null, never zero."""
    frame = store.memo(("remittances-country", code, year),
                       lambda: remittances.country_remittances(con, code, year))
    return respond.page(request, frame, _found(con, frame), limit=1000, offset=0, fmt=format,
                        filename=f"remittances-{code}")


@router.get("/summary", response_model=Page[RemittanceCategoryPublic],
            summary="Bilateral remittances by category under a lens")
def summary(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
            year: MatrixYearQ = None, format: FormatQ = None) -> Response:
    """Four rows per year, categories in the direction of the money. Origin is the sending
    country (the migrants' host); destination the receiving one."""
    frame = store.memo(("remittances-summary", lens, year), lambda: remittances.remittance_summary(
        con, lenses=[get_lens(lens)], years=year))
    found = _found(con, frame, *respond.income_sources(con))
    return respond.page(request, frame, found, limit=1000, offset=0, fmt=format,
                        filename=f"remittances-summary-{lens}")


@router.get("/corridors", response_model=Page[RemittanceCorridorPublic],
            summary="Bilateral remittance corridors, largest first")
def corridors(request: Request, con: Con, store: StoreDep, origin: CountryQ = None,
              destination: CountryQ = None, year: MatrixYearQ = None, lens: LensQ = "wb-lmic",
              top: TopQ = None, limit: LimitQ = 1000, offset: OffsetQ = 0,
              format: FormatQ = None) -> Response:
    frame = store.memo(("remittances-corridors", origin, destination, year, lens, top),
                       lambda: remittances.remittance_corridors(
                           con, lens=get_lens(lens), years=year, origin=origin,
                           destination=destination, limit=top))
    return respond.page(request, frame, _found(con, frame), limit=limit, offset=offset,
                        fmt=format, filename="remittance-corridors")


@router.get("/costs", response_model=Page[RemittanceCostPublic],
            summary="Cost of sending USD 200 per corridor and quarter (SDG 10.c.1)")
def costs(request: Request, con: Con, store: StoreDep, origin: CountryQ = None,
          destination: CountryQ = None, period: PeriodQ = None, limit: LimitQ = 1000,
          offset: OffsetQ = 0, format: FormatQ = None) -> Response:
    frame = store.memo(("remittances-costs", origin, destination, period),
                       lambda: remittances.remittance_costs(con, origin=origin,
                                                            destination=destination,
                                                            period=period))
    return respond.page(request, frame, _found(con, frame), limit=limit, offset=offset,
                        fmt=format, filename="remittance-costs")


@router.get("/sdg", response_model=Page[CostTargetPublic],
            summary="SDG 10.c.1 per quarter: average cost and corridors above 5 %")
def sdg(request: Request, con: Con, store: StoreDep, period: PeriodQ = None,
        format: FormatQ = None) -> Response:
    frame = store.memo(("remittances-sdg", period), lambda: remittances.cost_targets(con, period))
    return respond.page(request, frame, _found(con, frame), limit=1000, offset=0, fmt=format,
                        filename="remittance-sdg")


@router.get("/fees", response_model=Page[FeePublic],
            summary="Money lost to fees per corridor and year (estimated)")
def fees(request: Request, con: Con, store: StoreDep, origin: CountryQ = None,
         destination: CountryQ = None, year: MatrixYearQ = None, lens: LensQ = "wb-lmic",
         top: TopQ = None, limit: LimitQ = 1000, offset: OffsetQ = 0,
         format: FormatQ = None) -> Response:
    """fees_usd = value_usd * cost_pct / 100 (KNOMAD volume, RPW cost of USD 200)."""
    frame = store.memo(("remittances-fees", origin, destination, year, lens, top),
                       lambda: remittances.remittance_fees(
                           con, lens=get_lens(lens), years=year, origin=origin,
                           destination=destination, limit=top))
    found = _found(con, frame, "wb-rpw-databank", "wb-rpw-filtered",
                   "wb-bilateral-remittances-2017", "wb-bilateral-remittances-2018-csv")
    return respond.page(request, frame, found, limit=limit, offset=offset, fmt=format,
                        filename="remittance-fees")
