"""The one country and area table: M49 code, ISO3, names, and every publisher's spelling.

Plain data and a resolver; imports nothing else from corridors. Files:

- ``countries.csv``: one row per country or area (``iso3``, ``m49``, ``iso2``, ``name`` as UNSD M49
  spells it, ``short_name`` as UN DESA's migrant-stock tables spell it). ``CHI`` (Channel Islands,
  M49 830) and ``XKX`` (Kosovo, as the World Bank codes it) are included because publishers use them.
- ``names_fr_es.csv``: the French and Spanish names where the UN's differ from CLDR's (Babel's
  territory names) in form or in substance (République démocratique du Congo for Congo-Kinshasa,
  État de Palestine, Bélarus, Myanmar), each row citing where the name is written (mostly UNSD
  M49's French and Spanish pages), and the names of the codes that are not countries;
  :func:`name_in` reads it. Spellings of the same name (Spanish Kenia, Ruanda, Botsuana where the
  UN writes Kenya, Rwanda, Botswana) are left to CLDR.
- ``aliases_*.csv``: ``alias,iso3,note``: spellings as each publisher writes them, one file per
  publisher so a publisher's quirks live together (``aliases_common.csv``: the short and common
  names people type, "UK", "Syria", "DR Congo"). Every new bug becomes one new row.

Names are matched after normalisation: footnote marks (``*``, trailing digits or letters in
brackets), curly apostrophes, repeated spaces and case are ignored.

**What a person types** (the one rule for the CLI, the API and the dashboard's country box):
:func:`code_for` takes a code or a name, and also a name whose accents, apostrophes, hyphens and
punctuation differ ("Cote d Ivoire", "turkiye", "Timor Leste"): :func:`fold`. A typo is never
guessed silently: French and Spanish names (CLDR's and the UN's: "Afrique du Sud", "Sudáfrica",
"Turquie") are read too, though never in official files (:func:`iso3_for_name` stays English).
:func:`suggest` ranks the names that come close ("Kenia" -> Kenya), for the
message that refuses it and for the country box's suggestions.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Codes that are not countries but appear in official bilateral tables.
OTHER_ORIGIN = "XXX"  # UN DESA "Other" origins (location code 2003): unknown or not specified
#: Residual origins a publication counts without naming their countries: IMS 2015 Table 16 has
#: "Other North" and "Other South" columns. Each keeps its own code (never merged into the unknown
#: ``XXX``), so a lens that can place a residual group places it (the UN development groups: see
#: ``corridors.analytics.lenses.residual_south``); under any other lens it is unclassified.
OTHER_NORTH = "XON"
OTHER_SOUTH = "XOS"
#: UN DESA development group of each residual origin ("North" = more developed regions).
RESIDUAL_ORIGINS = {OTHER_NORTH: "more developed", OTHER_SOUTH: "less developed"}
#: Names people read for the codes that are not countries.
NOT_COUNTRY_NAMES = {OTHER_ORIGIN: "Other (unknown origin)",
                     OTHER_NORTH: "Other North (countries not specified)",
                     OTHER_SOUTH: "Other South (countries not specified)"}


@dataclass(frozen=True)
class Country:
    iso3: str
    m49: int
    iso2: str
    name: str
    short_name: str


_FOOTNOTE = re.compile(r"(\*+|\s*\(\d+\)|\s*\[\w+\]|\s*\d+$)")


@lru_cache(maxsize=16384)  # the readers ask for the same few hundred names thousands of times
def normalise(name: str) -> str:
    """The key a name is matched on: no footnote marks, accents kept, case and spacing ignored."""
    text = unicodedata.normalize("NFC", str(name)).replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\xa0", " ").strip()
    previous = None
    while previous != text:
        previous = text
        text = _FOOTNOTE.sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    return text.casefold()


def fold(name: str) -> str:
    """The looser key of what a person types: :func:`normalise`, then no accents, and
    apostrophes, hyphens, dots, commas and brackets read as spaces ("Côte d’Ivoire" and
    "cote d ivoire" give the same key)."""
    text = unicodedata.normalize("NFKD", normalise(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _read(name: str) -> list[dict[str, str]]:
    # bytes wrapped by hand: Traversable.open() promises no newline argument, and csv needs newline=""
    with io.TextIOWrapper(resources.files(__package__).joinpath(name).open("rb"), encoding="utf-8",
                          newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """Every country and area keyed by ISO3."""
    table = {}
    for row in _read("countries.csv"):
        table[row["iso3"]] = Country(row["iso3"], int(row["m49"]), row["iso2"], row["name"],
                                     row["short_name"])
    return table


def alias_files() -> list[str]:
    return sorted(
        entry.name for entry in resources.files(__package__).iterdir()
        if entry.name.startswith("aliases_") and entry.name.endswith(".csv")
    )


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[int, str], dict[str, str]]:
    by_name: dict[str, str] = {}
    for country in countries().values():
        by_name[normalise(country.name)] = country.iso3
        by_name[normalise(country.short_name)] = country.iso3
    for file in alias_files():
        for row in _read(file):
            iso3 = row["iso3"].strip()
            if iso3 not in countries() and iso3 not in NOT_COUNTRY_NAMES:
                raise ValueError(f"codes/{file}: alias {row['alias']!r} points at unknown {iso3!r}")
            by_name[normalise(row["alias"])] = iso3
    by_m49 = {c.m49: c.iso3 for c in countries().values()}
    by_iso2 = {c.iso2: c.iso3 for c in countries().values() if c.iso2}
    return by_name, by_m49, by_iso2


@lru_cache(maxsize=1)
def _folded() -> dict[str, str]:
    """Folded name -> ISO3 for every name and alias; a key two countries share is left out (it
    does not decide between them)."""
    found: dict[str, set[str]] = {}
    for name, iso3 in _index()[0].items():
        if iso3 != OTHER_ORIGIN:
            found.setdefault(fold(name), set()).add(iso3)
    # French and Spanish names where no English name or alias already holds the key
    other: dict[str, set[str]] = {}
    for iso3 in countries():
        for name in translated_names(iso3):
            if fold(name) not in found:
                other.setdefault(fold(name), set()).add(iso3)
    found.update(other)
    return {key: next(iter(isos)) for key, isos in found.items() if len(isos) == 1 and key}


#: The languages a country has a name in besides English (the dashboard's).
TRANSLATED = ("fr", "es")


@lru_cache(maxsize=1)
def _translated() -> dict[str, dict[str, str]]:
    """ISO3 -> {language: name} of ``names_fr_es.csv``."""
    return {row["iso3"]: {language: row[language] for language in TRANSLATED}
            for row in _read("names_fr_es.csv")}


@lru_cache(maxsize=2048)
def _cldr(iso2: str, language: str) -> str | None:
    from babel import Locale

    return Locale.parse(language).territories.get(iso2) if iso2 else None


def name_in(iso3: str, language: str) -> str | None:
    """The name of a country or area (or of a code that is not a country) in ``language``:
    English is UN DESA's short name; French and Spanish the curated name of ``names_fr_es.csv``
    when CLDR's differs from the UN's, else CLDR's territory name for the ISO2 code. None for a
    code the table does not know (or a language without names)."""
    if language == "en":
        country = countries().get(iso3)
        return country.short_name if country else NOT_COUNTRY_NAMES.get(iso3)
    if language not in TRANSLATED:
        return None
    return _translated().get(iso3, {}).get(language) or cldr_name(iso3, language)


def cldr_name(iso3: str, language: str) -> str | None:
    """CLDR's name of a country or area in ``language`` (Babel's territory name for its ISO2
    code), None when it has no ISO2 code."""
    country = countries().get(iso3)
    return _cldr(country.iso2, language) if country else None


def translated_names(iso3: str) -> list[str]:
    """The French and Spanish names of a country a person may type: the curated ones and
    CLDR's (when they differ: "Syrie", "République arabe syrienne")."""
    out: list[str] = []
    for language in TRANSLATED:
        out += [_translated().get(iso3, {}).get(language) or "", cldr_name(iso3, language) or ""]
    return [name for name in dict.fromkeys(out) if name]


def iso3_for_name(name: str) -> str | None:
    """ISO3 for any known spelling of a country or area name, else None."""
    return _index()[0].get(normalise(name))


def iso3_for_m49(code: int | str) -> str | None:
    try:
        return _index()[1].get(int(float(code)))
    except (TypeError, ValueError):
        return None


def iso3_for_iso2(code: str) -> str | None:
    return _index()[2].get(str(code).strip().upper())


def m49_for_iso3(iso3: str) -> int | None:
    country = countries().get(iso3)
    return country.m49 if country else None


def code_for(text: str | int) -> str | None:
    """ISO3 for a code a user typed: ISO3 (any case), M49 number, ISO2 or a name."""
    value = str(text).strip()
    if value.upper() in countries():
        return value.upper()
    if value.isdigit():
        return iso3_for_m49(value)
    if len(value) == 2:
        found = iso3_for_iso2(value)
        if found:
            return found
    return iso3_for_name(value) or _folded().get(fold(value))


def codes_for(items: Iterable[object], example: str = "") -> list[str]:
    """ISO3 of each country in ``items`` (anything :func:`code_for` reads), in order; the first
    unknown one is a ValueError naming it and what to use (``example``: an ISO3 code to show)."""
    out = []
    for item in items:
        iso3 = code_for(str(item))
        if iso3 is None:
            raise ValueError(f"unknown country {item!r} (use ISO3 codes"
                             + (f", e.g. {example})" if example else ")"))
        out.append(iso3)
    return out


def names_of(iso3: str) -> list[str]:
    """Every name and alias of a country as written in the table and alias files (M49 name
    first, then UN DESA's short name, then the aliases in file order)."""
    country = countries().get(iso3)
    out = [country.name, country.short_name] if country else []
    return list(dict.fromkeys(out + _aliases_by_iso3().get(iso3, [])))


@lru_cache(maxsize=1)
def _aliases_by_iso3() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for file in alias_files():
        for row in _read(file):
            found.setdefault(row["iso3"].strip(), []).append(row["alias"].strip())
    return found


def suggest(text: str, n: int = 5, within: Iterable[str] | None = None) -> list[str]:
    """ISO3 codes of the countries whose names come closest to ``text`` (typos, partial names),
    best first; ``within`` keeps only those codes (e.g. the store's countries). Empty when
    nothing comes close. ``code_for(text)``, when it finds one, is first."""
    import difflib

    allowed = set(within) if within is not None else None
    key = fold(text)
    if not key:
        return []
    keys = {k: iso3 for k, iso3 in _folded().items() if allowed is None or iso3 in allowed}
    ranked: list[str] = []
    exact = code_for(text)
    if exact and (allowed is None or exact in allowed):
        ranked.append(exact)
    # names that start with or contain what was typed ("tanz", "korea"), then close spellings
    starts = sorted(k for k in keys if k.startswith(key))
    contains = sorted(k for k in keys if key in k and not k.startswith(key)) if len(key) >= 3 else []
    close = difflib.get_close_matches(key, list(keys), n=n * 3, cutoff=0.75)
    for k in [*starts, *contains, *close]:
        if keys[k] not in ranked:
            ranked.append(keys[k])
    return ranked[:n]


def did_you_mean(text: str, within: Iterable[str] | None = None) -> str:
    """'; did you mean Kenya (KEN)?' for a name that found nothing (the closest names, from
    :func:`suggest`), or '' when none comes close: the end of every "unknown country" message."""
    close = [c for c in suggest(text, within=within) if c != code_for(text)]
    if not close:
        return ""
    table = countries()
    return "; did you mean " + ", ".join(f"{table[c].short_name} ({c})" for c in close) + "?"


@dataclass
class Unknown:
    name: str
    file: str
    sheet: str | None
    row: int | None


class NameResolver:
    """Resolves names for one file, collecting every unknown so a read can report them all at once.

    >>> r = NameResolver("table.xlsx", sheet="Table 1")
    >>> r.resolve("Bolivia (Plurinational State of)", row=12)
    'BOL'
    """

    def __init__(self, file: str, sheet: str | None = None):
        self.file = file
        self.sheet = sheet
        self.unknown: list[Unknown] = []

    def resolve(self, name: str, row: int | None = None) -> str | None:
        iso3 = iso3_for_name(name)
        if iso3 is None:
            self.unknown.append(Unknown(str(name), self.file, self.sheet, row))
        return iso3

    def resolve_all(self, names: Iterable[tuple[str, int | None]]) -> dict[str, str | None]:
        return {name: self.resolve(name, row) for name, row in names}
