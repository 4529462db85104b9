"""Governance: ratifications, instruments, regional communities, labour agreements, the
good-practice catalogue and the corridor scorecard. Each route calls
``corridors.analytics.governance`` (the same functions as ``corridors ratifications``,
``practices``, ``agreements``, ``communities``, ``instruments`` and ``scorecard``).

Governance figures come from curated reference files (each row cites its page in ``source_url``)
and from data files shipped with the package (instruments, agreements, practices). Their
``sources`` name each file with its SHA-256, and every view of a ratification list says how
complete the list is: a country absent from an incomplete list is ``unknown``, never
``not ratified``.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path as FilePath
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, HTTPException, Query, Request, Response

from corridors import __version__, codes
from corridors.analytics.governance import agreements as agreements_mod
from corridors.analytics.governance import communities as communities_mod
from corridors.analytics.governance import practices as practices_mod
from corridors.analytics.governance import ratifications as ratifications_mod
from corridors.analytics.governance import scorecard as scorecard_mod
from corridors.analytics.governance.instruments import instruments, normalise_id
from corridors.analytics.governance.reference import ReferenceMissing
from corridors.analytics.lenses import available_lenses
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
    Store,
    StoreDep,
    Unknown,
    YearQ,
    check_country,
    check_edition,
    edition_or_newest,
    require_country,
    years_of,
)
from corridors.api.schemas import (
    AgreementPublic,
    CommunityPublic,
    InstrumentPublic,
    Page,
    PracticePagePublic,
    RankedCorridorPublic,
    RatificationsPublic,
    ScorecardPublic,
)
from corridors.settings import settings

router = APIRouter(tags=["governance"])

#: Provenance rows of the store that governance figures come from.
GOVERNANCE_SOURCE_IDS = ("curated-reference", "un-treaties-hr-status")
#: The largest number of corridors a ranking considers.
MAX_TOP = 200
_PACKAGE = "corridors.analytics.governance"
_PACKAGE_FILES = {
    "instruments.yaml": "Instruments tracked (ILO and UN): title, year, subject, flags",
    "agreements.yaml": "Bilateral labour agreements and MoUs named by the background paper, "
                       "coded provision by provision",
    "practices.yaml": "Good-practice catalogue seeded with the practices the background paper names",
}
_REFERENCE_FILES = {
    "coverage.csv": "How complete each ratification list is (expected totals and their sources)",
    "rec_membership.csv": "Regional economic communities: membership periods",
    "rec_free_movement.csv": "Regional free-movement instruments and their status",
}
_LICENCE = "Facts compiled from cited public pages; see source_url per row"


# -- loading -----------------------------------------------------------------------------------
def _stamp(path: FilePath | None) -> tuple:
    if path is None:
        return ()
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return (str(path), None)
    return (str(path), info.st_mtime_ns)


def _user_stamp() -> tuple:
    """Changes when the user imports ratifications, agreements or practices (or the reference
    folder changes): the memoised governance facts are then read again."""
    user = settings().user_dir
    folders = [user / "ratifications", user / "agreements", user / "practices"]
    files = [p for f in folders if f.is_dir() for p in sorted(f.iterdir())]
    return (_stamp(settings().reference_dir), *(_stamp(p) for p in folders + files))


def governance(store: Store, con: duckdb.DuckDBPyConnection) -> scorecard_mod.Governance:
    """Ratifications, memberships, free movement and agreements, loaded once per store file and
    state of the user's imports."""
    try:
        return store.memo(("governance", _user_stamp()),
                          lambda: scorecard_mod.Governance.load(con))
    except ReferenceMissing as error:
        raise HTTPException(503, str(error)) from None


def _sha256(path: FilePath) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_source(store: Store, path: FilePath, source_id: str, title: str,
                 publisher: str) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return {"source_id": source_id, "publisher": publisher, "title": title,
                "edition": stamp.date().isoformat(), "licence": _LICENCE, "url": None,
                "file_name": path.name, "sha256": _sha256(path), "fetched_at": None}

    return store.memo(("governance-file", str(path), _stamp(path)), compute)


def _package_source(name: str) -> dict[str, Any]:
    data = resources.files(_PACKAGE).joinpath(name).read_bytes()
    return {"source_id": f"package:{name}", "publisher": "corridors (coded from the sources "
            "cited per record)", "title": _PACKAGE_FILES[name], "edition": __version__,
            "licence": "Records cite their sources; see source per record", "url": None,
            "file_name": name, "sha256": hashlib.sha256(data).hexdigest(), "fetched_at": None}


def governance_sources(store: Store, con: duckdb.DuckDBPyConnection,
                       gov: scorecard_mod.Governance | None = None, *,
                       ratification_lists: bool = False, reference_files: tuple[str, ...] = (),
                       package_files: tuple[str, ...] = (),
                       agreements: list[agreements_mod.Agreement] | None = None) -> list[dict]:
    """Sources of a governance answer: the store's provenance of the curated reference, then each
    file the figures were read from, with its SHA-256."""
    found = respond.sources(con, GOVERNANCE_SOURCE_IDS)
    paths: list[FilePath] = []
    if ratification_lists and gov is not None:
        paths += [FilePath(p) for p in gov.ratifications.sources]
        reference_files = ("coverage.csv", *reference_files)
    folder = settings().reference_dir
    if folder is not None:
        paths += [folder / name for name in dict.fromkeys(reference_files)]
    for path in paths:
        if path.is_file():
            title = _REFERENCE_FILES.get(path.name, "Ratification list (rows cite their pages)")
            found.append(_file_source(store, path, f"reference:{path.name}", title,
                                      "corridors curated reference"))
    found += [_package_source(name) for name in package_files]
    for item in agreements or []:
        if item.provenance.file and not item.provenance.file.endswith(agreements_mod.SEED_FILE):
            found.append({"source_id": f"user:{FilePath(item.provenance.file).name}",
                          "publisher": "user import", "title": "Agreements imported by the user",
                          "edition": item.provenance.coded_on or "", "licence": _LICENCE,
                          "url": None, "file_name": FilePath(item.provenance.file).name,
                          "sha256": item.provenance.sha256 or "", "fetched_at": None})
    unique: dict[str, dict] = {}
    for source in found:
        unique.setdefault(source["source_id"], source)
    return list(unique.values())


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


def _known(store: Store, con: duckdb.DuckDBPyConnection, name: str, value: str) -> str:
    return require_country(con, store.country_codes(con), name, value)


def pick_year(con: duckdb.DuckDBPyConnection, edition: str, year: int | None) -> int:
    years = years_of(con, edition)
    if year is None:
        return years[-1]
    if year not in years:
        raise Unknown("year", year, f"a year of {edition}: " + ", ".join(map(str, years)))
    return year


def check_lens(lens: str) -> str:
    lenses = available_lenses()
    if lens not in lenses:
        raise Unknown("lens", lens, "one of " + ", ".join(lenses))
    return lens


# -- ratifications and instruments ------------------------------------------------------------
def ratifications_record(store: Store, con: duckdb.DuckDBPyConnection, iso3: str,
                         only: list[str] | None = None) -> dict[str, Any]:
    """A country's status on every tracked instrument with each list's completeness."""
    gov = governance(store, con)
    rows = gov.ratifications.country(iso3, only or None)
    incomplete = [r["instrument"] for r in rows if not r["list_complete"]]
    return {
        "iso3": iso3, "name": codes.countries()[iso3].name,
        "instruments": rows,
        "statuses": {s: sum(r["status"] == s for r in rows) for s in ratifications_mod.STATUSES},
        "lists_complete": not incomplete,
        "incomplete_lists": incomplete,
        "completeness": (f"{len(rows) - len(incomplete)} of {len(rows)} lists complete; "
                         "'unknown' = absent from an incomplete list, not 'not ratified'"),
        "how_to_complete": None if not incomplete else ratifications_mod.HOW_TO_COMPLETE,
        "sources": governance_sources(store, con, gov, ratification_lists=True,
                                      package_files=("instruments.yaml",)),
    }


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
    iso3 = _known(store, con, "country", country)
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


def agreement_rows(gov: scorecard_mod.Governance, iso3: str | None) -> list[dict]:
    return [a.summary() | {"sectors": a.sectors, "checklist": a.checklist()}
            for a in gov.agreements if iso3 is None or iso3 in a.parties]


@router.get("/agreements", response_model=Page[AgreementPublic],
            summary="Bilateral labour agreements and MoUs with their alignment scores")
def list_agreements(request: Request, con: Con, store: StoreDep, country: CodeQ = None,
                    limit: LimitQ = 100, offset: OffsetQ = 0,
                    format: FormatQ = None) -> Response:
    """Every agreement in the registry (optionally with ``country`` as a party): kind, parties,
    year, coded checklist of 10 provisions and the alignment score: ``score`` = yes / known
    provisions, ``coverage`` = known / 10, the true score between ``score_min`` and
    ``score_max``. The registry is not exhaustive."""
    iso3 = check_country(con, store.country_codes(con), "country", country)
    gov = governance(store, con)
    rows = agreement_rows(gov, iso3)
    found = governance_sources(store, con, gov, package_files=("agreements.yaml",),
                               agreements=gov.agreements)
    return respond.page(request, rows, found, limit=limit, offset=offset, fmt=format,
                        filename="agreements")


# -- practices --------------------------------------------------------------------------------
def practice_search(store: Store, con: duckdb.DuckDBPyConnection, q: str, country: str | None,
                    level: str | None, theme: str | None, gcm: int | None) -> dict[str, Any]:
    """Search results (all of them) and their facet counts."""
    if level and level not in practices_mod.LEVELS:
        raise Unknown("level", level, "one of " + ", ".join(practices_mod.LEVELS))
    if theme and theme not in practices_mod.THEMES:
        raise Unknown("theme", theme, "one of " + ", ".join(practices_mod.THEMES))
    iso3 = check_country(con, store.country_codes(con), "country", country)
    gov = governance(store, con)
    member_of: dict[str, set[str]] = {
        code: set(communities_mod.members(gov.memberships, code))
        for code in communities_mod.communities(gov.memberships)}
    rows = practices_mod.search(q, country=iso3, level=level, theme=theme, gcm=gcm,
                                member_of=member_of)
    return {"q": q, "country": iso3, "level": level, "theme": theme, "gcm": gcm, "rows": rows,
            "facets": practices_mod.facets(rows),
            "choices": {"level": list(practices_mod.LEVELS), "theme": list(practices_mod.THEMES),
                        "gcm": {str(k): v for k, v in practices_mod.GCM_OBJECTIVES.items()}},
            "sources": governance_sources(store, con, gov, package_files=("practices.yaml",))}


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
def scorecard_record(store: Store, con: duckdb.DuckDBPyConnection, origin: str,
                     destination: str, year: int | None, lens: str,
                     edition: str | None) -> dict[str, Any]:
    """The scorecard of a corridor (see :mod:`corridors.analytics.governance.scorecard`), with
    the category under ``lens`` and its sources."""
    edition = edition_or_newest(con, edition)
    year = pick_year(con, edition, year)
    check_lens(lens)
    gov = governance(store, con)
    card = store.memo(("scorecard", origin, destination, year, edition, _user_stamp()),
                      lambda: scorecard_mod.scorecard(con, origin, destination, year,
                                                      edition=edition, gov=gov))
    found = respond.sources(con, respond.income_sources(con), [edition])
    covering = [a for a in gov.agreements if a.id in {x["id"] for x in card["agreements"]}]
    found += governance_sources(store, con, gov, ratification_lists=True,
                                reference_files=("rec_membership.csv", "rec_free_movement.csv"),
                                package_files=("instruments.yaml", "agreements.yaml"),
                                agreements=covering)
    return {**card, "lens": lens, "category": card["stock"]["categories"].get(lens),
            "formulas": scorecard_mod.FORMULAS, "sources": found}


def rank_record(store: Store, con: duckdb.DuckDBPyConnection, lens: str, year: int | None,
                edition: str | None, top: int) -> dict[str, Any]:
    edition = edition_or_newest(con, edition)
    year = pick_year(con, edition, year)
    check_lens(lens)
    gov = governance(store, con)
    rows = store.memo(("scorecard-rank", lens, year, edition, top, _user_stamp()),
                      lambda: scorecard_mod.rank(con, lens, year, edition=edition, top=top,
                                                 gov=gov))
    found = respond.sources(con, respond.income_sources(con), [edition])
    found += governance_sources(store, con, gov, ratification_lists=True,
                                reference_files=("rec_membership.csv", "rec_free_movement.csv"),
                                package_files=("instruments.yaml", "agreements.yaml"))
    return {"lens": lens, "year": year, "edition": edition, "top": top, "rows": rows,
            "formulas": scorecard_mod.FORMULAS,
            "lists": {k: gov.ratifications.coverage[k].text for k in instruments()},
            "sources": found}


TopQ = Annotated[int, Query(ge=1, le=MAX_TOP,
                            description=f"Largest South-South corridors ranked, 1..{MAX_TOP}.")]


@router.get("/scorecard/rank", response_model=Page[RankedCorridorPublic],
            summary="Where should support go first? Largest South-South corridors by weakest "
                    "governance coverage")
def get_rank(request: Request, con: Con, store: StoreDep, lens: LensQ = "wb-lmic",
             year: YearQ = None, edition: EditionQ = None, top: TopQ = 50, limit: LimitQ = 50,
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
    o = _known(store, con, "origin", origin)
    d = _known(store, con, "destination", destination)
    record = scorecard_record(store, con, o, d, year, lens, check_edition(store, con, edition))
    found = record.pop("sources")
    return respond.one(request, record, found, fmt=format,
                       filename=f"scorecard-{o}-{d}-{record['corridor']['year']}",
                       table=record["indicators"])
