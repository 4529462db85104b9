"""Region and community pages: ``/regions`` lists every group; ``/region/{grouping}/{code}``
shows one (a continent, SDG region, UN sub-region, UN DESA region or World Bank income group, by
its code) and ``/community/{code}`` one regional economic community (ECOWAS, SADC, ASEAN...). Each
has its JSON twin (``.json``). The figures come from
:func:`corridors.analytics.region_profiles.region_profile`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

import corridors.languages as languages
import corridors.names as place_names
from corridors.analytics import reference
from corridors.analytics.corridors import NoDataError
from corridors.analytics.region_profiles import PROFILED, group_index, region_profile
from corridors.api.deps import Con, EditionQ, SexQ, StoreDep, Unknown, YearQ, check_edition
from corridors.observatory import selection
from corridors.store import provenance

router = APIRouter(include_in_schema=False)

GroupingP = Annotated[str, Path(pattern="^(" + "|".join(g for g in PROFILED if g != "rec")
                                + ")$")]
GroupCodeP = Annotated[str, Path(max_length=12, pattern=r"^[A-Za-z0-9\-]+$")]
LensPage = Annotated[str, Query(max_length=40, pattern=r"^[a-z0-9\-]+$")]

def N_(message: str) -> str:
    """Marks a message for the catalogues; the page translates it where it shows it."""
    return message


#: How each grouping is named on the pages.
GROUPING_TITLES = {
    "continent": N_("Continents (UN M49)"),
    "sdg-region": N_("SDG regions (UN M49)"),
    "un-subregion": N_("UN sub-regions (M49)"),
    "un-region": N_("UN DESA regions"),
    "income": N_("World Bank income groups"),
    "rec": N_("Regional economic communities"),
}
#: The free-movement statuses of :mod:`corridors.governance.communities`, as shown.
FREE_MOVEMENT_STATUSES = (N_("in force"), N_("partly in force"), N_("not in force"),
                          N_("unknown"))


def _pages():
    from corridors.web import pages

    return pages


def _ratifications(store, con) -> Any:
    """The loaded ratification lists (None when the reference folder is missing)."""
    from fastapi import HTTPException

    from corridors.records.governance import governance

    try:
        return governance(store, con).ratifications
    except HTTPException:
        return None


def region(store, con, grouping: str, code: str, *, year: int | None, lens: str, sex: str,
           edition: str | None) -> dict[str, Any]:
    """One region's or community's page data."""
    from corridors.web import views

    lens_obj = views._lens(lens)
    edition = check_edition(store, con, edition)
    if year is not None:  # a year the edition lacks: say so (not "unknown group")
        views._pick_year(selection(con, edition), year)

    def compute() -> dict[str, Any]:
        try:
            record = region_profile(con, grouping, code, edition=edition, year=year,
                                    lens=lens_obj, sex=sex,
                                    ratifications=_ratifications(store, con))
        except NoDataError as error:
            raise Unknown("code", code, str(error).split("; ", 1)[-1]) from None
        record["page"] = "region"
        record["grouping_title"] = GROUPING_TITLES.get(grouping, grouping)
        record["sources"] = provenance.sources(con, reference.income_sources(con),
                                            [record["edition"]])
        return record

    return store.memo(("page-region", grouping, code.upper(), year, lens, sex, edition), compute)


def regions_index(store, con, year: int | None, edition: str | None) -> dict[str, Any]:
    from corridors.web import views

    picked = selection(con, check_edition(store, con, edition))
    edition = picked.edition
    year = views._pick_year(picked, year)
    groups = store.memo(("page-regions", year, edition), lambda: group_index(con, year))
    return {"page": "regions", "edition": edition, "year": year,
            "groupings": [{"grouping": g, "title": GROUPING_TITLES[g],
                           "groups": [x for x in groups if x["grouping"] == g]}
                          for g in PROFILED],
            "sources": provenance.sources(con, reference.income_sources(con), [edition])}


@router.get("/regions.json")
def regions_json(con: Con, store: StoreDep, year: YearQ = None, edition: EditionQ = None,
                 lens: LensPage = "wb-lmic", sex: SexQ = "total") -> Response:
    """Every region and community (``lens`` and ``sex`` are the pages' own, kept in links)."""
    return _pages()._json(regions_index(store, con, year, edition))


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request, con: Con, store: StoreDep, year: YearQ = None,
                 edition: EditionQ = None, lens: LensPage = "wb-lmic",
                 sex: SexQ = "total") -> Response:
    data = regions_index(store, con, year, edition)
    pages = _pages()
    return pages._render(request, "regions.html", data,
                         title=languages.gettext("Regions and communities"),
                         json_path="/regions.json",
                         extra={"keep": pages._keep(data["year"], lens, data["edition"], sex)})


def _page(request: Request, con, store, grouping: str, code: str, year, lens, sex, edition,
          json_path: str) -> Response:
    from corridors.web import views

    data = region(store, con, grouping, code, year=year, lens=lens, sex=sex, edition=edition)
    pages = _pages()
    extra = {"controls": views.controls(store, con, data["edition"], data["year"], lens,
                                        sex=sex),
             "keep": pages._keep(data["year"], lens, data["edition"], sex)}
    return pages._render(request, "region.html", data,
                         title=languages.gettext("{group}: regional profile").format(
                             group=place_names.group(grouping, data["group_code"], data["group"])),
                         json_path=json_path, extra=extra)


@router.get("/community/{code}.json")
def community_json(con: Con, store: StoreDep, code: GroupCodeP, year: YearQ = None,
                   lens: LensPage = "wb-lmic", sex: SexQ = "total",
                   edition: EditionQ = None) -> Response:
    return _pages()._json(region(store, con, "rec", code, year=year, lens=lens, sex=sex,
                                 edition=edition))


@router.get("/community/{code}", response_class=HTMLResponse)
def community_page(request: Request, con: Con, store: StoreDep, code: GroupCodeP,
                   year: YearQ = None, lens: LensPage = "wb-lmic", sex: SexQ = "total",
                   edition: EditionQ = None) -> Response:
    return _page(request, con, store, "rec", code, year, lens, sex, edition,
                 f"/community/{code.upper()}.json")


@router.get("/region/{grouping}/{code}.json")
def region_json(con: Con, store: StoreDep, grouping: GroupingP, code: GroupCodeP,
                year: YearQ = None, lens: LensPage = "wb-lmic", sex: SexQ = "total",
                edition: EditionQ = None) -> Response:
    return _pages()._json(region(store, con, grouping, code, year=year, lens=lens, sex=sex,
                                 edition=edition))


@router.get("/region/{grouping}/{code}", response_class=HTMLResponse)
def region_page(request: Request, con: Con, store: StoreDep, grouping: GroupingP,
                code: GroupCodeP, year: YearQ = None, lens: LensPage = "wb-lmic",
                sex: SexQ = "total", edition: EditionQ = None) -> Response:
    return _page(request, con, store, grouping, code, year, lens, sex, edition,
                 f"/region/{grouping}/{code}.json")
