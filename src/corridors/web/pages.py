"""Page routes: each page is HTML at ``/<page>`` and the same data as JSON at ``/<page>.json``.

State is in the URL (``?year=2020&lens=wb-lmic``), so every view can be shared as a link.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import URL

import corridors.languages as languages
import corridors.names as place_names
from corridors.analytics import reference
from corridors.analytics.reference import known_countries
from corridors.api import respond
from corridors.api.deps import (
    CodeQ,
    Con,
    EditionQ,
    LimitQ,
    OffsetQ,
    SexQ,
    StoreDep,
    YearQ,
    check_country,
    check_edition,
    require_country,
)
from corridors.languages import gettext as _
from corridors.web import views
from corridors.web.render import _href, _json, _render, render_error, templates

router = APIRouter(include_in_schema=False)

LensPage = Annotated[str, Query(max_length=40, pattern=r"^[a-z0-9\-]+$")]


def _country_link(year: int, lens: str):
    return lambda iso3: languages.keep(f"/country/{iso3}?year={year}&lens={lens}")


# --- overview ----------------------------------------------------------------------------------

def _overview(request: Request, con, store, year, lens, edition) -> dict[str, Any]:
    return views.overview(store, con, year=year, lens=lens,
                          edition=check_edition(store, con, edition))


@router.get("/overview.json")
def overview_json(request: Request, con: Con, store: StoreDep, year: YearQ = None,
                  lens: LensPage = "wb-lmic", edition: EditionQ = None) -> Response:
    return _json(_overview(request, con, store, year, lens, edition))


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, con: Con, store: StoreDep, year: YearQ = None,
                  lens: LensPage = "wb-lmic", edition: EditionQ = None) -> Response:
    data = _overview(request, con, store, year, lens, edition)
    extra = {"controls": views.controls(store, con, data["edition"], data["year"], lens),
             "country_link": _country_link(data["year"], lens)}
    return _render(request, "overview.html", data, title=_("The South–South picture"),
                   json_path="/overview.json", extra=extra)


# --- map outlines and embedded charts ----------------------------------------------------------

@router.get("/geo/world.svg")
def world_outlines(v: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Every country outline in one SVG file (the maps ``<use>`` them); its address carries the
    outlines' version, so browsers keep it for a year and fetch it once."""
    from corridors.web import geometry

    cache = "public, max-age=31536000, immutable" if v == geometry.world_version() else \
        "public, max-age=3600"
    return Response(geometry.world_svg(), media_type="image/svg+xml",
                    headers={"Cache-Control": cache})


ChartId = Annotated[str, Query(max_length=80, pattern=r"^[a-z0-9\-]+$")]
_Param = Annotated[str | None, Query(max_length=60)]


@router.get("/embed/{page:path}", response_class=HTMLResponse)
async def embed_chart(request: Request, page: str, chart: ChartId, year: _Param = None,
                      lens: _Param = None, sex: _Param = None, edition: _Param = None,
                      view: _Param = None) -> Response:
    """One chart of a page alone, for an ``<iframe>`` on another site: the page is drawn as
    usual (same query, same language) and only the figure ``chart`` is kept."""
    import re

    query = [(k, v) for k, v in request.query_params.multi_items() if k != "chart"]
    status, body = await _inner_get(request, "/" + page, query)
    if status != 200:
        return render_error(request, status if status in (404, 422, 503) else 500,
                            f"/{page} answered {status}")
    found = re.search(r'<figure class="chart[^"]*" id="' + re.escape(chart) + r'".*?</figure>',
                      body, re.S)
    if found is None:
        return render_error(request, 404, f"/{page} has no chart {chart!r}")
    title = re.search(r'<strong class="chart-title">(.*?)</strong>', found.group(0), re.S)
    return templates.TemplateResponse(request, "embed.html", {
        "request": request, "figure": found.group(0), "title": title.group(1) if title else "",
        "page_url": str(URL("/" + page).include_query_params(**dict(query))) + "#" + chart})


async def _inner_get(request: Request, path: str, query: list[tuple[str, str]]) -> tuple[int, str]:
    """GET another page of this app in-process (through its middleware: cache, language)."""
    from urllib.parse import urlencode

    headers = [(k, v) for k, v in request.scope["headers"]
               if k.lower() in (b"accept-language", b"host")]
    scope = {"type": "http", "asgi": request.scope.get("asgi", {"version": "3.0"}),
             "http_version": "1.1", "method": "GET", "scheme": request.url.scheme,
             "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": urlencode(query).encode(), "headers": headers,
             "client": request.scope.get("client"), "server": request.scope.get("server")}
    status, chunks = 500, []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await request.app(scope, receive, send)
    return status, b"".join(chunks).decode("utf-8", "replace")


# --- sources and methods -----------------------------------------------------------------------

@router.get("/sources.json")
def sources_json(con: Con) -> Response:
    return _json(views.sources_page(con))


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, con: Con) -> Response:
    return _render(request, "sources.html", views.sources_page(con), title=_("Sources and licences"),
                   json_path="/sources.json")


@router.get("/methods.json")
def methods_json(con: Con, store: StoreDep) -> Response:
    return _json(views.methods_page(con, store))


@router.get("/methods", response_class=HTMLResponse)
def methods_page(request: Request, con: Con, store: StoreDep) -> Response:
    return _render(request, "methods.html", views.methods_page(con, store), title=_("Methods"),
                   json_path="/methods.json")


# --- data explorer -----------------------------------------------------------------------------

#: The explorer's year: a year, ``all`` (every year of the edition) or nothing (the latest).
ExploreYearQ = Annotated[str | None, Query(max_length=4, pattern=r"^(\d{4}|all)?$")]
CategoryQ = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z\-]*$")]
NeighbourQ = Annotated[str | None, Query(max_length=3, pattern=r"^(yes|no)?$")]
CommunityQ = Annotated[str | None, Query(max_length=12, pattern=r"^[A-Za-z\-]*$")]
SortQ = Annotated[str, Query(max_length=20, pattern=r"^[a-z_]+$")]


def _explore(con, store, origin, destination, year, sex, edition, limit, offset, lens="wb-lmic",
             category=None, neighbour=None, community=None, sort="stock"):
    known = known_countries(con)
    return views.explore(
        store, con, origin=check_country(con, known, "origin", origin, allow_other=True),
        destination=check_country(con, known, "destination", destination),
        year=int(year) if year and year != "all" else None, all_years=year == "all", sex=sex,
        edition=check_edition(store, con, edition), limit=limit, offset=offset, lens=lens,
        category=category or None, neighbour={"yes": True, "no": False}.get(neighbour or ""),
        community=(community or "").upper() or None, sort=sort)


def _explore_query(data: dict[str, Any]) -> dict[str, Any]:
    """The explorer's state as a query string (what links and downloads keep)."""
    query = {"origin": data["origin"], "destination": data["destination"],
             "year": data["year"] if data["year"] is not None else "all", "sex": data["sex"],
             "edition": data["edition"], "lens": data["lens"], "category": data["category"],
             "neighbour": {True: "yes", False: "no"}.get(data["neighbour"]),
             "community": data["community"], "sort": data["sort"]}
    return {k: v for k, v in query.items() if v is not None}


@router.get("/explore.json")
def explore_json(con: Con, store: StoreDep, origin: CodeQ = None, destination: CodeQ = None,
                 year: ExploreYearQ = None, sex: SexQ = "total", edition: EditionQ = None,
                 limit: LimitQ = 100, offset: OffsetQ = 0, lens: LensPage = "wb-lmic",
                 category: CategoryQ = None, neighbour: NeighbourQ = None,
                 community: CommunityQ = None, sort: SortQ = "stock") -> Response:
    return _json(_explore(con, store, origin, destination, year, sex, edition, limit, offset,
                          lens, category, neighbour, community, sort))


@router.get("/explore.xlsx")
def explore_xlsx(con: Con, store: StoreDep, origin: CodeQ = None, destination: CodeQ = None,
                 year: ExploreYearQ = None, sex: SexQ = "total", edition: EditionQ = None,
                 lens: LensPage = "wb-lmic", category: CategoryQ = None,
                 neighbour: NeighbourQ = None, community: CommunityQ = None,
                 sort: SortQ = "stock") -> Response:
    """The filtered corridor table as an Excel workbook with a sources-and-licences sheet."""
    from corridors.web.excel import cached, workbook

    data = _explore(con, store, origin, destination, year, sex, edition, 1_000_000, 0, lens,
                    category, neighbour, community, sort)
    # what the workbook holds: the selection, resolved, and the files its figures come from
    key = (tuple(sorted(_explore_query(data).items())),
           tuple((s["source_id"], s["sha256"]) for s in data["sources"]))
    return Response(
        cached(key, lambda: workbook(data["rows"], data["sources"])),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="corridors.xlsx"'})


@router.get("/explore.csv")
def explore_csv(con: Con, store: StoreDep, origin: CodeQ = None, destination: CodeQ = None,
                year: ExploreYearQ = None, sex: SexQ = "total", edition: EditionQ = None,
                lens: LensPage = "wb-lmic", category: CategoryQ = None,
                neighbour: NeighbourQ = None, community: CommunityQ = None,
                sort: SortQ = "stock") -> Response:
    """The whole filtered corridor table as CSV (every page), sources in a header."""
    data = _explore(con, store, origin, destination, year, sex, edition, 1_000_000, 0, lens,
                    category, neighbour, community, sort)
    rows = [{k: v for k, v in r.items() if not k.endswith("_name")} for r in data["rows"]]
    return respond.csv_response(rows, data["sources"], "corridors")


@router.get("/explore", response_class=HTMLResponse)
def explore_page(request: Request, con: Con, store: StoreDep, origin: CodeQ = None,
                 destination: CodeQ = None, year: ExploreYearQ = None, sex: SexQ = "total",
                 edition: EditionQ = None, limit: LimitQ = 100,
                 offset: OffsetQ = 0, lens: LensPage = "wb-lmic", category: CategoryQ = None,
                 neighbour: NeighbourQ = None, community: CommunityQ = None,
                 sort: SortQ = "stock") -> Response:
    from corridors.analytics import corridor_filters
    from corridors.governance import communities

    data = _explore(con, store, origin, destination, year, sex, edition, limit, offset, lens,
                    category, neighbour, community, sort)
    query = _explore_query(data)
    api_query = {k: v for k, v in query.items() if k in ("origin", "destination", "sex",
                                                          "edition")}
    if data["year"] is not None:
        api_query["year"] = data["year"]
    extra = {
        "controls": views.controls(store, con, data["edition"], data["year"], lens, sex=sex),
        "query": query,
        "csv_url": str(URL("/explore.csv").include_query_params(**query)),
        "api_url": str(URL("/api/v1/corridors").include_query_params(**api_query)),
        "stocks_csv_url": str(URL("/api/v1/stocks").include_query_params(
            **api_query, format="csv", limit=1000)),
        "xlsx_url": str(URL("/explore.xlsx").include_query_params(**query)),
        "country_names": reference.names(con),
        "categories": corridor_filters.ALL_CATEGORIES,
        "sorts": list(corridor_filters.SORTS),
        "communities": communities.communities(communities.memberships(con=con)),
    }
    return _render(request, "explore.html", data, title=languages.gettext("Data explorer"),
                   json_path="/explore.json", extra=extra)


# --- country jump ------------------------------------------------------------------------------

JumpQ = Annotated[str | None, Query(max_length=60)]


@router.get("/country")
def country_jump(request: Request, con: Con, store: StoreDep, code: JumpQ = None,
                 year: YearQ = None,
                 lens: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9\-]+$")] = None,
                 edition: EditionQ = None) -> Response:
    """The country box in the header: any code or name (accents, short and common names) -> the
    country's page, keeping the year, lens and edition the box was sent with; a name it does not
    know -> a page of the closest names (typos) to pick from."""
    from corridors.web import names as name_views

    language = languages.current()
    params = {k: v for k, v in {"year": year, "lens": lens, "edition": edition,
                                "lang": language if language != languages.DEFAULT else None,
                                }.items() if v is not None}
    known = known_countries(con)
    found = name_views.find(code or "", known)
    if found["iso3"] is not None:
        return RedirectResponse(str(URL(f"/country/{found['iso3']}").include_query_params(
            **params)), status_code=303)
    if not (code or "").strip():
        return RedirectResponse("/", status_code=303)
    data = {"page": "find", "sources": [], **found}
    return _render(request, "find.html", data, title=languages.gettext("Find a country"),
                   json_path=None, extra={"params": params})


@router.get("/country-names.json")
def country_names_json(con: Con, store: StoreDep) -> Response:
    """Every name people may type for each country of the store (for the country box's
    suggestions): [[name, iso3], ...], with the names in the page's language (``?lang=``). The
    same for every page of a language, so browsers keep it."""
    from corridors.web import names as name_views

    body = respond.to_json({"names": name_views.choices(known_countries(con),
                                                        languages.current())})
    return Response(body, media_type="application/json",
                    headers={"Cache-Control": "public, max-age=86400"})


# --- country and corridor profiles -------------------------------------------------------------

MapView = Annotated[str, Query(pattern=r"^(origins|destinations)$")]


def _country(con, store, code, year, lens, edition) -> dict[str, Any]:
    iso3 = require_country(con, known_countries(con), "code", code)  # a profile is of one country
    return views.country(store, con, iso3, year=year, lens=lens,
                         edition=check_edition(store, con, edition))


@router.get("/country/{code}.json")
def country_json(con: Con, store: StoreDep, code: str, year: YearQ = None,
                 lens: LensPage = "wb-lmic", edition: EditionQ = None) -> Response:
    return _json(_country(con, store, code, year, lens, edition))


@router.get("/country/{code}", response_class=HTMLResponse)
def country_page(request: Request, con: Con, store: StoreDep, code: str, year: YearQ = None,
                 lens: LensPage = "wb-lmic", edition: EditionQ = None,
                 view: MapView = "origins") -> Response:
    data = _country(con, store, code, year, lens, edition)
    extra = {
        "controls": views.controls(store, con, data["edition"], data["year"], lens,
                                   hidden={"view": view}),
        "view": view, "country_link": _country_link(data["year"], lens),
        "names": reference.names(con),
        "keep": _keep(data["year"], lens, data["edition"]),
    }
    title = languages.gettext("{name}: country profile").format(
        name=place_names.country(data["iso3"], data["name"]))
    return _render(request, "country.html", data, title=title,
                   json_path=f"/country/{data['iso3']}.json", extra=extra)


def _corridor(con, store, origin, destination, edition, year=None, sex="total", lens="wb-lmic"):
    known = known_countries(con)
    return views.corridor(store, con, require_country(con, known, "origin", origin),
                          require_country(con, known, "destination", destination),
                          edition=check_edition(store, con, edition), year=year, sex=sex,
                          lens=lens)


@router.get("/corridor/{origin}/{destination}.json")
def corridor_json(con: Con, store: StoreDep, origin: str, destination: str,
                  edition: EditionQ = None, lens: LensPage = "wb-lmic", year: YearQ = None,
                  sex: SexQ = "total") -> Response:
    """The corridor page's figures; it takes the page's query (``year``, ``sex`` and ``lens``
    pick the headline figures in ``selected``; the trend is every year's)."""
    return _json(_corridor(con, store, origin, destination, edition, year, sex, lens))


@router.get("/corridor/{origin}/{destination}", response_class=HTMLResponse)
def corridor_page(request: Request, con: Con, store: StoreDep, origin: str, destination: str,
                  edition: EditionQ = None, lens: LensPage = "wb-lmic", year: YearQ = None,
                  sex: SexQ = "total") -> Response:
    data = _corridor(con, store, origin, destination, edition, year, sex, lens)
    extra = {"controls": views.controls(store, con, data["edition"], data["year"], lens,
                                        sex=sex),
             "lens": lens, "lens_titles": {x["id"]: x["title"] for x in views._lens_choices()},
             "keep": _keep(data["year"], lens, data["edition"], sex)}
    title = languages.gettext("{origin} → {destination}: corridor profile").format(
        origin=place_names.country(data["origin"], data["origin_name"]),
        destination=place_names.country(data["destination"], data["destination_name"]))
    return _render(request, "corridor.html", data, title=title,
                   json_path=f"/corridor/{data['origin']}/{data['destination']}.json",
                   extra=extra)


# --- printable brief (corridors.web.brief) ---------------------------------------------------

@router.get("/brief/{code}", response_class=HTMLResponse)
def brief_page(request: Request, con: Con, store: StoreDep,
               code: Annotated[str, PathParam(max_length=80)], year: YearQ = None,
               lens: LensPage = "wb-lmic", edition: EditionQ = None) -> Response:
    """The two-page brief of a country, region or community, ready to print (print CSS)."""
    from corridors.web import brief

    try:
        data = brief.brief(store, con, code, year=year, lens=lens, edition=edition)
    except brief.BriefError as error:
        return render_error(request, 404, str(error))
    back = (_country_link(data["year"], lens)(data["code"]) if data["kind"] == "country"
            else _href("/"))
    page = brief.render(data, language=languages.current(), inline=False, back_url=back)
    return HTMLResponse(page)


def _keep(year: int | None, lens: str | None, edition: str | None,
          sex: str | None = None) -> str:
    """The query string links keep (year, lens, edition, sex and the language; the default sex
    and language left out)."""
    language = languages.current()
    params = {k: v for k, v in {"year": year, "lens": lens, "edition": edition,
                                "sex": sex if sex != "total" else None,
                                "lang": language if language != languages.DEFAULT else None,
                                }.items() if v}
    return str(URL("").include_query_params(**params)) if params else ""
