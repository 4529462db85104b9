"""South-South summaries: the four categories per year and lens, intra-group (regional) shares,
the contiguity share and the top corridors. Each route calls ``corridors.analytics.regions``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from corridors.analytics import regions
from corridors.analytics.lenses import LensError, get_lens
from corridors.api import respond
from corridors.api.deps import (
    Con,
    EditionQ,
    FormatQ,
    LensQ,
    LimitQ,
    OffsetQ,
    SexQ,
    StoreDep,
    Unknown,
    YearQ,
    check_edition,
    selection,
)
from corridors.api.schemas import (
    CategoryPublic,
    ContiguityPublic,
    GroupSharePublic,
    Page,
    TopCorridorPublic,
)
from corridors.records.summaries import summary_frame

router = APIRouter(tags=["lenses and summaries"])

Grouping = Literal["continent", "sdg-region", "un-subregion", "un-region", "income", "rec"]
Category = Literal["south-south", "south-north", "north-south", "north-north"]
Ranking = Literal["stock", "change", "growth"]
RegionQ = Annotated[str | None, Query(max_length=60, pattern=r"^[A-Za-z ,\-'()]+$",
                                      description="Continent, UN sub-region, SDG or UN region.")]

WithinQ = Annotated[str | None, Query(
    max_length=60, pattern=r"^[A-Za-z0-9 ,\-'()]+$",
    description="Only corridors within a region (continent, UN sub-region, SDG or UN region) or a "
                "regional economic community (e.g. ECOWAS), both ends members that year.")]


def lens_sources(con, frame) -> list[dict]:
    """Sources of a lens-based answer: its edition's stock files and the income classification."""
    return respond.sources(con, respond.income_sources(con), respond.ids_in(frame, "edition"))


@router.get("/summary", response_model=Page[CategoryPublic],
            summary="Stock and share of South-South, South-North, North-South and North-North")
def summary(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
            year: YearQ = None, sex: SexQ = "total", edition: EditionQ = None,
            region: WithinQ = None, format: FormatQ = None) -> Response:
    """Four rows per year (all years of the edition when year is omitted). ``share`` is of the
    classified stock; unknown origins and unclassified countries are counted apart. With
    ``region``: only corridors within that region or community (both ends members that year; the
    twin of `corridors ssm summary --region`)."""
    edition = check_edition(store, con, edition)
    if region is not None:
        try:
            regions.region_members(con, region, list(selection(con, edition).years))
        except LensError as error:  # names nothing this store knows: 404, as an unknown country
            raise Unknown("region", region, str(error).split(": ", 1)[-1]) from None
    frame = summary_frame(store, con, lens, year, sex, edition, region)
    return respond.page(request, frame, lens_sources(con, frame), limit=1000, offset=0,
                        fmt=format, filename=f"summary-{lens}")


@router.get("/regions", response_model=Page[GroupSharePublic],
            summary="Intra-group shares of migrants, origin and destination views")
def regional_shares(request: Request, con: Con, store: StoreDep,
                    grouping: Grouping = "continent", year: YearQ = None, sex: SexQ = "total",
                    edition: EditionQ = None, limit: LimitQ = 1000, offset: OffsetQ = 0,
                    format: FormatQ = None) -> Response:
    """For each group: the share of its emigrants living in the group (origin view) and of its
    immigrants born in the group (destination view), per year."""
    edition = check_edition(store, con, edition)
    frame = store.memo(("regions", grouping, year, sex, edition), lambda: (
        regions.intra_group_shares(con, grouping, edition=edition, years=year, sex=sex)))
    return respond.page(request, frame, lens_sources(con, frame), limit=limit, offset=offset,
                        fmt=format, filename=f"regions-{grouping}")


@router.get("/contiguity", response_model=Page[ContiguityPublic],
            summary="Share of South-South stock between land neighbours")
def contiguity(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
               year: YearQ = None, sex: SexQ = "total", edition: EditionQ = None,
               format: FormatQ = None) -> Response:
    edition = check_edition(store, con, edition)
    frame = store.memo(("contiguity", lens, year, sex, edition), lambda: (
        regions.contiguity_share(con, lenses=get_lens(lens), edition=edition, years=year,
                                 sex=sex)))
    found = respond.sources(con, respond.income_sources(con), respond.ids_in(frame, "edition"),)
    found += [s for s in respond.sources(con, _contiguity_ids(con)) if s not in found]
    return respond.page(request, frame, found, limit=1000, offset=0, fmt=format,
                        filename=f"contiguity-{lens}")


def _contiguity_ids(con) -> tuple[str, ...]:
    return respond.table_sources(con, "contiguity")


@router.get("/top-corridors", response_model=Page[TopCorridorPublic],
            summary="The largest corridors by stock, change or growth")
def top(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
        year: YearQ = None, sex: SexQ = "total", edition: EditionQ = None,
        category: Category | None = None, by: Ranking = "stock",
        origin_region: RegionQ = None, destination_region: RegionQ = None,
        n: Annotated[int, Query(ge=1, le=100, description="Corridors per year, 1..100.")] = 10,
        limit: LimitQ = 1000, offset: OffsetQ = 0, format: FormatQ = None) -> Response:
    edition = check_edition(store, con, edition)
    key = ("top", lens, year, sex, edition, category, by, origin_region, destination_region, n)
    frame = store.memo(key, lambda: regions.top_corridors(
        con, lenses=get_lens(lens), edition=edition, years=year, sex=sex, by=by,
        category=category, origin_region=origin_region, destination_region=destination_region,
        n=n))
    return respond.page(request, frame, lens_sources(con, frame), limit=limit, offset=offset,
                        fmt=format, filename=f"top-corridors-{lens}")
