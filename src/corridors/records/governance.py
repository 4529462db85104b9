"""Governance records: ratifications, the corridor scorecard, the ranking and the good-practice search,
with the files they were read from (SHA-256), as the API's governance routes and the dashboard's
governance pages serve them.
"""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import HTTPException

import corridors.codes as codes
from corridors.analytics import reference
from corridors.analytics import scorecard as scorecard_mod
from corridors.analytics.lenses import available_lenses
from corridors.analytics.reference import known_countries
from corridors.api.deps import Unknown, check_country, require_country
from corridors.governance import agreements as agreements_mod
from corridors.governance import communities as communities_mod
from corridors.governance import practices as practices_mod
from corridors.governance import ratifications as ratifications_mod
from corridors.governance.instruments import instruments
from corridors.governance.reference import ReferenceMissing
from corridors.governance.sources import governance_sources as analytics_sources
from corridors.observatory import edition_or_newest, selection
from corridors.records.profiles import corridor_index, facts_of
from corridors.settings import settings
from corridors.store import provenance
from corridors.store.serving import Store

#: The largest number of corridors a ranking considers.
MAX_TOP = 200
#: The corridors a ranking considers when the user does not say.
DEFAULT_TOP = 50


def _user_stamp() -> tuple:
    """Changes when the user imports ratifications, agreements or practices (or the reference
    folder changes): the memoised governance facts are then read again (the one rule:
    :func:`corridors.settings.additions_stamp`)."""
    return settings().additions_stamp()


def governance(store: Store, con: duckdb.DuckDBPyConnection,
               stamp: tuple | None = None) -> scorecard_mod.Governance:
    """Ratifications, memberships, free movement and agreements, loaded once per store file and
    state of the user's imports (``stamp``: that state, when the caller has looked already)."""
    try:
        return store.memo(("governance", _user_stamp() if stamp is None else stamp),
                          lambda: scorecard_mod.Governance.load(con))
    except ReferenceMissing as error:
        raise HTTPException(503, str(error)) from None


def governance_sources(store: Store, con: duckdb.DuckDBPyConnection,
                       gov: scorecard_mod.Governance | None = None, *,
                       ratification_lists: bool = False, reference_files: tuple[str, ...] = (),
                       package_files: tuple[str, ...] = (),
                       agreements: list[agreements_mod.Agreement] | None = None,
                       stamp: tuple | None = None) -> list[dict]:
    """Sources of a governance answer: each file the figures were read from, with its SHA-256
    (the analytics' one rule, :func:`corridors.governance.sources.governance_sources`:
    the files' rows come from the store's provenance, hashed at build or import). Kept per store
    file and state of the user's imports: the same files give the same rows."""
    # the agreements count by the files they were read from (most corridors' come from one)
    key = ("governance-sources", ratification_lists and gov is not None, reference_files,
           package_files,
           None if agreements is None else tuple(dict.fromkeys(a.provenance.file
                                                               for a in agreements)),
           _user_stamp() if stamp is None else stamp)
    return [dict(row) for row in store.memo(key, lambda: _governance_sources(
        con, gov, ratification_lists=ratification_lists, reference_files=reference_files,
        package_files=package_files, agreements=agreements))]


def _governance_sources(con: duckdb.DuckDBPyConnection, gov: scorecard_mod.Governance | None, *,
                        ratification_lists: bool, reference_files: tuple[str, ...],
                        package_files: tuple[str, ...],
                        agreements: list[agreements_mod.Agreement] | None) -> list[dict]:
    return analytics_sources(
        con, reference_files=reference_files,
        ratifications=gov.ratifications if ratification_lists and gov is not None else None,
        package_files=tuple(f for f in package_files if f != "practices.yaml"),
        agreements=agreements, practices="practices.yaml" in package_files)


def known_country(store: Store, con: duckdb.DuckDBPyConnection, name: str, value: str) -> str:
    return require_country(con, known_countries(con), name, value)


def pick_year(con: duckdb.DuckDBPyConnection, edition: str, year: int | None) -> int:
    chosen = selection(con, edition)
    years = list(chosen.years)
    if year is None:
        return chosen.year
    if year not in years:
        raise Unknown("year", year, f"a year of {edition}: " + ", ".join(map(str, years)))
    return year


def check_lens(lens: str) -> str:
    lenses = available_lenses()
    if lens not in lenses:
        raise Unknown("lens", lens, "one of " + ", ".join(lenses))
    return lens


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


def agreement_rows(gov: scorecard_mod.Governance, iso3: str | None) -> list[dict]:
    return [a.summary() | {"sectors": a.sectors, "checklist": a.checklist()}
            for a in gov.agreements if iso3 is None or iso3 in a.parties]


def practice_search(store: Store, con: duckdb.DuckDBPyConnection, q: str, country: str | None,
                    level: str | None, theme: str | None, gcm: int | None) -> dict[str, Any]:
    """Search results (all of them) and their facet counts."""
    if level and level not in practices_mod.LEVELS:
        raise Unknown("level", level, "one of " + ", ".join(practices_mod.LEVELS))
    if theme and theme not in practices_mod.THEMES:
        raise Unknown("theme", theme, "one of " + ", ".join(practices_mod.THEMES))
    iso3 = check_country(con, known_countries(con), "country", country)
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


def scorecard_record(store: Store, con: duckdb.DuckDBPyConnection, origin: str,
                     destination: str, year: int | None, lens: str,
                     edition: str | None) -> dict[str, Any]:
    """The scorecard of a corridor (see :mod:`corridors.analytics.scorecard`), with
    the category under ``lens`` and its sources."""
    edition = edition_or_newest(con, edition)
    year = pick_year(con, edition, year)
    check_lens(lens)
    stamp = _user_stamp()  # looked at once per answer: it costs a dozen file system calls
    gov = governance(store, con, stamp)
    facts = facts_of(con, edition)
    index = corridor_index(store, con)
    card = store.memo(("scorecard", origin, destination, year, edition, stamp),
                      lambda: scorecard_mod.scorecard(con, origin, destination, year,
                                                      edition=edition, gov=gov, facts=facts,
                                                      index=index, with_sources=False))
    found = provenance.sources(con, reference.income_sources(con), [edition])
    covering = [a for a in gov.agreements if a.id in {x["id"] for x in card["agreements"]}]
    found += scorecard_sources(store, con, gov, covering, stamp)
    return {**card, "lens": lens, "category": card["stock"]["categories"].get(lens),
            "formulas": scorecard_mod.FORMULAS, "sources": found}


def scorecard_sources(store: Store, con: duckdb.DuckDBPyConnection, gov: scorecard_mod.Governance,
                      covering: list[agreements_mod.Agreement], stamp: tuple) -> list[dict]:
    """The governance files a scorecard read, with the files of the agreements ``covering`` the
    corridor (kept per set of agreement files: see :func:`governance_sources`)."""
    return governance_sources(store, con, gov, ratification_lists=True,
                              reference_files=("rec_membership.csv", "rec_free_movement.csv"),
                              package_files=("instruments.yaml", "agreements.yaml"),
                              agreements=covering, stamp=stamp)


def prepare_scorecard_sources(store: Store, con: duckdb.DuckDBPyConnection) -> int:
    """Work out the sources of scorecards before they are asked: one set per agreements file
    (and one for corridors no agreement covers), as :func:`scorecard_sources` keeps them; returns
    how many sets."""
    stamp = _user_stamp()
    gov = governance(store, con, stamp)
    first_of_file: dict[str | None, agreements_mod.Agreement] = {}
    for agreement in gov.agreements:
        first_of_file.setdefault(agreement.provenance.file, agreement)
    for covering in ([], *([a] for a in first_of_file.values())):
        scorecard_sources(store, con, gov, covering, stamp)
    return 1 + len(first_of_file)


def rank_record(store: Store, con: duckdb.DuckDBPyConnection, lens: str, year: int | None,
                edition: str | None, top: int) -> dict[str, Any]:
    edition = edition_or_newest(con, edition)
    year = pick_year(con, edition, year)
    check_lens(lens)
    stamp = _user_stamp()
    gov = governance(store, con, stamp)
    facts = facts_of(con, edition)
    seen: dict[tuple[str, str, int], dict] = store.memo(  # indicators shared by the rankings
        ("scorecard-rank-seen", stamp), dict, keep=True)
    rows = store.memo(("scorecard-rank", lens, year, edition, top, stamp),
                      lambda: scorecard_mod.rank(con, lens, year, edition=edition, top=top,
                                                 gov=gov, facts=facts, seen=seen))
    found = provenance.sources(con, reference.income_sources(con), [edition])
    found += governance_sources(store, con, gov, ratification_lists=True,
                                reference_files=("rec_membership.csv", "rec_free_movement.csv"),
                                package_files=("instruments.yaml", "agreements.yaml"),
                                stamp=stamp)
    return {"lens": lens, "year": year, "edition": edition, "top": top, "rows": rows,
            "formulas": scorecard_mod.FORMULAS,
            "lists": {k: gov.ratifications.coverage[k].text for k in instruments()},
            "sources": found}


def country_ratifications(store: Store, con: duckdb.DuckDBPyConnection, iso3: str) -> dict[str, Any]:
    """The country page's ratification table, or why there is none (the reference folder is
    missing)."""
    try:
        return ratifications_record(store, con, iso3)
    except HTTPException as error:
        return {"missing": error.detail}
