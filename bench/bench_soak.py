"""Benchmark: the server under sustained load while its store is rebuilt and users save estimates,
on this machine only (127.0.0.1).

Two runs of ``--seconds`` each (default 60), 100 concurrent clients (asyncio, keep-alive):

1. **plain**: clients ask varied questions (stocks, lens summaries, country profiles, pages) while
   ``corridors build`` replaces the store ``--rebuilds`` times (default 5) and
   ``corridors survey estimate --save`` saves estimates under a new survey id every few seconds;
2. **hostile**: the same, with cache-busting (``?cachebust=i``) and cache-poisoning requests
   (``Accept: text/csv`` + ``Accept: application/json``, a forged ``Host``) mixed in (1 in 5), and
   a check that plain clients never receive CSV or a forged host.

Reported per run: requests, requests/s, p50/p95/p99 latency, errors of every kind (5xx, dropped
connections, timeouts, wrong answers: counted and listed), saves reported vs saves found in the
final store (lost saves), and the server's resident memory (start, peak, end; VmRSS/VmHWM).
Goal: 0 errors, 0 lost saves, bounded RSS. Every loop is bounded in count and time; the server is
started here and stopped at the end.

    python bench/bench_soak.py [--seconds 60] [--clients 100] [--rebuilds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _measure import mirror  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORRIDORS = str(Path(sys.executable).with_name("corridors"))
MAPPING = ROOT / "docs" / "examples" / "eph_2016q4.yaml"
COUNTRIES = ["KEN", "IND", "BRA", "ZAF", "NGA", "MEX", "PHL", "EGY", "BGD", "PAK", "IDN", "UGA"]
LENSES = ["wb-lmic", "wb-non-high", "un-developing", "gfmd-2018"]
YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of a process, MiB."""
    rss = hwm = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return rss, hwm


def _question(i: int) -> tuple[str, dict]:
    country, lens, year = COUNTRIES[i % len(COUNTRIES)], LENSES[i % 4], YEARS[i % 7]
    kind = i % 5
    if kind == 0:
        return "/api/v1/stocks", {"destination": country, "year": year, "limit": 5}
    if kind == 1:
        return "/api/v1/summary", {"lens": lens, "year": year}
    if kind == 2:
        return f"/api/v1/countries/{country}/profile", {"year": year, "lens": lens}
    if kind == 3:
        return "/api/v1/regions", {"grouping": "rec", "year": year}
    return "/", {"year": year, "lens": lens}


async def _client(n: int, base: str, deadline: float, hostile: bool, stats: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        i = n * 7919
        while time.monotonic() < deadline:
            i += 1
            url, params = _question(i)
            headers: list[tuple[str, str]] = []
            if hostile and i % 5 == 0:
                trick = (i // 5) % 3
                if trick == 0:
                    params = {**params, "cachebust": str(i)}
                elif trick == 1:
                    headers = [("accept", "text/csv"), ("accept", "application/json")]
                else:
                    headers = [("host", "evil.example:666")]
            started = time.perf_counter()
            try:
                response = await http.get(url, params=params, headers=headers)
            except httpx.HTTPError as exc:
                stats["errors"].append(f"{url}: {type(exc).__name__}")
                continue
            stats["latency"].append(time.perf_counter() - started)
            if response.status_code >= 500:
                stats["errors"].append(f"{url} {response.status_code} {response.text[:120]}")
            elif not headers and "cachebust" not in params:
                if response.status_code != 200:
                    stats["errors"].append(f"{url} {response.status_code} {response.text[:120]}")
                elif url.startswith("/api/") and not response.headers.get(
                        "content-type", "").startswith("application/json"):
                    stats["errors"].append(f"{url}: a plain client got {response.headers.get('content-type')}")
                elif b"evil.example" in response.content:
                    stats["errors"].append(f"{url}: a forged Host reached a plain client")


def _saves(home: Path, deadline: float, log: list[str], stats: dict) -> None:
    """Save estimates under a new survey id every few seconds (as a user would)."""
    data = mirror().parent / "oracles" / "microdata" / "eph_toybase_individual_2016_04.csv"
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    k = 0
    while time.monotonic() < deadline - 3:
        k += 1
        mapping = home / f"mapping-{k}.yaml"
        mapping.write_text(MAPPING.read_text().replace("id: eph-2016q4", f"id: soak-{k}"))
        done = subprocess.run([CORRIDORS, "survey", "estimate", str(data), "-m", str(mapping),
                               "--mean", "foreign_born", "--by", "sex", "--save", "--format",
                               "json"], env=env, capture_output=True, text=True, timeout=300)
        if done.returncode == 0 and "saved" in done.stderr:
            stats["saved"].append(f"soak-{k}")
        else:
            log.append(f"save soak-{k} failed: {done.stderr.strip()[-300:]}")
        time.sleep(2)


def _rebuilds(home: Path, count: int, seconds: float, log: list[str], stats: dict) -> None:
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    for k in range(count):
        time.sleep(seconds / (count + 1))
        started = time.perf_counter()
        done = subprocess.run([CORRIDORS, "build"], env=env, capture_output=True, text=True,
                              timeout=600)
        stats["builds"].append(time.perf_counter() - started)
        if done.returncode != 0:
            log.append(f"build {k + 1} failed: {done.stderr.strip()[-300:]}")


async def _run(base: str, home: Path, pid: int, seconds: float, clients: int, rebuilds: int,
               hostile: bool) -> dict:
    stats: dict = {"latency": [], "errors": [], "saved": [], "builds": []}
    log: list[str] = []
    deadline = time.monotonic() + seconds
    rss_start = _memory(pid)[0]
    loop = asyncio.get_running_loop()
    writers = [loop.run_in_executor(None, _rebuilds, home, rebuilds, seconds, log, stats),
               loop.run_in_executor(None, _saves, home, deadline, log, stats)]
    started = time.perf_counter()
    await asyncio.gather(*(_client(n, base, deadline, hostile, stats) for n in range(clients)))
    wall = time.perf_counter() - started
    await asyncio.gather(*writers)
    con = duckdb.connect(str(home / "corridors.duckdb"), read_only=True)
    found = {r[0] for r in con.execute("SELECT DISTINCT dataset FROM survey_estimates").fetchall()}
    con.close()
    lost = sorted(set(stats["saved"]) - found)
    latency = sorted(stats["latency"])
    rss_end, hwm = _memory(pid)

    def pct(p: float) -> float:
        return latency[min(len(latency) - 1, int(p * len(latency)))] * 1000 if latency else float("nan")

    return {
        "run": "hostile" if hostile else "plain", "clients": clients, "seconds": round(wall, 1),
        "requests": len(latency), "requests_per_s": round(len(latency) / wall, 1),
        "p50_ms": round(pct(0.50), 1), "p95_ms": round(pct(0.95), 1), "p99_ms": round(pct(0.99), 1),
        "errors": len(stats["errors"]), "error_examples": stats["errors"][:5],
        "rebuilds": len(stats["builds"]), "build_s_median": round(statistics.median(stats["builds"]), 1)
        if stats["builds"] else None,
        "saves_reported": len(stats["saved"]), "saves_lost": len(lost), "lost": lost,
        "writer_failures": log[:5],
        "server_rss_mib": {"start": round(rss_start), "end": round(rss_end), "peak": round(hwm)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rebuilds", type=int, default=5)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="corridors-soak-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "CORRIDORS_HOME": str(home)}
        subprocess.run([CORRIDORS, "--mirror", str(mirror()), "pull"], env=env, check=True,
                       capture_output=True)
        subprocess.run([CORRIDORS, "build"], env=env, check=True, capture_output=True)
        for hostile in (False, True):
            port = _port()
            server = subprocess.Popen([CORRIDORS, "serve", "--port", str(port)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(300):
                    try:
                        httpx.get(base + "/openapi.json", timeout=2)
                        break
                    except httpx.TransportError:
                        time.sleep(0.2)
                results.append(asyncio.run(_run(base, home, server.pid, args.seconds, args.clients,
                                                args.rebuilds, hostile)))
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                    results[-1]["server_stopped_on_sigterm"] = True
                except subprocess.TimeoutExpired:
                    server.kill()
                    results[-1]["server_stopped_on_sigterm"] = False
            shutil.rmtree(home / "user", ignore_errors=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
