"""Shared helpers for benchmarks: run a step in a fresh process and measure wall time and peak RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def run_isolated(module: str, function: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run ``module.function(*args)`` in a new Python process; return its JSON result plus the
    wall time and the peak resident memory of that process (MiB)."""
    code = (
        "import json, resource, sys, time; sys.path.insert(0, 'bench');"
        f"from {module} import {function} as f;"
        "t = time.perf_counter(); out = f(*sys.argv[1:]) or {};"
        "out['wall_s'] = time.perf_counter() - t;"
        "out['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024;"
        "print('RESULT' + json.dumps(out))"
    )
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=Path(__file__).parent.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"{module}.{function} failed:\n{proc.stderr[-3000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    result = json.loads(line[len("RESULT"):])
    result["process_s"] = time.perf_counter() - started
    return result


def mirror() -> Path:
    value = os.environ.get("CORRIDORS_MIRROR") or str(Path(__file__).parent.parent.parent
                                                        / "shared" / "sources")
    path = Path(value)
    if not path.is_dir():
        sys.exit("set CORRIDORS_MIRROR to the offline mirror of official sources")
    return path
