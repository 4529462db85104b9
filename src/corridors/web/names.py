"""The country box: what a reader typed -> a country of the store, or the closest names.

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


def choices(known: Iterable[str]) -> list[list[str]]:
    """Every name of every country of the store, as [name, iso3] pairs sorted by name: the
    official and UN DESA names, then each alias people or publishers write."""
    out: list[list[str]] = []
    for iso3 in sorted(frozenset(known) & set(codes.countries())):
        out += [[name, iso3] for name in codes.names_of(iso3)]
    return sorted(out, key=lambda pair: (codes.fold(pair[0]), pair[1]))
