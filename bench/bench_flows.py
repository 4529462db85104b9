"""Benchmark: demographic accounting for all country pairs, six periods, two sexes.

Goal (issue 7): <= 10 s on the 2-core machine for 232 x 232 pairs x 6 periods x 2 sexes, reported
with peak memory and iterations to convergence. Side by side, in the same run, with the
alternative a user would write by hand: a pure-Python loop (dicts and lists, one birthplace and one
cell at a time) on a subset of places, against the vectorised code on the same subset.

Data: the real IMS 2020 bilateral stocks by sex and Table 2 population from the mirror
(``CORRIDORS_MIRROR``, default ../shared/sources), loaded into an in-memory store.

Second part, South–South flows under the lenses (needs a built store, ``--store``, default the
settings' store): the summary for all periods, both sexes and the four built-in lenses from the
store's saved ``flows`` table, side by side with estimating the flows again first (what a store
without the table needs) and with the same summary written in pandas over the saved table.

    python bench/bench_flows.py [--subset 120] [--store PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import python_calamine

from corridors import codes
from corridors.analytics.flows.accounting import demographic_accounting
from corridors.analytics.flows.global_run import global_flows, period_matrices, periods
from corridors.store import create_schema

YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020)


def load_store(mirror: Path) -> duckdb.DuckDBPyConnection:
    ims = mirror / "un-desa" / "ims2020"
    con = duckdb.connect()
    create_schema(con)
    csv_path = ims / "derived" / "ims2020_bilateral_by_sex_long.csv"
    stocks = pl.read_csv(csv_path).select(  # noqa: F841 - read by DuckDB by name
        edition=pl.lit("ims2020"), origin=pl.col("from"), destination=pl.col("to"),
        year=pl.col("t").cast(pl.Int32), sex=pl.col("sex").str.to_lowercase(),
        value=pl.col("v").cast(pl.Float64), source_id=pl.lit("bench"))
    con.execute("INSERT INTO migrant_stock SELECT * FROM stocks")
    book = python_calamine.CalamineWorkbook.from_path(
        str(ims / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"))
    rows = book.get_sheet_by_name("Table 2").to_python()
    header = next(i for i, r in enumerate(rows) if "Location code" in r)
    out = []
    for row in rows[header + 1:]:
        iso3 = codes.iso3_for_m49(row[3]) if row[3] not in ("", None) else None
        if iso3 is None:
            continue
        for block, sex in enumerate(("total", "male", "female")):
            for k, year in enumerate(YEARS):
                value = row[5 + block * 7 + k]
                if isinstance(value, (int, float)):
                    out.append(("ims2020", iso3, int(row[3]), year, sex, value * 1000.0, "bench"))
    con.executemany("INSERT INTO population VALUES (?, ?, ?, ?, ?, ?, ?)", out)
    return con


def naive_accounting(s1: list[list[float]], s2: list[list[float]], tol: float = 1e-10,
                     max_iter: int = 1000) -> tuple[list[list[float]], int]:
    """The same model written cell by cell in pure Python (closed system, native match)."""
    n = len(s1)
    m1 = [row[:] for row in s1]
    m2 = [row[:] for row in s2]
    for b in range(n):
        change = sum(m2[b]) - sum(m1[b])
        if change > 0:
            m1[b][b] += change
        else:
            m2[b][b] -= change
    flows = [[0.0] * n for _ in range(n)]
    most = 0
    for b in range(n):
        r = [m1[b][i] - min(m1[b][i], m2[b][i]) for i in range(n)]
        c = [m2[b][j] - min(m1[b][j], m2[b][j]) for j in range(n)]
        z = [[1.0 if (r[i] > 0 and c[j] > 0) else 0.0 for j in range(n)] for i in range(n)]
        scale = max(1.0, max(max(m1[b]), max(m2[b])))
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
            for i in range(n):
                s = sum(z[i])
                if s > 0:
                    f = r[i] / s
                    z[i] = [v * f for v in z[i]]
            for j in range(n):
                s = sum(z[i][j] for i in range(n))
                if s > 0:
                    f = c[j] / s
                    for i in range(n):
                        z[i][j] *= f
            gap = max(abs(sum(z[i]) - r[i]) for i in range(n))
            if gap <= tol * scale:
                break
        most = max(most, it)
        for i in range(n):
            for j in range(n):
                if i != j:
                    flows[i][j] += z[i][j]
    return flows, most


def pandas_lens_summary(flows, roles):
    """The lens summary written by hand in pandas: merge the South flags of both ends per lens,
    categorise, group and divide (the alternative a notebook user would write)."""
    import numpy as np_
    import pandas as pd

    parts = []
    for lens, r in roles.groupby("lens"):
        m = (flows.merge(r[["iso3", "year", "south_origin"]].rename(
                columns={"iso3": "origin", "year": "period_start"}), how="left")
             .merge(r[["iso3", "year", "south_destination"]].rename(
                columns={"iso3": "destination", "year": "period_start"}), how="left"))
        so, sd = m["south_origin"], m["south_destination"]
        known = so.notna() & sd.notna()
        so, sd = so.fillna(False).astype(bool), sd.fillna(False).astype(bool)
        m["category"] = np_.select(
            [~known, so & sd, so, sd], ["unclassified", "south-south", "south-north", "north-south"],
            default="north-north")
        g = m.groupby(["period_start", "sex", "category"], as_index=False)["value"].sum()
        g["share"] = g["value"] / g.groupby(["period_start", "sex"])["value"].transform("sum")
        g["lens"] = lens
        parts.append(g)
    return pd.concat(parts)


def _peak_rss() -> float:
    """Peak resident memory of this process in MiB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> float:
    """Start the peak-memory count afresh (Linux: writing 5 to clear_refs resets VmHWM; a spawned
    child otherwise inherits its parent's high-water mark); returns the current peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _peak_rss()


def _lens_variant(store_path: str, variant: str, queue) -> None:
    """One variant of the lens summary in a fresh process: wall time of the work and the peak
    resident memory of the whole process (interpreter and libraries included)."""
    from corridors.analytics.flows.global_run import STORED, load_flows
    from corridors.analytics.flows.lenses import lens_flows
    from corridors.analytics.lenses import BUILTIN, lens_roles

    con = duckdb.connect(store_path, read_only=True)
    lenses = list(BUILTIN.values())
    base = _reset_peak_rss()
    t0 = time.perf_counter()
    if variant == "saved":
        frame, source, _ = load_flows(con, edition="ims2020")
        assert source == STORED, "the store has no saved flows table for ims2020"
        out = lens_flows(con, frame, lenses)
    elif variant == "estimate":
        frame, _ = global_flows(con, edition="ims2020")
        out = lens_flows(con, frame, lenses)
    else:  # pandas over the saved table, the lens flags from the lens module
        flows = con.execute("SELECT origin, destination, period_start, sex, value FROM flows "
                            "WHERE edition = 'ims2020'").df()
        years = sorted(flows["period_start"].unique().tolist())
        roles = lens_roles(con, lenses, years).to_pandas()
        out = pl.from_pandas(pandas_lens_summary(flows, roles))
    seconds = time.perf_counter() - t0
    peak = _peak_rss()
    rows = out.filter((pl.col("sex") != "both") & (pl.col("value") > 0)).select(
        "lens", pl.col("period_start").cast(pl.Int32), "sex", "category", "value")
    queue.put((seconds, base, peak, rows.to_dicts()))


def bench_lenses(store_path: Path) -> None:
    import multiprocessing

    if not store_path.exists():
        print(f"\nno built store at {store_path}: skipping the lens part (run `corridors build`)")
        return
    ctx = multiprocessing.get_context("spawn")
    results = {}
    for variant in ("saved", "estimate", "pandas"):
        queue = ctx.Queue()
        child = ctx.Process(target=_lens_variant, args=(str(store_path), variant, queue))
        child.start()
        results[variant] = queue.get()
        child.join()
    frames = {k: pl.DataFrame(v[3]) for k, v in results.items()}
    keys = ["lens", "period_start", "sex", "category"]
    gaps = {k: frames["saved"].join(frames[k], on=keys, how="full").select(
        (pl.col("value") - pl.col("value_right")).abs().max()).item() for k in ("estimate", "pandas")}
    fast = results["saved"][0]
    print("\nSouth–South flows, 4 lenses x 6 periods x sexes (male, female, both), built store; "
          "each in a fresh process (peak RSS: before the work -> after, imports included):")
    labels = {"saved": "saved flows table + lens_flows", "estimate": "estimate again + lens_flows",
              "pandas": "pandas by hand over the table"}
    for variant, (seconds, base, peak, _) in results.items():
        extra = "" if variant == "saved" else (f"   ratio {seconds / fast:5.1f} x, largest "
                                               f"difference {gaps[variant]:.2g} persons")
        print(f"  {labels[variant]:<32} {seconds:6.2f} s  peak RSS {base:5.0f} -> {peak:5.0f} MiB"
              f"{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=120, help="places for the side-by-side run")
    parser.add_argument("--store", type=Path, default=None, help="built store for the lens part "
                        "(default: the settings' store)")
    parser.add_argument("--lenses-only", action="store_true", help="only the lens part")
    args = parser.parse_args()
    if args.lenses_only:
        from corridors.settings import settings

        bench_lenses(args.store or settings().store_path)
        return
    mirror = Path(os.environ.get("CORRIDORS_MIRROR", "../shared/sources"))
    t0 = time.perf_counter()
    con = load_store(mirror)
    print(f"store loaded from {mirror} in {time.perf_counter() - t0:.1f} s")

    runs = [(p, sex) for p in periods(con, "ims2020") for sex in ("male", "female")]
    t0 = time.perf_counter()
    matrices = [period_matrices(con, "ims2020", p[0], p[1], sex) for p, sex in runs]
    t_build = time.perf_counter() - t0
    n = len(matrices[0].places)

    t0 = time.perf_counter()
    results = [demographic_accounting(m.start, m.end, birthplace_match="native")
               for m in matrices]
    t_fit = time.perf_counter() - t0
    iterations = [r.iterations for r in results]
    assert all(r.converged for r in results)

    # the 'rescale' match without births and deaths: its 2-way IPF meets countries whose
    # margins cannot be met (e.g. no foreign-born); it must say so, not return a bad table
    rescale = demographic_accounting(matrices[0].start, matrices[0].end,
                                     birthplace_match="rescale", on_failure="report",
                                     max_iter=200)
    tracemalloc.start()
    demographic_accounting(matrices[-1].start, matrices[-1].end, birthplace_match="native")
    _, peak_one = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    t0 = time.perf_counter()
    frame, _ = global_flows(con)
    t_end_to_end = time.perf_counter() - t0

    print(f"\nDemographic accounting, {n} places ({n}x{n} pairs, {n} birthplaces), "
          f"{len(runs)} runs (6 periods x 2 sexes)")
    print(f"  build matrices from the store (SQL)  {t_build:7.2f} s")
    print(f"  fit (vectorised numpy)               {t_fit:7.2f} s   goal <= 10 s")
    print(f"  end to end global_flows()            {t_end_to_end:7.2f} s   {frame.height:,} flows")
    print(f"  IPF iterations to convergence        {min(iterations)}-{max(iterations)} "
          f"(tolerance 1e-10 x largest margin)")
    print(f"  birthplace match 'rescale' (no births/deaths), 1990-95 male: converged="
          f"{rescale.converged} after {rescale.notes['rescale_iterations']} iterations (start, end), "
          f"margins {rescale.notes['rescale_gap']:,.0f} persons apart")
    print(f"  peak traced memory, one run          {peak_one / 2**20:7.1f} MiB")
    print(f"  peak RSS of this process             "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.1f} MiB")

    k = min(args.subset, n)
    big = np.argsort(-matrices[-1].start.sum(axis=0))[:k]  # the k largest places
    s1 = matrices[-1].start[np.ix_(big, big)]
    s2 = matrices[-1].end[np.ix_(big, big)]
    t0 = time.perf_counter()
    fast = demographic_accounting(s1, s2, birthplace_match="native")
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow, slow_it = naive_accounting(s1.tolist(), s2.tolist())
    t_slow = time.perf_counter() - t0
    same = np.abs(np.array(slow) - fast.flows).max()
    print(f"\nSide by side on the {k} largest places, one run (2015-2020 female):")
    print(f"  vectorised numpy    {t_fast * 1000:9.1f} ms  ({fast.iterations} iteration(s))")
    print(f"  pure-Python loops   {t_slow * 1000:9.1f} ms  ({slow_it} iteration(s))")
    print(f"  ratio               {t_slow / t_fast:9.0f} x   largest difference {same:.2g} persons")
    scale = (n / k) ** 3 * len(runs)
    print(f"  pure Python for all {len(runs)} runs at {n} places: about "
          f"{t_slow * scale:,.0f} s by n^3 scaling")

    from corridors.settings import settings

    bench_lenses(args.store or settings().store_path)


if __name__ == "__main__":
    main()
