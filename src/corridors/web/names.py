"""Names on the pages: the country box (what a reader typed -> a country of the store, or the
closest names) and the names a page's data holds, read in the reader's language (:func:`localise`).

The matching rule is :mod:`corridors.codes` (:func:`~corridors.codes.code_for`,
:func:`~corridors.codes.suggest`), the same the CLI and the API use; this module only arranges its
answers for the page and for the box's suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import corridors.codes as codes


def find(text: str, known: Iterable[str]) -> dict[str, Any]:
    """``iso3`` when ``text`` names a country of the store, else None with ``suggestions``
    (iso3 and name, closest first)."""
    known = frozenset(known)
    value = text.strip()[:60]
    iso3 = codes.code_for(value) if value else None
    if iso3 is not None and iso3 not in known:
        iso3 = None
    close = codes.suggest(value, n=8, within=known) if value and iso3 is None else []
    names = codes.countries()
    return {"query": value, "iso3": iso3,
            "suggestions": [{"iso3": c, "name": names[c].short_name} for c in close]}


def choices(known: Iterable[str], language: str = "en") -> list[list[str]]:
    """Every name of every country of the store, as [name, iso3] pairs sorted by name: the
    official and UN DESA names, then each alias people or publishers write; in French or
    Spanish also the country's names in that language (the UN's and CLDR's)."""
    out: list[list[str]] = []
    for iso3 in sorted(frozenset(known) & set(codes.countries())):
        written = codes.names_of(iso3)
        if language in codes.TRANSLATED:
            own = [codes.name_in(iso3, language) or "", codes.cldr_name(iso3, language) or ""]
            written = list(dict.fromkeys([name for name in own if name] + written))
        out += [[name, iso3] for name in written]
    return sorted(out, key=lambda pair: (codes.fold(pair[0]), pair[1]))


#: The fields of a page's data that hold a name of the thing another field codes (code field,
#: name field): read in the reader's language by :func:`localise`.
COUNTRY_FIELDS = (("iso3", "name"), ("partner", "name"), ("origin", "origin_name"),
                  ("destination", "destination_name"))
#: Keys of ISO3 -> name tables (the maps' tooltips, the explorer's country list) and of lists of
#: names beside a list of codes (a practice's ``country_names`` beside its ``countries``).
NAME_TABLES = ("names", "country_names")


def _is_codes(table: dict) -> bool:
    return all(isinstance(k, str) and len(k) == 3 and k.isupper() for k in table)


def localise(value: Any) -> Any:
    """A copy of a page's data (or of its template's extra values) whose country, region,
    community, instrument and publisher names are in the current language
    (:mod:`corridors.names`); codes, figures and everything else as they were. English: the
    data itself, untouched (the English pages and the JSON twins never change)."""
    import corridors.languages as languages

    if languages.current() == languages.DEFAULT:
        return value
    return _localise(value)


def _localise(value: Any) -> Any:
    import corridors.names as names

    if isinstance(value, (list, tuple)):
        return type(value)(_localise(v) for v in value)
    if not isinstance(value, dict):
        return value
    out = {k: _localise(v) for k, v in value.items()}
    for code, name in COUNTRY_FIELDS:
        if isinstance(out.get(code), str) and isinstance(out.get(name), str):
            out[name] = names.country(out[code], out[name])
    for key in NAME_TABLES:
        table = out.get(key)
        if isinstance(table, dict) and _is_codes(table):
            out[key] = names.countries(table)
        elif isinstance(table, list) and isinstance(out.get("countries"), list) and \
                len(table) == len(out["countries"]):
            out[key] = [names.country(c, n) for c, n in zip(out["countries"], table, strict=True)]
    members = out.get("members")
    if isinstance(members, list) and all(isinstance(m, dict) and {"name", "role", "full_member"}
                                         <= m.keys() for m in members):
        # a group's members in name order as the reader reads the names (full members first)
        out["members"] = sorted(members, key=lambda m: (not m["full_member"], m["role"],
                                                        codes.fold(m["name"])))
    if isinstance(out.get("rec_code"), str) and "rec_name" in out:
        out["rec_name"] = names.community(out["rec_code"], out["rec_name"])
    if isinstance(out.get("grouping"), str) and isinstance(out.get("group"), str):
        out["group"] = names.group(out["grouping"], str(out.get("group_code") or ""), out["group"])
    if isinstance(out.get("instrument"), str) and isinstance(out.get("title"), str):
        out["title"] = names.instrument(out["instrument"], out["title"])
    if isinstance(value.get("caption"), str) and isinstance(value.get("sources"), list):
        out["caption"] = _caption(value["caption"], value["sources"], out["sources"])
    if isinstance(out.get("source_id"), str) and isinstance(out.get("publisher"), str):
        out["publisher"] = names.publisher(out["publisher"])
        if isinstance(out.get("title"), str):
            out["title"] = names.source_title(out["source_id"], out["title"])
    return out


def _caption(caption: str, english: list, localised: list) -> str:
    """A figure's sources line (:func:`corridors.store.provenance.caption`: "publisher, title
    (edition), licence; ...") with each of the record's sources named as :func:`localise` names
    them."""
    for before, after in zip(english, localised, strict=True):
        if isinstance(before, dict) and {"publisher", "title"} <= before.keys():
            caption = caption.replace(f"{before['publisher']}, {before['title']} (",
                                      f"{after['publisher']}, {after['title']} (")
    return caption

