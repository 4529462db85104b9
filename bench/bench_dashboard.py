"""Benchmark: the dashboard's weight and first paint on a throttled phone, on this machine only.

Headless Debian Chromium (Playwright) at 390x844 with Chromium's own network and CPU emulation
(CDP ``Network.emulateNetworkConditions``: 1.6 Mbps down, 750 kbps up, 150 ms round trip;
``Emulation.setCPUThrottlingRate`` 4x), against `corridors serve` in its own process:

- the overview (``/``) and a country page (``/country/KEN``): first contentful paint, load
  event and bytes on the wire (Chromium's encoded lengths: compressed where the server
  compressed) on a first visit (empty cache) and a repeat visit (the browser's cache);
- side by side, what the same pages cost without compression (``Accept-Encoding: identity``,
  what a server without the gzip middleware sends);
- goals: first paint <= 1 s on the throttled phone; overview <= 60 KB on a repeat visit.

Each measurement is the median of RUNS fresh browser contexts. Every loop is bounded.

    python bench/bench_dashboard.py [--home DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import CHROMIUM_ARGS, Server, build_home  # noqa: E402

PAGES = ["/", "/country/KEN"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
           "uploadThroughput": 750_000 / 8}


def visit(context, url: str, *, identity: bool) -> list[dict]:
    """Open ``url`` twice in one throttled tab (first visit, then repeat); per visit: first
    contentful paint, load event (ms) and bytes transferred."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    if identity:
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})
    sizes: dict[str, int] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"],
                                                                    e["encodedDataLength"]))
    out = []
    for _ in range(2):
        sizes.clear()
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=60_000)
        timing = page.evaluate("""() => {
            const paint = performance.getEntriesByName('first-contentful-paint')[0];
            const nav = performance.getEntriesByType('navigation')[0];
            return {fcp_ms: paint ? paint.startTime : null, load_ms: nav.loadEventEnd};
        }""")
        out.append({**timing, "bytes": sum(sizes.values()), "requests": len(sizes)})
    page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing pulled and built CORRIDORS_HOME")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    home = args.home or build_home()
    server = Server(home)
    results: dict[str, dict] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            for identity in (False, True):
                for path in PAGES:
                    runs = []
                    for _ in range(max(1, min(args.runs, 10))):
                        context = browser.new_context(**PHONE)
                        runs.append(visit(context, server.url + path, identity=identity))
                        context.close()
                    key = f"{path} {'identity' if identity else 'gzip'}"
                    results[key] = {
                        which: {m: statistics.median(r[i][m] for r in runs)
                                for m in ("fcp_ms", "load_ms", "bytes", "requests")}
                        for i, which in enumerate(("first_visit", "repeat_visit"))}
            browser.close()
    finally:
        server.stop()
    report = {"profile": {"network": NETWORK, "cpu_slowdown": 4, "viewport": PHONE["viewport"]},
              "load_average": os.getloadavg(), "runs": args.runs, "results": results,
              "goals": {"first_paint_ms": 1000, "overview_repeat_bytes": 60_000}}
    print(json.dumps(report, indent=2))
    for key, value in results.items():
        first, again = value["first_visit"], value["repeat_visit"]
        print(f"{key:28} first visit: paint {first['fcp_ms']:6.0f} ms, load {first['load_ms']:6.0f}"
              f" ms, {first['bytes'] / 1000:6.1f} KB | repeat: paint {again['fcp_ms']:6.0f} ms, "
              f"{again['bytes'] / 1000:6.1f} KB", file=sys.stderr)


if __name__ == "__main__":
    main()
