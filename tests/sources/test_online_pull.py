"""Online pull, end to end: every required source from its direct address on the publisher's
site, served by a real HTTP server on 127.0.0.1 that holds each file at its URL's path (the
mirror's copy where it has the publisher's layout, a constructed one where it does not). Nothing
else reaches the network."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from publisher_files import publisher_site, url_path
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app
from corridors.errors import SourceError
from corridors.sources import cache, get, registry
from corridors.sources.pull import pull_source
from corridors.store import connect

#: Sources no publisher offers as a file: optional, taken from a mirror when it has them.
NO_DIRECT_FILE = {
    "m49-methodology": "an older UNSD export; UNSD no longer publishes the Developed/Developing column",
    "ims2019-bilateral-wide": "a derived CSV; corridors has no reader yet for the official 2019 workbook",
    "wb-rpw-filtered": "a third party's partial extract of Remittance Prices Worldwide",
}


def _json_sources() -> list[dict]:
    result = CliRunner().invoke(app, ["sources", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_file_of_every_required_source_has_a_direct_address():
    lacking, rows = set(), _json_sources()
    for row in rows:
        assert {"id", "required", "files"} <= row.keys() and row["files"]
        assert all({"name", "url"} <= f.keys() for f in row["files"])
        direct = [f["url"] and urlsplit(f["url"]).scheme in ("http", "https") and urlsplit(f["url"]).netloc
                  and not f["url"].endswith("/") for f in row["files"]]
        if not all(direct) and not row["shipped"] and not row["alternate_of"]:
            lacking.add(row["id"])
    required = {r["id"] for r in rows if r["required"]}
    assert lacking == set(NO_DIRECT_FILE) and not lacking & required


def _online_sources() -> list:
    chosen = [s for s in registry().values() if s.required and not s.shipped]
    return chosen + [get("wdi-gdp")]  # optional, pulled by id: the GDP ZIP of the WDI API


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(mirror: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real HTTP server on 127.0.0.1 laid out like the publishers' sites."""
    root = publisher_site(_online_sources(), mirror, tmp_path_factory.mktemp("site") / "www")
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


@pytest.fixture
def local_addresses(site, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every registry address at the local server, keeping its path and query."""
    base, _ = site
    for source in registry().values():
        for file in source.files:
            if file.url:
                parts = urlsplit(file.url)
                local = urlunsplit(urlsplit(base)._replace(path=parts.path, query=parts.query))
                monkeypatch.setattr(file, "url", local)
    return base


def test_online_pull_then_build_answers_like_the_mirror(tmp_path: Path, mirror: Path, built_store: Path,
                                                     local_addresses: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CORRIDORS_MIRROR", raising=False)  # online: no mirror anywhere
    home = tmp_path / "home"
    runner = CliRunner()
    result = runner.invoke(app, ["--home", str(home), "pull"])
    assert result.exit_code == 0, result.output
    required = [s for s in registry().values() if s.required or s.shipped]
    assert f"pull: {len(required)} pulled, 0 already up to date" in " ".join(result.output.split())
    for source_id in NO_DIRECT_FILE:
        assert f"skipped {source_id}: optional; only in a mirror" in " ".join(result.output.split())
    result = runner.invoke(app, ["--home", str(home), "pull", "wdi-gdp"])  # optional: by id
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--home", str(home), "build"])
    assert result.exit_code == 0, result.output

    settings_module.use(settings_module.Settings(home=home))
    bilateral = cache.Provenance.read(cache.folder_for(get("ims2020-bilateral")))
    assert bilateral.files[0].fetched_from.startswith(local_addresses)
    assert bilateral.files[0].fetched_from.endswith(
        "/files/undesa_pd_2020_ims_stock_by_sex_destination_and_origin.xlsx")
    gni = cache.Provenance.read(cache.folder_for(get("wdi-gni-per-capita"))).files[0]
    assert gni.fetched_from.endswith("/v2/en/indicator/NY.GNP.PCAP.CD?downloadformat=csv"
                                     "#API_NY.GNP.PCAP.CD_DS2_en_csv_v2_1519779.csv")
    assert gni.verified and gni.mirror_path == "world-bank/API_NY.GNP.PCAP.CD_DS2_en_csv_v2_1519779.csv"
    gdp = cache.Provenance.read(cache.folder_for(get("wdi-gdp"))).files
    assert [f.mirror_path for f in gdp] == [
        "world-bank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv",
        "world-bank/Metadata_Country_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv"]
    assert not any(f.verified for f in gdp)  # another release than the registry knows: recorded

    query = """SELECT source_id, edition, year, sex, value FROM migrant_stock
               WHERE origin = 'VEN' AND destination = 'COL' AND edition IN ('ims2020', 'ims2015')
               ORDER BY edition, year, sex"""
    online, offline = connect(home / "corridors.duckdb"), connect(built_store)
    try:
        got, want = online.execute(query).fetchall(), offline.execute(query).fetchall()
        assert [r[1:] for r in got] == [r[1:] for r in want] and got
        editions = {r[1]: r[0] for r in got}
        assert editions["ims2020"] == "ims2020-bilateral"  # the official workbook was read
        assert {r[0] for r in want if r[1] == "ims2020"} == {"ims2020-bilateral-long"}
        totals = "SELECT sum(value) FROM migrant_stock WHERE edition = 'ims2020' AND year = 2020 AND sex = 'total'"
        assert online.execute(totals).fetchone() == offline.execute(totals).fetchone()
        dyads = "SELECT count(*), sum(distw) FROM dyads"
        assert online.execute(dyads).fetchone() == offline.execute(dyads).fetchone()
    finally:
        online.close()
        offline.close()


def test_an_archive_without_the_registered_member_is_refused(tmp_path: Path, site, local_addresses: str):
    _, root = site
    source = get("wdi-remittances-paid")
    other = tmp_path / "other.zip"
    import zipfile

    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("API_SOMETHING_ELSE.csv", "x")
    served = url_path(root, source.primary.url)
    saved = served.read_bytes()
    served.write_bytes(other.read_bytes())
    try:
        settings_module.use(settings_module.Settings(home=tmp_path / "h", mirror=None, download_retries=1))
        with pytest.raises(SourceError, match="expected exactly one file matching API_BM"):
            pull_source(source)
    finally:
        served.write_bytes(saved)
    assert not cache.path_for(source).exists()
