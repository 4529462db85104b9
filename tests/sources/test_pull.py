"""Pulling publications: from the mirror, from a real HTTP server, and refusing bad files."""

from __future__ import annotations

import fnmatch
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app
from corridors.errors import SourceError
from corridors.sources import cache, get, registry
from corridors.sources.pull import ChecksumError, find_in_mirror, pull, pull_source
from corridors.sources.registry import Source, SourceFile


def _use(home: Path, mirror: Path | None, **more) -> None:
    settings_module.reset()
    settings_module.use(settings_module.Settings(home=home, mirror=mirror, **more))


def test_registry_covers_every_manifest_file(mirror: Path):
    """Every data file in the mirror's MANIFEST is in the registry, with its checksum."""
    paths = [c for s in registry().values() for f in s.files for c in f.mirror_paths()]
    data_files = [p for p in mirror.rglob("*") if p.is_file() and p.suffix.lower() in
                  {".csv", ".xlsx", ".pdf", ".json"}]
    missing = [str(p.relative_to(mirror)) for p in data_files
               if not any(fnmatch.fnmatchcase(str(p.relative_to(mirror)), c.path) for c in paths)]
    assert missing == []
    for copy in paths:
        if copy.sha256 and (mirror / copy.path).is_file():
            assert copy.sha256 == cache.sha256_of(mirror / copy.path), copy.path
    for source in registry().values():
        for file in source.files:
            found = find_in_mirror(file, mirror)
            if found and found[2] is None:  # only another release of a renamed file goes unverified
                assert any(ch in c.path for c in file.also for ch in "*?"), file.name


def test_pull_from_mirror_records_provenance(tmp_path: Path, mirror: Path):
    _use(tmp_path, mirror)
    result = pull_source(get("ims2020-destination"))
    assert result.status == "pulled"
    prov = cache.Provenance.read(cache.folder_for(get("ims2020-destination")))
    assert prov.edition == "ims2020" and prov.licence == "CC BY 3.0 IGO"
    assert prov.files[0].sha256.startswith("9f7312f343776f57")
    assert prov.files[0].verified is True
    assert prov.files[0].fetched_from.endswith("undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")
    assert pull_source(get("ims2020-destination")).status == "up to date"


def test_pull_all_skips_optional_files_absent_from_mirror(tmp_path: Path, mirror: Path):
    _use(tmp_path, mirror)
    results = {r.source_id: r for r in pull()}
    assert results["ims2020-bilateral"].status == "skipped"
    assert "its alternate ims2020-bilateral-long is used instead" in results["ims2020-bilateral"].detail
    assert results["ims2020-bilateral-long"].status == "pulled"
    for sid, r in results.items():
        if get(sid).required:
            assert r.status == "pulled" or "its alternate" in r.detail, (sid, r)


def _bad_mirror(tmp_path: Path, mirror: Path, content: bytes) -> Path:
    fake = tmp_path / "bad-mirror"
    target = fake / get("wb-oghist").primary.mirror
    target.parent.mkdir(parents=True)
    target.write_bytes(content)
    return fake


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated"])
def test_checksum_mismatch_keeps_the_previous_file(tmp_path: Path, mirror: Path, content: bytes):
    home = tmp_path / "home"
    _use(home, mirror)
    pull_source(get("wb-oghist"))
    good = cache.path_for(get("wb-oghist")).read_bytes()
    _use(home, _bad_mirror(tmp_path, mirror, content))
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        pull_source(get("wb-oghist"), force=True)
    assert cache.path_for(get("wb-oghist")).read_bytes() == good
    assert not list(cache.folder_for(get("wb-oghist")).glob("*.part"))


def test_cli_pull_checksum_mismatch_exits_non_zero(tmp_path: Path, mirror: Path):
    fake = _bad_mirror(tmp_path, mirror, b"not the OGHIST workbook")
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "--mirror", str(fake),
                                      "pull", "wb-oghist"])
    assert result.exit_code != 0
    assert "checksum mismatch" in str(result.exception)


def test_unknown_source_is_named(tmp_path: Path, mirror: Path):
    _use(tmp_path, mirror)
    with pytest.raises(SourceError.__mro__[1], match="unknown source 'nope'"):
        pull(["nope"])


@pytest.fixture
def http_server(mirror: Path):
    """A real HTTP server on localhost serving the mirror folder, as a publisher would."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(mirror))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _served(source_id: str, base: str, sha: str | None = "registry") -> Source:
    source = get(source_id)
    files = [SourceFile(name=f.name, mirror=f.mirror, url=f"{base}/{f.mirror}",
                        sha256=f.sha256 if sha == "registry" else sha) for f in source.files]
    return source.model_copy(update={"files": files})


def test_download_with_progress_and_checksum(tmp_path: Path, http_server: str):
    _use(tmp_path, None)
    seen = []
    source = _served("m49", http_server)
    result = pull_source(source, progress=lambda sid, name, done, total: seen.append((name, done, total)))
    assert result.status == "pulled"
    last = [(done, total) for name, done, total in seen if name == "m49_overview.csv"][-1]
    assert last[0] == last[1] == cache.path_for(source).stat().st_size
    prov = cache.Provenance.read(cache.folder_for(source))
    assert prov.files[0].fetched_from.startswith(http_server)


def test_download_checksum_mismatch(tmp_path: Path, http_server: str):
    _use(tmp_path, None)
    with pytest.raises(ChecksumError):
        pull_source(_served("m49", http_server, sha="0" * 64))
    assert not cache.path_for(get("m49")).exists()


def test_download_unreachable_says_to_use_a_mirror(tmp_path: Path):
    _use(tmp_path, None, download_retries=1, download_timeout=2.0)
    source = _served("m49", "http://127.0.0.1:9")  # discard port: connection refused
    with pytest.raises(SourceError, match="--mirror"):
        pull_source(source)


def test_sources_command_lists_state(tmp_path: Path, mirror: Path):
    runner = CliRunner()
    runner.invoke(app, ["--home", str(tmp_path), "--mirror", str(mirror), "pull", "m49"])
    result = runner.invoke(app, ["--home", str(tmp_path), "sources", "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["m49"]["state"] == "pulled"
    assert rows["wb-oghist"]["state"] == "missing"
    shutil.rmtree(tmp_path / "cache")
