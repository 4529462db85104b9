"""Benchmark: `pull` from the mirror plus `build` of every source, against reading the same files
with pandas + openpyxl (what a user would otherwise write). Each side runs in a fresh process so
peak memory is its own. Goal (issue 11): the full build, the corridor fact table included,
<= 3 s and <= 1 GB on a 2-core machine.

Where the time goes is printed per phase (reading every source, writing the store tables, the
derived steps of corridors.pipeline.STEPS, which run at the same time, and the final checkpoint)
in wall seconds and CPU seconds of the process (user + sys, every thread), with the machine's
load average before and after: the machine is shared, so a wall time over a loaded machine is
read beside its CPU seconds. A step that starts while the other sources are read (the flows:
they read only the stock) is marked "from the read": its wall seconds run beside the read and
write phases, whose CPU seconds include its own.

``--baseline SRC`` also builds with the corridors package in SRC (e.g. the main branch's
``src`` folder), alternating with this tree's, and checks that both stores hold the same
contents table by table (rows and a content hash, :mod:`corridors.store.fingerprint`): a faster
build must write the same store.

    python bench/bench_build.py [--runs 3] [--baseline ../main/src]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import mirror, run_isolated  # noqa: E402

PHASES = ("read", "write", "carry over", "derived", "checkpoint")


def corridors_pull_and_build(home: str, mirror_dir: str) -> dict:
    import resource
    import time

    from corridors import settings
    from corridors.pipeline import build
    from corridors.sources.pull import pull

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    settings.use(settings.Settings(home=Path(home), mirror=Path(mirror_dir)))
    t = time.perf_counter()
    pull()
    pulled = time.perf_counter() - t
    cpu_before = cpu()
    report = build()
    build_cpu = cpu() - cpu_before
    try:  # the derived steps, as corridors.pipeline names them (older trees: flows, facts)
        from corridors.pipeline import STEPS
        steps = [s.name for s in STEPS]
    except ImportError:
        steps = ["flows", "facts"]
    phases = getattr(report, "phases", {})
    if not phases:  # a tree without phase timings: its per-step wall times only
        derived = ("write", "carry over", *steps)
        phases = {"read": (sum(v for k, v in report.timings.items() if k not in derived), None),
                  "write": (report.timings.get("write", 0.0), None),
                  "derived": (sum(report.timings.get(s, 0.0) for s in steps), None)}
    return {"pull_s": pulled, "build_s": report.seconds, "build_cpu_s": build_cpu,
            "phases": {k: list(v) for k, v in phases.items()},
            "steps_s": {s: report.timings.get(s, 0.0) for s in steps},
            "started_early": list(getattr(report, "started_early", [])),
            "slowest_sources_s": dict(sorted(
                ((k, v) for k, v in report.timings.items()
                 if k not in ("write", "carry over", *steps)), key=lambda kv: -kv[1])[:4]),
            "rows": sum(report.rows.values()), "fact_rows": report.rows.get("corridor_facts", 0)}


def pandas_openpyxl_read(mirror_dir: str) -> dict:
    """Read the same workbooks and CSVs the build reads, with pandas (openpyxl for .xlsx)."""
    import pandas as pd

    from corridors.sources import registry

    rows = 0
    for source in registry().values():
        if not source.reader or not source.primary.mirror:  # an online-only file: not in the mirror
            continue
        path = Path(mirror_dir) / source.primary.mirror
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            for frame in pd.read_excel(path, sheet_name=None, header=None,
                                       engine="openpyxl").values():
                rows += len(frame)
        else:
            skip = 4 if path.name.startswith("API_") else 0
            rows += len(pd.read_csv(path, skiprows=skip, encoding="utf-8-sig", dtype=str,
                                    keep_default_na=False))
    return {"rows": rows}


def _build(src: str | None, home: str, mirror_dir: str) -> dict:
    env = {"PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")} if src else None
    return run_isolated("bench_build", "corridors_pull_and_build", home, mirror_dir, env=env)


def _show(label: str, runs: list[dict]) -> dict:
    """Print the median run of a tree, phase by phase; returns it."""
    best = sorted(runs, key=lambda r: r["build_s"])[len(runs) // 2]
    print(f"{label:34}{best['wall_s']:>9.2f}{'':>9}{best['peak_mib']:>10.0f}")
    print(f"{'  of which pull':34}{best['pull_s']:>9.2f}")
    print(f"{'  of which build':34}{best['build_s']:>9.2f}{best['build_cpu_s']:>9.2f}"
          f"      ({best['fact_rows']:,} fact rows; builds: "
          + ", ".join(f"{r['build_s']:.2f}" for r in runs) + " s)")
    for phase in PHASES:
        if phase in best["phases"]:
            wall, cpu = best["phases"][phase]
            print(f"{'    ' + phase:34}{wall:>9.2f}" + (f"{cpu:>9.2f}" if cpu is not None else ""))
            if phase == "derived":
                together = " (at the same time)" if cpu is not None else ""
                for step, seconds in best["steps_s"].items():
                    when = " (from the read)" if step in best.get("started_early", []) else together
                    print(f"{'      ' + step + when:34}{seconds:>9.2f}")
    print(f"{'    slowest sources':34}" + ", ".join(f"{k} {v:.2f}"
                                                      for k, v in best["slowest_sources_s"].items()))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="builds per tree (the median is shown)")
    parser.add_argument("--baseline", metavar="SRC", help="also build with the corridors package in "
                        "SRC (a src folder) and check both stores hold the same contents")
    args = parser.parse_args()
    src = str(mirror())
    load_before = os.getloadavg()
    trees = {"corridors pull + build": None}
    if args.baseline:
        trees["baseline pull + build"] = str(Path(args.baseline).resolve())
    runs: dict[str, list[dict]] = {label: [] for label in trees}
    with tempfile.TemporaryDirectory() as scratch:
        homes = {label: Path(scratch) / f"home-{i}" for i, label in enumerate(trees)}
        if args.baseline:  # one pull for both: the same files, fetched at the same time
            first = _build(None, str(homes["corridors pull + build"]), src)
            for home in list(homes.values())[1:]:
                shutil.copytree(homes["corridors pull + build"] / "cache", home / "cache")
            del first  # a warm-up: not counted
        for _ in range(args.runs):  # alternate the trees, so both see the same machine load
            for label, tree in trees.items():
                for leftover in homes[label].glob("corridors.duckdb*"):
                    leftover.unlink()  # each build from a pulled home without a store
                runs[label].append(_build(tree, str(homes[label]), src))
        same = None
        if args.baseline:
            from corridors.store.fingerprint import differences, fingerprint

            # the package's own files (agreements.yaml, ...) are read from each tree's folder,
            # and pulled again (fetched now) when a tree finds them elsewhere than its own
            leave_out = {"provenance": ("fetched_from", "fetched_at")}
            stores = [fingerprint(home / "corridors.duckdb", leave_out) for home in homes.values()]
            same = differences(stores[1], stores[0])
    theirs = run_isolated("bench_build", "pandas_openpyxl_read", src)
    load_after = os.getloadavg()

    print("pull from mirror + build of every source (fresh process each)")
    print(f"{'':34}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}")
    shown = {label: _show(label, r) for label, r in runs.items()}
    ours = shown["corridors pull + build"]
    print(f"{'pandas + openpyxl read only':34}{theirs['wall_s']:>9.2f}{'':>9}{theirs['peak_mib']:>10.0f}")
    read = ours["phases"]["read"][0]
    print(f"ratio, reading the same files (pandas+openpyxl / corridors readers): "
          f"{theirs['wall_s'] / read:.1f}x")
    print(f"ratio, whole job (pandas read only / corridors pull+build+flows+facts): "
          f"{theirs['wall_s'] / ours['wall_s']:.1f}x")
    if args.baseline:
        base = shown["baseline pull + build"]
        print(f"ratio, build (baseline / this tree): wall {base['build_s'] / ours['build_s']:.2f}x, "
              f"CPU {base['build_cpu_s'] / ours['build_cpu_s']:.2f}x")
        print("same store contents as the baseline, table by table (provenance.fetched_from and "
              "fetched_at, where and when each tree took the package's own files, left out):",
              "yes" if not same else "NO\n  " + "\n  ".join(same or []))
    print(f"goal (issue 11): build <= 3 s: {ours['build_s'] <= 3.0}; peak <= 1 GB: "
          f"{ours['peak_mib'] <= 1024}")
    print(f"load average (1, 5, 15 min) before / after: {[round(x, 2) for x in load_before]} / "
          f"{[round(x, 2) for x in load_after]} on {os.cpu_count()} cores "
          f"(median build of {statistics.median(r['build_s'] for r in runs['corridors pull + build']):.2f} s)")
    if same:
        sys.exit("the build wrote other contents than the baseline's")


if __name__ == "__main__":
    main()
