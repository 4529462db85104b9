"""`corridors brief PLACE --out FILE.pdf|.html`: the two-page printable brief of a country, a
region or a community, in English, French or Spanish (the dashboard's /brief page)."""

from __future__ import annotations

from pathlib import Path

import typer

from corridors.cli._output import console
from corridors.cli.ssm import EDITION, LENS_HELP

ORDER = 36


def brief_command(
    place: str = typer.Argument(..., help="A country (ISO3 such as KEN, M49 or name), a region "
                                "(Africa, Western Asia, Sub-Saharan Africa) or a community "
                                "(ECOWAS, SADC, ASEAN, MERCOSUR...)."),
    out: Path = typer.Option(..., "--out", "-o", help="The brief to write: FILE.pdf (printed by "
                             "Chromium) or FILE.html (one self-contained page; needs nothing)."),
    lang: str = typer.Option("en", "--lang", help="Language of the brief: en, fr or es."),
    year: int = typer.Option(None, "--year", "-y", help="Year (default: the latest)."),
    lens: str = typer.Option("wb-lmic", "--lens", "-l", help=LENS_HELP),
    edition: str = EDITION,
) -> None:
    """Write the two-page brief of a country, region or community: South–South corridors both
    ways, share of immigrants from neighbours and from shared communities, women's share, trend,
    remittances and ratifications (a region: its members, intra-group shares, top corridors), with
    charts and the source and edition under every figure.

    A PDF is printed by Debian's Chromium (`apt-get install chromium`), offline; an .html brief
    needs nothing and prints from any browser.

    Examples: `corridors brief KEN --out kenya.pdf`;
    `corridors brief SEN --lang fr --year 2020 --out senegal.pdf`;
    `corridors brief ECOWAS --lang es --lens wb-non-high --out ecowas.html`
    """
    import corridors.languages as languages
    from corridors.settings import settings
    from corridors.store import connect
    from corridors.store.serving import Store
    from corridors.web import brief

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise brief.BriefError(f"--out {out}: expected a file ending in .pdf or .html")
    if lang not in languages.LANGUAGES:
        raise brief.BriefError(f"--lang {lang!r}: expected one of {', '.join(languages.LANGUAGES)}")
    if suffix == ".pdf" and brief.chromium() is None:
        raise brief.BriefError(
            "a PDF brief needs Chromium (Debian: `apt-get install chromium`); an HTML brief needs "
            f"nothing: --out {out.with_suffix('.html')}")
    path = settings().store_path
    connect(path).close()  # no store: the one message saying what to run
    store = Store(path)
    con, generation = store.acquire()
    try:
        with languages.using(lang):
            data = _brief(store, con, place, year, lens, edition)
        html = brief.render(data, language=lang)
    finally:
        store.release(con, generation)
    if suffix == ".pdf":
        brief.to_pdf(html, out)
    else:
        brief.write(out, html.encode("utf-8"))
    console.print(f"wrote {out} ({data['name']}, {data['year']}, {lang})", highlight=False)


def _brief(store, con, place, year, lens, edition):
    """The brief's figures; a request-style refusal (unknown year, lens, edition) as one
    message."""
    from fastapi import HTTPException

    from corridors.errors import CorridorsError
    from corridors.web import brief

    try:
        return brief.brief(store, con, place, year=year, lens=lens, edition=edition)
    except HTTPException as error:
        raise CorridorsError(str(error.detail)) from None


def register(app: typer.Typer) -> None:
    app.command("brief")(brief_command)
