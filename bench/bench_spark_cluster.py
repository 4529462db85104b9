"""Benchmark: survey estimates of 50 M synthetic persons on a Spark standalone cluster vs DuckDB.

The synthetic LFS of bench_survey.py (corridors.survey.synthetic: 200 strata, PSUs of 40
persons, Argentina's foreign-born share and origins from UN DESA IMS 2020 in the mirror), written
once to Parquet in --workdir. Both methods estimate the same three measures by region x sex
(40 domains) with Taylor SEs: mean(foreign_born), total(foreign_born) and the unemployment rate
ratio(unemployed / in_labour_force), and must agree to 1e-9 relative (estimate and SE).

- duckdb: corridors on DuckDB (the default engine), in its own process.
- spark-cluster: corridors on Spark with --spark-master spark://..., in its own process (the
  driver), on the standalone cluster scripts/spark_cluster.sh starts from the pyspark package
  (one master, one worker of --worker-cores / --worker-memory, bound to 127.0.0.1), or on the
  cluster given with --master (then its worker must run on this machine, to be measured).

Wall time is measured from outside each process. Peak memory is sampled (psutil, every 0.1 s):
for DuckDB the process; for Spark the driver (Python + its JVM) plus the executor JVMs (the
worker's children), at the same instant; the master and worker daemons are shown apart.

    CORRIDORS_MIRROR=../shared/sources python bench/bench_spark_cluster.py            # 50 M
    python bench/bench_spark_cluster.py --persons 2M                                  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_survey import _size, dataset  # noqa: E402  (same synthetic data, one generator)

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ["region", "sex"]


# ---------------------------------------------------------------- workers (one per process)

def _worker(method: str, data: Path, mapping: Path, master: str, executor_memory: str) -> dict:
    from corridors.survey.estimator import estimate_prepared, mean, prepare, ratio, total

    start = time.perf_counter()
    timings: dict[str, float] = {}
    engine = None
    if method == "spark-cluster":
        from corridors.survey.engines import SparkEngine, spark_session

        # the synthetic file compresses to ~2 MB per million persons: without smaller splits
        # Spark would scan a 50 M file with one task (one core)
        session = spark_session(master, **{"spark.executor.memory": executor_memory,
                                           "spark.sql.shuffle.partitions": "8",
                                           "spark.sql.files.maxPartitionBytes": "8m"})
        session.range(1).collect()  # executors registered and reachable
        timings["session_start"] = time.perf_counter() - start
        engine = SparkEngine(session)
    t0 = time.perf_counter()
    prep = prepare(data, mapping, engine or "duckdb")  # incl. the unmapped-code check
    timings["prepare"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    measures = [mean("foreign_born"), total("foreign_born"),
                ratio("unemployed", "in_labour_force", "unemployment_rate")]
    frame = estimate_prepared(prep, measures, DOMAINS)
    timings["estimate"] = time.perf_counter() - t1
    timings["total"] = time.perf_counter() - start
    rows = sorted((f"{r['measure']}|{r['region']}|{r['sex']}", r["estimate"], r["se"])
                  for r in frame.to_dicts())
    return {"method": method, "timings": timings, "rows": rows}


# ---------------------------------------------------------------- memory

def _rss(processes: list[psutil.Process]) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def run(method: str, data: Path, mapping: Path, master: str, executor_memory: str,
        workers: list[int]) -> dict:
    """One method in a fresh process; wall from outside; peak RSS of the driver tree plus the
    executors (descendants of the cluster's worker daemons) sampled together."""
    command = [sys.executable, __file__, "--worker", method, "--data", str(data), "--mapping",
               str(mapping), "--master", master, "--executor-memory", executor_memory]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    peak = {"total": 0, "driver": 0, "executors": 0}

    def sample() -> None:
        while process.poll() is None:
            driver = _rss(_tree(process.pid))
            executors = sum(_rss(_tree(w)[1:]) for w in workers)  # the worker's children
            if driver + executors > peak["total"]:
                peak.update(total=driver + executors, driver=driver, executors=executors)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-15:]) if err else "failed"
        raise SystemExit(f"{method} failed:\n{tail}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, **{f"peak_{k}_mb": v / 2**20 for k, v in peak.items()})
    return result


# ---------------------------------------------------------------- the cluster

def start_cluster(state: Path, cores: int, memory: str) -> tuple[str, list[int], list[int], float]:
    """Start scripts/spark_cluster.sh's cluster (no Connect server); master URL, worker pids, all
    daemon pids, seconds to start."""
    env = {**os.environ, "SPARK_CLUSTER_DIR": str(state), "SPARK_CLUSTER_CONNECT": "0",
           "SPARK_WORKER_CORES": str(cores), "SPARK_WORKER_MEMORY": memory,
           "PYTHON": sys.executable}
    began = time.perf_counter()
    subprocess.run(["bash", str(ROOT / "scripts" / "spark_cluster.sh"), "start"], env=env,
                   check=True)
    seconds = time.perf_counter() - began
    master = next(line.split("=", 1)[1] for line in (state / "env").read_text().splitlines()
                  if "CORRIDORS_SPARK_MASTER=" in line)
    pids = [line.split() for line in (state / "pids").read_text().splitlines()]
    workers = [int(pid) for pid, what in pids if what == "worker"]
    return master.strip(), workers, [int(pid) for pid, _ in pids], seconds


def stop_cluster(state: Path) -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "spark_cluster.sh"), "stop"], check=False,
                   env={**os.environ, "SPARK_CLUSTER_DIR": str(state)})


def find_workers(master: str) -> list[int]:
    """Worker daemons of ``master`` running on this machine."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if "org.apache.spark.deploy.worker.Worker" in line and master in line:
            found.append(process.info["pid"])
    return found


# ---------------------------------------------------------------- report

def agree(a: dict, b: dict) -> float:
    """Largest relative difference between two runs' estimates and SEs; both must have the same
    domains."""
    assert [r[0] for r in a["rows"]] == [r[0] for r in b["rows"]], "different domains"
    worst = 0.0
    for x, y in zip(a["rows"], b["rows"], strict=True):
        for i in (1, 2):
            if x[i] is None or y[i] is None:
                assert x[i] is None and y[i] is None, f"{x[0]}: {x[i]} vs {y[i]}"
                continue
            worst = max(worst, abs(x[i] - y[i]) / max(abs(x[i]), 1e-300))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", default="50M", help="e.g. 50M (default), 2M, 500K")
    parser.add_argument("--country", default="ARG")
    parser.add_argument("--master", default=None, help="an existing spark://HOST:PORT whose worker "
                        "runs on this machine (default: start one with scripts/spark_cluster.sh)")
    parser.add_argument("--worker-cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--worker-memory", default="6g")
    parser.add_argument("--executor-memory", default="5g")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir())
                                                  / "corridors-bench-spark-cluster"))
    parser.add_argument("--worker")
    parser.add_argument("--data")
    parser.add_argument("--mapping")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, Path(args.data), Path(args.mapping), args.master,
                                 args.executor_memory)))
        return
    mirror = Path(os.environ.get("CORRIDORS_MIRROR", ROOT.parent / "shared" / "sources"))
    persons = _size(args.persons)
    data, mapping = dataset(persons, args.country, Path(args.workdir), mirror)
    print(f"Spark cluster benchmark: {persons:,} persons ({data.stat().st_size / 2**20:,.0f} MB "
          f"Parquet), 3 measures by {' x '.join(DOMAINS)} (40 domains), Taylor SEs; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    state = Path(tempfile.mkdtemp(prefix="corridors-bench-cluster-"))
    started = None
    try:
        if args.master:
            master, workers = args.master, find_workers(args.master)
            daemons = workers
        else:
            master, workers, daemons, started = start_cluster(state, args.worker_cores,
                                                              args.worker_memory)
        daemon_rss = _rss([p for pid in daemons for p in _tree(pid)[:1]])
        duck = run("duckdb", data, mapping, master, args.executor_memory, [])
        spark = run("spark-cluster", data, mapping, master, args.executor_memory, workers)
    finally:
        if started is not None:
            stop_cluster(state)
    diff = agree(duck, spark)
    print(f"\n  {'method':<14} {'wall s':>8} {'estimate s':>11} {'peak MB':>9}  details")
    for result in (duck, spark):
        t = result["timings"]
        detail = ", ".join(f"{k} {v:.1f} s" for k, v in t.items() if k != "estimate")
        if result is spark:
            detail += (f"; driver {result['peak_driver_mb']:,.0f} MB + executors "
                       f"{result['peak_executors_mb']:,.0f} MB at the peak")
        print(f"  {result['method']:<14} {result['wall']:>8.1f} {t['estimate']:>11.1f} "
              f"{result['peak_total_mb']:>9,.0f}  {detail}")
    if started is not None:
        print(f"  cluster: {master}, 1 worker ({args.worker_cores} cores, {args.worker_memory}), "
              f"started in {started:.1f} s; master + worker daemons {daemon_rss / 2**20:,.0f} MB "
              "(not counted above)")
    print(f"  DuckDB {spark['wall'] / duck['wall']:.1f}x faster (wall), "
          f"{spark['peak_total_mb'] / duck['peak_total_mb']:.1f}x less memory; "
          f"{len(duck['rows'])} estimates agree to {diff:.1e} relative")
    assert diff <= 1e-9, f"DuckDB and Spark disagree: {diff:.2e} relative"


if __name__ == "__main__":
    main()
