"""Benchmark: the REST API and the dashboard under load, on this machine only (127.0.0.1).

- p50/p95 latency of the country-profile and South-South summary API calls at 20 concurrent
  clients (20 keep-alive connections, asyncio), goal p95 <= 50 ms: first calls (every request
  a different country, lens or year, so nothing is memoised yet) and repeated calls (the same
  URLs again);
- the same for the governance and flows endpoints: corridor scorecard
  (``/api/v1/scorecard/{o}/{d}``), the ranking (``/api/v1/scorecard/rank``) and a corridor's
  estimated flows (``/api/v1/flows/{o}/{d}``), measured against the same 50 ms yardstick (they
  need the curated reference and the saved flows: serve a pulled and built home);
- first calls one at a time (one client): what a single user waits for an answer never asked;
- side by side, what a user without the server would run for the same answer: the CLI
  (`corridors profile CODE --format json`, `corridors ssm summary ... --format json`), one process
  per answer;
- the overview page fully rendered in headless Chromium (load event, all assets, no network),
  goal <= 1.5 s: first render after the server starts, a year/lens never seen before, and again;
- wall time and peak memory (VmHWM) of the server process.

Every loop is bounded in count and time; the server is started here and stopped at the end.

``--first-calls``: only the first-call mode (issue 11), each question never asked before, 20
concurrent clients, p95 <= 50 ms for the summary, the country profile, the corridor profile, the
scorecard and the ranking; every URL differs (country, corridor, lens, year or sex) and the
server starts fresh. The load average of the machine is reported beside the numbers.

    python bench/bench_api.py [--home DIR | --store PATH] [--first-calls]
    # default: pull + build from the mirror in a temp home; --home: an existing pulled and built
    # CORRIDORS_HOME; --store: only a store file (the governance endpoints then answer 503)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _measure import mirror  # noqa: E402

CLIENTS = 20
MAX_SECONDS = 60.0
COUNTRIES = ["KEN", "IND", "BRA", "ZAF", "NGA", "MEX", "PHL", "EGY", "BGD", "PAK", "IDN", "UGA",
             "ETH", "CIV", "SEN", "GHA", "NPL", "MAR", "TUR", "THA"]
LENSES = ["wb-lmic", "wb-non-high", "un-developing", "gfmd-2018"]
YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020]
#: Large corridors of the 2020 estimates (origin, destination): scorecards and flows.
PAIRS = [("IND", "ARE"), ("SYR", "TUR"), ("AFG", "IRN"), ("KAZ", "RUS"), ("IND", "SAU"),
         ("BGD", "IND"), ("PSE", "JOR"), ("MMR", "THA"), ("VEN", "COL"), ("IDN", "SAU"),
         ("AFG", "PAK"), ("IND", "PAK"), ("PAK", "SAU"), ("BFA", "CIV"), ("IND", "OMN"),
         ("BGD", "SAU"), ("IDN", "MYS"), ("IND", "KWT"), ("UZB", "RUS"), ("MEX", "USA")]
GOVERNANCE = ("scorecard", "rank", "flows_corridor")
#: The five answers of the first-call goal (issue 11).
FIRST_CALLS = ("summary", "profile", "corridor_profile", "scorecard", "rank")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def build_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="corridors-bench-api-"))
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    subprocess.run(["corridors", "--mirror", str(mirror()), "pull"], env=env, check=True,
                   capture_output=True)
    subprocess.run(["corridors", "build"], env=env, check=True, capture_output=True)
    return home


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`corridors serve` in its own process, as a user runs it."""

    def __init__(self, home: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CORRIDORS_HOME": str(home)}
        self.proc = subprocess.Popen(["corridors", "serve", "--port", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started = time.monotonic()
        deadline = started + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/openapi.json", timeout=1)
                #: Seconds from start to the first answer (the answers are prepared before).
                self.ready_s = round(time.monotonic() - started, 2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def peak_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
               path: str) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; returns the status. A minimal client so
    the load generator spends little of the machine's two cores (httpx would take most of them)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n"
                 .encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(x.split(":", 1)[1]) for x in lines[1:]
                  if x.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


async def load(base: str, urls: list[str], clients: int = CLIENTS) -> dict:
    """GET every url once over ``clients`` concurrent keep-alive connections; latency per
    request (send to last byte)."""
    host, port = base.removeprefix("http://").split(":")
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + MAX_SECONDS

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while not queue.empty() and time.monotonic() < deadline:
                url = queue.get_nowait()
                started = time.perf_counter()
                status = await _get(reader, writer, f"{host}:{port}", url)
                latencies.append(time.perf_counter() - started)
                failures += status != 200
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered), "failures": failures, "wall_s": round(wall, 2),
        "per_s": round(len(ordered) / wall, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def cli_seconds(home: Path, args: list[str], repeats: int = 3) -> float:
    """Median wall time of the CLI answering the same question (one process per answer)."""
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(["corridors", *args], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def render_overview(base: str) -> dict:
    """Time to a fully rendered overview page (load event; all styles, scripts, SVG) in
    headless Chromium."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        for label, path in (("first_after_start_s", "/"),
                            ("unseen_year_lens_s", "/?year=2005&lens=gfmd-2018"),
                            ("again_s", "/?year=2005&lens=gfmd-2018")):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(base + path, wait_until="load")
            page.wait_for_selector("svg.map use")  # the countries: <use> of shared shapes
            out[label] = round(time.perf_counter() - started, 3)
            timing = page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])")
            nav = json.loads(timing)
            out[label.removesuffix("_s") + "_load_event_ms"] = round(nav["loadEventEnd"], 1)
            page.close()
        browser.close()
    return out


def first_call_urls() -> dict[str, list[str]]:
    """Questions never asked before, per answer: each URL once (a country, corridor, lens, year
    or sex not asked in any other URL of the list)."""
    sexes = ("total", "female", "male")
    return {
        "summary": [f"/api/v1/summary?lens={lens}&year={y}&sex={sex}" for lens in LENSES
                    for y in YEARS for sex in sexes[:2]],
        "profile": [f"/api/v1/countries/{c}/profile?year={y}&lens={lens}"
                    for c in COUNTRIES for lens in LENSES[:2] for y in (2020, 2000)],
        "corridor_profile": [f"/api/v1/corridors/{o}/{d}"
                             + (f"?edition={edition}" if edition else "")
                             for o, d in PAIRS for edition in (None, "ims2019", "ims2015")],
        "scorecard": [f"/api/v1/scorecard/{o}/{d}?year={y}" for o, d in PAIRS
                      for y in (2020, 2010)],
        "rank": [f"/api/v1/scorecard/rank?lens={lens}&year={y}" for lens in LENSES
                 for y in YEARS],
    }


def first_calls(server: Server) -> dict:
    """The first-call mode: each answer's never-asked URLs over 20 concurrent clients."""
    before = os.getloadavg()
    results = {name: asyncio.run(load(server.url, urls))
               for name, urls in first_call_urls().items()}
    results["server_ready_s"] = server.ready_s
    results["load_average_before"] = [round(x, 2) for x in before]
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["server_peak_mib"] = round(server.peak_mib(), 1)
    results["goals"] = {f"{name} first calls p95 <= 50 ms": results[name]["p95_ms"] <= 50
                        for name in FIRST_CALLS}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-calls", action="store_true",
                        help="only the first-call mode: five answers, each question never asked")
    parser.add_argument("--home", type=Path, help="an existing CORRIDORS_HOME, pulled and built")
    parser.add_argument("--store", type=Path, help="an existing corridors.duckdb to serve")
    args = parser.parse_args()
    if args.home:
        home = args.home.resolve()
    elif args.store:
        home = Path(tempfile.mkdtemp(prefix="corridors-bench-api-"))
        (home / "corridors.duckdb").symlink_to(args.store.resolve())
    else:
        home = build_home()

    server = Server(home)
    if args.first_calls:
        try:
            print(json.dumps(first_calls(server), indent=2))
        finally:
            server.stop()
        return
    started = time.perf_counter()
    try:
        render = render_overview(server.url)  # first: the server has computed nothing yet
        profiles = [f"/api/v1/countries/{c}/profile?year={y}&lens={lens}"
                    for c in COUNTRIES for lens in LENSES[:2] for y in (2020, 2000)]
        summaries = [f"/api/v1/summary?lens={lens}&year={y}" for lens in LENSES for y in YEARS]
        results = {
            "profile_first_calls": asyncio.run(load(server.url, profiles)),
            "profile_repeated": asyncio.run(load(server.url, profiles * 5)),
            "summary_first_calls": asyncio.run(load(server.url, summaries)),
            "summary_repeated": asyncio.run(load(server.url, summaries * 15)),
        }
        unseen_profiles = [f"/api/v1/countries/{c}/profile?year=2010&lens=un-developing"
                           for c in COUNTRIES[:6]]
        unseen_summaries = [f"/api/v1/summary?lens={lens}&year=2010&sex=female"
                            for lens in LENSES]
        scorecards = [f"/api/v1/scorecard/{o}/{d}?year={y}" for o, d in PAIRS
                      for y in (2020, 2010)]
        ranks = [f"/api/v1/scorecard/rank?lens={lens}&year={y}" for lens in LENSES
                 for y in YEARS]
        flows = [f"/api/v1/flows/{o}/{d}" for o, d in PAIRS]
        flows += [f"/api/v1/flows/{d}/{o}" for o, d in PAIRS]
        for name, urls, repeats in (("scorecard", scorecards, 10), ("rank", ranks, 15),
                                    ("flows_corridor", flows, 10)):
            results[f"{name}_first_calls"] = asyncio.run(load(server.url, urls))
            results[f"{name}_repeated"] = asyncio.run(load(server.url, urls * repeats))
        results["profile_first_calls_one_client"] = asyncio.run(
            load(server.url, unseen_profiles, clients=1))
        results["summary_first_calls_one_client"] = asyncio.run(
            load(server.url, unseen_summaries, clients=1))
        results["overview_render_chromium"] = render
        results["cli_same_answer_s"] = {
            "profile": round(cli_seconds(home, ["profile", "KEN", "--year", "2020",
                                                "--format", "json"]), 3),
            "summary": round(cli_seconds(home, ["ssm", "summary", "--lens", "wb-lmic",
                                                "--year", "2020", "--format", "json"]), 3),
        }
        results["ratio_cli_over_api_p50"] = {
            f"{what}_{phase}": round(1000 * results["cli_same_answer_s"][what]
                                     / results[f"{what}_{phase}"]["p50_ms"], 1)
            for what in ("profile", "summary")
            for phase in ("first_calls_one_client", "repeated")
        }
        results["server_peak_mib"] = round(server.peak_mib(), 1)
        results["wall_s"] = round(time.perf_counter() - started, 1)
    finally:
        server.stop()
    results["goals"] = {
        "api_p95_ms<=50 (repeated)": max(results["profile_repeated"]["p95_ms"],
                                         results["summary_repeated"]["p95_ms"]) <= 50,
        "api_p95_ms<=50 (first calls)": max(results["profile_first_calls"]["p95_ms"],
                                            results["summary_first_calls"]["p95_ms"]) <= 50,
        "governance/flows api_p95_ms<=50 (repeated)": max(
            results[f"{name}_repeated"]["p95_ms"] for name in GOVERNANCE) <= 50,
        "governance/flows api_p95_ms<=50 (first calls)": max(
            results[f"{name}_first_calls"]["p95_ms"] for name in GOVERNANCE) <= 50,
        "overview<=1.5s (first render)": render["first_after_start_s"] <= 1.5,
        "overview<=1.5s (unseen year/lens)": render["unseen_year_lens_s"] <= 1.5,
    }
    failed = {k: v["failures"] for k, v in results.items()
              if isinstance(v, dict) and v.get("failures")}
    if failed:
        results["warning"] = (f"non-200 answers {failed}: serve a pulled and built home (--home) "
                              "so the governance reference and the saved flows are there")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
