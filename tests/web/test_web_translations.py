"""Every page, label and message of the methods, sources, practices, ranking, scorecard and error
pages, the flows, ratification and remittance sections and the brief, in French and Spanish: no
English message left in what a reader sees; labels and lens names in the language; links that
keep it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from corridors import languages
from corridors.analytics.lenses import BUILTIN

TEMPLATES = Path(languages.__file__).parent / "web" / "templates"
#: The templates this test holds to the rule (others' pages have their own language tests).
OWN = ["methods.html", "sources.html", "practices.html", "ranking.html", "scorecard.html",
       "error.html", "_flows.html", "_ratifications.html", "_remittances_corridor.html",
       "_remittances_country.html", "brief.html", "_brief_button.html"]
#: (address, the sections to read: None = the whole page without header, footer and controls)
PAGES = [
    ("/methods", None), ("/sources", None), ("/practices", None),
    ("/practices?q=zzzqqq", None), ("/practices?level=regional", None),
    ("/scorecard", None), ("/scorecard/MMR/THA", None), ("/scorecard/BFA/CIV", None),
    ("/country/LSO", {"h-remittances", "h-ratifications"}),
    ("/corridor/NPL/IND", {"h-flows", "h-remittances"}),
    ("/corridor/IND/ARE", {"h-flows", "h-remittances"}),
    ("/brief/KEN", None), ("/brief/ECOWAS", None), ("/brief/Africa", None),
    ("/no-such-page", None), ("/country/ZZZ", None),
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def english_messages() -> set[str]:
    """The messages our templates mark for translation."""
    found: set[str] = set()
    for name in OWN:
        with (TEMPLATES / name).open("rb") as handle:
            for _line, message, _comments, _context in extract_from_file(
                    "jinja2", handle.name, options={"extensions": "jinja2.ext.i18n"}):
                found.add(message if isinstance(message, str) else message[0])
    return found


class Visible(HTMLParser):
    """The text a reader sees (text nodes, placeholders, labels for screen readers), leaving out
    the site header and footer and the shared year/lens controls (other templates), or only
    inside the sections named."""

    def __init__(self, only: set[str] | None):
        super().__init__()
        self.only = only
        self.stack: list[bool] = []  # per open element: is its text read?
        self.texts: list[str] = []

    def _reading(self) -> bool:
        return self.stack[-1] if self.stack else self.only is None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        reading = self._reading()
        if tag in ("script", "style", "header", "footer") or "data-autosubmit" in attrs:
            reading = False
        if self.only is not None and tag == "section" and attrs.get("aria-labelledby") in self.only:
            reading = True
        if reading:
            self.texts += [attrs[a] for a in ("placeholder", "aria-label", "title") if attrs.get(a)]
        if tag not in VOID:
            self.stack.append(reading)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self._reading() and data.strip():
            self.texts.append(" ".join(data.split()))


def visible(html: str, only: set[str] | None = None) -> list[str]:
    parser = Visible(only)
    parser.feed(html)
    return parser.texts


def untranslated(texts: list[str], language: str, messages: set[str]) -> list[str]:
    """English messages (whose translation differs) found in the visible text: a message
    without placeholders as a whole text, the words between placeholders of the others."""
    joined = " | ".join(texts)
    whole = set(texts)
    left = []
    with languages.using(language):
        for message in messages:
            if languages.gettext(message) == message:
                continue
            plain = re.sub(r"<[^>]+>", "", message)
            if "{" not in plain and plain in whole:
                left.append(message)
            for piece in re.split(r"\{\w+\}", plain):
                piece = piece.strip(" :;,.()“”«»")
                if "{" in plain and len(piece) >= 12 and piece in joined:
                    left.append(message)
    return sorted(set(left))


@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize(("address", "only"), PAGES)
def test_no_english_left(web_client, address, only, language):
    answer = web_client.get(address, params={"lang": language})
    assert answer.headers["content-language"] == language
    texts = visible(answer.text, only)
    assert texts, "nothing read on the page"
    found = untranslated(texts, language, english_messages())
    assert not found, f"{address} in {language} shows English: {found[:8]}"


def test_the_check_finds_english(web_client):
    """The same check on the English pages finds the English messages (it can fail)."""
    texts = visible(web_client.get("/methods").text)
    found = untranslated(texts, "fr", english_messages())
    assert "Definitions of “South” (lenses)" in found and len(found) > 20


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["Définitions du « Sud » (optiques)", "Banque mondiale : faible revenu et revenu "
            "intermédiaire inférieur", "Revenu intermédiaire, tranche supérieure",
            "régions moins développées (ONU)"]),
    ("es", ["Definiciones de «Sur» (enfoques)", "Banco Mundial: ingreso bajo y mediano bajo",
            "Ingreso mediano alto", "regiones menos desarrolladas (Naciones Unidas)"]),
])
def test_lens_and_income_names_in_the_language(web_client, language, words):
    html = web_client.get("/methods", params={"lang": language}).text
    for text in words:
        assert text in html.replace("&#39;", "'")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_builtin_lens_is_translated(language):
    from corridors.web.views import lens_note

    with languages.using(language):
        for lens in BUILTIN.values():
            assert languages.gettext(lens.title) != lens.title, lens.id
            if lens.note:
                assert lens_note(lens) != lens.note, lens.id
            assert "World Bank" not in lens.origin.describe()


def test_category_and_status_labels_in_the_language(web_client):
    html = web_client.get("/scorecard/MMR/THA", params={"lang": "es"}).text
    assert re.search(r'<strong id="category">Sur–(Sur|Norte)</strong>', html)
    statuses = re.findall(r'<td class="status" data-status="([^"]+)">(?:<a [^>]*>)?([^<(]+)', html)
    assert statuses and all(shown.strip() != status for status, shown in statuses
                            if status in ("unknown", "in force", "not ratified"))


def test_links_keep_the_language(web_client):
    html = web_client.get("/scorecard", params={"lang": "fr"}).text
    links = re.findall(r'class="scorecard-link" href="([^"]+)"', html)
    assert links and all("lang=fr" in link for link in links)
    practices = web_client.get("/practices", params={"lang": "es"}).text
    facets = re.findall(r'<li><a href="(/practices[^"]*)"', practices.split('id="facets"')[1])
    countries = re.findall(r'class="country-link" href="([^"]+)"', practices)
    assert facets and countries and all("lang=es" in x for x in facets + countries)
    overview = web_client.get("/", params={"lang": "es"}).text
    assert re.search(r'href="/country/[A-Z]{3}\?year=\d+&amp;lens=wb-lmic&amp;lang=es"', overview)


@pytest.mark.parametrize(("url", "language", "pinned", "expected"), [
    ("/country/KEN?year=2020", "fr", False, "/country/KEN?year=2020&lang=fr"),
    ("/practices", "es", False, "/practices?lang=es"),
    ("/practices?lang=fr&q=x", "es", False, "/practices?q=x&lang=es"),
    ("/country/KEN", "en", False, "/country/KEN"),  # English by default: links stay bare
    ("/country/KEN", "en", True, "/country/KEN?lang=en"),  # ...unless the reader chose it
    ("https://normlex.ilo.org/x?y=1", "fr", False, "https://normlex.ilo.org/x?y=1"),
])
def test_keep(url, language, pinned, expected):
    with languages.using(language, pinned=pinned):
        assert languages.keep(url) == expected


def test_english_chosen_over_the_browser_stays_english(web_client):
    html = web_client.get("/scorecard", params={"lang": "en"},
                          headers={"Accept-Language": "fr"}).text
    assert '<html lang="en">' in html
    assert re.search(r'class="scorecard-link" href="[^"]*lang=en"', html)


def test_dates_in_the_language(web_client):
    import datetime as dt

    from babel.dates import format_date

    today = dt.date.today()
    for language in ("en", "fr", "es"):
        html = web_client.get("/brief/KEN", params={"lang": language}).text
        assert format_date(today, format="long", locale=language) in html


@pytest.mark.parametrize(("language", "title", "words"), [
    ("fr", "Introuvable", "Il n'y a pas de page à l'adresse /no-such-page."),
    ("es", "No encontrado", "No hay ninguna página en /no-such-page."),
])
def test_error_pages_in_the_language(web_client, language, title, words):
    answer = web_client.get("/no-such-page", params={"lang": language})
    assert answer.status_code == 404
    text = answer.text.replace("&#39;", "'")
    assert f"<h1>{title}</h1>" in text and words in text
    assert "Traceback" not in text
    brief = web_client.get("/brief/NOWHERE", params={"lang": language}).text
    assert ("n'est ni un pays" if language == "fr" else "no es un país") in brief.replace("&#39;", "'")
