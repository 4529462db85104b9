"""Output for people, through the real `corridors` command in a subprocess: tables that are never
cropped at 80 columns, headers in words, lists as text, group names and codes where their names
say, a minimum corridor size for growth rankings, and one clear message (no traceback, non-zero
exit) for an interrupted build, a full disk, an unwritable folder, a damaged store and a bad
YAML input."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "ssm_store", Path(__file__).parents[1] / "analytics" / "ssm_store.py")
ssm_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ssm_store)

CORRIDORS = str(Path(sys.executable).with_name("corridors"))


def corridors(*args: str, home: Path, stdout=subprocess.PIPE, timeout: float = 300,
              columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "CORRIDORS_HOME": str(home), "COLUMNS": str(columns)}
    return subprocess.run([CORRIDORS, *args], env=env, stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def one_clear_message(proc: subprocess.CompletedProcess, *phrases: str) -> str:
    """The command failed with one message (no traceback) that says each phrase."""
    assert proc.returncode != 0
    err = proc.stderr
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err.startswith("error:"), err
    for phrase in phrases:
        assert phrase.lower() in " ".join(err.split()).lower(), err
    return err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("output-home")
    ssm_store.build(home / "corridors.duckdb")
    return home


# -- tables ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("ssm", "regions", "--grouping", "rec", "--year", "2020"),
    ("ssm", "top", "--year", "2020", "--top", "5"),
    ("ssm", "lenses"),
    ("profile", "KEN", "--year", "2020"),
    ("corridor", "KEN", "UGA"),
    ("stock", "--destination", "KEN", "--sex", "female"),
])
def test_tables_at_80_columns_are_never_cropped(home, args):
    table = corridors(*args, home=home)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in table.stdout  # rich's mark of a cropped cell
    assert "_" not in "".join(line for line in lines if "┃" in line)  # headers are words
    words = set(re.findall(r"[^\s│┃┏┓┗┛┡┩└┘┌┐├┤┬┴┼━─╇╈╋]+", table.stdout))
    data = json.loads(corridors(*args, "--format", "json", home=home).stdout)
    records = data if isinstance(data, list) else [data]
    shown = 0
    for record in records:
        for key, value in record.items():
            if not set(key.split("_")) <= words:  # a column the table leaves out
                continue
            if isinstance(value, str) and value and " " not in value and len(value) <= 14:
                assert value in table.stdout, (value, table.stdout)  # codes are whole
                shown += 1
    assert shown


def test_headers_are_words_and_lists_are_text(home):
    out = corridors("ssm", "regions", "--grouping", "continent", "--year", "2020",
                    home=home, columns=200).stdout
    assert "origin view share" in out and "origin_view_share" not in out
    practice = corridors("practices", "show", "asean-forum-migrant-labour", home=home).stdout
    assert "ASEAN" in practice
    assert '["' not in practice and "['" not in practice
    assert "gcm objectives" in practice


def test_regions_group_is_the_name_and_group_code_the_code(home):
    rows = json.loads(corridors("ssm", "regions", "--grouping", "rec", "--year", "2020",
                                "--format", "json", home=home).stdout)
    eac = next(r for r in rows if r["group_code"] == "EAC")
    assert eac["group"] == "East African Community"


def test_growth_ranking_has_a_minimum_corridor_size(home):
    def ranked(*more: str) -> list[dict]:
        proc = corridors("ssm", "top", "--by", "growth", "--year", "2020", "--format", "json",
                         *more, home=home)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert ranked() == []  # the constructed corridors are far below 10,000 migrants
    every = ranked("--min-stock", "0")
    some = ranked("--min-stock", "100")
    assert len(every) > len(some) > 0
    assert all(r["stock"] >= 100 and r["stock"] - r["change"] >= 100 for r in some)
    table = corridors("ssm", "top", "--by", "growth", "--year", "2020", "--min-stock", "100",
                      home=home, columns=200).stdout
    assert "at least 100 migrants" in " ".join(table.split())


# -- errors ------------------------------------------------------------------------------------

def test_stdout_on_a_full_disk(home):
    with open("/dev/full", "w") as full:
        proc = corridors("stock", "--destination", "KEN", "--sex", "female", "--format", "json",
                         home=home, stdout=full)
    one_clear_message(proc, "disk is full", "free some space")


def test_export_on_a_full_disk_leaves_nothing_half_written(home, tmp_path):
    tiny = _tiny_disk(tmp_path)
    proc = corridors("export", "--to", "xlsx", "--out", str(tiny / "ssm.xlsx"), home=home)
    one_clear_message(proc, str(tiny / "ssm.xlsx"), "disk is full")
    proc = corridors("export", "--to", "csv", "--out", str(tiny / "tables"), home=home)
    one_clear_message(proc, str(tiny / "tables"), "disk is full")
    assert [p.name for p in tiny.iterdir() if p.name != "filler"] == []


def test_export_to_an_unwritable_folder(home, tmp_path):
    locked = _unwritable(tmp_path)
    for fmt, target in (("xlsx", locked / "ssm.xlsx"), ("csv", locked / "tables")):
        proc = corridors("export", "--to", fmt, "--out", str(target), home=home)
        one_clear_message(proc, str(target), "--out")


def test_a_damaged_store_says_rebuild(built_store, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(built_store, home / "corridors.duckdb")
    os.truncate(home / "corridors.duckdb", 7_000_000)
    for args in (("stock", "--destination", "KEN", "--year", "2020"), ("summary",),
                 ("ssm", "summary")):
        proc = corridors(*args, home=home)
        one_clear_message(proc, "damaged", "corridors build")


def test_an_interrupted_build_keeps_the_previous_store(built_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").symlink_to(built_home / "cache", target_is_directory=True)
    shutil.copyfile(built_home / "corridors.duckdb", home / "corridors.duckdb")
    before = sha256(home / "corridors.duckdb")
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    proc = subprocess.Popen([CORRIDORS, "build"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(home.glob("corridors.duckdb.building-*")):  # the new store is being written
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    one_clear_message(result, "interrupted", "untouched")
    assert proc.returncode == 130
    assert sha256(home / "corridors.duckdb") == before
    assert not list(home.glob("corridors.duckdb.building-*"))  # its work file is gone


def test_yaml_problems_do_not_speak_of_sheets(home, tmp_path):
    lens = tmp_path / "lenses.yaml"
    lens.write_text("lenses:\n  - id: mine\n    title: Mine\n    south: {income_groups: [L, XX]}\n")
    proc = corridors("ssm", "summary", "--lens", "mine", "--lens-file", str(lens), home=home)
    err = one_clear_message(proc, str(lens), "lens 'mine'", "'XX'", "L, LM, UM, H")
    assert "sheet" not in err


# -- helpers -----------------------------------------------------------------------------------

def _mount(target: Path, options: str) -> bool:
    target.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True)
    return proc.returncode == 0


@pytest.fixture(autouse=True)
def _unmount(tmp_path):
    yield
    for path in (tmp_path / "tiny", tmp_path / "locked"):
        if path.is_mount():
            subprocess.run(["umount", str(path)], capture_output=True)


def _tiny_disk(tmp_path: Path) -> Path:
    """A folder on a file system with (almost) no free space: a small tmpfs, filled."""
    tiny = tmp_path / "tiny"
    if os.geteuid() != 0 or not _mount(tiny, "size=256k"):
        pytest.skip("needs root to mount a small tmpfs that fills up")
    with contextlib.suppress(OSError), open(tiny / "filler", "wb", buffering=0) as filler:
        while True:
            filler.write(b"\0" * 4096)
    return tiny


def _unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot write to: read-only mode bits, or for root (which ignores
    them) a read-only tmpfs."""
    locked = tmp_path / "locked"
    if os.geteuid() != 0:
        locked.mkdir()
        locked.chmod(0o500)
        return locked
    if not _mount(locked, "ro,size=64k"):
        pytest.skip("root ignores permissions and cannot mount a read-only tmpfs here")
    return locked
