"""Benchmark: how long the command line takes to answer, side by side with the least a user could
run instead, in one run.

- `corridors --help` beside `python -c "import duckdb"` (the import every answer needs): goal
  ratio <= 2.5;
- `corridors stock --destination KEN --year 2020 --format json` beside a bare Python process that
  imports DuckDB, opens the same store read-only and sums the same figure (the same SQL a user
  would write): goal ratio <= 3.

Each pair runs back to back (alternating which goes first), at least 5 times; we report the median
wall time of each side, the median of the paired ratios, and the peak resident memory of one run of
each. Both answers are checked equal before timing.

    CORRIDORS_MIRROR=../shared/sources python bench/bench_cli.py [--home DIR] [--runs N]

Without --home, the sources are pulled from the mirror and a store is built into a temporary home
first (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import mirror  # noqa: E402

BARE_QUERY = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute(
    "SELECT sum(value) FROM migrant_stock WHERE edition = 'ims2020' AND sex = 'total' "
    "AND destination = 'KEN' AND year = 2020").fetchone()[0])
"""


def corridors_bin() -> str:
    found = Path(sys.executable).with_name("corridors")
    return str(found) if found.exists() else shutil.which("corridors") or "corridors"


def build_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="corridors-bench-cli-"))
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    subprocess.run([corridors_bin(), "--mirror", str(mirror()), "pull"], env=env, check=True,
                   capture_output=True)
    subprocess.run([corridors_bin(), "build"], env=env, check=True, capture_output=True)
    return home


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall, proc.stdout


def peak_mib(args: list[str], env: dict[str, str]) -> float:
    """Peak resident memory (MiB) of one run, from a fresh wrapper process."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True,"
            " check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                         text=True, check=True).stdout
    return round(int(out.strip()) / 1024, 1)


def pair(ours: list[str], theirs: list[str], env: dict[str, str], runs: int) -> dict:
    """Time both sides ``runs`` times, alternating which goes first; medians and ratio."""
    timed(ours, env), timed(theirs, env)  # warm the file cache: neither side pays the first read
    ours_s, theirs_s, ratios = [], [], []
    for i in range(runs):
        if i % 2:
            theirs_t, _ = timed(theirs, env)
            ours_t, _ = timed(ours, env)
        else:
            ours_t, _ = timed(ours, env)
            theirs_t, _ = timed(theirs, env)
        ours_s.append(ours_t)
        theirs_s.append(theirs_t)
        ratios.append(ours_t / theirs_t)
    return {
        "runs": runs,
        "corridors_median_s": round(statistics.median(ours_s), 3),
        "alternative_median_s": round(statistics.median(theirs_s), 3),
        "ratio_of_medians": round(statistics.median(ours_s) / statistics.median(theirs_s), 2),
        "median_paired_ratio": round(statistics.median(ratios), 2),
        "corridors_peak_mib": peak_mib(ours, env),
        "alternative_peak_mib": peak_mib(theirs, env),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing CORRIDORS_HOME with a built store")
    parser.add_argument("--runs", type=int, default=7, help="paired runs per comparison (>= 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    home = args.home.resolve() if args.home else build_home()
    env = {**os.environ, "CORRIDORS_HOME": str(home), "COLUMNS": "100"}
    store = str(home / "corridors.duckdb")
    cli = corridors_bin()

    stock = [cli, "stock", "--destination", "KEN", "--year", "2020", "--format", "json"]
    bare = [sys.executable, "-c", BARE_QUERY, store]
    answer = json.loads(timed(stock, env)[1])[0]["value"]
    expected = round(float(timed(bare, env)[1]))
    if answer != expected:
        raise SystemExit(f"the answers differ: corridors {answer}, bare DuckDB {expected}")

    started = time.perf_counter()
    results = {
        "help_vs_import_duckdb": pair([cli, "--help"], [sys.executable, "-c", "import duckdb"],
                                      env, runs),
        "stock_vs_bare_duckdb_query": pair(stock, bare, env, runs) | {"answer": answer},
    }
    results["wall_s"] = round(time.perf_counter() - started, 1)
    results["bench_peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["load_average_1min"] = round(os.getloadavg()[0], 2)
    results["goals"] = {
        "help <= 2.5x import duckdb":
            results["help_vs_import_duckdb"]["median_paired_ratio"] <= 2.5,
        "stock <= 3x bare DuckDB query":
            results["stock_vs_bare_duckdb_query"]["median_paired_ratio"] <= 3.0,
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
