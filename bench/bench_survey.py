"""Benchmark: 40 domain estimates with Taylor-linearisation SEs on synthetic LFS microdata.

Synthetic labour-force surveys (corridors.analytics.survey.synthetic: strata, PSUs, weights, the
foreign-born share and origins of the chosen country from UN DESA IMS 2020 in the mirror) of 1 M and
10 M persons. Each method estimates the foreign-born share by region (20) x sex (2) = 40 domains
with Taylor SEs, from the same Parquet file, in its own process; the parent samples the resident
memory of that process and its children (the Spark JVM) for the peak.

Methods: corridors on DuckDB (default engine), corridors on Spark local mode, samplics
(TaylorEstimator, the Python package a user would pick; data loaded with pandas) and R's `survey`
package (svydesign + svyby(svymean), the reference; data loaded with data.table::fread from a CSV
copy of the Parquet file, since Debian's R has no Parquet reader; needs Debian r-cran-survey and
r-cran-data.table).

    CORRIDORS_MIRROR=../shared/sources python bench/bench_survey.py --sizes 1M,10M
    python bench/bench_survey.py --sizes 1M --methods duckdb,samplics,r-survey     # quicker

Goal (issue 6): <= 5 s on 10 M persons with DuckDB, >= 20x faster than samplics.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

MEASURE = "foreign_born"
DOMAINS = ["region", "sex"]


# ---------------------------------------------------------------- workers (one per process)

def _worker(method: str, data: Path, mapping: Path) -> dict:
    start = time.perf_counter()
    timings: dict[str, float] = {}
    if method in ("duckdb", "spark"):
        from corridors.analytics.survey.estimator import estimate_prepared, mean, prepare

        engine = None
        if method == "spark":
            from corridors.analytics.survey.engines import SparkEngine, spark_session

            session = spark_session("local[2]", **{"spark.sql.shuffle.partitions": "8"})
            timings["session_start"] = time.perf_counter() - start
            engine = SparkEngine(session)
        t0 = time.perf_counter()
        prep = prepare(data, mapping, engine or "duckdb")  # incl. the unmapped-code check
        frame = estimate_prepared(prep, [mean(MEASURE)], DOMAINS)
        timings["estimate"] = time.perf_counter() - t0
        rows = [(f"{r['region']}|{r['sex']}", r["estimate"], r["se"]) for r in frame.to_dicts()]
    elif method == "samplics":
        import warnings

        import numpy as np
        import pandas as pd

        warnings.simplefilter("ignore", FutureWarning)
        from samplics import PopParam, TaylorEstimator

        t0 = time.perf_counter()
        df = pd.read_parquet(data, columns=["stratum", "psu", "region", "sex", "weight",
                                            "birth_iso3"])
        iso3 = mapping.read_text().split("country: ")[1].split(",")[0].strip()
        y = (df["birth_iso3"].astype(str) != iso3).to_numpy(dtype=float)
        domain = df["region"].astype(str) + "|" + np.where(df["sex"] == 1, "male", "female")
        timings["load"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        est = TaylorEstimator(PopParam.mean)
        est.estimate(y=y, samp_weight=df["weight"].to_numpy(), stratum=df["stratum"].to_numpy(),
                     psu=df["psu"].to_numpy(), domain=domain.to_numpy())
        timings["estimate"] = time.perf_counter() - t1
        rows = [(str(k), float(v), float(est.stderror[k])) for k, v in est.point_est.items()]
    elif method == "r-survey":
        iso3 = mapping.read_text().split("country: ")[1].split(",")[0].strip()
        if shutil.which("Rscript") is None:
            raise SystemExit("Rscript not found: apt-get install r-cran-survey r-cran-data.table")
        proc = subprocess.run(["Rscript", "-e", R_SCRIPT, str(data.with_suffix(".csv")), iso3],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"R failed: {proc.stderr.strip()[-2000:]}")
        lines = proc.stdout.strip().splitlines()
        timings.update(json.loads(lines[0]))
        rows = []
        for line in lines[1:]:
            region, sex, estimate, se = line.split(",")
            rows.append((f"{region}|{sex}", float(estimate), float(se)))
    else:
        raise SystemExit(f"unknown method {method}")
    timings["total"] = time.perf_counter() - start
    return {"method": method, "timings": timings, "rows": sorted(rows)}


R_SCRIPT = r"""
suppressMessages({library(survey); library(data.table)})
args <- commandArgs(TRUE)
t0 <- Sys.time()
d <- fread(args[1], select = c("stratum", "psu", "region", "sex", "weight", "birth_iso3"))
d[, foreign_born := as.numeric(birth_iso3 != args[2])]
d[, sex := ifelse(sex == 1, "male", "female")]
t1 <- Sys.time()
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
r <- svyby(~foreign_born, ~region + sex, des, svymean)
t2 <- Sys.time()
cat(sprintf('{"load": %.3f, "estimate": %.3f}\n', as.numeric(t1 - t0, units = "secs"),
            as.numeric(t2 - t1, units = "secs")))
cat(sprintf("%d,%s,%.17g,%.17g\n", as.integer(r$region), r$sex, coef(r), SE(r)), sep = "")
"""


def csv_copy(data: Path) -> Path:
    """A CSV copy of the Parquet file for R (written once, by DuckDB; not timed)."""
    target = data.with_suffix(".csv")
    if not target.exists():
        import duckdb

        duckdb.execute(f"COPY (FROM read_parquet('{data}')) TO '{target}' (HEADER)")
    return target


# ---------------------------------------------------------------- memory of a process tree

def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


def run(method: str, data: Path, mapping: Path) -> dict:
    """Run one method in a fresh process; wall time from outside, peak RSS by sampling."""
    command = [sys.executable, __file__, "--worker", method, "--data", str(data),
               "--mapping", str(mapping)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        return {"method": method, "error": err.strip().splitlines()[-1] if err else "failed"}
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_mb=peak[0] / 2**20)
    return result


# ---------------------------------------------------------------- data

def population(mirror: Path, iso3: str, year: int = 2020) -> float:
    """Total population from WPP 2019 (ESTIMATES sheet, thousands) in the mirror."""
    from python_calamine import CalamineWorkbook

    from corridors import codes

    m49 = codes.m49_for_iso3(iso3)
    book = CalamineWorkbook.from_path(
        str(mirror / "un-desa/wpp2019/WPP2019_POP_F01_1_TOTAL_POPULATION_BOTH_SEXES.xlsx"))
    rows = book.get_sheet_by_name("ESTIMATES").to_python()
    header = next(i for i, r in enumerate(rows) if "Country code" in [str(c) for c in r])
    names = [str(c) for c in rows[header]]
    code_col, year_col = names.index("Country code"), names.index(str(year))
    for row in rows[header + 1:]:
        if str(row[code_col]).split(".")[0] == str(m49):
            return float(row[year_col]) * 1000
    raise SystemExit(f"no WPP 2019 population for {iso3}")


def dataset(persons: int, iso3: str, workdir: Path, mirror: Path) -> tuple[Path, Path]:
    from corridors.analytics.survey import synthetic

    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"lfs_{iso3}_{persons}.parquet"
    mapping = synthetic.write_mapping(workdir / f"lfs_{iso3}.yaml", iso3)
    if not data.exists():
        origins = synthetic.ims_origins(mirror, iso3)
        pop = population(mirror, iso3)
        start = time.perf_counter()
        synthetic.generate(persons, origins, pop, data)
        print(f"  generated {persons:,} persons ({iso3}: {origins.total() / pop:.1%} foreign-born "
              f"in IMS 2020, {sum(len(v) for v in origins.by_sex.values())} origin x sex) in "
              f"{time.perf_counter() - start:.1f} s -> {data}", flush=True)
    return data, mapping


def _size(text: str) -> int:
    text = text.strip().upper()
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * factor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1M,10M")
    parser.add_argument("--country", default="ARG")
    parser.add_argument("--methods", default="duckdb,spark,samplics,r-survey")
    parser.add_argument("--workdir", default="/tmp/corridors-bench-survey")
    parser.add_argument("--worker")
    parser.add_argument("--data")
    parser.add_argument("--mapping")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, Path(args.data), Path(args.mapping))))
        return
    mirror = Path(os.environ.get("CORRIDORS_MIRROR", "../shared/sources"))
    print(f"survey benchmark: mean({MEASURE}) by {' x '.join(DOMAINS)} (40 domains), Taylor SEs; "
          f"{os.cpu_count()} cores")
    for size in (_size(s) for s in args.sizes.split(",")):
        data, mapping = dataset(size, args.country, Path(args.workdir), mirror)
        if "r-survey" in args.methods:
            csv_copy(data)
        results = {m: run(m, data, mapping) for m in args.methods.split(",")}
        print(f"\n{size:,} persons ({data.stat().st_size / 2**20:.0f} MB Parquet)")
        print(f"  {'method':<10} {'wall s':>8} {'estimate s':>11} {'peak MB':>9}  details")
        for method, result in results.items():
            if "error" in result:
                print(f"  {method:<10} failed: {result['error']}")
                continue
            t = result["timings"]
            detail = ", ".join(f"{k} {v:.2f} s" for k, v in t.items() if k != "estimate")
            print(f"  {method:<10} {result['wall']:>8.2f} {t['estimate']:>11.2f} "
                  f"{result['peak_mb']:>9.0f}  {detail}; {len(result['rows'])} domains")
        base = results.get("duckdb")
        if base and "rows" in base:
            for method, result in results.items():
                if method == "duckdb" or "rows" not in result:
                    continue
                diff = max((abs(a[2] - b[2]) / abs(a[2]) for a, b in zip(
                    base["rows"], result["rows"], strict=True)), default=float("nan"))
                ratio = result["wall"] / base["wall"]
                print(f"  duckdb vs {method}: {ratio:.1f}x faster (wall), SEs agree to "
                      f"{diff:.1e} relative")


if __name__ == "__main__":
    main()
