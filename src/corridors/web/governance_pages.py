"""Governance pages: the corridor scorecard, the ranking "where should support go first?" and the
good-practice catalogue; each HTML at ``/<page>`` and its JSON twin at ``/<page>.json``, state in
the URL. The figures are those of the API: both serve the records of ``corridors.records.governance``,
which call ``corridors.governance``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import URL

import corridors.codes as codes
import corridors.languages as languages
import corridors.names as place_names
from corridors.api.deps import CodeQ, Con, EditionQ, StoreDep, YearQ, check_edition
from corridors.languages import N_, Labels
from corridors.languages import gettext as _
from corridors.observatory import selection
from corridors.records import governance as gov_records
from corridors.web import render, views

router = APIRouter(include_in_schema=False)

LensPage = Annotated[str, Query(max_length=40, pattern=r"^[a-z0-9\-]+$")]
TopPage = Annotated[int, Query(ge=1, le=gov_records.MAX_TOP)]
QueryPage = Annotated[str, Query(max_length=200)]
LevelPage = Annotated[str | None, Query(max_length=20)]
ThemePage = Annotated[str | None, Query(max_length=60)]
#: The search form sends every field, empty ones as "" (= any).
GcmPage = Annotated[str | None, Query(max_length=2, pattern=r"^([1-9]|1[0-9]|2[0-3])?$")]

INDICATOR_LABELS = Labels({
    "migrant_instruments": N_("Migrant-specific instruments ratified"),
    "fundamental_instruments": N_("Fundamental instruments ratified"),
    "free_movement": N_("Free movement in a shared community"),
    "bilateral_agreement": N_("Bilateral agreement aligned with standards"),
    "social_security": N_("Social-security coordination"),
    "evidenced": N_("Evidenced coverage"),
    "possible": N_("Possible coverage"),
    "known_share": N_("Share known"),
})


#: The levels and themes of the good-practice catalogue
#: (:data:`corridors.analytics.governance.practices.LEVELS` and ``THEMES``) as the page shows them.
PRACTICE_LABELS = Labels({
    "national": N_("national"), "bilateral": N_("bilateral"), "regional": N_("regional"),
    "inter-regional": N_("inter-regional"),
    "data and statistics": N_("data and statistics"), "social protection": N_("social protection"),
    "social dialogue": N_("social dialogue"), "regional cooperation": N_("regional cooperation"),
    "fair recruitment": N_("fair recruitment"), "equality of treatment": N_("equality of treatment"),
    "labour law": N_("labour law"), "skills recognition": N_("skills recognition"),
    "return and reintegration": N_("return and reintegration"),
    "institutions and services": N_("institutions and services"),
    "trade unions": N_("trade unions"), "migration policy": N_("migration policy"),
    "regular pathways": N_("regular pathways"), "capacity building": N_("capacity building"),
    "protection of migrant workers": N_("protection of migrant workers"),
})


# --- ranking: where should support go first? ---------------------------------------------------

def _ranking(con, store, lens, year, edition, top) -> dict[str, Any]:
    edition = check_edition(store, con, edition)
    record = gov_records.rank_record(store, con, lens, year, edition, top)
    return {"page": "ranking", **record}


@router.get("/scorecard.json")
def ranking_json(con: Con, store: StoreDep, lens: LensPage = "wb-lmic", year: YearQ = None,
                 edition: EditionQ = None, top: TopPage = 50) -> Response:
    return render._json(_ranking(con, store, lens, year, edition, top))


@router.get("/scorecard", response_class=HTMLResponse)
def ranking_page(request: Request, con: Con, store: StoreDep, lens: LensPage = "wb-lmic",
                 year: YearQ = None, edition: EditionQ = None, top: TopPage = 50) -> Response:
    data = _ranking(con, store, lens, year, edition, top)
    extra = {"controls": views.controls(store, con, data["edition"], data["year"], lens,
                                        hidden={"top": top}),
             "labels": INDICATOR_LABELS,
             "lens_title": next((x["title"] for x in views._lens_choices() if x["id"] == lens),
                                lens)}
    return render._render(request, "ranking.html", data,
                            title=_("Where should support go first?"), json_path="/scorecard.json",
                            extra=extra)


# --- corridor scorecard ------------------------------------------------------------------------

def _scorecard(con, store, origin, destination, year, lens, edition) -> dict[str, Any]:
    o = gov_records.known_country(store, con, "origin", origin)
    d = gov_records.known_country(store, con, "destination", destination)
    record = gov_records.scorecard_record(store, con, o, d, year, lens,
                                         check_edition(store, con, edition))
    return {"page": "scorecard", **record}


@router.get("/scorecard/{origin}/{destination}.json")
def scorecard_json(con: Con, store: StoreDep, origin: str, destination: str, year: YearQ = None,
                   lens: LensPage = "wb-lmic", edition: EditionQ = None) -> Response:
    return render._json(_scorecard(con, store, origin, destination, year, lens, edition))


@router.get("/scorecard/{origin}/{destination}", response_class=HTMLResponse)
def scorecard_page(request: Request, con: Con, store: StoreDep, origin: str, destination: str,
                   year: YearQ = None, lens: LensPage = "wb-lmic",
                   edition: EditionQ = None) -> Response:
    data = _scorecard(con, store, origin, destination, year, lens, edition)
    c = data["corridor"]
    extra = {"controls": views.controls(store, con, c["edition"], c["year"], lens),
             "labels": INDICATOR_LABELS,
             "instrument_rows": list(zip(data["instruments"]["origin"],
                                         data["instruments"]["destination"], strict=True)),
             "category_labels": views.CATEGORY_LABELS,
             "lens_title": next((x["title"] for x in views._lens_choices() if x["id"] == lens),
                                lens)}
    title = _("{origin} → {destination}: governance scorecard").format(
        origin=place_names.country(c["origin"], c["origin_name"]),
        destination=place_names.country(c["destination"], c["destination_name"]))
    return render._render(request, "scorecard.html", data, title=title,
                            json_path=f"/scorecard/{c['origin']}/{c['destination']}.json",
                            extra=extra)


# --- good-practice catalogue -------------------------------------------------------------------

def _practices(con, store, q, country, level, theme, gcm) -> dict[str, Any]:
    found = gov_records.practice_search(store, con, q, country or None, level or None,
                                       theme or None, int(gcm) if gcm else None)
    names = codes.countries()
    found["country_names"] = {c: names[c].name for c in found["facets"]["country"]
                              if c in names}
    found["total"] = len(found["rows"])
    return {"page": "practices", **found}


@router.get("/practices.json")
def practices_json(con: Con, store: StoreDep, q: QueryPage = "", country: CodeQ = None,
                   level: LevelPage = None, theme: ThemePage = None,
                   gcm: GcmPage = None) -> Response:
    return render._json(_practices(con, store, q, country, level, theme, gcm))


@router.get("/practices", response_class=HTMLResponse)
def practices_page(request: Request, con: Con, store: StoreDep, q: QueryPage = "",
                   country: CodeQ = None, level: LevelPage = None, theme: ThemePage = None,
                   gcm: GcmPage = None) -> Response:
    data = _practices(con, store, q, country, level, theme, gcm)
    state = {k: v for k, v in {"q": q or None, "country": data["country"], "level": level or None,
                               "theme": theme or None, "gcm": data["gcm"]}.items() if v is not None}

    def facet_url(name: str, value: object) -> str:
        """This search with one facet set (or cleared when it is already set)."""
        query = dict(state)
        if str(query.get(name)) == str(value):
            query.pop(name)
        else:
            query[name] = value
        return languages.keep(str(URL("/practices").include_query_params(**query)))

    edition = selection(con).edition
    extra = {"state": state, "facet_url": facet_url,
             "practice_label": lambda value: views.label(PRACTICE_LABELS, value),
             "api_url": str(URL("/api/v1/practices").include_query_params(**state)),
             "country_link": lambda iso3: languages.keep(f"/country/{iso3}?edition={edition}")}
    return render._render(request, "practices.html", data, title=_("Good practices"),
                            json_path="/practices.json", extra=extra)


# --- pieces of the country and corridor pages --------------------------------------------------




