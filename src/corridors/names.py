"""The name of a thing the data names, in the reader's language: countries and areas, regions,
regional communities, governance instruments and publishers.

The interface labels are messages of the catalogues (:mod:`corridors.languages`); the names here
come from the data and are kept in English there. One function per kind answers "the name of X in
language L" (``language`` defaults to the current request's):

- :func:`country`: :func:`corridors.codes.name_in` (CLDR's territory names through Babel, with the
  UN's own French and Spanish names where CLDR differs, from ``codes/names_fr_es.csv``);
- :func:`region`, :func:`community`, :func:`instrument`, :func:`publisher`, :func:`source_title`:
  ``locale/names.csv``,
  one row per name with the page it is written on (UNSD M49's French and Spanish pages, the UN
  Treaty Collection and ILO NORMLEX titles, the communities' own sites, UNTERM).

English answers are the data's own names, untouched (the English pages and every API body stay
as they were); a name this module lacks stays as the data writes it.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

import corridors.codes as codes
import corridors.languages as languages

#: The kinds of names ``locale/names.csv`` holds.
KINDS = ("region", "community", "instrument", "publisher", "source")


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], dict[str, str]]:
    """(kind, key) -> {language: name} of ``locale/names.csv`` (key: the English name of a
    region or publisher, the code of a community or instrument, the id of a source)."""
    path = resources.files("corridors").joinpath("locale", "names.csv")
    with io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[tuple[str, str], dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        if row["kind"] not in KINDS or not row["key"] or (row["kind"], row["key"]) in found:
            raise ValueError(f"locale/names.csv row {number}: kind {row['kind']!r} key "
                             f"{row['key']!r}: expected one of {', '.join(KINDS)} and a new key")
        found[(row["kind"], row["key"])] = {lang: row[lang] for lang in codes.TRANSLATED}
    return found


def _language(language: str | None) -> str:
    return language or languages.current()


def _lookup(kind: str, key: str | None, english: str | None, language: str | None) -> str:
    language = _language(language)
    if language == languages.DEFAULT or key is None:
        return english if english is not None else (key or "")
    found = table().get((kind, key), {}).get(language)
    return found or (english if english is not None else key)


def country(iso3: str, english: str | None = None, language: str | None = None) -> str:
    """A country's (or area's) name: ``english`` (the data's own, UN DESA's short name when
    not given) in English, else the French or Spanish name of :func:`corridors.codes.name_in`;
    the English name (else the code) for a code it does not know."""
    language = _language(language)
    if english is None:
        english = codes.name_in(iso3, "en") or iso3
    if language == languages.DEFAULT:
        return english
    return codes.name_in(iso3, language) or english


def countries(names: dict[str, str], language: str | None = None) -> dict[str, str]:
    """An ISO3 -> English name table in ``language``."""
    return {iso3: country(iso3, name, language) for iso3, name in names.items()}


def region(english: str, language: str | None = None) -> str:
    """A region's name (UN M49 regions and sub-regions, SDG regions, UN DESA regions) from its
    English name; World Bank income groups are catalogue messages (their labels)."""
    language = _language(language)
    if language != languages.DEFAULT and ("region", english) not in table():
        return languages.gettext(english) if language == languages.current() else english
    return _lookup("region", english, english, language)


def community(code: str, english: str | None = None, language: str | None = None) -> str:
    """A regional economic community's full name (the acronym it uses in that language in
    brackets where it differs: CEDEAO) from its code (ECOWAS)."""
    return _lookup("community", code, english, language)


def instrument(key: str, english: str | None = None, language: str | None = None) -> str:
    """A convention's, covenant's or protocol's official title (ILO NORMLEX, UN Treaty
    Collection) from its key (C097, ICRMW, TIP_PROTOCOL)."""
    return _lookup("instrument", key, english, language)


def publisher(english: str, language: str | None = None) -> str:
    """A publisher's name (the source registry's English one as the key)."""
    return _lookup("publisher", english, english, language)


def source_title(source_id: str, english: str, language: str | None = None) -> str:
    """A source's title (the registry's, :mod:`corridors.sources`): the publication's own name
    kept where it has no official translation (International Migrant Stock 2020), the rest of
    the title (which tables, which format) in the language."""
    return _lookup("source", source_id, english, language)


def group(grouping: str, code: str, english: str, language: str | None = None) -> str:
    """The name of a group of any grouping the pages show: a community by its code, an income
    group through the catalogue, any other region by its English name."""
    if grouping == "rec":
        return community(code, english, language)
    return region(english, language)
