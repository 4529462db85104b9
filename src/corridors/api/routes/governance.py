"""Governance: ratifications, instruments, regional communities, labour agreements, the
good-practice catalogue and the corridor scorecard. Each route calls
``corridors.governance`` (the same functions as ``corridors ratifications``,
``practices``, ``agreements``, ``communities``, ``instruments`` and ``scorecard``).

Governance figures come from curated reference files (each row cites its page in ``source_url``)
and from data files shipped with the package (instruments, agreements, practices). Their
``sources`` name each file with its SHA-256, and every view of a ratification list says how
complete the list is: a country absent from an incomplete list is ``unknown``, never
``not ratified``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from corridors.analytics.lenses import get_lens
from corridors.analytics.ratifiers import ratifiers_by_category
from corridors.analytics.reference import known_countries
from corridors.api import respond
from corridors.api.deps import (
    CodeP,
    CodeQ,
    Con,
    EditionQ,
    FormatQ,
    LensQ,
    LimitQ,
    OffsetQ,
    StoreDep,
    Unknown,
    YearQ,
    check_country,
    check_edition,
    selection,
)
from corridors.api.schemas import (
    AgreementPublic,
    CommunityPublic,
    InstrumentPublic,
    Page,
    PracticePagePublic,
    RankedCorridorPublic,
    RatificationsPublic,
    RatifierGroupPublic,
    ScorecardPublic,
)
from corridors.governance import communities as communities_mod
from corridors.governance.instruments import instruments, normalise_id
from corridors.records.governance import (
    DEFAULT_TOP,
    MAX_TOP,
    agreement_rows,
    governance,
    governance_sources,
    known_country,
    practice_search,
    rank_record,
    ratifications_record,
    scorecard_record,
)

router = APIRouter(tags=["governance"])



# -- loading -----------------------------------------------------------------------------------














def paged(request: Request, rows: list[dict], found: list[dict], *, limit: int, offset: int,
          fmt, filename: str, extra: dict[str, Any]) -> Response:
    """A page like :func:`respond.page` with more top-level fields (e.g. facets, list
    completeness) in JSON; CSV is the rows."""
    if respond.wants_csv(request, fmt):
        return respond.page(request, rows, found, limit=limit, offset=offset, fmt=fmt,
                            filename=filename)
    total = len(rows)
    following = None
    if offset + limit < total:
        following = respond.next_url(request, offset + limit)
    body = {"items": rows[offset:offset + limit], "total": total, "limit": limit,
            "offset": offset, "next": following, **extra, "sources": found}
    return Response(respond.to_json(body), media_type="application/json")








# -- ratifications and instruments ------------------------------------------------------------


InstrumentQ = Annotated[list[str] | None, Query(
    max_length=30, description="Only these instruments (repeatable), e.g. C097, ICRMW.")]


@router.get("/ratifications/{country}", response_model=RatificationsPublic,
            summary="A country's status on each tracked instrument, with list completeness")
def get_ratifications(request: Request, con: Con, store: StoreDep, country: CodeP,
                      instrument: InstrumentQ = None, format: FormatQ = None) -> Response:
    """One row per instrument: ``status`` (in force, not in force, denounced, signed, not
    ratified, unknown), year, how it is known (``basis``), source URL, and ``coverage``: how
    complete the instrument's list is. ``unknown`` means absent from an incomplete list. CSV
    gives the rows."""
    iso3 = known_country(store, con, "country", country)
    only = None
    if instrument:
        only = [normalise_id(i) for i in instrument]
        for given, key in zip(instrument, only, strict=True):
            if key not in instruments():
                raise Unknown("instrument", given, "one of " + ", ".join(instruments()))
    record = ratifications_record(store, con, iso3, only)
    found = record.pop("sources")
    return respond.one(request, record, found, fmt=format, filename=f"ratifications-{iso3}",
                       table=record["instruments"])


@router.get("/instruments", response_model=Page[InstrumentPublic],
            summary="The instruments tracked and how complete each ratification list is")
def list_instruments(request: Request, con: Con, store: StoreDep,
                     format: FormatQ = None) -> Response:
    gov = governance(store, con)
    rows = [item.model_dump() | {"list": gov.ratifications.coverage[key].as_dict()}
            for key, item in instruments().items()]
    for row in rows:
        cov = row.pop("list")
        row |= {"known": cov["known"], "expected": cov["expected"],
                "list_complete": cov["complete"], "coverage": cov["coverage"],
                "expected_source": cov["expected_source"], "missing": cov["missing"],
                "how_to_complete": cov["how_to_complete"]}
    found = governance_sources(store, con, gov, ratification_lists=True,
                               package_files=("instruments.yaml",))
    return respond.page(request, rows, found, limit=len(rows), offset=0, fmt=format,
                        filename="instruments")


RoleQ = Annotated[Literal["origin", "destination"], Query(
    description="Which rule of the lens decides South: origin (default) or destination.")]
InstrumentP = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9_\-]+$",
                                  description="Instrument id, e.g. C097 or ICRMW.")]


@router.get("/instruments/{instrument}/ratifiers", response_model=Page[RatifierGroupPublic],
            summary="Ratifiers of an instrument counted by lens category (South, North, unclassified)")
def instrument_ratifiers(request: Request, con: Con, store: StoreDep, instrument: InstrumentP,
                         lens: LensQ = "wb-lmic", year: YearQ = None, role: RoleQ = "origin",
                         format: FormatQ = None) -> Response:
    """One row per group: how many of the instrument's ratifiers the lens counts as South, North
    or unclassified in ``year`` (default: the newest edition's latest year), their share of the
    classified ratifiers and the list's completeness (an incomplete list gives lower bounds). The
    twin of `corridors ratifications south`."""
    key = normalise_id(instrument)
    if key not in instruments():
        raise Unknown("instrument", instrument, "one of " + ", ".join(instruments()))
    gov = governance(store, con)
    chosen = get_lens(lens)
    when = year if year is not None else selection(con).year
    frame = ratifiers_by_category(con, gov.ratifications, key, chosen, when, role)
    found = [*respond.sources(con, respond.income_sources(con)),
             *governance_sources(store, con, gov, ratification_lists=True,
                                 package_files=("instruments.yaml",))]
    return respond.page(request, frame, found, limit=max(frame.height, 1), offset=0, fmt=format,
                        filename=f"ratifiers-{key}-{chosen.id}-{when}")


# -- communities and agreements ---------------------------------------------------------------
@router.get("/communities", response_model=Page[CommunityPublic],
            summary="Regional economic communities: members and free-movement status")
def list_communities(request: Request, con: Con, store: StoreDep, year: YearQ = None,
                     limit: LimitQ = 100, offset: OffsetQ = 0,
                     format: FormatQ = None) -> Response:
    """One row per community: members in ``year`` (default: now), their ISO3 codes, and the
    free-movement instrument with its status (in force, partly in force, not in force,
    unknown)."""
    gov = governance(store, con)
    rows = communities_mod.summary(gov.memberships, gov.free_movement, year)
    for row in rows:
        row["year"] = year
        row["member_codes"] = communities_mod.members(gov.memberships, row["rec_code"], year)
        movement = gov.free_movement.get(row["rec_code"])
        row["source_url"] = movement.source_url if movement else None
    found = governance_sources(store, con, gov,
                               reference_files=("rec_membership.csv", "rec_free_movement.csv"))
    return respond.page(request, rows, found, limit=limit, offset=offset, fmt=format,
                        filename="communities")




@router.get("/agreements", response_model=Page[AgreementPublic],
            summary="Bilateral labour agreements and MoUs with their alignment scores")
def list_agreements(request: Request, con: Con, store: StoreDep, country: CodeQ = None,
                    limit: LimitQ = 100, offset: OffsetQ = 0,
                    format: FormatQ = None) -> Response:
    """Every agreement in the registry (optionally with ``country`` as a party): kind, parties,
    year, coded checklist of 10 provisions and the alignment score: ``score`` = yes / known
    provisions, ``coverage`` = known / 10, the true score between ``score_min`` and
    ``score_max``. The registry is not exhaustive."""
    iso3 = check_country(con, known_countries(con), "country", country)
    gov = governance(store, con)
    rows = agreement_rows(gov, iso3)
    found = governance_sources(store, con, gov, package_files=("agreements.yaml",),
                               agreements=gov.agreements)
    return respond.page(request, rows, found, limit=limit, offset=offset, fmt=format,
                        filename="agreements")


# -- practices --------------------------------------------------------------------------------


QueryQ = Annotated[str, Query(max_length=200, description="Words to look for (empty: all).")]
LevelQ = Annotated[str | None, Query(max_length=20,
                                     description="national, bilateral, regional, inter-regional.")]
ThemeQ = Annotated[str | None, Query(max_length=60, description="A theme, e.g. fair recruitment.")]
GcmQ = Annotated[int | None, Query(ge=1, le=23, description="GCM objective number, 1..23.")]


@router.get("/practices", response_model=PracticePagePublic,
            summary="Search the good-practice catalogue, with facets")
def list_practices(request: Request, con: Con, store: StoreDep, q: QueryQ = "",
                   country: CodeQ = None, level: LevelQ = None, theme: ThemeQ = None,
                   gcm: GcmQ = None, limit: LimitQ = 50, offset: OffsetQ = 0,
                   format: FormatQ = None) -> Response:
    """BM25 full-text search over title, themes, partners, summary and places, filtered by
    country (also practices of its regional communities), level, theme and GCM objective.
    ``facets`` counts the matching practices per country, level, theme and objective."""
    found = practice_search(store, con, q, country, level, theme, gcm)
    return paged(request, found["rows"], found["sources"], limit=limit, offset=offset,
                 fmt=format, filename="practices", extra={"facets": found["facets"]})


# -- scorecard --------------------------------------------------------------------------------




TopQ = Annotated[int, Query(ge=1, le=MAX_TOP,
                            description=f"Largest South-South corridors ranked, 1..{MAX_TOP}.")]


@router.get("/scorecard/rank", response_model=Page[RankedCorridorPublic],
            summary="Where should support go first? Largest South-South corridors by weakest "
                    "governance coverage")
def get_rank(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
             year: YearQ = None, edition: EditionQ = None, top: TopQ = DEFAULT_TOP, limit: LimitQ = 50,
             offset: OffsetQ = 0, format: FormatQ = None) -> Response:
    """The ``top`` largest South-South corridors under the lens in the year, ranked by
    ``evidenced`` coverage (unknown counted as 0; ascending), then by stock. ``limit`` and
    ``offset`` page through the ranking. ``lists`` says how complete each ratification list is."""
    record = rank_record(store, con, lens, year, check_edition(store, con, edition), top)
    return paged(request, record["rows"], record["sources"], limit=limit, offset=offset,
                 fmt=format, filename=f"scorecard-rank-{lens}-{record['year']}",
                 extra={"lens": lens, "year": record["year"], "edition": record["edition"],
                        "top": top, "formulas": record["formulas"], "lists": record["lists"]})


@router.get("/scorecard/{origin}/{destination}", response_model=ScorecardPublic,
            summary="Corridor scorecard: stock and trend beside both ends' governance")
def get_scorecard(request: Request, con: Con, store: StoreDep, origin: CodeP, destination: CodeP,
                  year: YearQ = None, lens: LensQ = "wb-lmic", edition: EditionQ = None,
                  format: FormatQ = None) -> Response:
    """Stock, change and trend; both ends' status on the migrant-specific and fundamental
    instruments (with list completeness); shared communities and free movement; agreements and
    their scores; five coverage indicators with their formulas. CSV gives the indicators."""
    o = known_country(store, con, "origin", origin)
    d = known_country(store, con, "destination", destination)
    record = scorecard_record(store, con, o, d, year, lens, check_edition(store, con, edition))
    found = record.pop("sources")
    return respond.one(request, record, found, fmt=format,
                       filename=f"scorecard-{o}-{d}-{record['corridor']['year']}",
                       table=record["indicators"])
