"""A store rebuilt while the server answers: requests in flight keep their store file, the next
ones get the new file, no request fails and the server still stops on SIGTERM (it used to close
the shared connection under running requests, and could hang in ``duckdb.connect`` on the event
loop)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import httpx

from corridors.api.deps import Store, sweep_serving_links


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stamp_total(path: Path, value: float) -> None:
    """Mark a copy of the store: its 2020 world total row gets ``value`` (to tell files apart)."""
    con = duckdb.connect(str(path))
    con.execute("UPDATE migrant_stock_totals SET value = ? WHERE area_m49 = 900 AND year = 2020 "
                "AND sex = 'total'", [value])
    con.close()


def test_rebuilt_store_under_traffic_loses_no_request(built_home: Path, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    store = home / "corridors.duckdb"
    shutil.copyfile(built_home / "corridors.duckdb", store)
    port = _port()
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "corridors"), "serve", "--port",
                             str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    errors: list[str] = []
    answered = [0]
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            i = 0
            while not stop.is_set():
                i += 1
                # varied questions, so most go past the response cache to the store
                url = ["/api/v1/stocks", "/api/v1/summary", "/api/v1/countries/KEN/profile"][i % 3]
                params = {"year": [2000, 2005, 2010, 2015, 2020][(i + n) % 5], "limit": 1 + i % 7}
                try:
                    # only the stocks list takes a limit (others answer 422 to one)
                    response = http.get(url, params=params if url == "/api/v1/stocks"
                                        else {"year": params["year"]})
                    if response.status_code != 200:
                        errors.append(f"{url} {response.status_code} {response.text[:200]}")
                    answered[0] += 1
                except httpx.HTTPError as exc:
                    errors.append(f"{url} {type(exc).__name__}: {exc}")

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.2)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for swap in range(5):
            time.sleep(1.0)
            fresh = home / f"next-{swap}.duckdb"
            shutil.copyfile(built_home / "corridors.duckdb", fresh)
            _stamp_total(fresh, 1_000_000 + swap)
            os.replace(fresh, store)  # as `corridors build` swaps its new file in
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == [], errors[:5]
        assert answered[0] > 30
        world = httpx.get(base + "/api/v1/stocks", params={"year": 2020}, timeout=30).json()
        # the newest file answers (its marked world total), not a stale instance of the old one
        totals = httpx.get(base + "/api/v1/summary", timeout=30)
        assert totals.status_code == 200 and world["items"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) is not None
        assert not list(home.glob("corridors.duckdb.serving-*"))
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_replaced_file_is_served_while_the_old_one_is_still_in_use(built_store: Path,
                                                                      tmp_path: Path):
    path = tmp_path / "corridors.duckdb"
    shutil.copyfile(built_store, path)
    store = Store(path)
    old_cursor, old_generation = store.acquire()
    fresh = tmp_path / "fresh.duckdb"
    shutil.copyfile(built_store, fresh)
    _stamp_total(fresh, 42.0)
    os.replace(fresh, path)
    new_cursor, new_generation = store.acquire()
    sql = ("SELECT value FROM migrant_stock_totals WHERE area_m49 = 900 AND year = 2020 "
           "AND sex = 'total' LIMIT 1")
    assert new_generation is not old_generation
    assert new_cursor.execute(sql).fetchone()[0] == 42.0  # DuckDB would reuse the old instance
    assert old_cursor.execute(sql).fetchone()[0] == 280_598_105  # the old request keeps its file
    store.release(old_cursor, old_generation)
    assert old_generation.con is None  # closed once its last request is done
    assert new_cursor.execute(sql).fetchone()[0] == 42.0
    store.release(new_cursor, new_generation)
    store.close()


def test_links_of_a_killed_server_are_swept(tmp_path: Path):
    path = tmp_path / "corridors.duckdb"
    path.write_bytes(b"")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"corridors.duckdb.serving-{dead.pid}-3"
    os.link(path, stale)
    mine = tmp_path / f"corridors.duckdb.serving-{os.getppid()}-1"  # a live process: kept
    os.link(path, mine)
    assert sweep_serving_links(path) == [stale]
    assert mine.exists() and not stale.exists()
