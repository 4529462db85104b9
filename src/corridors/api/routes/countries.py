"""Countries and groupings: the one country table with the groups each country belongs to."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from corridors.analytics import reference
from corridors.analytics.reference import known_countries
from corridors.api import respond
from corridors.api.deps import (
    CodeP,
    Con,
    FormatQ,
    LimitQ,
    OffsetQ,
    StoreDep,
    Unknown,
    YearQ,
    require_country,
    selection,
)
from corridors.api.schemas import CountryPublic, GroupPublic, Page, Provenanced

router = APIRouter(tags=["countries and groupings"])

Grouping = Literal["continent", "un-subregion", "sdg-region", "ims-region", "development",
                   "income", "rec"]


def _sources(con, *tables: str) -> list[dict]:
    ids: list[str] = []
    for table in tables:
        ids += respond.table_sources(con, table)
    return respond.sources(con, ids)


@router.get("/countries", response_model=Page[CountryPublic],
            summary="Countries and areas with their groupings")
def list_countries(
    request: Request, con: Con,
    q: Annotated[str | None, Query(max_length=60, description="Name fragment or ISO3.")] = None,
    limit: LimitQ = 300, offset: OffsetQ = 0, format: FormatQ = None,
) -> Response:
    rows = reference.countries(con, search=q)
    return respond.page(request, rows, _sources(con, "countries"), limit=limit, offset=offset,
                        fmt=format, filename="countries")


@router.get("/countries/{code}", response_model=CountryPublic,
            summary="One country: codes, names, groupings and income-group history")
def get_country(
    request: Request, con: Con, store: StoreDep,
    code: CodeP,
    format: FormatQ = None,
) -> Response:
    iso3 = require_country(con, known_countries(con), "code", code)
    record = reference.country(con, iso3)
    if record is None:  # not after require_country, which checks the same countries table
        raise Unknown("code", code, "a country in the store")
    record["income_groups"] = reference.income_history(con, iso3)
    return respond.one(request, record, _sources(con, "countries", "income_groups"), fmt=format,
                       filename=f"country-{iso3}")


@router.get("/groupings", response_model=Provenanced, summary="The groupings one can ask about")
def list_groupings(request: Request, con: Con, format: FormatQ = None) -> Response:
    table = [
        {"grouping": g, "needs_year": g in reference.TIMED_GROUPINGS} for g in reference.GROUPINGS
    ]
    return respond.one(request, {"groupings": table}, _sources(con, "countries"), fmt=format,
                       filename="groupings", table=table)


@router.get("/groupings/{grouping}", response_model=Page[GroupPublic],
            summary="The groups of a grouping and their member countries")
def get_grouping(
    request: Request, con: Con, grouping: Grouping,
    year: YearQ = None, limit: LimitQ = 100, offset: OffsetQ = 0, format: FormatQ = None,
) -> Response:
    if grouping in reference.TIMED_GROUPINGS and year is None:
        year = selection(con).year  # the default edition's latest year
    rows = reference.groups(con, grouping, year)
    tables = ("income_groups",) if grouping == "income" else ("countries",)
    return respond.page(request, rows, _sources(con, *tables), limit=limit, offset=offset,
                        fmt=format, filename=f"grouping-{grouping}")
