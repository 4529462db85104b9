"""Benchmark: `pull` from the mirror plus `build` of every source, against reading the same files
with pandas + openpyxl (what a user would otherwise write). Each side runs in a fresh process so
peak memory is its own. Goal (issue 11): the full build, the corridor fact table included,
<= 3 s and <= 1 GB on a 2-core machine; where the time goes is printed per phase (reading each
source, writing the store tables, flows, the corridor facts) in wall and CPU seconds, with the
machine's load average.

    python bench/bench_build.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import mirror, run_isolated  # noqa: E402


def corridors_pull_and_build(home: str, mirror_dir: str) -> dict:
    import time

    from corridors import settings
    from corridors.pipeline import build
    from corridors.sources.pull import pull

    settings.use(settings.Settings(home=Path(home), mirror=Path(mirror_dir)))
    t = time.perf_counter()
    pull()
    pulled = time.perf_counter() - t
    cpu = time.process_time()
    report = build()
    cpu = time.process_time() - cpu
    steps = dict(sorted(report.timings.items(), key=lambda kv: -kv[1])[:6])
    derived = ("write", "carry over", "flows", "facts")
    read = sum(v for k, v in report.timings.items() if k not in derived)
    return {"pull_s": pulled, "build_s": report.seconds, "build_cpu_s": cpu, "read_s": read,
            "derived_s": {k: report.timings.get(k, 0.0) for k in derived},
            "slowest_steps_s": steps, "rows": sum(report.rows.values()),
            "fact_rows": report.rows.get("corridor_facts", 0)}


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


def main() -> None:
    import os

    src = mirror()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as home:
        ours = run_isolated("bench_build", "corridors_pull_and_build", home, str(src))
    theirs = run_isolated("bench_build", "pandas_openpyxl_read", str(src))
    print("pull from mirror + build of every source (fresh process each)")
    print(f"{'':28}{'wall s':>10}{'peak MiB':>10}")
    print(f"{'corridors pull + build':28}{ours['wall_s']:>10.2f}{ours['peak_mib']:>10.0f}")
    print(f"{'  of which pull':28}{ours['pull_s']:>10.2f}")
    print(f"{'  of which build':28}{ours['build_s']:>10.2f}   (CPU {ours['build_cpu_s']:.2f} s of "
          f"this process; {ours['fact_rows']:,} fact rows)")
    print(f"{'    reading every source':28}{ours['read_s']:>10.2f}")
    for step, seconds in ours["derived_s"].items():
        print(f"{'    ' + step:28}{seconds:>10.2f}")
    print(f"{'pandas + openpyxl read only':28}{theirs['wall_s']:>10.2f}{theirs['peak_mib']:>10.0f}")
    print(f"ratio, reading the same files (pandas+openpyxl / corridors readers): "
          f"{theirs['wall_s'] / ours['read_s']:.1f}x")
    print(f"ratio, whole job (pandas read only / corridors pull+build+flows+facts): "
          f"{theirs['wall_s'] / ours['wall_s']:.1f}x")
    print("slowest build steps (s):", {k: round(v, 2) for k, v in ours["slowest_steps_s"].items()})
    print(f"goal (issue 11): build <= 3 s: {ours['build_s'] <= 3.0}; peak <= 1 GB: "
          f"{ours['peak_mib'] <= 1024}")
    print("load average before / after:", [round(x, 2) for x in load_before],
          [round(x, 2) for x in os.getloadavg()])


if __name__ == "__main__":
    main()
