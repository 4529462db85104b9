"""The store's part of ``corridors build``: read every pulled source into one DuckDB store,
atomically. The whole build (this, then the derived tables: flows and the corridor facts) is
:func:`corridors.pipeline.build`; this module imports nothing from the analytics.

The build writes a new file beside the store and swaps it in with an atomic rename only when every
source has been read and every table written. A failed or interrupted build deletes its own file
and leaves the previous store answering exactly as before. Editions are kept side by side.

The build reads in turns (:func:`turns`): first the sources of the bilateral stock, whose tables
(:data:`STOCK_TABLES`) it writes and reconciles; then the sources of each set of tables a derived
step reads (its ``derive``, :class:`Derive`, says which), writing them; then the rest. After
each turn it tells ``derive`` which tables are final, so that a derived step runs on the second
core as soon as its tables are written (the flows after the stock, the corridor facts after the
reference tables) while the build reads and writes the others.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import polars as pl

import corridors.codes as codes
from corridors.errors import CorridorsError, storage_error
from corridors.settings import settings
from corridors.sources import cache
from corridors.sources.registry import Source, alternates, registry
from corridors.store import create_schema, lifecycle, provenance
from corridors.store.frames import parquet_source
from corridors.store.loaders import LOADERS, WRITES, reader_module
from corridors.store.reconcile import carry_unknown_origin

#: The store tables of the bilateral stock: written first, and final once the stock is reconciled
#: with its published totals (:func:`corridors.store.reconcile.carry_unknown_origin`).
STOCK_TABLES = ("migrant_stock", "migrant_stock_totals", "population")

#: When an edition's bilateral stock comes from several files, the first pulled one wins:
#: the official workbook before a derived copy of it.
BILATERAL_PREFERENCE = [
    "ims2024-bilateral", "ims2020-bilateral", "ims2020-bilateral-long", "ims2019-bilateral-wide",
    "ims2015-bilateral",
]

#: progress(step_name, done, total)
ProgressFn = Callable[[str, int, int], None]


class NotPulledError(CorridorsError):
    pass


class BuildInterrupted(CorridorsError):
    """The user stopped the build (Ctrl+C, SIGINT): nothing was swapped in."""

    exit_code = 130


def _previous(path: Path) -> str:
    return (f"the previous store {path} is untouched and keeps answering" if path.exists()
            else f"no store was written to {path}")


#: DuckDB reports a failed write (full disk, no permission) in several exception types.
_WRITE_FAILURE = re.compile(r"could not write|no space left|disk is full|permission denied|read-only",
                            re.IGNORECASE)


def _write_failed(error: Exception, path: Path) -> CorridorsError:
    """The new store could not be written (full disk, no permission, ...): say so, and that the
    previous store still answers."""
    if isinstance(error, OSError):
        reason = str(storage_error(error, str(path.parent)))
    else:
        text = str(error).strip().splitlines()[0]
        lowered = text.lower()
        if "no space left" in lowered or "disk is full" in lowered:
            reason = f"{path.parent}: the disk is full ({text}). Free some space or build " \
                     "elsewhere (--home or CORRIDORS_HOME)"
        elif "permission denied" in lowered or "read-only" in lowered:
            reason = f"{path.parent}: cannot write there ({text}). Build in a folder you can " \
                     "write to (--home or CORRIDORS_HOME)"
        else:
            reason = f"{path.parent}: {text}"
    return CorridorsError(f"build stopped, the new store could not be written: {reason.rstrip('.')}."
                          f" {_previous(path).capitalize()}.")


@dataclass
class BuildReport:
    path: Path
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the source ids read
    flow_runs: list = field(default_factory=list)
    #: what the user should know (a damaged previous store set aside, ...)
    warnings: list[str] = field(default_factory=list)
    previous_damaged: bool = False
    steps: int = 0  # the progress steps of reading and writing (derived steps report at this one)
    #: where the time went: phase -> (wall seconds, CPU seconds of the whole process, every
    #: thread included); phases: read, write, carry over, derived, checkpoint. The build reads
    #: and writes in turns (:func:`turns`): read and write add up every turn, and their CPU
    #: seconds include the derived steps started meanwhile (``started_early``)
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: the derived steps that started before every table was written (while sources were read)
    started_early: list[str] = field(default_factory=list)

    def phase(self, name: str, wall_started: float, cpu_started: float) -> None:
        """Record a phase that started at these ``time.perf_counter()`` / ``time.process_time()``
        (added to the phase's earlier turns)."""
        wall, cpu = self.phases.get(name, (0.0, 0.0))
        self.phases[name] = (wall + time.perf_counter() - wall_started,
                             cpu + time.process_time() - cpu_started)


def _sources_to_read() -> tuple[list[Source], list[str]]:
    """The pulled sources the build reads. A mirror-only alternate (the same numbers in another
    layout) stands in for its source when that source is not pulled, and is left out when it is."""
    pulled = {sid for sid, s in registry().items() if s.reader and cache.state(s) == "pulled"}
    chosen, skipped, missing = [], [], []
    for source in registry().values():
        if not source.reader:
            continue
        if source.id in pulled:
            if source.alternate_of in pulled:
                skipped.append(source.id)
            else:
                chosen.append(source)
        elif source.required and not any(a.id in pulled for a in alternates(source.id)):
            missing.append(source.id)
        else:
            skipped.append(source.id)
    if missing:
        raise NotPulledError(
            f"these sources are not pulled yet: {', '.join(missing)}. Run `corridors pull` "
            "(offline: `corridors --mirror DIR pull`), then build again."
        )
    return chosen, skipped


def _countries(parts: dict[str, list[pl.DataFrame]]) -> pl.DataFrame:
    base = pl.DataFrame(
        [(c.iso3, c.m49, c.iso2, c.name, c.short_name) for c in codes.countries().values()],
        schema={"iso3": pl.String, "m49": pl.Int32, "iso2": pl.String, "name": pl.String,
                "short_name": pl.String}, orient="row",
    )
    m49 = pl.concat(parts["_m49_countries"], how="diagonal_relaxed")
    m49_cols = ["continent", "continent_m49", "un_subregion", "un_subregion_m49",
                "intermediate_region"]
    frame = base.join(m49.select("iso3", *m49_cols), on="iso3", how="left")
    if parts.get("_annex_countries"):
        annex = pl.concat(parts["_annex_countries"], how="diagonal_relaxed")
        annex_cols = [c for c in ("ims_region", "ims_subregion", "sdg_region", "sdg_region_m49",
                                  "development_group", "least_developed", "lldc", "sids")
                      if c in annex.columns]
        frame = frame.join(annex.select("iso3", *annex_cols), on="iso3", how="left",
                           suffix="_annex")
        for flag in ("least_developed", "lldc", "sids"):
            if f"{flag}_annex" in frame.columns:
                frame = frame.with_columns(pl.coalesce(flag, f"{flag}_annex").alias(flag))
        # Areas M49 does not list (Taiwan, Channel Islands, Kosovo) take the M49 regions of a
        # country in the same IMS subregion.
        if "ims_subregion" in frame.columns:
            donors = (frame.filter(pl.col("continent").is_not_null())
                      .group_by("ims_subregion").agg(pl.col(c).first() for c in m49_cols))
            frame = frame.join(donors, on="ims_subregion", how="left", suffix="_donor")
            frame = frame.with_columns(pl.coalesce(c, f"{c}_donor").alias(c) for c in m49_cols)
    for missing in ("ims_region", "sdg_region", "sdg_region_m49", "development_group",
                    "least_developed", "lldc", "sids"):
        if missing not in frame.columns:
            frame = frame.with_columns(pl.lit(None).alias(missing))
    return frame


def _pick_bilateral(frames: list[pl.DataFrame]) -> pl.DataFrame:
    stock = pl.concat(frames, how="diagonal_relaxed")
    rank = {sid: i for i, sid in enumerate(BILATERAL_PREFERENCE)}
    best = (stock.select("edition", "source_id").unique()
            .with_columns(pl.col("source_id").replace_strict(rank, default=99).alias("rank"))
            .sort("rank").group_by("edition").agg(pl.col("source_id").first()))
    return stock.join(best, on=["edition", "source_id"], how="semi")


def _published_totals(parts: dict[str, list[pl.DataFrame]],
                      stock: pl.DataFrame | None) -> pl.DataFrame | None:
    """The published totals: those of the totals workbooks, then those a bilateral file publishes
    itself (IMS 2015 Table 16's Total column) for an edition and view no totals workbook gives,
    from the bilateral file the edition's stock was taken from. Every edition then has its
    destination totals, and :mod:`corridors.store.reconcile` reconciles each one with them."""
    frames = list(parts.get("migrant_stock_totals", []))
    if parts.get("_bilateral_totals") and stock is not None:
        have = (pl.concat(frames, how="diagonal_relaxed").select("edition", "view").unique()
                if frames else pl.DataFrame(schema={"edition": pl.String, "view": pl.String}))
        used = stock.select("edition", "source_id").unique()
        extra = (pl.concat(parts["_bilateral_totals"], how="diagonal_relaxed")
                 .join(used, on=["edition", "source_id"], how="semi")
                 .join(have, on=["edition", "view"], how="anti"))
        if extra.height:
            frames.append(extra)
    return pl.concat(frames, how="diagonal_relaxed") if frames else None


#: Pulled sources without a store table whose files governance answers read directly (the UN
#: treaty status tables): their files get provenance rows too.
GOVERNANCE_SOURCES = ("un-treaties-hr-status",)


def _provenance(sources: list[Source], rows: dict[str, int]) -> pl.DataFrame:
    """One row per file read (:func:`corridors.store.provenance.build_rows`)."""
    read = {s.id for s in sources}
    governance = [registry()[sid] for sid in GOVERNANCE_SOURCES
                  if sid in registry() and sid not in read and cache.state(registry()[sid]) == "pulled"]
    return pl.DataFrame(provenance.build_rows(sources, rows, governance),
                        schema_overrides={"fetched_at": pl.Datetime("us"), "rows_read": pl.Int64})


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a frame to a schema table (matching columns by name), or create a table the schema
    does not declare (dyadic variables, the current World Bank classification) from the frame."""
    known = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if table in known:
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        frame = frame.select([c for c in frame.columns if c in columns])
    with parquet_source(frame) as incoming:
        if table in known:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {incoming}")
        else:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM {incoming}")


class Derive(Protocol):
    """Writes the derived tables into the new store before it is swapped in
    (:func:`corridors.pipeline.build` passes :class:`corridors.pipeline.Derivation`: the flows
    and the corridor facts). The build orders its reading by :meth:`reads`, calls
    :meth:`written` each time more tables are final, then :meth:`finish` when all are, or
    :meth:`cancel` when it fails."""

    def reads(self) -> list[Collection[str]]:
        """The sets of tables derived steps read, in the order the build should write them (each
        set as soon as its sources are read: :func:`turns`)."""

    def written(self, con: duckdb.DuckDBPyConnection, report: BuildReport,
                tables: Collection[str]) -> None:
        """``tables`` are final in the new store (others are still to be written): start what
        reads only them, on cursors of ``con``, while the build goes on."""

    def finish(self, con: duckdb.DuckDBPyConnection, report: BuildReport,
               progress: ProgressFn | None) -> None:
        """Every table is written: write the derived tables, waiting for those started."""

    def cancel(self) -> None:
        """The build failed: stop what was started and wait for it (the new file is discarded)."""


def build(progress: ProgressFn | None = None, derive: Derive | None = None) -> BuildReport:
    """Build the store from every pulled source and swap it in. Returns what was read and how
    long each step took. ``derive`` writes the derived tables (see :class:`Derive`): use
    :func:`corridors.pipeline.build`, which passes them.

    Interrupted (Ctrl+C) or unable to write (full disk, no permission), it stops with one message
    saying so; the previous store is never touched before the final atomic swap.
    """
    cfg = settings()
    try:
        return _build(cfg, progress, derive)
    except (KeyboardInterrupt, duckdb.InterruptException, RuntimeError) as error:
        # Ctrl+C while DuckDB runs a statement comes back as its own error ("Query interrupted")
        if isinstance(error, RuntimeError) and not (
                isinstance(error.__context__, KeyboardInterrupt)
                or "interrupted" in str(error).lower()):
            raise
        raise BuildInterrupted(f"build interrupted: {_previous(cfg.store_path)}. Run "
                               "`corridors build` again to finish.") from None


#: The frames the loaders returned, by table, each with the position of its source in the
#: registry (a table's frames are put together in registry order, whichever was read first).
Parts = dict[str, list[tuple[int, pl.DataFrame]]]

#: The frames a store table is put together from, where not only its own: its frames, the
#: loaders' ``_`` parts and tables written before it. ``provenance`` is made last, of every source.
MADE_FROM: dict[str, tuple[str, ...]] = {
    "migrant_stock_totals": ("migrant_stock_totals", "_bilateral_totals", "migrant_stock"),
    "countries": ("_m49_countries", "_annex_countries"),
    "areas": ("areas", "_annex_areas"),
    "country_aliases": (),  # the package's own alias files
}


def _made_from(table: str) -> tuple[str, ...]:
    return MADE_FROM.get(table, (table,))


@dataclass
class Turn:
    """One turn of the build: read these sources, then write these tables (None: every table not
    written yet, and provenance)."""

    sources: list[Source]
    tables: list[str] | None


def turns(sources: Sequence[Source], wanted: Sequence[Collection[str]] = ()) -> list[Turn]:
    """The order of the build: the stock (:data:`STOCK_TABLES`) first, then each set of tables a
    derived step reads (``wanted``, in order), then the rest. A turn reads the sources not read
    yet whose loaders return a frame of its tables (:data:`corridors.store.loaders.WRITES`), so
    each table is written once all its sources are read."""
    left = list(sources)
    done: set[str] = set()
    out: list[Turn] = []
    for wanted_tables in [STOCK_TABLES, *wanted]:
        tables: list[str] = []
        for table in wanted_tables:  # with the tables it is made from, before it
            for part in (*_made_from(table), table):
                if not part.startswith("_") and part not in done and part not in tables:
                    tables.append(part)
        if not tables:
            continue
        parts = {part for table in tables for part in _made_from(table)}
        batch = [s for s in left if WRITES[reader_module(s)] & parts]
        left = [s for s in left if s not in batch]
        done.update(tables)
        out.append(Turn(batch, tables))
    out.append(Turn(left, None))
    return out


def _in_order(parts: Parts, names: Collection[str]) -> dict[str, list[pl.DataFrame]]:
    return {name: [frame for _, frame in sorted(parts[name], key=lambda p: p[0])]
            for name in names if parts.get(name)}


def _made(table: str, frames: dict[str, list[pl.DataFrame]],
          stock: pl.DataFrame | None) -> pl.DataFrame | None:
    """A store table put together from the loaders' frames (None: no source gave it; the schema's
    table, if any, stays empty). ``stock``: the bilateral stock as written."""
    if table == "migrant_stock":
        return _pick_bilateral(frames["migrant_stock"]) if frames.get("migrant_stock") else None
    if table == "migrant_stock_totals":
        return _published_totals(frames, stock)
    if table == "countries":
        return _countries(frames)
    if table == "areas":
        return _areas(frames)
    if table == "country_aliases":
        return _aliases()
    return pl.concat(frames[table], how="diagonal_relaxed") if frames.get(table) else None


def _build(cfg, progress: ProgressFn | None, derive: Derive | None) -> BuildReport:
    started = time.perf_counter()
    cpu = time.process_time()
    sources, skipped = _sources_to_read()
    report = BuildReport(cfg.store_path, 0.0, skipped=skipped, read=[s.id for s in sources])
    parts: Parts = defaultdict(list)
    source_rows: dict[str, int] = {}
    total_steps = len(sources) + 1
    report.steps = total_steps
    order = {source.id: i for i, source in enumerate(sources)}
    written: set[str] = set()

    def read(batch: Sequence[Source]) -> None:
        """Read the sources of ``batch`` into ``parts`` (timed by source and as the read phase)."""
        t0, cpu0 = time.perf_counter(), time.process_time()
        for source in batch:
            if progress:
                progress(f"reading {source.id}", len(source_rows), total_steps)
            t1 = time.perf_counter()
            module = reader_module(source)
            frames = LOADERS[module](source, cache.folder_for(source))
            report.timings[source.id] = time.perf_counter() - t1
            source_rows[source.id] = sum(f.height for f in frames.values())
            unexpected = set(frames) - WRITES[module]
            if unexpected:
                raise RuntimeError(f"the {module} loader returned {sorted(unexpected)}: name them "
                                   "in corridors.store.loaders.WRITES")
            for table, frame in frames.items():
                parts[table].append((order[source.id], frame))
        report.phase("read", t0, cpu0)

    def unwritten() -> list[str]:
        """The tables still to be written, the reference tables first."""
        names = ["countries", "country_aliases", *(t for t in parts if not t.startswith("_")), "areas"]
        return [t for t in dict.fromkeys(names) if t not in written]

    def write(con: duckdb.DuckDBPyConnection, tables: list[str] | None) -> None:
        """Write ``tables`` (None: every table not written yet) and free the frames no table
        still to be written is made from; the stock is reconciled as soon as it is written."""
        t0, cpu0 = time.perf_counter(), time.process_time()
        tables = unwritten() if tables is None else tables
        frames = _in_order(parts, {p for t in tables for p in _made_from(t)})
        stock = None
        for table in tables:
            frame = _made(table, frames, stock)
            if table == "migrant_stock":
                stock = frame
            if frame is not None:
                _insert(con, table, frame)
                report.rows[table] = frame.height
            written.add(table)
        frames.clear()  # in the store now: their memory is free for the derived steps
        needed = {p for t in unwritten() for p in _made_from(t)}
        for part in [p for p in parts if p not in needed]:
            del parts[part]
        if "migrant_stock" in tables:
            carried = carry_unknown_origin(con)
            if carried.rows:
                report.rows["unknown origin carried"] = carried.rows
        report.phase("write", t0, cpu0)

    plan = turns(sources, derive.reads() if derive is not None else ())
    reading = False  # a reader's error (an OSError among them) is not a failed write
    with lifecycle.writing(cfg.store_path):  # saves wait: none is lost in the swap
        tmp = lifecycle.work_file(cfg.store_path, "building")
        lifecycle.discard(tmp)
        try:
            con = duckdb.connect(str(tmp))
            try:
                # A table written by several threads ends in part-filled row groups, which a
                # checkpoint merges by default (decompress, compress again: 0.3 s at the end of
                # the build for the corridor facts). A new file has no deleted rows to reclaim,
                # so its row groups are kept as written: the same rows, one more row group.
                con.execute("SET max_vacuum_tasks = 0")
                create_schema(con)
                for turn in plan:
                    reading = True
                    read(turn.sources)
                    reading = False
                    if progress:
                        progress("writing the store" if turn.tables is None else
                                 "writing " + ", ".join(turn.tables), len(source_rows), total_steps)
                    write(con, turn.tables)
                    if turn.tables is not None and derive is not None:
                        derive.written(con, report, frozenset(written))
                t0, cpu = time.perf_counter(), time.process_time()
                provenance_rows = _provenance(sources, source_rows)
                _insert(con, "provenance", provenance_rows)
                report.rows["provenance"] = provenance_rows.height
                parts.clear()
                report.phase("write", t0, cpu)
                report.timings["write"] = report.phases["write"][0]
                t1, cpu = time.perf_counter(), time.process_time()
                report.rows["survey_estimates"] = _carry_over_user_observations(
                    con, cfg.store_path, report)
                report.timings["carry over"] = time.perf_counter() - t1
                report.phase("carry over", t1, cpu)
                if derive is not None:
                    t1, cpu = time.perf_counter(), time.process_time()
                    derive.finish(con, report, progress)
                    report.phase("derived", t1, cpu)
                t1, cpu = time.perf_counter(), time.process_time()
                con.execute("CHECKPOINT")
                report.phase("checkpoint", t1, cpu)
            except BaseException:
                if derive is not None:
                    derive.cancel()  # its cursors stop before the connection closes
                raise
            finally:
                con.close()
            if report.previous_damaged and cfg.store_path.exists():
                lifecycle.set_aside(cfg.store_path)
            lifecycle.swap_in(tmp, cfg.store_path)
        except BaseException as error:
            lifecycle.discard(tmp)
            if not reading and (isinstance(error, (OSError, duckdb.IOException)) or (
                    isinstance(error, duckdb.Error) and _WRITE_FAILURE.search(str(error)))):
                raise _write_failed(error, cfg.store_path) from None
            raise
    report.seconds = time.perf_counter() - started
    if progress:
        progress("done", total_steps, total_steps)
    return report


def _carry_over_user_observations(con: duckdb.DuckDBPyConnection, previous: Path,
                                  report: BuildReport) -> int:
    """Survey estimates a user saved into the previous store (and their provenance) are the
    user's own observations: copy them into the new store so a rebuild never loses them. A
    damaged previous store is set aside (kept for the user) and the report says what could not
    be carried over."""
    if not previous.exists():
        return 0
    try:
        lifecycle.check(previous)
    except lifecycle.DamagedStoreError:
        report.previous_damaged = True
        report.warnings.append(
            f"the previous store was damaged: it is kept as {previous.name}.damaged-<date-time>, "
            "and the survey estimates saved in it could not be read (save them again)")
        return 0
    quoted = str(previous).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS previous (READ_ONLY)")
    try:
        has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'previous' "
                          "AND table_name = 'survey_estimates'").fetchone()
        if not has or not has[0]:
            return 0
        con.execute("INSERT INTO survey_estimates BY NAME SELECT * FROM previous.survey_estimates")
        con.execute("INSERT INTO provenance BY NAME SELECT * FROM previous.provenance "
                    "WHERE source_id IN (SELECT DISTINCT source_id FROM previous.survey_estimates)")
        kept = con.execute("SELECT count(*) FROM survey_estimates").fetchone()
        return kept[0] if kept else 0
    finally:
        con.execute("DETACH previous")


def _areas(parts: dict[str, list[pl.DataFrame]]) -> pl.DataFrame:
    """M49 regions first, then the IMS groupings M49 does not have (SDG regions, development and
    income groups), each code once."""
    frames = parts.get("areas", []) + parts.get("_annex_areas", [])
    if not frames:
        return pl.DataFrame(schema={"m49": pl.Int32, "name": pl.String, "area_type": pl.String,
                                    "parent_m49": pl.Int32})
    return (pl.concat([f.select("m49", "name", "area_type", "parent_m49") for f in frames],
                      how="vertical_relaxed")
            .unique(subset="m49", keep="first", maintain_order=True))


def _aliases() -> pl.DataFrame:
    import csv
    from importlib import resources

    rows = []
    for file in codes.alias_files():
        with resources.files(codes.__name__).joinpath(file).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append({"alias": row["alias"], "iso3": row["iso3"],
                             "note": f"{file}: {row.get('note', '')}"})
    return pl.DataFrame(rows, schema={"alias": pl.String, "iso3": pl.String, "note": pl.String})
