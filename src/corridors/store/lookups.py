"""Small facts about a served store file, computed once per file: :func:`lookup`.

A leaf of the store package (the provenance reader and the analytics use it without importing the
served store itself): :class:`corridors.store.serving.Store` registers each cursor it hands out
here (:func:`own`) with the stamp (inode, modification time) of the file it reads, and
:func:`lookup` keeps an answer per stamp through the owner's ``fact``. A connection no served
store owns (the CLI's, a test's) simply computes.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Protocol, TypeVar

import duckdb

T = TypeVar("T")


class Owner(Protocol):
    """What owns a cursor: a served store that keeps facts per file stamp."""

    def fact(self, stamp: tuple[int, int], key: tuple, compute: Callable[[], T]) -> T: ...


#: The store (and the file's stamp when the cursor was opened) of each open request cursor.
_OWNERS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, tuple[Owner, tuple[int, int]]] = \
    weakref.WeakKeyDictionary()
_OWNERS_LOCK = threading.Lock()


def own(cursor: duckdb.DuckDBPyConnection, owner: Owner, stamp: tuple[int, int]) -> None:
    """Register a cursor handed out by ``owner`` for the store file with ``stamp``."""
    with _OWNERS_LOCK:
        _OWNERS[cursor] = (owner, stamp)


def disown(cursor: duckdb.DuckDBPyConnection) -> None:
    with _OWNERS_LOCK:
        _OWNERS.pop(cursor, None)


def lookup(con: duckdb.DuckDBPyConnection, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per store file when ``con`` is a request's cursor (see
    :meth:`corridors.store.serving.Store.fact`); for any other connection, simply ``compute()``."""
    with _OWNERS_LOCK:
        owner = _OWNERS.get(con)
    if owner is None:
        return compute()
    store_, stamp = owner
    return store_.fact(stamp, key, compute)
