"""Governance commands: `corridors ratifications`, `practices`, `agreements`, `communities`,
`instruments` and `scorecard`.

Thin: each command calls ``corridors.governance`` and prints with ``emit``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import typer

import corridors.codes as codes
from corridors.cli._observatory import observatory
from corridors.cli._output import CommandGroup, Format, commands, console, emit, emit_sourced
from corridors.errors import InputError

ORDER = 80

FORMAT = typer.Option(Format.table, "--format", "-f", help="table, csv or json.")
REFERENCE = typer.Option(
    None, "--reference",
    help="Folder of curated reference facts (ilo_ratifications.csv, rec_membership.csv, ...). "
         "Default: the reference/ folder beside the --mirror folder.")


class DefaultCommandGroup(CommandGroup):
    """A group whose first argument, when it is not a sub-command, goes to ``show``:
    ``corridors ratifications KEN`` = ``corridors ratifications show KEN``."""

    default_command = "show"

    # ctx: click's Context, or in newer typer the copy of click it carries (typer._click)
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _country(text: str, what: str = "COUNTRY") -> str:
    iso3 = codes.code_for(text)
    if iso3 is None:
        raise InputError.one(what, "a country: ISO3 (KEN), M49 (404) or name (Kenya)", value=text)
    return iso3


def _built_store():
    """The store when one is built (its provenance names the governance files the build hashed),
    else None (the files are then hashed when shown)."""
    from corridors.errors import CorridorsError
    from corridors.settings import settings

    if not settings().store_path.exists():
        return None
    try:
        return observatory().con
    except CorridorsError:
        return None


def _sources(**read):
    """The sources of a governance answer (:func:`governance_sources` of the files read)."""
    from corridors.governance.sources import governance_sources

    return governance_sources(_built_store(), **read)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


# -- ratifications -----------------------------------------------------------------------------
ratifications_app = commands(
    cls=DefaultCommandGroup,
    help="Ratification status of a country on the migrant-worker, social-security, recruitment, "
         "domestic-work and fundamental ILO Conventions, the UN Migrant Workers Convention and the "
         "Palermo protocols: `corridors ratifications KEN`. Lists are incomplete: a country absent "
         "from an incomplete list is 'unknown', and each row says how complete its list is.",
    no_args_is_help=True,
)


@ratifications_app.command("show")
def ratifications_show(
    country: str = typer.Argument(..., help="ISO3 (PHL), M49 (608) or name."),
    instrument: list[str] = typer.Option(None, "--instrument", "-i",
                                         help="Only these instruments (repeatable), e.g. C097."),
    reference: Path = REFERENCE,
    fmt: Format = FORMAT,
) -> None:
    """One row per instrument: status (in force, not in force, denounced, signed, not ratified,
    unknown), year, how the status is known, and how complete the list is.

    Example: `corridors ratifications PHL --format json`
    """
    from corridors.governance import ratifications as ratifications_mod

    iso3 = _country(country)
    data = ratifications_mod.load(reference)
    rows = data.country(iso3, instrument or None)
    sources = _sources(reference=reference, ratifications=data, package_files=("instruments.yaml",))
    if fmt is Format.table:
        rows = [{k: r[k] for k in ("instrument", "status", "year", "basis", "coverage")}
                for r in rows]
    emit_sourced(rows, fmt, sources,
                 title=f"Ratifications — {codes.countries()[iso3].name} ({iso3})",
                 caption="'unknown' = not on an incomplete list. "
                         + ratifications_mod.HOW_TO_COMPLETE + ".")


@ratifications_app.command("coverage")
def ratifications_coverage(reference: Path = REFERENCE, fmt: Format = FORMAT) -> None:
    """How complete each instrument's ratification list is (e.g. '39 of 54 known')."""
    from corridors.governance import ratifications as ratifications_mod

    data = ratifications_mod.load(reference)
    rows = data.coverage_table()
    if fmt is Format.table:
        rows = [{k: r[k] for k in ("instrument", "coverage", "complete", "missing")} for r in rows]
    emit_sourced(rows, fmt, _sources(reference=reference, ratifications=data),
                 title="Ratification lists: how complete",
                 caption=ratifications_mod.HOW_TO_COMPLETE + ".")


@ratifications_app.command("parties")
def ratifications_parties(
    instrument: str = typer.Argument(..., help="Instrument id, e.g. ICRMW or C097."),
    reference: Path = REFERENCE, fmt: Format = FORMAT,
) -> None:
    """Countries with a ratification on record for one instrument, and the list's coverage."""
    from corridors.governance import ratifications as ratifications_mod
    from corridors.governance.instruments import instruments

    data = ratifications_mod.load(reference)
    key = ratifications_mod.normalise_id(instrument)
    if key not in instruments():
        raise InputError.one("INSTRUMENT", "one of " + ", ".join(instruments()), value=instrument)
    rows = [data.status(iso3, key) | {"iso3": iso3, "country": codes.countries()[iso3].name}
            for iso3 in data.parties(key)]
    if fmt is Format.table:
        rows = [{k: r[k] for k in ("iso3", "country", "status", "year")} for r in rows]
    emit_sourced(rows, fmt, _sources(reference=reference, ratifications=data,
                                     package_files=("instruments.yaml",)),
                 title=f"{key}: {instruments()[key].title}",
                 caption=f"{data.coverage[key].text}. " + ratifications_mod.HOW_TO_COMPLETE + ".")


@ratifications_app.command("south")
def ratifications_south(
    instrument: str = typer.Argument(..., help="Instrument id, e.g. C097 or ICRMW."),
    lens: str = typer.Option("wb-lmic", "--lens", "-l", help="Definition of South (see "
                             "`corridors ssm lenses`)."),
    year: int | None = typer.Option(None, "--year", "-y", help="Classification year (default: the "
                             "latest year of the stock)."),
    role: str = typer.Option("origin", "--role", help="Which rule of the lens decides South: "
                             "origin (default) or destination (gfmd-2018 adds emerging hubs)."),
    reference: Path = REFERENCE, fmt: Format = FORMAT,
) -> None:
    """Ratifiers of an instrument counted by lens category (South, North, unclassified), with
    the completeness of the list: counts from an incomplete list are lower bounds.

    Example: `corridors ratifications south C097 --lens wb-non-high --year 2020`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.ratifiers import ratifiers_by_category
    from corridors.governance import ratifications as ratifications_mod

    chosen = get_lens(lens)
    obs = observatory()
    con = obs.con
    if year is None:
        year = obs.select().year
    from corridors.governance.sources import governance_sources
    from corridors.store.provenance import of_tables, public

    data = ratifications_mod.load(reference)
    # role is a str option: ratifiers_by_category refuses anything but origin or destination
    frame = ratifiers_by_category(con, data, instrument, chosen, year, role)  # type: ignore[arg-type]
    sources = public([*of_tables(con, ["income_groups", "countries"]), *governance_sources(
        con, reference=reference, ratifications=data, package_files=("instruments.yaml",))])
    first = frame.row(0, named=True)
    emit_sourced([{"group": r["group"], "ratifiers": r["ratifiers"], "share": _pct(r["share"])}
                  for r in frame.iter_rows(named=True)] if fmt is Format.table else frame,
                 fmt, sources,
                 title=f"{first['instrument']} ratifiers by category — lens {chosen.id}, {year}",
                 caption=f"List: {first['coverage']}" + ("." if first["list_complete"] else
                                                          " (incomplete: counts are lower bounds)."))


@ratifications_app.command("import")
def ratifications_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="A table copied from NORMLEX or the UN Treaty Collection "
                                     "(tab/comma/semicolon separated text) or the template CSV."),
    instrument: str | None = typer.Option(None, "--instrument", "-i",
                                   help="Instrument of a NORMLEX/UNTC copy (the template names "
                                        "it per row)."),
    complete: bool = typer.Option(False, "--complete",
                                  help="The table is the full list of ratifications: countries "
                                       "absent from it become 'not ratified'."),
    fmt: Format = FORMAT,
) -> None:
    """Validate a ratification table and save it to <home>/user/ratifications/.

    Stops, importing nothing, on an unknown country, an impossible date, a duplicate row or
    conflicting statuses, listing file, row, value and what was expected.
    Example: `corridors ratifications import c143-normlex.txt --instrument C143`
    """
    from corridors.governance import ratifications as ratifications_mod

    result = ratifications_mod.import_table(file, instrument, complete=complete)
    emit(result, fmt, title="Imported")


@ratifications_app.command("template")
def ratifications_template() -> None:
    """Print the import template (CSV header and two example rows)."""
    from corridors.governance import ratifications as ratifications_mod

    typer.echo(ratifications_mod.template_csv(), nl=False)


# -- practices ---------------------------------------------------------------------------------
practices_app = commands(
    help="Good-practice catalogue (GFMD / ILO database fields): search with facets, show one.",
    no_args_is_help=True,
)


def _member_of(reference: Path | None) -> dict[str, set[str]] | None:
    from corridors.governance import communities as communities_mod
    from corridors.governance.reference import ReferenceMissing

    try:
        rows = communities_mod.memberships(reference)
    except ReferenceMissing:
        return None
    out: dict[str, set[str]] = {}
    for code in communities_mod.communities(rows):
        out[code] = set(communities_mod.members(rows, code))
    return out


@practices_app.command("search")
def practices_search(
    query: str = typer.Argument("", help="Words to look for (empty: every practice)."),
    country: str | None = typer.Option(None, "--country", "-c",
                                help="Practices of this country or of its communities."),
    level: str | None = typer.Option(None, "--level",
                              help="national, bilateral, regional or inter-regional."),
    theme: str | None = typer.Option(None, "--theme", help="e.g. 'social protection', 'fair recruitment'."),
    gcm: int | None = typer.Option(None, "--gcm", help="GCM objective number (1-23)."),
    limit: int | None = typer.Option(None, "--limit", "-n", help="At most this many results."),
    facets: bool = typer.Option(False, "--facets", help="Also print counts per facet."),
    reference: Path = REFERENCE,
    fmt: Format = FORMAT,
) -> None:
    """Full-text search (BM25 over title, themes, partners, summary, places) with facets.

    Example: `corridors practices search "social security" --level regional --format json`
    """
    from corridors.governance import practices as practices_mod

    rows = practices_mod.search(query, country=country, level=level, theme=theme, gcm=gcm,
                                member_of=_member_of(reference) if country else None,
                                limit=limit)
    sources = _sources(practices=True, reference_files=("rec_membership.csv",) if country else ())
    if fmt is Format.table and not rows:
        console.print("No practice matches. Try fewer words or facets; "
                      "`corridors practices themes` lists the facet values.")
    elif fmt is Format.table:
        emit_sourced([{"id": r["id"], "title": r["title"], "level": r["level"],
                       "countries": ", ".join(r["countries"] + r["communities"]),
                       "themes": ", ".join(r["themes"]), "score": r["score"]} for r in rows], fmt,
                     sources, title=f"Good practices ({len(rows)})",
                     caption="`corridors practices show ID` for the summary, source and link.")
        if facets:
            for name, counts in practices_mod.facets(rows).items():
                console.print(f"[bold]{name}[/]: " + ", ".join(f"{k} ({v})"
                                                              for k, v in counts.items()))
    elif fmt is Format.json and facets:
        emit_sourced({"results": rows, "facets": practices_mod.facets(rows)}, fmt, sources)
    else:
        emit_sourced(rows, fmt, sources)


@practices_app.command("show")
def practices_show(practice_id: str = typer.Argument(..., help="Practice id (see search)."),
                   fmt: Format = FORMAT) -> None:
    """Everything recorded about one practice."""
    from corridors.governance import practices as practices_mod

    emit_sourced(practices_mod.get(practice_id).record(), fmt, _sources(practices=True))


@practices_app.command("themes")
def practices_themes(fmt: Format = FORMAT) -> None:
    """The themes, levels and GCM objectives used as facets."""
    from corridors.governance import practices as practices_mod

    rows = ([{"facet": "level", "value": v, "title": v} for v in practices_mod.LEVELS]
            + [{"facet": "theme", "value": v, "title": v} for v in practices_mod.THEMES]
            + [{"facet": "gcm", "value": str(k), "title": v}
               for k, v in practices_mod.GCM_OBJECTIVES.items()])
    emit(rows, fmt, title="Facets of the practice catalogue")


# -- agreements --------------------------------------------------------------------------------
agreements_app = commands(
    help="Bilateral labour agreements, MoUs, programmes and social-security agreements, each "
         "scored on a 10-provision checklist (score over known provisions + coverage).",
    no_args_is_help=True,
)


@agreements_app.command("list")
def agreements_list(
    country: str | None = typer.Option(None, "--country", "-c", help="Only agreements with this party."),
    fmt: Format = FORMAT,
) -> None:
    """Every agreement in the registry with its alignment score and coverage.

    Example: `corridors agreements list --country HND --format json`
    """
    from corridors.governance import agreements as agreements_mod

    iso3 = _country(country, "--country") if country else None
    registry = agreements_mod.registry()
    rows = [a.summary() for a in registry if iso3 is None or iso3 in a.parties]
    sources = _sources(package_files=("agreements.yaml",), agreements=registry)
    if fmt is Format.table and not rows:
        console.print("No agreement in the registry for this country (the registry is not "
                      "exhaustive: add agreements with `corridors agreements import FILE`).")
    elif fmt is Format.table:
        emit_sourced([{"id": r["id"], "kind": r["kind"], "parties": ", ".join(r["parties"]),
                       "score": _pct(r["score"]), "coverage": _pct(r["coverage"]),
                       "range": f"{_pct(r['score_min'])}–{_pct(r['score_max'])}"} for r in rows],
                     fmt, sources, title="Agreements",
                     caption="score = yes / known provisions; coverage = known / 10; range = "
                             "unknown counted as no … as yes. See docs/governance.md.")
    else:
        emit_sourced(rows, fmt, sources)


@agreements_app.command("show")
def agreements_show(agreement_id: str = typer.Argument(..., help="Agreement id."),
                    fmt: Format = FORMAT) -> None:
    """One agreement: its checklist with evidence, score and provenance."""
    from corridors.governance import agreements as agreements_mod

    for item in agreements_mod.registry():
        if item.id == agreement_id:
            data = item.model_dump(mode="json") | {"score": item.score(),
                                                   "checklist": item.checklist()}
            sources = _sources(package_files=("agreements.yaml",), agreements=[item])
            if item.provenance.file and not item.provenance.file.startswith("corridors/"):
                sources = [s for s in sources if s["source_id"] != "package:agreements.yaml"]
            if fmt is Format.table:
                emit_sourced(item.checklist(), fmt, sources,
                             title=f"{item.title} — {item.score()['text']}",
                             caption=f"Coded from: {item.source}.")
            else:
                emit_sourced(data, fmt, sources)
            return
    raise InputError.one("AGREEMENT", "an agreement id (see `corridors agreements list`)",
                         value=agreement_id)


@agreements_app.command("import")
def agreements_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="YAML or CSV of agreements (see docs/governance.md)."),
    fmt: Format = FORMAT,
) -> None:
    """Validate an agreements file and copy it to <home>/user/agreements/."""
    from corridors.governance import agreements as agreements_mod
    from corridors.store.provenance import record_import

    items = agreements_mod.read_file(file)
    folder = agreements_mod.user_agreements_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file.name
    shutil.copyfile(file, target)
    row = record_import(target, file, kind="agreements", title="Agreements imported by the user")
    emit({"file": str(file), "agreements": len(items), "saved_to": str(target),
          "sha256": row["sha256"]}, fmt)


# -- communities and instruments ---------------------------------------------------------------
def communities_command(
    rec: str | None = typer.Argument(None, help="A community code (ECOWAS, SADC, ...) for its members."),
    year: int | None = typer.Option(None, "--year", "-y", help="Membership in this year (default: now)."),
    reference: Path = REFERENCE,
    fmt: Format = FORMAT,
) -> None:
    """Regional economic communities: member counts and free-movement status, or one
    community's members in a year.

    Example: `corridors communities ECOWAS --year 2020`
    """
    from corridors.governance import communities as communities_mod
    from corridors.governance.sources import MEMBERSHIP_FILES

    rows = communities_mod.memberships(reference)
    if rec is None:
        summary = communities_mod.summary(rows, communities_mod.free_movement(reference), year)
        if fmt is Format.table:
            summary = [{k: r[k] for k in ("rec_code", "members", "associates",
                                          "free_movement_status")} for r in summary]
        emit_sourced(summary, fmt, _sources(reference=reference, reference_files=MEMBERSHIP_FILES),
                     title="Regional economic communities" + (f", {year}" if year else ""),
                     caption="`--format json` for the free-movement instruments and their scope.")
        return
    code = rec.upper()
    if code not in communities_mod.communities(rows):
        raise InputError.one("REC", "one of " + ", ".join(communities_mod.communities(rows)),
                             value=rec)
    out = [{"iso3": r["iso3"], "country": codes.countries()[r["iso3"]].name, "role": r["role"],
            "full_member": r["full_member"], "since": r["since"], "since_known": r["since_known"],
            "until": r["until"]}
           for r in communities_mod.roles_of(rows, code, year)]
    full = sum(r["full_member"] for r in out)
    emit_sourced(out, fmt, _sources(reference=reference, reference_files=("rec_membership.csv",)),
                 title=f"{code}: {full} full members, {len(out) - full} other roles"
                 + (f", {year}" if year else ""),
                 caption="Full members (member, suspended, withdrawn before it left) count in "
                         "intra-community shares; associates and observers do not.")


def instruments_command(fmt: Format = FORMAT) -> None:
    """The instruments tracked: id, title, year, subject, migrant-specific, fundamental."""
    from corridors.governance.instruments import instruments

    emit_sourced([i.model_dump() for i in instruments().values()], fmt,
                 _sources(package_files=("instruments.yaml",)), title="Instruments")


# -- scorecard ---------------------------------------------------------------------------------
def scorecard_command(
    origin: str | None = typer.Argument(None, help="Origin: ISO3, M49 or name."),
    destination: str | None = typer.Argument(None, help="Destination: ISO3, M49 or name."),
    year: int | None = typer.Option(None, "--year", "-y", help="Year (default: the latest)."),
    rank: bool = typer.Option(False, "--rank", help="Rank the largest South-South corridors by "
                                                    "weakest governance coverage."),
    lens: str = typer.Option("wb-lmic", "--lens", "-l",
                             help="Definition of South for --rank (wb-lmic, wb-non-high, ...)."),
    top: int = typer.Option(50, "--top", "-n", help="--rank: how many largest corridors."),
    edition: str | None = typer.Option(None, "--edition", help="ims2024, ims2020, ... (default: the newest "
                                 "in the store)."),
    reference: Path = REFERENCE,
    fmt: Format = FORMAT,
) -> None:
    """Governance next to volume: stock and trend, both ends' ratifications, shared community
    and free movement, agreements and their scores, and five coverage indicators.

    Examples: `corridors scorecard NIC CRI --year 2020`;
    `corridors scorecard --rank --lens wb-lmic --year 2020 --format json`
    """
    from corridors.analytics import scorecard as scorecard_mod
    from corridors.governance import ratifications as ratifications_mod

    obs = observatory()
    con = obs.con
    try:
        selection = obs.select(edition)
        chosen = selection.edition
        if year is None:
            year = selection.year
        gov = scorecard_mod.Governance.load(con, reference)
        if rank:
            rows = scorecard_mod.rank(con, lens, year, edition=chosen, top=top, gov=gov)
            sources = scorecard_mod.sources(con, gov, chosen)
            if fmt is Format.table:
                rows = [{"rank": r["rank"], "corridor": f"{r['origin']} → {r['destination']}",
                         "stock": r["stock"], "evidenced": _pct(r["evidenced"]),
                         "possible": _pct(r["possible"]), "known": _pct(r["known_share"]),
                         "weakest": r["weakest"]} for r in rows]
            emit_sourced(rows, fmt, sources,
                         title=f"Largest South-South corridors ({lens}, {year}) by weakest "
                               "coverage",
                         caption="evidenced = coverage with unknown counted as 0; possible = "
                                 "unknown counted as 1; known = share of items known.")
            return
        if not origin or not destination:
            raise InputError.one("scorecard", "ORIGIN and DESTINATION, or --rank",
                                 value=" ".join(filter(None, [origin, destination])) or "(none)")
        card = scorecard_mod.scorecard(con, origin, destination, year, edition=chosen, gov=gov)
    finally:
        con.close()
    if fmt is not Format.table:
        emit(card if fmt is Format.json else card["indicators"], fmt)
        return
    c, s = card["corridor"], card["stock"]
    emit({"corridor": f"{c['origin_name']} → {c['destination_name']}",
          "year": str(c["year"]), "edition": c["edition"],
          "stock": s["value"], "change since " + str(s["previous_year"]): s["change"],
          "female share": _pct(s["female_share"]),
          "category": ", ".join(f"{k}: {v}" for k, v in s["categories"].items()),
          "shared communities": ", ".join(
              f"{x['rec_code']} (free movement: {x['free_movement_status']})"
              for x in card["communities"]["shared"]) or "none",
          "agreements": ", ".join(f"{a['id']} ({a['score_text']})" for a in card["agreements"])
          or "none in the registry",
          "evidenced coverage": _pct(card["coverage"]["evidenced"]),
          "possible coverage": _pct(card["coverage"]["possible"]),
          "known share": _pct(card["coverage"]["known_share"])},
         fmt, title="Corridor scorecard")
    emit([{"indicator": i["indicator"], "value": _pct(i["value"]), "low": _pct(i["low"]),
           "high": _pct(i["high"]), "known": f"{i['known']} of {i['items']}",
           "note": i["note"] or ""} for i in card["indicators"]], fmt, title="Coverage indicators")
    both = zip(card["instruments"]["origin"], card["instruments"]["destination"], strict=True)
    emit_sourced([{"instrument": o["instrument"], c["origin"]: o["status"],
                   c["destination"]: d["status"], "list": o["coverage"]} for o, d in both], fmt,
                 card["sources"], title="Instruments",
                 caption=ratifications_mod.HOW_TO_COMPLETE + ".")


def register(app: typer.Typer) -> None:
    app.add_typer(ratifications_app, name="ratifications")
    app.add_typer(practices_app, name="practices")
    app.add_typer(agreements_app, name="agreements")
    app.command("communities")(communities_command)
    app.command("instruments")(instruments_command)
    app.command("scorecard")(scorecard_command)
