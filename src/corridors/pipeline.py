"""``corridors build``: the store, then the tables derived from it, in one atomic swap.

1. :func:`corridors.store.build.build` reads every pulled source into a new store file, in
   turns (:func:`corridors.store.build.turns`): the bilateral stock first (its tables written
   and reconciled), then the tables each step ``reads``, then the rest;
2. the derived steps of :data:`STEPS`, each writing its own tables into that file:
   flows from stocks for the newest edition with population figures
   (:mod:`corridors.analytics.flows.global_run`), and the corridor fact table, its roles and the
   stock index (:func:`corridors.analytics.facts.build_facts`).

The new file is swapped in only when every step has written its tables, so a failed step leaves
the previous store answering. Each step runs in its own thread on its own DuckDB cursor, as soon
as what it reads is written (:class:`Derivation`): a step that names the store tables it
``reads`` starts when those are final, while the build still reads and writes the others (the
flows read only the stock and population: they are estimated while the build reads the M49,
World Bank and border files; the facts start when the countries, income groups, borders and
communities are written, while the build reads the WDI, remittance and distance files); a step
that reads another's tables names it in ``after`` and starts when it is done; a step without
``reads`` starts when every table is written. numpy, polars and DuckDB work outside Python's
lock, so the steps and the build's own reading share the two cores. Each step's wall time is
in ``report.timings`` under its name. This module stands above the store and the analytics so
that neither imports the other's caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import duckdb

from corridors.analytics.facts import READS as FACTS_READ
from corridors.analytics.facts import build_facts
from corridors.analytics.flows.global_run import READS as FLOWS_READ
from corridors.analytics.flows.global_run import global_flows, write_flows
from corridors.store.build import BuildReport, ProgressFn
from corridors.store.build import build as build_store
from corridors.store.editions import NEWEST_FIRST_SQL

__all__ = ["STEPS", "BuildReport", "Derivation", "Step", "build", "derive"]


@dataclass(frozen=True)
class Step:
    """One derived step of the build."""

    name: str  # its key in report.timings
    doing: str  # what the progress line says while it runs
    #: writes the step's tables on a cursor of the new store; returns the rows of each
    run: Callable[[duckdb.DuckDBPyConnection, BuildReport], dict[str, int]]
    #: the steps whose tables it reads: it starts when they are done
    after: tuple[str, ...] = ()
    #: every store table it reads, when it reads only some: it starts as soon as they are
    #: written, while the build writes the others; None: it starts when every table is written.
    #: (tests/test_pipeline.py checks that a step writes the same tables from these alone)
    reads: tuple[str, ...] | None = None


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
#: naming the steps whose tables it reads, ``reads`` the store tables when it needs only some)
#: and the build runs it and times it.
STEPS: list[Step] = [
    Step("flows", "estimating flows from stocks", _flows, reads=FLOWS_READ),
    Step("facts", "writing the corridor facts", _facts, reads=FACTS_READ),
]


def build(progress: ProgressFn | None = None) -> BuildReport:
    """Build the store from every pulled source with its derived tables and swap it in; returns
    what was read, the rows written and how long each step took (``report.timings``)."""
    return build_store(progress, derive=Derivation())


def derive(con: duckdb.DuckDBPyConnection, report: BuildReport,
           progress: ProgressFn | None = None, steps: Sequence[Step] | None = None,
           parallel: bool = True) -> None:
    """Write the derived tables (:data:`STEPS`) into a store whose tables are all written (a
    store built or changed by hand). ``parallel=False`` runs the steps one after the other in
    list order (the same tables, more slowly)."""
    Derivation(steps, parallel).finish(con, report, progress)


class Derivation:
    """The derived steps of one build (:class:`corridors.store.build.Derive`): each starts in
    its own thread on its own cursor as soon as the tables it ``reads`` are written and the
    steps it comes ``after`` are done. ``parallel=False`` runs them one after the other in list
    order once every table is written (the same tables, more slowly). Nothing runs when the
    store has no bilateral stock."""

    def __init__(self, steps: Sequence[Step] | None = None, parallel: bool = True):
        self.steps = list(STEPS if steps is None else steps)
        names = {s.name for s in self.steps}
        for step in self.steps:
            unknown = set(step.after) - names
            if unknown:
                raise ValueError(f"build step {step.name!r} comes after unknown steps "
                                 f"{sorted(unknown)}")
        self.parallel = parallel
        self._written: set[str] = set()
        self._all_written = False
        self._stock: bool | None = None  # whether the store has bilateral stock (once known)
        self._pending = list(self.steps)
        self._running: dict[Future, tuple[Step, duckdb.DuckDBPyConnection]] = {}
        self._rows: dict[str, dict[str, int]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def reads(self) -> list[Collection[str]]:
        """The tables of each step that reads only some, in step order: the build writes them
        in that order, each set as soon as its sources are read (none with ``parallel=False``:
        nothing starts before every table is written)."""
        return [s.reads for s in self.steps if s.reads is not None] if self.parallel else []

    def written(self, con: duckdb.DuckDBPyConnection, report: BuildReport,
                tables: Collection[str]) -> None:
        """``tables`` are final: start the steps that read only written tables."""
        self._written |= set(tables)
        if self.parallel:
            self._start_ready(con, report, None)

    def finish(self, con: duckdb.DuckDBPyConnection, report: BuildReport,
               progress: ProgressFn | None = None) -> None:
        """Every table is written: run the steps not started, wait for all; their rows go into
        ``report.rows`` in :data:`STEPS` order. A failure (or Ctrl+C) interrupts the steps still
        running, waits for them and is raised: the caller then discards the new store."""
        self._all_written = True
        try:
            if not self.parallel:
                if self._has_stock(con):
                    for step in self._pending:
                        if progress:
                            progress(step.doing, report.steps - 1, report.steps)
                        self._rows[step.name] = _timed(step, con, report)
                self._pending = []
            else:
                self._start_ready(con, report, progress)
                if progress and self._running:  # started earlier: say what is still running
                    step = next(iter(self._running.values()))[0]
                    progress(step.doing, report.steps - 1, report.steps)
                while self._pending or self._running:
                    if not self._running:
                        raise ValueError("build steps wait for each other: " + ", ".join(
                            f"{s.name} after {s.after}" for s in self._pending))
                    finished, _ = wait(self._running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        step, cursor = self._running.pop(future)
                        cursor.close()
                        self._rows[step.name] = future.result()  # a step's error is raised here
                    self._start_ready(con, report, progress)
        except BaseException:
            self.cancel()
            raise
        self._close_pool()
        for step in self.steps:  # reported in list order, whichever finished first
            report.rows.update(self._rows.get(step.name, {}))

    def cancel(self) -> None:
        """Interrupt the steps still running and wait for them."""
        for _, cursor in self._running.values():
            cursor.interrupt()
        wait(self._running)
        for _, cursor in self._running.values():
            cursor.close()
        self._running.clear()
        self._pending = []
        self._close_pool()

    def _has_stock(self, con: duckdb.DuckDBPyConnection) -> bool:
        if self._stock is None:
            self._stock = bool(con.execute("SELECT 1 FROM migrant_stock LIMIT 1").fetchall())
        return self._stock

    def _ready(self, step: Step) -> bool:
        tables = self._all_written or (step.reads is not None and set(step.reads) <= self._written)
        return tables and set(step.after) <= set(self._rows)

    def _start_ready(self, con: duckdb.DuckDBPyConnection, report: BuildReport,
                     progress: ProgressFn | None) -> None:
        if not (self._all_written or "migrant_stock" in self._written):
            return  # nothing starts before the stock is known to be there
        if not self._has_stock(con):
            self._pending = []
            return
        for step in [s for s in self._pending if self._ready(s)]:
            self._pending.remove(step)
            if not self._all_written:
                report.started_early.append(step.name)
            elif progress:
                progress(step.doing, report.steps - 1, report.steps)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=len(self.steps),
                                                thread_name_prefix="build-step")
            cursor = con.cursor()
            self._running[self._pool.submit(_timed, step, cursor, report)] = (step, cursor)

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _timed(step: Step, con: duckdb.DuckDBPyConnection, report: BuildReport) -> dict[str, int]:
    started = time.perf_counter()
    written = step.run(con, report)
    report.timings[step.name] = time.perf_counter() - started
    return written
