"""The built store as a server reads it: opened READ-ONLY once per process, a cursor per request,
reopened when ``corridors build`` swaps in a new file, and small answers kept per store file.

Store access, not HTTP: the REST API (``corridors.api.deps`` hands each request its cursor), the
web pages and ``corridors brief`` (which reads through a :class:`Store` without a server) all use
it. Each request takes its own cursor of the current generation (a DuckDB cursor is an independent
connection to the same database, safe to use from the request's thread; requests never wait for
each other's cursor); a store rebuilt while requests run is opened as a new generation and the old
one closed when its last request is done.

Small facts every answer needs (the provenance rows, the sources of a reference table, the
default edition and its years, the country codes) are read once per store file: :func:`lookup`
finds the store a cursor belongs to and keeps the answer until the file changes (inode and
modification time, as the response cache); :meth:`Store.memo` keeps whole answers the same way.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

import corridors.store as store
from corridors.errors import NotBuiltError
from corridors.store import lifecycle, lookups
from corridors.store.lookups import lookup  # noqa: F401  # re-exported: the served store's look-up

#: Answers kept in memory per store file (each a small frame).
MEMO_SIZE = 512

T = TypeVar("T")

#: Analytics computations running at once (one per core): more only queue for the same cores and
#: multiply memory.
_COMPUTING = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))
#: Whether this thread holds a slot of ``_COMPUTING`` (a memo asked for inside a memo's
#: computation computes in the slot it has: asking again could wait for itself).
_COMPUTING_HERE = threading.local()


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
        lookups.own(cursor, self, generation.stamp)
        return cursor, generation

    def release(self, cursor: duckdb.DuckDBPyConnection, generation: _Generation) -> None:
        lookups.disown(cursor)
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
