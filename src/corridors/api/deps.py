"""Typed dependencies shared by the API and the web pages: the read-only store and checked inputs.

The store is opened READ-ONLY once per process and each request gets its own cursor (a DuckDB
cursor is an independent connection to the same database, safe to use from the request's thread;
requests never wait for each other's cursor). If ``corridors build`` swaps in a new store file,
the next request reopens it.

Small facts every answer needs (the provenance rows, the sources of a reference table, the
default edition and its years) are read once per store file: :func:`lookup` finds the store a
request's cursor belongs to and keeps the answer until the file changes (inode and modification
time, as the response cache); the country codes and editions are kept by :class:`Store` itself.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio.to_thread
import duckdb
from fastapi import Depends, HTTPException, Query, Request
from fastapi import Path as PathParam

import corridors.codes as codes
import corridors.store as store
from corridors.analytics import corridors as corridor_facts
from corridors.analytics import reference
from corridors.analytics.selection import Selection
from corridors.errors import NotBuiltError, quoted
from corridors.observatory import Observatory
from corridors.store import lifecycle

#: The largest page a list endpoint returns.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
#: Answers kept in memory per store file (each a small frame).
MEMO_SIZE = 512

T = TypeVar("T")

#: Analytics computations running at once (one per core): more only queue for the same cores and
#: multiply memory.
_COMPUTING = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))
#: Whether this thread holds a slot of ``_COMPUTING`` (a memo asked for inside a memo's
#: computation computes in the slot it has: asking again could wait for itself).
_COMPUTING_HERE = threading.local()

#: The store (and the file's stamp when the cursor was opened) of each open request cursor.
_OWNERS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, tuple[Store, tuple[int, int]]] = \
    weakref.WeakKeyDictionary()
_OWNERS_LOCK = threading.Lock()


class _Generation:
    """One opened store file: its read-only connection, the file's stamp, and how many request
    cursors use it. A generation replaced by a newer file is retired and closed only when its
    last cursor is returned, so no request ever sees a closed connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stamp: tuple[int, int]):
        self.con = con
        self.stamp = stamp
        self.users = 0
        self.retired = False

    def close_if_unused(self) -> None:
        if self.retired and self.users == 0 and self.con is not None:
            self.con.close()
            self.con = None  # type: ignore[assignment]  # retired: no request reads it again


_LINKS = iter(range(1, 1 << 62))


def open_generation(path: Path) -> _Generation:
    """Open the store file now at ``path`` as a new generation. DuckDB keeps one database
    instance per file name in a process, so while an older generation is still open the same
    name would give back the OLD file: the new file is opened through a hard link of its own
    (removed at once: the connection keeps the file open), falling back to the name itself where
    the file system has no hard links."""
    stamp = _stamp_of(path)
    link = path.with_name(f"{path.name}.serving-{os.getpid()}-{next(_LINKS)}")
    try:
        os.link(path, link)
    except OSError:
        return _Generation(store.connect(path, read_only=True), stamp)
    try:
        if _stamp_of(link) != _stamp_of(path):  # replaced between the stat and the link
            stamp = _stamp_of(link)
        return _Generation(store.connect(link, read_only=True), stamp)
    finally:
        link.unlink(missing_ok=True)


def _stamp_of(path: Path) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise NotBuiltError(
            f"no store at {path.name}. Run `corridors pull` then `corridors build`."
        ) from None
    return info.st_ino, info.st_mtime_ns


def sweep_serving_links(path: Path) -> list[Path]:
    """Remove hard links left by a server that was killed between making and removing one."""
    removed = []
    for link in path.parent.glob(f"{path.name}.serving-*"):
        try:
            pid = int(link.name.rsplit("-", 2)[-2])
        except ValueError:
            continue
        if pid == os.getpid() or not lifecycle.pid_alive(pid):
            link.unlink(missing_ok=True)
            removed.append(link)
    return removed


class Store:
    """The built store, opened read-only on first use and reopened when the file is replaced.

    Each request takes a cursor of the current generation (:meth:`acquire`) and gives it back
    (:meth:`release`); a store rebuilt while requests run is opened as a new generation, and the
    old one is closed when its last request is done (reference counting)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._generation: _Generation | None = None
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        self._countries: frozenset[str] | None = None
        self._editions: tuple[str, ...] | None = None
        self._memo: OrderedDict[tuple, object] = OrderedDict()
        self._kept: dict[tuple, object] = {}
        self._flights: dict[tuple, threading.Lock] = {}
        self._facts: dict[tuple, Any] = {}
        #: Called with this store after a rebuilt file is swapped in (e.g. to prepare answers
        #: again: :func:`corridors.records.prepare.prepare_in_background`).
        self.on_open: Callable[[Store], object] | None = None
        sweep_serving_links(self.path)

    @property
    def _stamp(self) -> tuple[int, int] | None:
        generation = self._generation
        return generation.stamp if generation is not None else None

    def _current_stamp(self) -> tuple[int, int]:
        return _stamp_of(self.path)

    def needs_reopen(self) -> bool:
        """Whether the file on disk is not the generation requests are served from (a cheap
        stat: callers on the event loop open the new file in a worker thread)."""
        return self._generation is None or self._current_stamp() != self._generation.stamp

    def reopen(self) -> None:
        """Open the file now on disk as the current generation, if it is new (one thread at a
        time; blocking: call it off the event loop)."""
        with self._opening:
            if not self.needs_reopen():
                return
            fresh = open_generation(self.path)
            with self._lock:
                old, self._generation = self._generation, fresh
                self._countries = None
                self._editions = None
                self._memo.clear()
                self._kept.clear()
                self._facts.clear()
                if old is not None:
                    old.retired = True
                    old.close_if_unused()
            if old is not None and self.on_open is not None:
                self.on_open(self)

    def acquire(self) -> tuple[duckdb.DuckDBPyConnection, _Generation]:
        """A cursor of the current generation for one request, counted until :meth:`release`."""
        if self.needs_reopen():
            self.reopen()
        with self._lock:
            generation = self._generation
            assert generation is not None
            generation.users += 1
            cursor = generation.con.cursor()
        with _OWNERS_LOCK:
            _OWNERS[cursor] = (self, generation.stamp)
        return cursor, generation

    def release(self, cursor: duckdb.DuckDBPyConnection, generation: _Generation) -> None:
        with _OWNERS_LOCK:
            _OWNERS.pop(cursor, None)
        cursor.close()
        with self._lock:
            generation.users -= 1
            generation.close_if_unused()

    def _open(self) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int]]:
        """The current generation's connection and stamp (for callers outside a request that
        hold no cursor: the connection may be closed once a newer file is served)."""
        if self.needs_reopen():
            self.reopen()
        generation = self._generation
        assert generation is not None
        return generation.con, generation.stamp

    def connection(self) -> duckdb.DuckDBPyConnection:
        return self._open()[0]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the current generation, registered so that :func:`lookup` can find this
        store from it (callers outside a request; requests use :meth:`acquire`)."""
        return self.acquire()[0]

    def fact(self, stamp: tuple[int, int], key: tuple, compute: Callable[[], T]) -> T:
        """A small fact about the store file with ``stamp`` (e.g. its provenance rows), computed
        once per file. Unlike :meth:`memo` it does not queue behind the analytics: two requests
        asking at once may both compute it (same answer). A cursor of a replaced file computes
        without keeping the answer."""
        with self._lock:
            current = stamp == self._stamp
            if current and key in self._facts:
                return self._facts[key]
        value = compute()
        if current:
            with self._lock:
                if stamp == self._stamp:
                    self._facts[key] = value
        return value

    def country_codes(self, con: duckdb.DuckDBPyConnection) -> frozenset[str]:
        """ISO3 codes of the store's country table (cached until the store changes)."""
        found = self._countries
        if found is None:
            generation = self._generation
            found = reference.country_codes(con)
            if self._generation is generation:
                self._countries = found
        return found

    def editions(self, con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
        """Editions of the bilateral migrant stock held in the store, newest first (as
        ``analytics.corridors.editions``, the one default-edition rule), cached per store."""
        if self._editions is None:
            self._editions = tuple(corridor_facts.editions(con))
        return self._editions

    def memo(self, key: tuple, compute: Callable[[], T], *, keep: bool = False) -> T:
        """The result of ``compute()`` for ``key``, computed once per store file: the store is
        read-only, so an answer stays right until ``corridors build`` replaces the file (the
        request's cursor, taken first, notices that and empties the memo). The memo holds the
        :data:`MEMO_SIZE` answers used last; ``keep=True``: held until the file changes, whatever
        else is asked (the facts many answers are cut from, :mod:`corridors.records.prepare`)."""
        with self._lock:
            if key in self._kept:
                return self._kept[key]  # type: ignore[return-value]  # compute() stored a T for key
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[return-value]  # compute() stored a T for key
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:  # the same question asked 20 times at once is computed once
            with self._lock:
                for held in (self._kept, self._memo):
                    if key in held:
                        return held[key]  # type: ignore[return-value]  # compute() stored a T for key
                generation = self._generation
            if getattr(_COMPUTING_HERE, "held", False):  # a memo inside a memo's computation
                value = compute()
            else:
                with _COMPUTING:
                    _COMPUTING_HERE.held = True
                    try:
                        value = compute()
                    finally:
                        _COMPUTING_HERE.held = False
            with self._lock:
                if self._generation is generation:  # not from a file replaced meanwhile
                    (self._kept if keep else self._memo)[key] = value
                self._flights.pop(key, None)
                while len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
        return value

    def close(self) -> None:
        with self._lock:
            if self._generation is not None:
                self._generation.retired = True
                self._generation.close_if_unused()
                self._generation = None


async def get_store(request: Request) -> Store:
    """The app's store (async: an attribute read needs no worker thread)."""
    return request.app.state.store


async def get_con(request: Request) -> AsyncIterator[duckdb.DuckDBPyConnection]:
    """The request's own cursor, given back after the answer. Async: taking a cursor of the
    current store (a stat of the file) needs no worker thread; opening a rebuilt store file does,
    so that the event loop never blocks in ``duckdb.connect``."""
    store_: Store = request.app.state.store
    if store_.needs_reopen():
        await anyio.to_thread.run_sync(store_.reopen)
    cursor, generation = store_.acquire()
    try:
        yield cursor
    finally:
        store_.release(cursor, generation)


def lookup(con: duckdb.DuckDBPyConnection, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per store file when ``con`` is a request's cursor (see
    :meth:`Store.fact`); for any other connection, simply ``compute()``."""
    with _OWNERS_LOCK:
        owner = _OWNERS.get(con)
    if owner is None:
        return compute()
    store_, stamp = owner
    return store_.fact(stamp, key, compute)


def selection(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> Selection:
    """The edition asked for (checked) or the default one, with its years and default year: the
    Observatory's selection (:meth:`corridors.observatory.Observatory.select`, the one default
    rule), resolved once per store file."""
    return lookup(con, ("selection", edition), lambda: Observatory.over(con).select(edition))


def edition_or_newest(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> str:
    """The edition asked for (checked), else the newest in the store (:func:`selection`)."""
    return selection(con, edition).edition


def years_of(con: duckdb.DuckDBPyConnection, edition: str) -> list[int]:
    """The years of an edition's bilateral stock (:func:`selection`)."""
    return list(selection(con, edition).years)


StoreDep = Annotated[Store, Depends(get_store)]
Con = Annotated[duckdb.DuckDBPyConnection, Depends(get_con)]


class Invalid(HTTPException):
    """A request value that is well-formed but not acceptable: answered as 422 with what was
    expected."""

    status = 422

    def __init__(self, name: str, value: object, expected: str):
        super().__init__(self.status, f"{name}: expected {expected}; got {quoted(value)}")
        self.name = name


class Unknown(Invalid):
    """A request value of the declared form that names nothing this store holds (a country
    code, an edition, a lens, a period): answered as 404 with what there is. Values of the
    wrong form are refused by the declared pattern, enum or bounds (422)."""

    status = 404


#: A country as a request may name it: ISO3 (KEN), M49 (404) or a name in any script and accent
#: ("Kenya", "Côte d’Ivoire", "Türkiye"); empty (a form's empty field) means all countries, as
#: ``ALL`` does.
CODE_PATTERN = r"^[\w .,'\u2019()\-]{0,60}$"
_CODE = re.compile(CODE_PATTERN)


def check_country(con: duckdb.DuckDBPyConnection, known: frozenset[str], name: str,
            value: str | None, *, allow_other: bool = False) -> str | None:
    """The ISO3 code a user typed (ISO3 or M49, names also accepted), checked against the store's
    country table; None stays None (= all countries)."""
    if value is None or value == "" or value.strip().upper() == "ALL":
        return None
    expected = "an ISO3 code (e.g. KEN) or M49 number (e.g. 404) of a country in the store"
    if not _CODE.match(value):
        raise Invalid(name, value, expected)
    if allow_other and value.strip().upper() == codes.OTHER_ORIGIN:
        return codes.OTHER_ORIGIN
    iso3 = codes.code_for(value)
    if iso3 is None or iso3 not in known:
        raise Unknown(name, value, expected + codes.did_you_mean(value, within=known))
    return iso3


def require_country(con: duckdb.DuckDBPyConnection, known: frozenset[str], name: str, value: str,
                    *, allow_other: bool = False) -> str:
    """One country named in a path (``/countries/{code}``): like :func:`check_country`, but
    ``ALL`` or an empty value is refused (there is no "all countries" profile)."""
    iso3 = check_country(con, known, name, value, allow_other=allow_other)
    if iso3 is None:
        raise Unknown(name, value, "an ISO3 code (e.g. KEN) or M49 number (e.g. 404) of one "
                                   "country in the store")
    return iso3


def check_edition(store_: Store, con: duckdb.DuckDBPyConnection,
                  value: str | None) -> str | None:
    if value is None or value == "":
        return None
    editions = store_.editions(con)
    if value not in editions:
        raise Unknown("edition", value, "one of " + ", ".join(editions))
    return value


Sex = Literal["total", "male", "female"]
Fmt = Literal["json", "csv"]

YearQ = Annotated[int | None, Query(ge=1950, le=2100, description="Year, e.g. 2020.")]
SexQ = Annotated[Sex, Query(description="total, male or female.")]
EditionQ = Annotated[
    str | None,
    Query(max_length=20, pattern=r"^[a-z0-9\-]+$",
          description="Edition of the migrant-stock estimates, e.g. ims2024 or ims2020 (default: the "
                      "newest in the store, by the latest year it covers)."),
]
LensQ = Annotated[
    str,
    Query(max_length=40, pattern=r"^[a-z0-9\-]+$",
          description="Definition of 'South': wb-lmic, wb-non-high, un-developing, gfmd-2018."),
]
FormatQ = Annotated[Fmt | None, Query(description="json (default) or csv; or send Accept: text/csv.")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page, 1..{MAX_LIMIT}.")]
OffsetQ = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
CodeQ = Annotated[
    str | None,
    Query(max_length=60, pattern=CODE_PATTERN,
          description="ISO3 code (e.g. KEN) or M49 number (e.g. 404); omit (or ALL) for all."),
]
CodeP = Annotated[str, PathParam(max_length=60, pattern=CODE_PATTERN,
                            description="ISO3 (KEN) or M49 (404).")]
