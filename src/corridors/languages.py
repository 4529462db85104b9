"""The languages the dashboard and the briefs speak: English, French and Spanish.

One place decides which language answers a request and translates a message:

- :func:`negotiate` picks the language from ``?lang=`` first, then the browser's
  ``Accept-Language`` (quality values honoured), else English;
- :func:`gettext` / :func:`ngettext` translate through message catalogues (gettext ``.po`` files
  in ``corridors/locale/<lang>/LC_MESSAGES/messages.po``, read with Babel), in the language of the
  current request (:func:`using`);
- :func:`locale` gives the Babel locale that formats numbers and dates in that language.

English is the source language: its messages are the ``msgid``s themselves. A message a catalogue
lacks falls back to English (the completeness test in ``tests/test_languages.py`` keeps that from
happening in a release). Extract messages with ``pybabel extract -F babel.cfg`` (see
``docs/translating.md``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

#: Every language served, English (the source) first.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
DEFAULT = "en"
#: The language's own name, for the language switch.
NAMES = {"en": "English", "fr": "Français", "es": "Español"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("corridors_language", default=DEFAULT)


def catalogue_path(language: str) -> Path:
    return Path(str(resources.files("corridors").joinpath("locale", language, "LC_MESSAGES",
                                                          "messages.po")))


@lru_cache(maxsize=len(LANGUAGES))
def _messages(language: str) -> dict[str, str | tuple[str, ...]]:
    """msgid -> msgstr (or the plural forms) of one catalogue; empty translations left out."""
    if language == DEFAULT:
        return {}
    path = catalogue_path(language)
    if not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        if isinstance(message.string, (list, tuple)):
            if all(message.string):
                found[key] = tuple(message.string)
        elif message.string:
            found[key] = message.string
    return found


def _parse_accept(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first ('fr-CH, fr;q=0.9, en;q=0.8')."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    return [tag for _q, _p, tag in sorted(ranked)]


def negotiate(asked: str | None, accept_language: Iterable[str] = ()) -> str:
    """The language to answer in: ``asked`` (``?lang=``) if served, else the first served
    language of the Accept-Language header(s) (a region is ignored: fr-CA → fr), else English."""
    if asked:
        code = asked.strip().lower()[:8].split("-")[0]
        if code in LANGUAGES:
            return code
    for header in accept_language:
        for tag in _parse_accept(header[:500]):
            code = tag.split("-")[0]
            if code in LANGUAGES:
                return code
    return DEFAULT


def of_request(scope: Mapping[str, Any]) -> str:
    """The language an HTTP request (an ASGI scope) asks for: ``?lang=``, then Accept-Language."""
    from urllib.parse import parse_qsl

    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    accept = [v.decode("latin-1") for k, v in scope.get("headers") or []
              if k.lower() == b"accept-language"]
    return negotiate(query.get("lang"), accept)


def current() -> str:
    """The language of the request (or brief) being answered."""
    return _current.get()


@contextmanager
def using(language: str) -> Iterator[str]:
    """Answer in ``language`` inside the block (a request, a brief)."""
    code = language if language in LANGUAGES else DEFAULT
    token = _current.set(code)
    try:
        yield code
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """``message`` (English) in the current language."""
    found = _messages(current()).get(message)
    return found if isinstance(found, str) else (found[0] if found else message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the current language."""
    found = _messages(current()).get(singular)
    if isinstance(found, tuple):
        from babel import Locale

        category = Locale.parse(current()).plural_form(count)  # 'one', 'many' or 'other'
        return found[0] if category == "one" else found[-1]
    return singular if count == 1 else plural


def locale() -> str:
    """The Babel locale formatting numbers and dates in the current language."""
    return {"en": "en", "fr": "fr", "es": "es"}[current()]
