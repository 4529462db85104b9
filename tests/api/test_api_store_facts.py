"""Facts read once per store file (provenance, a table's sources, an edition's years) and request
cursors that run side by side: a rebuilt store is seen at the next request, a cursor of the old
file never leaves its answer behind, and one request's cursor never waits for another's."""

from __future__ import annotations

import shutil
import threading

import duckdb
from fastapi.testclient import TestClient
from small_store import make_small_store

from corridors.analytics.facts import build_facts
from corridors.api.deps import Store, lookup
from corridors.api.main import create_app


def _rebuilt(tmp_path, *statements: str):
    """A fresh small store changed by ``statements``, as `corridors build` would write it."""
    fresh = make_small_store(tmp_path / "next.duckdb")
    con = duckdb.connect(str(fresh))
    for sql in statements:
        con.execute(sql)
    build_facts(con)  # the store changed: its derived tables again, as a build writes them
    con.close()
    return fresh


def _licence(body: dict, source_id: str) -> str:
    return next(s["licence"] for s in body["sources"] if s["source_id"] == source_id)


def test_sources_and_years_follow_a_rebuilt_store(tmp_path, small_store):
    path = tmp_path / "live.duckdb"
    shutil.copy(small_store, path)
    with TestClient(create_app(path)) as client:
        summary = client.get("/api/v1/summary", params={"year": 2020}).json()
        profile = client.get("/api/v1/countries/KEN/profile").json()
        assert _licence(summary, "test-income") == "CC BY 4.0"
        assert profile["year"] == 2020
        _rebuilt(tmp_path,
                 "UPDATE provenance SET licence = 'CC BY 4.0 (rebuilt)' "
                 "WHERE source_id = 'test-income'",
                 "UPDATE migrant_stock SET year = 2025 WHERE year = 2020").replace(path)
        summary = client.get("/api/v1/summary", params={"year": 2015}).json()
        profile = client.get("/api/v1/countries/KEN/profile").json()
    assert _licence(summary, "test-income") == "CC BY 4.0 (rebuilt)"
    assert _licence(profile, "test-income") == "CC BY 4.0 (rebuilt)"
    assert profile["year"] == 2025


def test_lookup_reads_once_per_store_file(tmp_path, small_store):
    path = tmp_path / "live.duckdb"
    shutil.copy(small_store, path)
    store = Store(path)
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    first = store.cursor()
    assert lookup(first, ("k",), read) == 1
    assert lookup(store.cursor(), ("k",), read) == 1  # another request, same file: no read
    plain = duckdb.connect(str(path), read_only=True)  # not a request cursor: read each time
    assert lookup(plain, ("k",), read) == 2
    plain.close()
    _rebuilt(tmp_path).replace(path)
    assert lookup(store.cursor(), ("k",), read) == 3  # the new file is read again
    store.close()


def test_a_cursor_of_a_replaced_file_leaves_no_answer_behind(tmp_path, small_store):
    path = tmp_path / "live.duckdb"
    shutil.copy(small_store, path)
    store = Store(path)
    old = store.cursor()
    _rebuilt(tmp_path).replace(path)
    new = store.cursor()  # reopens the new file
    assert lookup(old, ("k",), lambda: "old file") == "old file"
    assert lookup(new, ("k",), lambda: "new file") == "new file"
    assert lookup(new, ("k",), lambda: "read again") == "new file"
    store.close()


def test_request_cursors_do_not_wait_for_each_other(small_store):
    store = Store(small_store)
    held = store.cursor()  # a request still running holds its cursor
    held.execute("SELECT count(*) FROM migrant_stock")
    answer: list[int] = []

    def other_request() -> None:
        cursor = store.cursor()
        answer.append(cursor.execute("SELECT count(*) FROM migrant_stock").fetchone()[0])
        cursor.close()

    thread = threading.Thread(target=other_request, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert answer == [27]  # 9 constructed rows x (male, female, total)
    assert held.execute("SELECT count(*) FROM countries").fetchone()[0] == 4
    held.close()
    store.close()
