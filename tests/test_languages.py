"""The dashboard's languages: which one answers a request, and catalogues complete for every
message the pages and briefs can show."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from corridors import languages

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "corridors"
METHODS = [("**.py", "python"), ("web/templates/**.html", "jinja2")]


def _messages() -> set[str]:
    """Every message id the code and templates mark for translation (``_()``, ``gettext``,
    ``{% trans %}``), extracted the way ``pybabel extract -F babel.cfg`` does."""
    found: set[str] = set()
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(SOURCES), METHODS, options_map=options):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize(("asked", "accept", "expected"), [
    ("fr", [], "fr"),
    ("ES", [], "es"),
    (None, ["fr-CH, fr;q=0.9, en;q=0.8"], "fr"),
    (None, ["de-DE, es;q=0.5, fr;q=0.4"], "es"),  # the best language we serve, not the first
    (None, ["en;q=0.1, fr;q=0.9"], "fr"),  # quality values, not order
    ("xx", ["de"], "en"),  # nothing we speak: English
    (None, ["fr;q=0"], "en"),  # q=0 means "not this one"
    ("es", ["fr"], "es"),  # ?lang= beats the browser
])
def test_the_language_of_a_request(asked, accept, expected):
    assert languages.negotiate(asked, accept) == expected


@pytest.mark.parametrize("language", [code for code in languages.LANGUAGES if code != languages.DEFAULT])
def test_every_message_is_translated(language):
    wanted = _messages()
    assert len(wanted) >= 4  # the extraction itself works
    with languages.catalogue_path(language).open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue
                  if m.id and m.string and not m.fuzzy and (not isinstance(m.string, tuple) or all(m.string))}
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} messages lack a {language} translation, e.g. {missing[:10]}"


def test_placeholders_survive_translation():
    """A translation keeps every ``{name}`` its English message has (else .format() breaks)."""

    for language in languages.LANGUAGES[1:]:
        with languages.catalogue_path(language).open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id or not message.string or isinstance(message.string, tuple):
                    continue
                source = message.id if isinstance(message.id, str) else message.id[0]
                assert set(re.findall(r"\{\w+\}", source)) == set(re.findall(r"\{\w+\}", message.string)), \
                    (language, source, message.string)


def test_numbers_follow_the_language():
    from corridors.web import format

    expected = {"en": "280,598,105", "fr": "280\u202f598\u202f105", "es": "280.598.105"}
    for code, text in expected.items():
        with languages.using(code):
            assert format.people(280598105) == text
    # shares in each language's own percent pattern (a no-break space before % in French, Spanish)
    shares = {"en": ("40.5%", "5%", "-1.2%"), "fr": ("40,5\u00a0%", "5\u00a0%", "-1,2\u00a0%"),
              "es": ("40,5\u00a0%", "5\u00a0%", "-1,2\u00a0%")}
    for code, (share, whole, change) in shares.items():
        with languages.using(code):
            assert (format.percent(0.405), format.percent(0.05, 0), format.signed_percent(-0.0123)) == (
                share, whole, change)


def test_country_names_follow_the_language():
    """English keeps UN DESA's names; French and Spanish take CLDR's (through Babel)."""
    import corridors.names as names

    assert names.country("TZA", "United Republic of Tanzania") == "United Republic of Tanzania"
    with languages.using("es"):
        assert names.country("KEN", "Kenya") == "Kenia"
        assert names.country("XXX", "Other") == "Otro (origen desconocido)"  # curated wording
        assert names.country("ZZZ", "Nowhere") == "Nowhere"  # unknown code: as published
    with languages.using("fr"):
        assert names.country("SSD", "South Sudan") == "Soudan du Sud"


class _Words(HTMLParser):
    """Words a template writes itself (text and the names in attributes), its Jinja left out."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.words += [word for name, value in attrs if name in ("aria-label", "title", "placeholder", "alt")
                       for word in re.findall(r"[A-Za-z]{3,}", value or "")]

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.words += re.findall(r"[A-Za-z]{3,}", data)


def test_templates_write_no_words_outside_messages():
    """Every word a page shows is a message (translated, checked above) or data: a word written
    straight into a template would stay English in every language, and no catalogue-based check
    could see it (tests/web/test_web_phone.py reads the catalogues)."""
    left = {}
    for template in sorted((SOURCES / "web" / "templates").glob("*.html")):
        parser = _Words()
        parser.feed(re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", template.read_text(encoding="utf-8"),
                           flags=re.S))
        words = set(parser.words) - {"API", "SHA"}  # the same in every language
        if words:
            left[template.name] = sorted(words)
    assert left == {}, left
