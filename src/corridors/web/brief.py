"""Printable briefs: two pages of a country's (or a region's, or a community's) key figures, with
the dashboard's charts, the source and edition under every figure, in English, French or Spanish.

The same brief is the web page ``/brief/<code>`` (print it from the browser) and the output of
``corridors brief CODE --out FILE.pdf|.html``. Its figures are the country page's
(:func:`corridors.web.views.country`, the API's profile) and the corridor table's
(:func:`corridors.analytics.corridors.corridor_table`); a region or community summarises its
members (:func:`corridors.analytics.regions.region_members`, ``intra_group_shares``). A PDF is
printed by Debian's Chromium in headless mode: nothing is fetched from the internet.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

import corridors.languages as languages
import corridors.names as place_names
from corridors.analytics import reference
from corridors.analytics.corridors import corridor_table, safe
from corridors.analytics.lenses import get_lens
from corridors.analytics.reference import known_countries
from corridors.api.deps import check_country, check_edition
from corridors.codes import OTHER_ORIGIN
from corridors.errors import CorridorsError
from corridors.languages import gettext as _
from corridors.observatory import selection
from corridors.store import provenance
from corridors.store.serving import Store
from corridors.web import views

#: Top South–South corridors listed each way.
TOP = 5
#: Where Debian installs Chromium (``apt-get install chromium``).
CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser")


class BriefError(CorridorsError):
    """A brief that cannot be made (unknown place, no browser for a PDF, unwritable file)."""


def _is_country(store: Store, con: duckdb.DuckDBPyConnection, code: str) -> str | None:
    """The ISO3 code when ``code`` names a country (code, M49 or name), else None."""
    from fastapi import HTTPException

    try:
        return check_country(con, known_countries(con), "code", code)
    except (HTTPException, ValueError, CorridorsError):
        return None


def _south_south(frame: pl.DataFrame, lens: str, end: str, iso3: str) -> list[dict[str, Any]]:
    """The largest South–South corridors with ``iso3`` at ``end``, largest first."""
    other = "origin" if end == "destination" else "destination"
    return (frame.filter((pl.col(end) == iso3) & (pl.col(f"category_{safe(lens)}") == "south-south")
                         & (pl.col(other) != OTHER_ORIGIN))
            .sort("stock", descending=True).head(TOP)
            .select(pl.col(other).alias("partner"), "stock", "female_share",
                    pl.col(f"{end}_share").alias("share"))
            .to_dicts())


def country_brief(store: Store, con: duckdb.DuckDBPyConnection, iso3: str, *, year: int | None,
                  lens: str, edition: str | None) -> dict[str, Any]:
    """A country's brief: the country page's record and, from the corridor table, its largest
    South–South corridors both ways and the share of its immigrants from land neighbours and
    from the regional communities it shares with their origin."""
    record = views.country(store, con, iso3, year=year, lens=lens, edition=edition)
    lens_obj = get_lens(lens)

    def compute() -> pl.DataFrame:
        return corridor_table(con, edition=record["edition"], years=record["year"], sex="total",
                              lenses=[lens_obj], country=iso3)

    table = store.memo(("brief-corridors", iso3, record["year"], lens, record["edition"]), compute)
    immigrants = table.filter(pl.col("destination") == iso3)
    total = record.get("immigrants") or 0
    neighbours = immigrants.filter(pl.col("contiguous").fill_null(False))["stock"].sum()
    community = immigrants.filter(pl.col("same_rec").fill_null(False))
    names = reference.names(con)
    into = _south_south(table, lens, "destination", iso3)
    out = _south_south(table, lens, "origin", iso3)
    for row in into + out:
        row["name"] = place_names.country(row["partner"], names.get(row["partner"], row["partner"]))
    return {
        "kind": "country", "code": iso3, "name": place_names.country(iso3, record["name"]),
        "record": record,
        "edition": record["edition"], "year": record["year"], "lens": lens,
        "south_south_in": into, "south_south_out": out,
        "neighbours": {"stock": neighbours, "share": neighbours / total if total else None},
        "communities": {"stock": community["stock"].sum(),
                        "share": community["stock"].sum() / total if total else None,
                        "codes": sorted({c for row in community["shared_recs"].to_list()
                                         for c in (row or [])})},
        "sources": record["sources"],
    }


def region_brief(store: Store, con: duckdb.DuckDBPyConnection, code: str, *, year: int | None,
                 lens: str, edition: str | None) -> dict[str, Any]:
    """A region's or a community's brief: its members in the year with their immigrants and
    emigrants, the intra-group shares over time (both views) and the largest South–South
    corridors with a member at either end."""
    from corridors.analytics import regions

    chosen = selection(con, edition)
    edition = chosen.edition
    years = list(chosen.years)
    year = views._pick_year(chosen, year)
    views._lens(lens)
    grouping, name, members = regions.region_members(con, code, years)
    lens_obj = get_lens(lens)

    def compute() -> dict[str, Any]:
        shares = regions.intra_group_shares(con, grouping, edition=edition, years=years)
        shares = shares.filter(pl.col("group") == name).sort("year")
        table = corridor_table(con, edition=edition, years=year, sex="total", lenses=[lens_obj],
                               detail=False)
        return {"shares": shares.to_dicts(), "table": table}

    found = store.memo(("brief-region", grouping, name, year, lens, edition), compute)
    table: pl.DataFrame = found["table"]
    now = set(members.filter(pl.col("year") == year)["iso3"].to_list())
    names = reference.names(con)
    in_ss = pl.col(f"category_{safe(lens)}") == "south-south"
    member_rows = []
    for iso3 in sorted(now, key=lambda c: place_names.country(c, names.get(c) or c)):
        inward = table.filter(pl.col("destination") == iso3)
        outward = table.filter(pl.col("origin") == iso3)
        member_rows.append({
            "iso3": iso3, "name": place_names.country(iso3, names.get(iso3) or iso3),
            "immigrants": inward["stock"].sum(), "emigrants": outward["stock"].sum(),
            "south_south_immigrants": inward.filter(in_ss)["stock"].sum(),
        })
    top = (table.filter(in_ss & (pl.col("origin").is_in(list(now))
                                 | pl.col("destination").is_in(list(now))))
           .sort("stock", descending=True).head(2 * TOP)
           .select("origin", "destination", "stock", "female_share").to_dicts())
    for row in top:
        for end in ("origin", "destination"):
            row[f"{end}_name"] = place_names.country(row[end], names.get(row[end]) or row[end])
    this_year: dict[str, Any] = next((s for s in found["shares"] if s["year"] == year), {})
    return {
        "kind": "region", "code": code, "name": place_names.group(grouping, code.upper(), name),
        "grouping": grouping,
        "edition": edition, "year": year, "lens": lens, "members": member_rows,
        "shares": found["shares"], "share": this_year, "top_corridors": top,
        "sources": provenance.sources(con, reference.income_sources(con), [edition]),
    }


def brief(store: Store, con: duckdb.DuckDBPyConnection, code: str, *, year: int | None = None,
          lens: str = "wb-lmic", edition: str | None = None) -> dict[str, Any]:
    """The brief of ``code``: a country (ISO3, M49 or name), else a region or community
    (Africa, Western Asia, ECOWAS...). One clear message when it is neither."""
    edition = check_edition(store, con, edition)
    iso3 = _is_country(store, con, code)
    if iso3 is not None:
        data = country_brief(store, con, iso3, year=year, lens=lens, edition=edition)
    else:
        from corridors.analytics.lenses import LensError

        try:
            data = region_brief(store, con, code, year=year, lens=lens, edition=edition)
        except LensError:
            raise BriefError(_(
                "“{place}” is neither a country (an ISO3 code such as KEN, an M49 code or a name) "
                "nor a region or community (a continent such as Africa, a UN sub-region such as "
                "Western Asia, an SDG region or a community such as ECOWAS; `corridors countries` "
                "and `corridors communities` list them)").format(place=code)) from None
    lens_obj = get_lens(lens)
    data["page"] = "brief"
    data["lens_title"] = _(lens_obj.title)
    data["made"] = dt.date.today()
    return data


# --- rendering -----------------------------------------------------------------------------------

def render(data: dict[str, Any], *, language: str, inline: bool = True,
           back_url: str | None = None) -> str:
    """The brief as an HTML document in ``language``. ``inline``: one self-contained file (its
    styles inside, no script: it prints anywhere); else the web page, with its styles and Print
    button served from ``/static`` (the Content-Security-Policy forbids inline styles)."""
    from babel.dates import format_date

    from corridors.web import render
    from corridors.web.names import localise

    css = (Path(__file__).parent / "static" / "brief.css").read_text(encoding="utf-8")
    with languages.using(language):
        data = localise(data)  # instrument titles, publishers... in the brief's language
        template = render.templates.get_template("brief.html")
        return template.render(data=data, css=css if inline else None, script=not inline,
                               back_url=back_url, made=format_date(
                                   data["made"], format="long", locale=languages.locale()))


def chromium() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(html: str, out: Path) -> None:
    """Print ``html`` to ``out`` with headless Chromium (no network); written whole or not at
    all."""
    browser = chromium()
    if browser is None:
        raise BriefError("a PDF brief needs Chromium (Debian: `apt-get install chromium`); "
                         f"or ask for HTML, which needs nothing: --out {out.with_suffix('.html').name}")
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="corridors-brief-") as work:
        page = Path(work) / "brief.html"
        page.write_text(html, encoding="utf-8")
        printed = Path(work) / "brief.pdf"
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(work) / 'profile'}",
                   f"--print-to-pdf={printed}", page.as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise BriefError("Chromium did not print the brief within 2 minutes") from None
        if result.returncode != 0 or not printed.is_file() or printed.stat().st_size == 0:
            detail = (result.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise BriefError(f"Chromium could not print the brief: {detail[0]}")
        write(out, printed.read_bytes())


def write(out: Path, content: bytes) -> None:
    """``content`` to ``out`` through a file beside it, renamed at the end (nothing half-written)."""
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(content)
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        from corridors.errors import storage_error

        raise storage_error(error, str(out)) from None
