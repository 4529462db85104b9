"""`corridors build` = the store's load, then the derived tables (corridors.pipeline): the store
package imports nothing from the analytics, the store built from the mirror holds a corridor
fact table that agrees with its bilateral stock, and the derived steps, run at the same time,
write exactly what they write one after the other (table by table: rows and content hash); the
build reads in turns, so a step that reads only some tables (the flows: the stock; the facts: the
reference tables too) starts while the other sources are still being read, and it writes the
same tables from the tables it names alone."""

from __future__ import annotations

import ast
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

import corridors.store
from corridors import settings as settings_module
from corridors.errors import CorridorsError, InputError
from corridors.pipeline import STEPS, Derivation, Step, derive
from corridors.sources import cache, registry
from corridors.store.build import MADE_FROM, BuildReport, turns
from corridors.store.build import build as build_store
from corridors.store.fingerprint import differences, fingerprint
from corridors.store.loaders import WRITES, reader_module

STEPS_BY_NAME = {s.name: s for s in STEPS}

STORE = Path(corridors.store.__file__).parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_store_imports_nothing_from_the_analytics():
    files = sorted(STORE.rglob("*.py"))
    assert files
    offending = {str(f.relative_to(STORE)): sorted(m for m in _imports(f)
                                                   if m.startswith("corridors.analytics"))
                 for f in files}
    assert {f: m for f, m in offending.items() if m} == {}


def test_the_built_store_has_facts_that_agree_with_its_stock(store_con):
    con = store_con
    # every stored (edition, corridor, year, sex) figure is a fact, and nothing else is, except
    # the totals an edition that stores only the sexes gets as male + female
    missing = con.execute("""
        SELECT count(*) FROM migrant_stock m WHERE value IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM corridor_facts f WHERE f.edition = m.edition AND f.origin = m.origin
              AND f.destination = m.destination AND f.year = m.year AND f.sex = m.sex
              AND f.stock = m.value)""").fetchone()[0]
    assert missing == 0
    extra = con.execute("""
        SELECT count(*) FROM corridor_facts f WHERE NOT EXISTS (
            SELECT 1 FROM migrant_stock m WHERE f.edition = m.edition AND f.origin = m.origin
              AND f.destination = m.destination AND f.year = m.year AND f.sex = m.sex)
          AND (f.sex <> 'total' OR f.edition IN (SELECT edition FROM migrant_stock
                                                 WHERE sex = 'total'))""").fetchone()[0]
    assert extra == 0
    # each edition's world total per year is the stock's
    differ = con.execute("""
        SELECT count(*) FROM (SELECT edition, year, sum(stock) AS s FROM corridor_facts
                              WHERE sex = 'total' GROUP BY ALL) f
        JOIN (SELECT edition, year, sum(value) AS s FROM migrant_stock
              WHERE sex = (CASE WHEN edition IN (SELECT edition FROM migrant_stock
                                                 WHERE sex = 'total') THEN 'total' END)
              GROUP BY ALL) m USING (edition, year)
        WHERE f.s <> m.s""").fetchone()[0]
    assert differ == 0
    # every built-in lens classifies the corridors of every edition
    columns = [r[0] for r in con.execute("DESCRIBE corridor_facts").fetchall()]
    assert {"category_wb_lmic", "category_wb_non_high", "category_un_developing",
            "category_gfmd_2018", "communities", "shared_recs"} <= set(columns)
    assert con.execute("SELECT count(DISTINCT category_wb_lmic) FROM corridor_facts").fetchone()[0] \
        >= 5


def _home_with_cache(built_home: Path, tmp_path: Path) -> Path:
    """A home with the built home's pulled files (the same provenance) and no store yet."""
    home = tmp_path / "home"
    shutil.copytree(built_home / "cache", home / "cache")
    settings_module.use(settings_module.Settings(home=home))
    return home


def test_the_steps_run_at_the_same_time_write_what_they_write_one_after_the_other(
        built_home: Path, built_store: Path, tmp_path: Path):
    home = _home_with_cache(built_home, tmp_path)
    report = build_store(derive=Derivation(parallel=False))
    assert set(STEPS_BY_NAME) <= set(report.timings)
    concurrent, serial = fingerprint(built_store), fingerprint(home / "corridors.duckdb")
    assert {"flows", "corridor_facts", "corridor_roles", "stock_index"} <= set(serial)
    assert serial["flows"].rows > 100_000 and serial["corridor_facts"].rows > 100_000
    assert differences(serial, concurrent) == []


def test_a_failing_step_stops_the_build_and_the_previous_store_keeps_answering(
        built_home: Path, tmp_path: Path):
    home = _home_with_cache(built_home, tmp_path)
    shutil.copyfile(built_home / "corridors.duckdb", home / "corridors.duckdb")
    before = fingerprint(home / "corridors.duckdb")

    def broken(con, report):
        con.execute("CREATE TABLE half_written AS SELECT 1 AS x")
        raise CorridorsError("the broken step failed")

    steps = [*STEPS, Step("broken", "failing on purpose", broken)]
    with pytest.raises(CorridorsError, match="the broken step failed"):
        build_store(derive=Derivation(steps))
    assert differences(before, fingerprint(home / "corridors.duckdb")) == []
    assert not list(home.glob("corridors.duckdb.building-*"))


def test_a_step_after_another_reads_its_tables(built_home: Path, tmp_path: Path):
    home = _home_with_cache(built_home, tmp_path)
    seen = {}

    def after_facts(con, report):
        seen["facts"] = con.execute("SELECT count(*) FROM corridor_facts").fetchone()[0]
        return {}

    steps = [Step("reader", "reading the facts", after_facts, after=("facts",)), *STEPS]
    report = build_store(derive=Derivation(steps))
    assert seen["facts"] == report.rows["corridor_facts"] > 0
    with duckdb.connect(str(home / "corridors.duckdb")) as con, \
            pytest.raises(ValueError, match="unknown steps"):
        derive(con, report, steps=[Step("reader", "reading", after_facts, after=("nowhere",))])


def _plan():
    """The turns of a build of the pulled sources with the pipeline's steps."""
    pulled = [s for s in registry().values() if s.reader and cache.state(s) == "pulled"]
    return turns(pulled, Derivation().reads())


def test_the_build_reads_the_stock_then_each_steps_tables_then_the_rest(built_home: Path,
                                                                        tmp_path: Path):
    _home_with_cache(built_home, tmp_path)
    plan = _plan()
    assert [t.tables for t in plan] == [
        ["migrant_stock", "migrant_stock_totals", "population"],
        ["income_groups", "countries", "contiguity", "rec_membership"],
        None]
    read = [s.id for t in plan for s in t.sources]
    assert sorted(read) == sorted({s.id for t in plan for s in t.sources})  # each source once
    for index, turn in enumerate(plan[:-1]):  # every source of a table is read by its turn
        parts = {p for t in turn.tables or [] for p in MADE_FROM.get(t, (t,))}
        later = [s.id for t in plan[index + 1:] for s in t.sources
                 if WRITES[reader_module(s)] & parts]
        assert later == [], (turn.tables, later)
    assert {reader_module(s) for s in plan[0].sources} == {"un_desa_bilateral", "un_desa_totals",
                                                           "wpp"}
    assert "wb-bilateral-migration-2017" in {s.id for s in plan[-1].sources}


@pytest.mark.parametrize("step", [s for s in STEPS if s.reads is not None], ids=lambda s: s.name)
def test_a_step_writes_the_same_tables_from_the_tables_it_reads_alone(step: Step,
                                                                      built_store: Path,
                                                                      tmp_path: Path):
    """A step that starts early names every table it reads: run on a store where every other
    table is empty, it writes the same tables as on the whole store."""
    written = {}
    for kind in ("whole", "only what it reads"):
        copy = tmp_path / f"{kind}.duckdb"
        shutil.copyfile(built_store, copy)
        with duckdb.connect(str(copy)) as con:
            if kind != "whole":
                for (table,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                            "WHERE database_name = current_database()").fetchall():
                    if table not in (step.reads or ()):
                        con.execute(f'DELETE FROM "{table}"')
            wrote = step.run(con, BuildReport(copy, 0.0))
        assert wrote and all(n > 0 for n in wrote.values())
        whole = fingerprint(copy)
        written[kind] = {table: whole[table] for table in wrote}
    assert differences(written["whole"], written["only what it reads"]) == []


def _first_after_the_stock() -> str:
    """The first source the build reads after the stock's."""
    return _plan()[1].sources[0].id


def test_a_step_that_reads_the_stock_starts_while_the_other_sources_are_read(
        built_home: Path, tmp_path: Path):
    _home_with_cache(built_home, tmp_path)
    other = _first_after_the_stock()
    looked = threading.Event()
    seen: dict[str, int] = {}

    def early(con, report):
        seen["stock"] = con.execute("SELECT count(*) FROM migrant_stock").fetchone()[0]
        seen["population"] = con.execute("SELECT count(*) FROM population").fetchone()[0]
        seen["countries"] = con.execute("SELECT count(*) FROM countries").fetchone()[0]
        looked.set()
        return {}

    waited = []

    def progress(doing: str, done: int, total: int) -> None:
        if doing == f"reading {other}":  # the build waits here until the step has looked
            waited.append(looked.wait(timeout=120))

    steps = [*STEPS, Step("early", "looking early", early, reads=("migrant_stock", "population"))]
    report = build_store(progress, derive=Derivation(steps))
    assert waited == [True]
    # the stock, reconciled, and the population were there; the countries not yet
    assert seen["stock"] >= report.rows["migrant_stock"] > 0
    assert seen["population"] == report.rows["population"] > 0
    assert seen["countries"] == 0 < report.rows["countries"]
    assert report.started_early == ["flows", "early", "facts"]
    with duckdb.connect(str(report.path), read_only=True) as con:  # the rows the report gives
        for table in ("provenance", "countries", "areas", "indicators", "dyads", "population",
                      "flows", "corridor_facts", "corridor_roles"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == report.rows[table]


def test_a_source_failing_while_a_step_runs_stops_both_and_the_previous_store_keeps_answering(
        built_home: Path, tmp_path: Path):
    home = _home_with_cache(built_home, tmp_path)
    shutil.copyfile(built_home / "corridors.duckdb", home / "corridors.duckdb")
    before = fingerprint(home / "corridors.duckdb")
    other = registry()[_first_after_the_stock()]
    (home / "cache" / other.id / other.primary.name).write_bytes(b"")  # read after the stock
    reading = threading.Event()
    finished = []

    def early(con, report):
        try:
            reading.wait(timeout=120)  # still running when the source fails
            con.execute("SELECT count(*) FROM migrant_stock, range(2000)").fetchall()
        finally:
            finished.append(True)
        return {}

    def progress(doing: str, done: int, total: int) -> None:
        if doing == f"reading {other.id}":
            reading.set()

    steps = [Step("early", "running while the sources are read", early, reads=("migrant_stock",))]
    with pytest.raises(InputError, match=other.primary.name):
        build_store(progress, derive=Derivation(steps))
    assert finished == [True]  # the build waited for the step before it discarded its file
    assert differences(before, fingerprint(home / "corridors.duckdb")) == []
    assert not list(home.glob("corridors.duckdb.building-*"))
