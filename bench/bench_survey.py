"""Benchmark: 40 domain means with Taylor SEs and t intervals on a two-stage synthetic LFS.

Synthetic labour-force survey (corridors.survey.synthetic, with households: 200 strata,
PSUs of 40 persons drawn from N_h areas of their stratum (fpc1), households of 4 persons drawn
from the M households of the area (fpc2), weights the product of the inverse sampling fractions;
the foreign-born share and origins of the country from UN DESA IMS 2020 in the mirror). Each
method estimates the foreign-born share by region (20) x sex (2) = 40 domains with the full
two-stage Taylor variance and 95 % t intervals on the design degrees of freedom, from the same
data (one Parquet file, and one CSV copy for R), each in its own process.

Methods:
- duckdb: corridors on DuckDB (the default engine), ``design.stages`` [{psu, fpc1}, {ssu, fpc2}].
- r-survey: R's survey package, the reference: ``svydesign(id = ~psu + ssu, strata = ~stratum,
  fpc = ~fpc1 + fpc2, weights = ~weight, nest = TRUE)``, ``svyby(~y, ~region + sex, svymean)``,
  ``confint(df = degf(design))``; data by data.table::fread from the CSV (Debian's R has no
  Parquet reader: r-cran-arrow is not packaged). Needs Debian r-cran-survey, r-cran-data.table.
- samplics: samplics' TaylorEstimator (the Python package a user would pick; data by pandas).
  samplics 0.6 takes ``ssu=`` but its Taylor variance has no second-stage term, so it runs the
  closest design it has: stratified PSUs with the first-stage fpc only, and is labelled so. Its
  figures are checked against corridors on that same one-stage design (computed after the timed
  runs, untimed).
- spark (opt-in): corridors on Spark local[2].

Wall time is measured from outside each process (interpreter start and imports included), with
the CPU time (user + system) of the process and its children, which a loaded machine does not
inflate as it does the wall time; peak memory is the larger of the kernel's
high-water mark of the process and of its children (getrusage ru_maxrss: R itself for r-survey)
and the sampled resident memory of the process tree (the Spark JVM). The load average of the
machine is printed with each run: on a shared machine the times are upper bounds.

    CORRIDORS_MIRROR=../shared/sources python bench/bench_survey.py --persons 10000000
    python bench/bench_survey.py --persons 1M --methods duckdb,r-survey      # quicker
    python bench/bench_survey.py --persons 1M --design one-stage             # issue 6's design

Goal (issue 13): <= 5 s on 10 M persons with DuckDB on 2 cores, side by side with R and samplics.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

MEASURE = "foreign_born"
DOMAINS = ["region", "sex"]
HOUSEHOLD = 4  # persons per household (the second-stage unit)
GOAL_PERSONS, GOAL_SECONDS = 10_000_000, 5.0
METHODS = ("duckdb", "r-survey", "samplics", "spark")


# ---------------------------------------------------------------- workers (one per process)

def _corridors(method: str, data: Path, mapping: Path, timings: dict) -> list[tuple]:
    from corridors.survey.estimator import estimate_prepared, mean, prepare

    engine = None
    start = time.perf_counter()
    if method == "spark":
        from corridors.survey.engines import SparkEngine, spark_session

        engine = SparkEngine(spark_session("local[2]", **{"spark.sql.shuffle.partitions": "8"}))
        timings["session_start"] = time.perf_counter() - start
    t0 = time.perf_counter()
    prep = prepare(data, mapping, engine or "duckdb")  # incl. the unmapped-code check
    timings["prepare"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    frame = estimate_prepared(prep, [mean(MEASURE)], DOMAINS, ci="t")
    timings["estimate"] = time.perf_counter() - t1
    return [(f"{r['region']}|{r['sex']}", r["estimate"], r["se"], r["ci_low"], r["ci_high"], r["df"])
            for r in frame.to_dicts()]


def _samplics(data: Path, iso3: str, design: str, timings: dict) -> list[tuple]:
    import warnings

    import numpy as np
    import pandas as pd

    warnings.simplefilter("ignore", FutureWarning)
    from samplics import PopParam, TaylorEstimator

    t0 = time.perf_counter()
    two = design == "two-stage"
    df = pd.read_parquet(data, columns=["stratum", "psu", "region", "sex", "weight", "birth_iso3",
                                        *(["fpc1"] if two else [])])
    y = (df["birth_iso3"].astype(str) != iso3).to_numpy(dtype=float)
    domain = df["region"].astype(str) + "|" + np.where(df["sex"] == 1, "male", "female")
    fpc: dict | float = 1.0
    if two:  # the first-stage fpc as samplics takes it: (N_h - n_h) / N_h per stratum
        n_h = df.groupby("stratum")["psu"].nunique()
        big_n = df.groupby("stratum")["fpc1"].first()
        fpc = ((big_n - n_h) / big_n).to_dict()
    timings["load"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    est = TaylorEstimator(PopParam.mean)
    est.estimate(y=y, samp_weight=df["weight"].to_numpy(), stratum=df["stratum"].to_numpy(),
                 psu=df["psu"].to_numpy(), domain=domain.to_numpy(), fpc=fpc)
    timings["estimate"] = time.perf_counter() - t1
    return [(str(k), float(v), float(est.stderror[k]), float(est.lower_ci[k]),
             float(est.upper_ci[k]), int(est.degree_of_freedom)) for k, v in est.point_est.items()]


R_SCRIPT = r"""
suppressMessages({library(survey); library(data.table)})
args <- commandArgs(TRUE)
two <- args[3] == "two-stage"
t0 <- Sys.time()
cols <- c("stratum", "psu", "region", "sex", "weight", "birth_iso3", if (two) c("ssu", "fpc1", "fpc2"))
d <- fread(args[1], select = cols)
d[, y := as.numeric(birth_iso3 != args[2])]
d[, sex := ifelse(sex == 1, "male", "female")]
t1 <- Sys.time()
des <- if (two) {
  svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, weights = ~weight, data = d,
            nest = TRUE)
} else svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
t2 <- Sys.time()
r <- svyby(~y, ~region + sex, des, svymean)
ci <- confint(r, df = degf(des))
t3 <- Sys.time()
# each domain's df as degf() of its subset (first-stage PSUs with weight in it minus their strata)
dfd <- d[weight > 0, .(df = uniqueN(psu) - uniqueN(stratum)), by = .(region, sex)]
dfd <- dfd[match(paste(r$region, r$sex), paste(region, sex))]$df
lo <- coef(r) - qt(0.975, dfd) * SE(r)
hi <- coef(r) + qt(0.975, dfd) * SE(r)
cat(sprintf('{"load": %.3f, "design": %.3f, "estimate": %.3f, "design_df": %d}\n',
            as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs"),
            as.numeric(t3 - t2, units = "secs"), degf(des)))
cat(sprintf("%d|%s,%.17g,%.17g,%.17g,%.17g,%d,%.17g,%.17g\n", as.integer(r$region), r$sex, coef(r),
            SE(r), lo, hi, dfd, ci[, 1], ci[, 2]), sep = "")
"""


def _r_survey(data: Path, iso3: str, design: str, timings: dict) -> list[tuple]:
    proc = subprocess.run(["Rscript", "-e", R_SCRIPT, str(data.with_suffix(".csv")), iso3, design],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"R failed: {proc.stderr.strip()[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    timings.update(json.loads(lines[0]))
    rows = []
    for line in lines[1:]:
        key, est, se, lo, hi, df, lo_design, hi_design = line.split(",")
        rows.append((key, float(est), float(se), float(lo), float(hi), int(df)))
    return rows


def _worker(method: str, data: Path, mapping: Path, design: str) -> dict:
    start = time.perf_counter()
    timings: dict[str, float] = {}
    iso3 = mapping.read_text().split("country: ")[1].split(",")[0].strip()
    if method in ("duckdb", "spark"):
        rows = _corridors(method, data, mapping, timings)
    elif method == "samplics":
        rows = _samplics(data, iso3, design, timings)
    elif method == "r-survey":
        rows = _r_survey(data, iso3, design, timings)
    else:
        raise SystemExit(f"unknown method {method}")
    timings["total"] = time.perf_counter() - start
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    return {"method": method, "timings": timings, "rows": sorted(rows), "cpu_s": cpu,
            "hwm_bytes": max(me.ru_maxrss, children.ru_maxrss) * 1024}


# ---------------------------------------------------------------- one process per method

def missing(method: str) -> str | None:
    """Why ``method`` cannot run here (a skip line), or None."""
    if method == "r-survey":
        if shutil.which("Rscript") is None:
            return "Rscript not found (apt-get install -y r-base-core r-cran-survey r-cran-data.table)"
        probe = subprocess.run(["Rscript", "-e", "library(survey); library(data.table)"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            return "R packages survey and data.table missing (apt-get install -y r-cran-survey " \
                   "r-cran-data.table)"
    if method in ("samplics", "spark"):
        import importlib.util

        module = "samplics" if method == "samplics" else "pyspark"
        if importlib.util.find_spec(module) is None:
            extra = "pip install -e '.[bench]'" if method == "samplics" else "pip install -e '.[dev]'"
            return f"{module} not installed ({extra})"
    return None


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


def run(method: str, data: Path, mapping: Path, design: str, timeout: float) -> dict:
    """Run one method in a fresh process; wall time from outside, peak memory as documented."""
    command = [sys.executable, __file__, "--worker", method, "--data", str(data),
               "--mapping", str(mapping), "--design", design]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)  # the worker's own process group (R or a JVM included)
        process.communicate()
        return {"method": method, "timeout": timeout}
    wall = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        return {"method": method, "error": err.strip().splitlines()[-1] if err.strip() else "failed"}
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_mib=max(peak[0], result.pop("hwm_bytes")) / 2**20,
                  load=(load + os.getloadavg()[0]) / 2)
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


def dataset(persons: int, iso3: str, workdir: Path, mirror: Path, *,
            two_stage: bool = False) -> tuple[Path, Path]:
    """The synthetic file (made once, kept in ``workdir``) and its mapping."""
    from corridors.survey import synthetic

    workdir.mkdir(parents=True, exist_ok=True)
    tag = "_2stage" if two_stage else ""
    data = workdir / f"lfs_{iso3}_{persons}{tag}.parquet"
    mapping = synthetic.write_mapping(workdir / f"lfs_{iso3}{tag}.yaml", iso3, two_stage=two_stage)
    if not data.exists():
        origins = synthetic.ims_origins(mirror, iso3)
        pop = population(mirror, iso3)
        start = time.perf_counter()
        partial = data.with_suffix(".partial")
        synthetic.generate(persons, origins, pop, partial, households=HOUSEHOLD if two_stage else None)
        partial.rename(data)  # an interrupted run leaves no half-written file behind
        print(f"  generated {persons:,} persons ({iso3}: {origins.total() / pop:.1%} foreign-born "
              f"in IMS 2020) in {time.perf_counter() - start:.1f} s -> {data}", flush=True)
    return data, mapping


def csv_copy(data: Path) -> Path:
    """A CSV copy of the Parquet file for R (written once, by DuckDB; not timed)."""
    target = data.with_suffix(".csv")
    if not target.exists():
        import duckdb

        partial = target.with_suffix(".partial.csv")
        duckdb.execute(f"COPY (FROM read_parquet('{data}')) TO '{partial}' (HEADER)")
        partial.rename(target)
    return target


def _size(text: str) -> int:
    text = text.strip().upper().replace("_", "").replace(",", "")
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * factor)


# ---------------------------------------------------------------- comparison and report

def _max_rel(a: list[tuple], b: list[tuple], column: int) -> float:
    values = [abs(x[column] - y[column]) / abs(x[column]) if x[column] else abs(y[column])
              for x, y in zip(a, b, strict=True)]
    return max(values, default=math.nan)


def agreement(base: list[tuple], other: list[tuple]) -> str:
    if [r[0] for r in base] != [r[0] for r in other]:
        return f"DIFFERENT DOMAINS ({len(base)} vs {len(other)})"
    text = f"estimates {_max_rel(base, other, 1):.1e}, SEs {_max_rel(base, other, 2):.1e}"
    text += f", CI {max(_max_rel(base, other, 3), _max_rel(base, other, 4)):.1e}"
    same_df = all(x[5] == y[5] for x, y in zip(base, other, strict=True))
    return text + (", df equal" if same_df else f", df differ (e.g. {base[0][5]} vs {other[0][5]})")


def one_stage_rows(data: Path, iso3: str, workdir: Path) -> list[tuple]:
    """corridors on the design samplics computes (strata, PSUs, first-stage fpc), for checking
    samplics' own figures; in this process, untimed."""
    from corridors.survey import synthetic

    mapping = workdir / f"lfs_{iso3}_stage1.yaml"
    synthetic.write_mapping(mapping, iso3)
    text = mapping.read_text().replace("psu: psu}", "psu: psu, fpc: fpc1}")
    mapping.write_text(text)
    return sorted(_corridors("duckdb", data, mapping, {}))


def report(persons: int, design: str, data: Path, results: dict[str, dict],
           samplics_check: list[tuple] | None) -> None:
    print(f"\n{persons:,} persons, {design} design, 40 domains "
          f"({data.stat().st_size / 2**20:.0f} MiB Parquet)")
    print(f"  {'method':<10} {'wall s':>8} {'cpu s':>7} {'peak MiB':>9} {'x duckdb':>9} "
          f"{'load avg':>9}  steps (s)")
    base = results.get("duckdb")
    for method, result in results.items():
        if "skip" in result:
            print(f"  {method:<10} skipped: {result['skip']}")
            continue
        if "error" in result:
            print(f"  {method:<10} failed: {result['error']}")
            continue
        if "timeout" in result:
            slower = (f" (> {result['timeout'] / base['wall']:.0f}x duckdb)" if base and "wall" in base
                      else "")
            print(f"  {method:<10} stopped: not done within {result['timeout']:.0f} s (--timeout)"
                  f"{slower}")
            continue
        ratio = result["wall"] / base["wall"] if base and "wall" in base else math.nan
        steps = ", ".join(f"{k} {v:.2f}" for k, v in result["timings"].items()
                          if k not in ("total", "design_df"))
        print(f"  {method:<10} {result['wall']:>8.2f} {result['cpu_s']:>7.2f} {result['peak_mib']:>9.0f} "
              f"{ratio:>8.1f}x {result['load']:>9.2f}  {steps}")
    if not base or "rows" not in base:
        return
    if not any("rows" in r for m, r in results.items() if m != "duckdb"):
        print("  agreement: no other method finished, nothing to compare")
        return
    print("  agreement with duckdb (max relative difference over the 40 domains):")
    for method, result in results.items():
        if method == "duckdb" or "rows" not in result:
            continue
        if method == "samplics" and design == "two-stage":
            label = "samplics (first stage + fpc1 only) vs corridors on that design"
            print(f"    {label}: {agreement(samplics_check or [], result['rows'])} "
                  "(samplics' df: the whole design's)")
            print(f"    samplics vs the two-stage duckdb: estimates "
                  f"{_max_rel(base['rows'], result['rows'], 1):.1e}, SEs "
                  f"{_max_rel(base['rows'], result['rows'], 2):.1e} (the second stage it leaves out)")
            continue
        note = {"r-survey": " (R's t interval on each domain's degf)",
                "samplics": " (samplics' t interval: the whole design's df)"}.get(method, "")
        print(f"    {method}: {agreement(base['rows'], result['rows'])}{note}")


def goal_line(persons: int, design: str, results: dict[str, dict]) -> None:
    base = results.get("duckdb", {})
    if "wall" not in base:
        return
    wall, cores = base["wall"], os.cpu_count()
    if persons == GOAL_PERSONS and design == "two-stage":
        verdict = "MET" if wall <= GOAL_SECONDS else "NOT MET"
        print(f"  goal (issue 13): DuckDB <= {GOAL_SECONDS:g} s at {GOAL_PERSONS:,} persons, "
              f"two-stage, on 2 cores: {verdict} ({wall:.2f} s on {cores} cores, load average "
              f"{base['load']:.2f})")
    else:
        print(f"  goal (issue 13) is judged at {GOAL_PERSONS:,} persons, two-stage: here "
              f"{wall:.2f} s at {persons:,} persons ({design}, load average {base['load']:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: python bench/bench_survey.py --persons 10000000")
    parser.add_argument("--persons", default="1M",
                        help="persons in the sample, e.g. 1M or 10000000; several: 1M,10M "
                             "(default 1M; the goal is judged at 10M)")
    parser.add_argument("--design", choices=["two-stage", "one-stage"], default="two-stage",
                        help="two-stage (issue 13, default) or one-stage (strata and PSUs)")
    parser.add_argument("--methods", default="duckdb,r-survey,samplics",
                        help=f"comma-separated, from {', '.join(METHODS)} (duckdb always runs first)")
    parser.add_argument("--country", default="ARG", help="ISO3 of the synthetic survey's country")
    parser.add_argument("--workdir", default="/tmp/corridors-bench-survey",
                        help="where the synthetic files are written once and kept")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds each method may take before it is stopped and reported as "
                             "not done (default 1800; R's two-stage svyby needs hours at 10M)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--mapping", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, Path(args.data), Path(args.mapping), args.design)))
        return
    methods = ["duckdb"] + [m.strip() for m in args.methods.split(",") if m.strip() != "duckdb"]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method {unknown[0]!r}: choose from {', '.join(METHODS)}")
    mirror = Path(os.environ.get("CORRIDORS_MIRROR", "../shared/sources"))
    if not (mirror / "un-desa").is_dir():
        sys.exit(f"CORRIDORS_MIRROR={mirror}: not the offline mirror of official sources "
                 "(set CORRIDORS_MIRROR to the folder holding un-desa/)")
    workdir = Path(args.workdir)
    two = args.design == "two-stage"
    print(f"survey benchmark: mean({MEASURE}) by {' x '.join(DOMAINS)} (40 domains), Taylor SEs, "
          f"t intervals, {args.design} design; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    for persons in (_size(s) for s in args.persons.split(",")):
        data, mapping = dataset(persons, args.country, workdir, mirror, two_stage=two)
        skips = {m: missing(m) for m in methods}
        if "r-survey" in methods and not skips["r-survey"]:
            csv_copy(data)
        results = {}
        for method in methods:
            if skips[method]:
                results[method] = {"skip": skips[method]}
                print(f"  {method}: skipped: {skips[method]}", flush=True)
                continue
            print(f"  {method}: running ...", flush=True)
            results[method] = run(method, data, mapping, args.design, args.timeout)
        check = None
        if two and "rows" in results.get("samplics", {}):
            check = one_stage_rows(data, args.country, workdir)
        report(persons, args.design, data, results, check)
        goal_line(persons, args.design, results)


if __name__ == "__main__":
    main()
