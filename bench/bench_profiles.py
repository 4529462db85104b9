"""Benchmark: first answers of the country profile, the corridor profile, the lens summary, the
corridor scorecard and the scorecard ranking (the analytics behind the REST API's profile,
summary and scorecard calls), side by side in one run.

Each side runs in a fresh Python process (bench/_measure.py) over the same store built from the
mirror, and answers questions never asked before in that process (every call a different country,
lens or year; nothing is memoised by the analytics):

- ``facts``: the functions, over the corridor fact table the build writes
  (corridors.analytics.facts);
- ``whole table``: what a user without the profile and summary functions would run: the corridor
  table of every year (``corridor_table``), filtered to the country and summed in polars, and for
  the summary the corridor table of the year grouped by category; for a scorecard, the corridor
  table of the corridor in the year and over every year next to its governance indicators, and
  for a ranking, the largest South-South corridors of the year's corridor table
  (``south_south_corridors``) with each one's governance indicators.

The scorecard and the ranking need the curated reference facts (``--reference``, default the
``reference/`` folder beside the mirror); without it they are left out.

Reported per side: median and 95th percentile of one call (ms), wall time and peak memory of the
process, the ratio of the alternative's median over ``facts``, and what writing the fact table
costs (seconds of ``build_facts`` and the store's growth).

    CORRIDORS_MIRROR=../shared/sources python bench/bench_profiles.py [--store PATH]
        [--reference DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import mirror, run_isolated  # noqa: E402

COUNTRIES = ["KEN", "IND", "BRA", "ZAF", "NGA", "MEX", "PHL", "EGY", "BGD", "PAK", "IDN", "UGA"]
LENSES = ["wb-lmic", "wb-non-high", "un-developing", "gfmd-2018"]
PAIRS = [("IND", "ARE"), ("MEX", "USA"), ("KEN", "UGA"), ("BGD", "IND"), ("SYR", "TUR"),
         ("CIV", "BFA")]
#: Large South-South corridors (scorecards, 2020 and 2010).
SCORED = [("SYR", "TUR"), ("AFG", "IRN"), ("BGD", "IND"), ("PSE", "JOR"), ("MMR", "THA"),
          ("VEN", "COL"), ("AFG", "PAK"), ("IND", "PAK"), ("BFA", "CIV"), ("NPL", "IND")]


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"calls": len(ordered), "median_ms": round(1000 * statistics.median(ordered), 2),
            "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 2)}


def side(store_path: str, how: str, reference: str = "") -> dict:
    """Time first calls of the five answers in this process."""
    import polars as pl

    from corridors.analytics import regions
    from corridors.analytics.corridors import corridor_table
    from corridors.analytics.lenses import BUILTIN
    from corridors.analytics.profiles import corridor_profile, country_profile
    from corridors.store import connect

    con = connect(Path(store_path))
    con.execute("SELECT 1").fetchall()
    profiles, corridors, summaries = [], [], []
    years = (2020, 2000)
    for i, code in enumerate(COUNTRIES):
        lens = BUILTIN[LENSES[i % len(LENSES)]]
        for year in years:
            started = time.perf_counter()
            if how == "whole table":
                table = corridor_table(con, lenses=[lens]).filter(
                    (pl.col("origin") == code) | (pl.col("destination") == code))
                part = table.filter((pl.col("year") == year) & (pl.col("sex") == "total"))
                part.group_by("origin").agg(pl.col("stock").sum())
                table.group_by("year", "sex", pl.col("destination") == code).agg(
                    pl.col("stock").sum())
            else:
                country_profile(con, code, year=year, lens=lens, top=300).to_dict()
            profiles.append(time.perf_counter() - started)
    for origin, destination in PAIRS:
        started = time.perf_counter()
        if how == "whole table":
            corridor_table(con).filter((pl.col("origin") == origin)
                                       & (pl.col("destination") == destination))
        else:
            corridor_profile(con, origin, destination).to_dict()
        corridors.append(time.perf_counter() - started)
    for lens_id in LENSES:
        for year in (1990, 2005, 2020):
            started = time.perf_counter()
            if how == "whole table":
                column = "category_" + lens_id.replace("-", "_")
                corridor_table(con, years=year, sex="total", lenses=[BUILTIN[lens_id]],
                               detail=False).group_by(column).agg(pl.col("stock").sum())
            else:
                regions.category_summary(con, lenses=BUILTIN[lens_id], years=year)
            summaries.append(time.perf_counter() - started)
    out = {"country_profile": _stats(profiles), "corridor_profile": _stats(corridors),
           "category_summary": _stats(summaries)}
    if reference:
        out |= _governance(con, how, reference)
    con.close()
    return out


def _governance(con, how: str, reference: str) -> dict:
    """First scorecards and rankings (the reference facts loaded once, as the server does)."""
    from corridors.analytics import scorecard as sc
    from corridors.analytics.corridors import corridor_table
    from corridors.analytics.lenses import BUILTIN

    gov = sc.Governance.load(con, reference, mirror=mirror())
    cards, ranks = [], []
    for year in (2020, 2010):
        for origin, destination in SCORED:
            started = time.perf_counter()
            if how == "whole table":
                corridor_table(con, years=year, sex="total", origin=origin,
                               destination=destination)
                corridor_table(con, sex="total", lenses=[BUILTIN["wb-lmic"]], origin=origin,
                               destination=destination)
                sc.governance_indicators(gov, origin, destination, year)
            else:
                sc.scorecard(con, origin, destination, year, gov=gov)
            cards.append(time.perf_counter() - started)
    for lens_id in LENSES:
        for year in (2020, 2010, 2000):
            started = time.perf_counter()
            if how == "whole table":
                for row in sc.south_south_corridors(con, lens_id, year):
                    sc.governance_indicators(gov, row["origin"], row["destination"], year)
            else:
                sc.rank(con, lens_id, year, gov=gov)
            ranks.append(time.perf_counter() - started)
    return {"scorecard": _stats(cards), "rank": _stats(ranks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built corridors.duckdb (copied, not changed)")
    parser.add_argument("--reference", type=Path, default=None,
                        help="the curated reference facts for the scorecard (default: reference/ "
                             "beside the mirror)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="corridors-bench-profiles-"))
    try:
        if args.store:
            source = args.store
        else:
            env = {**os.environ, "CORRIDORS_HOME": str(work / "home")}
            subprocess.run(["corridors", "--mirror", str(mirror()), "pull"], env=env, check=True,
                           capture_output=True)
            subprocess.run(["corridors", "build"], env=env, check=True, capture_output=True)
            source = work / "home" / "corridors.duckdb"
        built, bare = work / "facts.duckdb", work / "bare.duckdb"
        shutil.copy(source, built)
        shutil.copy(source, bare)
        import duckdb

        from corridors.analytics import facts

        con = duckdb.connect(str(bare))
        for table in facts.TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("CHECKPOINT")
        con.close()
        con = duckdb.connect(str(built))
        started = time.perf_counter()
        rows = facts.build_facts(con)
        build_s = time.perf_counter() - started
        con.execute("CHECKPOINT")
        con.close()
        results: dict = {"build_facts": {"seconds": round(build_s, 2), "rows": rows,
                                         "store_growth_mib": round(
                                             (built.stat().st_size - bare.stat().st_size) / 2**20,
                                             1)}}
        reference = args.reference or mirror().parent / "reference"
        reference_arg = str(reference) if (reference / "ilo_ratifications.csv").is_file() else ""
        for name, how in (("facts", "profile"), ("whole table", "whole table")):
            out = run_isolated("bench_profiles", "side", str(built), how, reference_arg)
            results[name] = {**{k: v for k, v in out.items() if isinstance(v, dict)},
                             "wall_s": round(out["wall_s"], 2),
                             "peak_mib": round(out["peak_mib"], 1)}
        results["ratio_median_over_facts"] = {
            "whole table": {what: round(results["whole table"][what]["median_ms"]
                                        / results["facts"][what]["median_ms"], 1)
                            for what in ("country_profile", "corridor_profile", "category_summary",
                                         "scorecard", "rank") if what in results["whole table"]}
        }
        results["load_average"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
