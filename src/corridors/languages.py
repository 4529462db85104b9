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
#: Whether the reader chose the language (``?lang=``): links then carry it even for English.
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("corridors_language_pinned",
                                                              default=False)


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


def asked(scope: Mapping[str, Any]) -> bool:
    """Whether an HTTP request names its language (``?lang=`` of a language we serve)."""
    from urllib.parse import parse_qsl

    wanted = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang")
    return wanted is not None and bool(wanted) and negotiate(wanted, ()) == wanted.strip().lower()[:8].split("-")[0]


@contextmanager
def using(language: str, *, pinned: bool = False) -> Iterator[str]:
    """Answer in ``language`` inside the block (a request, a brief); ``pinned``: the reader
    chose it (``?lang=``), so links keep it."""
    code = language if language in LANGUAGES else DEFAULT
    token = _current.set(code)
    pin = _pinned.set(pinned)
    try:
        yield code
    finally:
        _current.reset(token)
        _pinned.reset(pin)


def keep(url: str) -> str:
    """``url`` (a link a page makes) carrying the current language, so the next page answers in
    it too: ``/country/KEN?year=2020`` -> ``/country/KEN?year=2020&lang=fr``. English links stay
    bare unless the reader chose English (``?lang=en``) over the browser's language."""
    code = current()
    if code == DEFAULT and not _pinned.get():
        return url
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme or parts.netloc:  # another site's address: left as it is
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", code)])))


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it now (labels kept in a table
    at import time and translated with :func:`gettext` where they are shown)."""
    return message


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


class Labels(Mapping[str, str]):
    """A table of English labels (marked with :func:`N_`) read in the current language:
    ``labels[key]`` and ``labels.get(key)`` translate at the moment they are read, so one table
    serves every request whatever its language."""

    def __init__(self, labels: Mapping[str, str]):
        self._labels = dict(labels)

    def __getitem__(self, key: str) -> str:
        return gettext(self._labels[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)
