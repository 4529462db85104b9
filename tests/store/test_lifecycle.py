"""The store's life: a damaged file says what is wrong and `corridors build` repairs it; a save
made while a build runs, or while the server serves, is never lost; killed processes' work files
are swept (issue: saves lost during builds, a damaged store blocked its own repair, kill -9 litter)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app
from corridors.pipeline import build
from corridors.store import connect, lifecycle

CORRIDORS = str(Path(sys.executable).with_name("corridors"))
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _copy_home(built_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("*.lock"))
    return home


def _insert_estimate(con: duckdb.DuckDBPyConnection, dataset: str = "mine") -> int:
    con.execute("INSERT INTO survey_estimates (dataset, indicator, kind, iso3, year, sex, domain, "
                "estimate, se, cv, ci_low, ci_high, n, flag, unit, source_id) VALUES (?, "
                "'migrant_share', 'mean', 'ARG', 2016, 'total', '{}', 0.05, 0.01, 0.2, 0.03, 0.07, "
                "100, 'ok', 'proportion', 's')", [dataset])
    return 1


def test_a_damaged_store_says_what_is_wrong_and_build_repairs_it(built_home: Path, tmp_path: Path):
    home = _copy_home(built_home, tmp_path)
    store = home / "corridors.duckdb"
    lifecycle.save(store, _insert_estimate)
    os.truncate(store, 7_000_000)
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    asked = subprocess.run([CORRIDORS, "stock", "--destination", "KEN", "--year", "2020"],
                           env=env, capture_output=True, text=True)
    assert asked.returncode != 0
    assert "damaged" in asked.stderr and "corridors build" in asked.stderr
    assert "Traceback" not in asked.stderr + asked.stdout
    repaired = subprocess.run([CORRIDORS, "build"], env=env, capture_output=True, text=True)
    assert repaired.returncode == 0, repaired.stderr
    said = " ".join(repaired.stdout.split())  # the terminal wraps long lines
    assert "previous store was damaged" in said and "could not be read" in said
    kept = list(home.glob("corridors.duckdb.damaged-*"))
    assert len(kept) == 1 and kept[0].stat().st_size == 7_000_000  # set aside, not deleted
    answer = subprocess.run([CORRIDORS, "stock", "--destination", "KEN", "--year", "2020",
                             "--format", "json"], env=env, capture_output=True, text=True)
    assert answer.returncode == 0 and json.loads(answer.stdout)


def test_a_save_during_a_build_lands_in_the_new_store(built_home: Path, tmp_path: Path):
    """The save waits for the build's lock and then writes into the store the build swapped in."""
    home = _copy_home(built_home, tmp_path)
    store = home / "corridors.duckdb"
    settings_module.use(settings_module.Settings(home=home))
    started = threading.Event()
    result: dict[str, object] = {}

    def save_when_build_runs() -> None:
        started.wait(60)
        result["saved"] = lifecycle.save(store, _insert_estimate)

    saver = threading.Thread(target=save_when_build_runs)
    saver.start()

    def progress(step: str, done: int, total: int) -> None:
        if step == "writing the store":
            started.set()
            time.sleep(0.5)  # the save is now waiting for the build's lock

    build(progress)
    saver.join(60)
    assert result["saved"] == 1
    con = connect(store)
    assert con.execute("SELECT count(*) FROM survey_estimates WHERE dataset = 'mine'"
                       ).fetchone()[0] == 1


def test_save_while_the_store_is_open_for_reading(eph_or_skip, built_home: Path, tmp_path: Path):
    """`survey estimate --save` while another process (a running server) holds the store open."""
    home = _copy_home(built_home, tmp_path)
    reader = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
        "c.execute('SELECT count(*) FROM provenance').fetchall(); print('open', flush=True); "
        "time.sleep(60)"), str(home / "corridors.duckdb")], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        result = CliRunner().invoke(app, [
            "--home", str(home), "survey", "estimate", str(eph_or_skip), "-m",
            str(EXAMPLES / "eph_2016q4.yaml"), "--mean", "foreign_born", "--by", "sex", "--save",
            "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)  # the estimates are printed
    finally:
        reader.kill()
        reader.wait()
    con = connect(home / "corridors.duckdb")
    assert con.execute("SELECT count(*) FROM survey_estimates WHERE dataset = 'eph-2016q4'"
                       ).fetchone()[0] == 2


@pytest.fixture
def eph_or_skip(oracles: Path) -> Path:
    return oracles / "microdata" / "eph_toybase_individual_2016_04.csv"


def test_work_files_of_killed_processes_are_swept(built_home: Path, tmp_path: Path):
    home = _copy_home(built_home, tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    litter = [home / f"corridors.duckdb.building-{dead.pid}",
              home / f"corridors.duckdb.building-{dead.pid}.wal",
              home / f"corridors.duckdb.saving-{dead.pid}"]
    for path in litter:
        path.write_bytes(b"x" * 1000)
    alive = home / f"corridors.duckdb.building-{os.getppid()}"  # a running process's: kept
    alive.write_bytes(b"x")
    settings_module.use(settings_module.Settings(home=home))
    build()
    assert not any(p.exists() for p in litter)
    assert alive.exists()


def test_a_writer_that_waits_too_long_gets_a_message(tmp_path: Path):
    store = tmp_path / "corridors.duckdb"
    with lifecycle.writing(store):
        done: dict[str, BaseException] = {}

        def other() -> None:
            try:
                with lifecycle.writing(store, wait=0.2):
                    pass
            except BaseException as exc:  # noqa: BLE001 - checked below
                done["error"] = exc

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert isinstance(done["error"], lifecycle.StoreBusyError)
    assert "corridors build" in str(done["error"])
