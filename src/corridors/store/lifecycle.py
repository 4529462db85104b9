"""The store's life, owned in one place: who may write it, how a new file replaces the old one,
how a damaged file is recognised, and what a killed process leaves behind.

- **One lock** (``<store>.lock``, a file lock) is held by every writer: ``corridors build`` for its
  whole run, and every user save (``survey estimate --save``) while it writes. A save that
  arrives during a build waits for it and then writes into the new store, so nothing a user
  saves is lost.
- **Every writer makes a new file and swaps it in** (``os.replace``): a build writes
  ``<store>.building-<pid>``; a save copies the store to ``<store>.saving-<pid>``, writes there and
  swaps. Readers (the server, other commands) keep the file they opened; the server moves to the
  new one when no request uses the old (``corridors.api.deps``). A save therefore never conflicts
  with a running ``corridors serve``.
- **A damaged store** (truncated, overwritten) is recognised when opened: one message says what is
  wrong and that ``corridors build`` repairs it; the build moves the damaged file aside
  (``<store>.damaged-<time>``) and carries over whatever user data it can still read.
- **Litter of killed processes** (``.building-<pid>``, ``.saving-<pid>`` and their ``.wal``) is
  swept at the next build or save.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from corridors.errors import CorridorsError

T = TypeVar("T")

#: How long a writer waits for another build or save before giving up with a message.
LOCK_WAIT_SECONDS = 600.0

_WORK_SUFFIXES = (".building-", ".saving-")


class StoreBusyError(CorridorsError):
    """Another build or save holds the store's lock for too long."""


class DamagedStoreError(CorridorsError):
    """The store file cannot be read as a DuckDB database."""


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


@contextmanager
def writing(store: Path, *, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the store's writer lock (waiting up to ``wait`` seconds for another writer)."""
    from filelock import FileLock, Timeout

    store.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(store)))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise StoreBusyError(
            f"another `corridors build` or save is still writing the store ({store.name}) after "
            f"{wait:.0f} s; wait for it to finish, or stop it, then run this again.") from None
    try:
        sweep_work_files(store)
        yield
    finally:
        lock.release()


def work_file(store: Path, kind: str) -> Path:
    """This process's work file of ``kind`` ('building' or 'saving') beside the store."""
    return store.with_name(f"{store.name}.{kind}-{os.getpid()}")


def sweep_work_files(store: Path) -> list[Path]:
    """Remove the work files (and their WAL) of processes that no longer run."""
    removed = []
    for path in store.parent.glob(f"{store.name}.*-*"):
        name = path.name[len(store.name):]
        if not name.startswith(_WORK_SUFFIXES):
            continue
        pid_text = name.split("-", 1)[1].removesuffix(".wal")
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid != os.getpid() and pid_alive(pid):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id still runs (work files of dead ones may be swept)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(work: Path, store: Path) -> None:
    """Make ``work`` the store, atomically (readers keep the file they opened)."""
    os.replace(work, store)
    Path(str(work) + ".wal").unlink(missing_ok=True)


def discard(work: Path) -> None:
    work.unlink(missing_ok=True)
    Path(str(work) + ".wal").unlink(missing_ok=True)


def save(store: Path, write: Callable[..., T]) -> T:
    """Apply a user's save to the store: under the writer lock, copy the store, let ``write``
    change the copy (it gets a read-write connection), and swap the copy in. An error leaves the
    store as it was."""
    import duckdb

    with writing(store):
        check(store)
        work = work_file(store, "saving")
        discard(work)
        try:
            shutil.copyfile(store, work)
            con = duckdb.connect(str(work))
            try:
                result = write(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            check(work)  # the copy opens: never swap in something unreadable
            swap_in(work, store)
        except BaseException:
            discard(work)
            raise
    return result


def check(store: Path) -> None:
    """Raise :class:`DamagedStoreError` (with the fix) when ``store`` is not a readable store."""
    import duckdb

    import corridors.store.provenance as provenance

    try:
        con = duckdb.connect(str(store), read_only=True)
    except duckdb.Error as exc:
        raise damaged(store, exc) from None
    try:
        provenance.read(con).aggregate("count(*)").fetchone()
    except duckdb.Error as exc:
        raise damaged(store, exc) from None
    finally:
        con.close()


def damaged(store: Path, exc: BaseException) -> DamagedStoreError:
    reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return DamagedStoreError(
        f"the store {store.name} is damaged and cannot be read ({reason}). Run `corridors build` "
        "to rebuild it from the pulled files: it keeps the saved survey estimates it can still "
        "read and sets the damaged file aside.")


def set_aside(store: Path) -> Path:
    """Move a damaged store out of the way (kept for the user), returning where it went."""
    target = store.with_name(f"{store.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(store, target)
    return target
