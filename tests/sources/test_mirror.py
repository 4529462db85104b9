"""A mirror is something a user can make: `corridors mirror DIR` writes the pulled files laid out
like the publishers' sites, and a fresh home pulls from it (with no reference/ beside it) and
builds the same store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from corridors.cli.main import app
from corridors.sources import cache, registry
from corridors.store import connect


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_mirror_written_from_a_pull_is_pulled_from_and_builds(tmp_path: Path, mirror: Path,
                                                              built_home: Path, built_store: Path):
    stick = tmp_path / "usb" / "sources"  # nothing beside it: no reference/, no oracles/
    result = _run("--home", str(built_home), "mirror", str(stick))
    assert result.exit_code == 0, result.output
    assert "Offline: `corridors --mirror" in result.output
    written = sorted(str(p.relative_to(stick)) for p in stick.rglob("*") if p.is_file())
    assert "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv" in written
    assert "world-bank/API_NY.GNP.PCAP.CD_DS2_en_csv_v2_1519779.csv" in written
    assert not any(p.startswith("reference") or p.endswith(".part") for p in written)
    for rel in written:  # the same layout and bytes as the mirror the files came from
        assert (stick / rel).read_bytes() == (mirror / rel).read_bytes(), rel
    assert not list(stick.parent.glob("reference"))

    home = tmp_path / "fresh"
    result = _run("--home", str(home), "--mirror", str(stick), "pull")
    assert result.exit_code == 0, result.output
    result = _run("--home", str(home), "build")
    assert result.exit_code == 0, result.output
    result = _run("--home", str(home), "sources", "--format", "json")
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["curated-reference"]["state"] == "pulled"
    assert "corridors/reference" in rows["curated-reference"]["fetched_from"]
    assert rows["ims2020-bilateral-long"]["fetched_from"].startswith(str(stick.resolve()))

    query = "SELECT edition, sum(value) FROM migrant_stock WHERE sex = 'total' GROUP BY ALL ORDER BY 1"
    a, b = connect(home / "corridors.duckdb"), connect(built_store)
    try:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        members = "SELECT count(*) FROM rec_membership"
        assert a.execute(members).fetchone() == b.execute(members).fetchone() != (0,)
    finally:
        a.close()
        b.close()


def test_mirror_before_any_pull_says_what_to_do(tmp_path: Path):
    result = _run("--home", str(tmp_path / "empty"), "mirror", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "corridors pull" in str(result.exception)


def test_mirror_into_a_file_is_refused(tmp_path: Path, built_home: Path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = _run("--home", str(built_home), "mirror", str(target))
    assert result.exit_code != 0 and "is a file" in str(result.exception)


def test_a_missing_mirror_folder_is_named_with_what_to_do(tmp_path: Path):
    result = _run("--home", str(tmp_path), "--mirror", str(tmp_path / "no-such-stick"), "pull")
    assert result.exit_code != 0
    message = str(result.exception)
    assert "no-such-stick does not exist" in message and "corridors mirror" in message
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_mirror_copy_missing_one_required_file_names_it(tmp_path: Path, mirror: Path):
    stick = tmp_path / "sources"
    shutil.copytree(mirror / "world-bank", stick / "world-bank")
    (stick / "world-bank" / "OGHIST.xlsx").unlink()
    result = _run("--home", str(tmp_path / "h"), "--mirror", str(stick), "pull", "wb-oghist")
    assert result.exit_code != 0
    assert "world-bank/OGHIST.xlsx is not in the mirror" in str(result.exception)
    assert cache.Provenance.read(cache.folder_for(registry()["wb-oghist"])) is None


def test_the_installed_command_prints_the_missing_folder_whole(tmp_path: Path):
    """Through the real entry point: one message, non-zero exit, brackets in the path kept."""
    import subprocess
    import sys

    missing = tmp_path / "stick[usb]" / "sources"
    command = Path(sys.executable).parent / "corridors"
    run = subprocess.run([str(command), "--home", str(tmp_path / "h"), "--mirror", str(missing), "pull"],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "300"})
    assert run.returncode != 0
    assert f"error: the mirror folder {missing} does not exist" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
