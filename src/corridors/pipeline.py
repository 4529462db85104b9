"""``corridors build``: the store, then the tables derived from it, in one atomic swap.

1. :func:`corridors.store.build.build` reads every pulled source into a new store file;
2. flows from stocks for the newest edition with population figures
   (:mod:`corridors.analytics.flows.global_run`);
3. the corridor fact table, its roles and the stock index (:func:`corridors.analytics.facts.build_facts`).

The new file is swapped in only when all three are written, so a failed step leaves the previous
store answering. This module stands above the store and the analytics so that neither imports
the other's caller.
"""

from __future__ import annotations

import time

import duckdb

from corridors.analytics.facts import build_facts
from corridors.analytics.flows.global_run import global_flows, write_flows
from corridors.store.build import BuildReport, ProgressFn
from corridors.store.build import build as build_store
from corridors.store.editions import NEWEST_FIRST_SQL

__all__ = ["BuildReport", "build", "derive"]


def build(progress: ProgressFn | None = None) -> BuildReport:
    """Build the store from every pulled source with its derived tables and swap it in; returns
    what was read, the rows written and how long each step took (``report.timings``)."""
    return build_store(progress, derive=derive)


def derive(con: duckdb.DuckDBPyConnection, report: BuildReport,
           progress: ProgressFn | None = None) -> None:
    """Write the derived tables into a store being built (flows, then the corridor facts)."""
    if not con.execute("SELECT 1 FROM migrant_stock LIMIT 1").fetchall():
        return
    if progress:
        progress("estimating flows from stocks", report.steps - 1, report.steps)
    t0 = time.perf_counter()
    report.rows["flows"] = _flows(con, report)
    report.timings["flows"] = time.perf_counter() - t0
    if progress:
        progress("writing the corridor facts", report.steps - 1, report.steps)
    t1 = time.perf_counter()
    report.rows.update(build_facts(con))
    report.timings["facts"] = time.perf_counter() - t1


def _flows(con: duckdb.DuckDBPyConnection, report: BuildReport) -> int:
    """Flows from stocks for every period and sex of the newest edition (the default-edition rule
    of :mod:`corridors.store.editions`) among those with population figures (demographic
    accounting, the default settings of ``corridors flows estimate``), stored with the method and
    its settings. A run that does not converge stops the build (never silent)."""
    editions = [r[0] for r in con.execute(
        "SELECT edition FROM migrant_stock SEMI JOIN population USING (edition) "
        f"GROUP BY edition {NEWEST_FIRST_SQL}").fetchall()]
    if not editions:
        report.skipped.append("flows (no edition with population figures)")
        return 0
    frame, runs = global_flows(con, edition=editions[0])
    report.flow_runs = runs
    return write_flows(con, frame)
