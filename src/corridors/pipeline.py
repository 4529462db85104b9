"""``corridors build``: the store, then the tables derived from it, in one atomic swap.

1. :func:`corridors.store.build.build` reads every pulled source into a new store file;
2. the derived steps of :data:`STEPS`, each writing its own tables into that file:
   flows from stocks for the newest edition with population figures
   (:mod:`corridors.analytics.flows.global_run`), and the corridor fact table, its roles and the
   stock index (:func:`corridors.analytics.facts.build_facts`).

The new file is swapped in only when every step has written its tables, so a failed step leaves
the previous store answering. Steps that read nothing another step writes run at the same time,
each on its own DuckDB cursor (numpy and DuckDB work outside Python's lock, so on two cores the
flows are estimated while DuckDB writes the facts); a step that reads another's tables names it
in ``after`` and starts when it is done. Each step's wall time is in ``report.timings`` under
its name. This module stands above the store and the analytics so that neither imports the
other's caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import duckdb

from corridors.analytics.facts import build_facts
from corridors.analytics.flows.global_run import global_flows, write_flows
from corridors.store.build import BuildReport, ProgressFn
from corridors.store.build import build as build_store
from corridors.store.editions import NEWEST_FIRST_SQL

__all__ = ["STEPS", "BuildReport", "Step", "build", "derive"]


@dataclass(frozen=True)
class Step:
    """One derived step of the build."""

    name: str  # its key in report.timings
    doing: str  # what the progress line says while it runs
    #: writes the step's tables on a cursor of the new store; returns the rows of each
    run: Callable[[duckdb.DuckDBPyConnection, BuildReport], dict[str, int]]
    #: the steps whose tables it reads: it starts when they are done
    after: tuple[str, ...] = ()


def _flows(con: duckdb.DuckDBPyConnection, report: BuildReport) -> dict[str, int]:
    """Flows from stocks for every period and sex of the newest edition (the default-edition rule
    of :mod:`corridors.store.editions`) among those with population figures (demographic
    accounting, the default settings of ``corridors flows estimate``), stored with the method and
    its settings. A run that does not converge stops the build (never silent)."""
    editions = [r[0] for r in con.execute(
        "SELECT edition FROM migrant_stock SEMI JOIN population USING (edition) "
        f"GROUP BY edition {NEWEST_FIRST_SQL}").fetchall()]
    if not editions:
        report.skipped.append("flows (no edition with population figures)")
        return {"flows": 0}
    frame, runs = global_flows(con, edition=editions[0])
    report.flow_runs = runs
    return {"flows": write_flows(con, frame)}


def _facts(con: duckdb.DuckDBPyConnection, report: BuildReport) -> dict[str, int]:
    return build_facts(con)


#: The derived steps, in the order their rows are reported. Add a step here (with ``after``
#: naming the steps whose tables it reads) and the build runs it and times it.
STEPS: list[Step] = [
    Step("flows", "estimating flows from stocks", _flows),
    Step("facts", "writing the corridor facts", _facts),
]


def build(progress: ProgressFn | None = None) -> BuildReport:
    """Build the store from every pulled source with its derived tables and swap it in; returns
    what was read, the rows written and how long each step took (``report.timings``)."""
    return build_store(progress, derive=derive)


def derive(con: duckdb.DuckDBPyConnection, report: BuildReport,
           progress: ProgressFn | None = None, steps: Sequence[Step] | None = None,
           parallel: bool = True) -> None:
    """Write the derived tables (:data:`STEPS`) into a store being built. ``parallel=False``
    runs the steps one after the other in list order (the same tables, more slowly)."""
    if not con.execute("SELECT 1 FROM migrant_stock LIMIT 1").fetchall():
        return
    steps = list(STEPS if steps is None else steps)
    names = {s.name for s in steps}
    for step in steps:
        unknown = set(step.after) - names
        if unknown:
            raise ValueError(f"build step {step.name!r} comes after unknown steps {sorted(unknown)}")
    rows: dict[str, dict[str, int]] = {}
    if parallel and len(steps) > 1:
        _run_concurrently(con, report, steps, rows, progress)
    else:
        for step in steps:
            if progress:
                progress(step.doing, report.steps - 1, report.steps)
            rows[step.name] = _timed(step, con, report)
    for step in steps:  # reported in list order, whichever finished first
        report.rows.update(rows[step.name])


def _timed(step: Step, con: duckdb.DuckDBPyConnection, report: BuildReport) -> dict[str, int]:
    started = time.perf_counter()
    written = step.run(con, report)
    report.timings[step.name] = time.perf_counter() - started
    return written


def _run_concurrently(con: duckdb.DuckDBPyConnection, report: BuildReport, steps: list[Step],
                      rows: dict[str, dict[str, int]], progress: ProgressFn | None) -> None:
    """Start every step whose ``after`` steps are done, each in a thread on its own cursor, until
    all are done. A failure (or Ctrl+C) interrupts the steps still running, waits for them and is
    raised: the caller then discards the new store."""
    pending = list(steps)
    running: dict[Future, tuple[Step, duckdb.DuckDBPyConnection]] = {}
    with ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="build-step") as pool:
        try:
            while pending or running:
                for step in [s for s in pending if set(s.after) <= set(rows)]:
                    pending.remove(step)
                    if progress:
                        progress(step.doing, report.steps - 1, report.steps)
                    cursor = con.cursor()
                    running[pool.submit(_timed, step, cursor, report)] = (step, cursor)
                if not running:
                    raise ValueError("build steps wait for each other: "
                                     + ", ".join(f"{s.name} after {s.after}" for s in pending))
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    step, cursor = running.pop(future)
                    cursor.close()
                    rows[step.name] = future.result()  # a step's error is raised here
        except BaseException:
            for _, cursor in running.values():
                cursor.interrupt()
            wait(running)
            for _, cursor in running.values():
                cursor.close()
            raise
