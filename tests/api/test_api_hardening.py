"""The server cannot be poisoned or exhausted through its response cache, and its answers never
show a traceback, a file path or a huge echo of bad input (issue 12).

Each app here is created fresh (its own cache) over the store built from the mirror."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from corridors import settings as settings_module
from corridors.api.cache import ResponseCache
from corridors.api.main import create_app
from corridors.api.security import without_paths
from corridors.web import excel


def _cache(app) -> ResponseCache:
    layer = app.middleware_stack
    while layer is not None and not isinstance(layer, ResponseCache):
        layer = getattr(layer, "app", None)
    assert layer is not None, "no response cache in the app"
    return layer


@pytest.fixture
def fresh(built_store: Path):
    def make(**settings) -> TestClient:
        if settings:
            settings_module.use(settings_module.Settings(**settings))
        return TestClient(create_app(built_store), raise_server_exceptions=False)
    return make


def test_two_accept_headers_do_not_poison_the_cache(fresh):
    with fresh() as client:
        mixed = client.get("/api/v1/countries", headers=[("accept", "text/csv"),
                                                         ("accept", "application/json")])
        plain = client.get("/api/v1/countries")
        assert plain.headers["content-type"].startswith("application/json")
        assert plain.json()["items"]
        # the answer and its cached copy agree: asked again, the mixed request gets what it got
        again = client.get("/api/v1/countries", headers=[("accept", "text/csv"),
                                                         ("accept", "application/json")])
        assert again.headers["content-type"] == mixed.headers["content-type"]
        assert again.content == mixed.content
        csv = client.get("/api/v1/countries", headers={"accept": "text/csv"})
        assert csv.headers["content-type"].startswith("text/csv")
        assert client.get("/api/v1/countries").headers["content-type"].startswith(
            "application/json")
        preferred = client.get("/api/v1/countries",
                               headers={"accept": "application/json;q=0.5, text/csv"})
        assert preferred.headers["content-type"].startswith("text/csv")


def test_forged_host_never_reaches_next_links(fresh):
    with fresh() as client:
        forged = client.get("/api/v1/stocks", params={"destination": "KEN", "limit": 2},
                            headers={"host": "evil.example:666"})
        assert "evil" not in forged.text
        plain = client.get("/api/v1/stocks", params={"destination": "KEN", "limit": 2})
        following = plain.json()["next"]
        assert following.startswith("/api/v1/stocks?") and "evil" not in following
        assert "offset=2" in following and "destination=KEN" in following
        assert client.get(following).json()["offset"] == 2
        as_csv = client.get("/api/v1/stocks", params={"destination": "KEN", "limit": 2,
                                                      "format": "csv"},
                            headers={"host": "evil.example:666"})
        assert as_csv.headers["link"].startswith("</api/v1/stocks?")


def test_unknown_query_parameters_are_refused_and_not_cached(fresh):
    with fresh() as client:
        client.get("/api/v1/countries")
        cache = _cache(client.app)
        before = (len(cache.entries), cache.size)
        for i in range(44):
            answer = client.get("/explore.csv", params={"cachebust": i})
            assert answer.status_code == 422
        message = answer.json()["message"]
        assert "'cachebust'" in message
        assert "origin" in message and "destination" in message and "edition" in message
        assert (len(cache.entries), cache.size) == before
        api = client.get("/api/v1/stocks", params={"destination": "KEN", "bust": 1})
        assert api.status_code == 422 and "'bust'" in api.json()["message"]
        page = client.get("/", params={"yaer": 2020})
        assert page.status_code == 422 and "yaer" in page.text and "year" in page.text


def test_cache_is_bounded_in_bytes(fresh, built_home):
    with fresh(home=built_home, cache_mb=2) as client:
        client.get("/api/v1/countries")
        cache = _cache(client.app)
        for offset in range(0, 20_000, 1000):  # pages of about half a megabyte
            assert client.get("/api/v1/corridors", params={"offset": offset, "limit": 1000}
                              ).status_code == 200
            assert cache.size <= 2 * 1024 * 1024
        assert len(cache.entries) >= 2  # it still keeps what fits
        assert cache.size == sum(cache._cost(k, e[1], e[2]) for k, e in cache.entries.items())
        newest = next(reversed(cache.entries))
        assert newest == ("/api/v1/corridors", "limit=1000&offset=19000", "json", "en")
        assert ("/api/v1/corridors", "limit=1000&offset=0", "json", "en") not in cache.entries
    with fresh(home=built_home, cache_mb=0) as client:
        client.get("/api/v1/countries")
        assert len(_cache(client.app).entries) == 0


def test_workbook_is_built_once_per_content(fresh):
    with fresh() as client:
        assert client.get("/explore.xlsx", params={"destination": "KEN", "bust": 1}
                          ).status_code == 422
        excel._kept.clear()  # other tests may have asked for this very workbook already
        kept = len(excel._kept)
        first = client.get("/explore.xlsx", params={"destination": "KEN", "year": 2020})
        assert first.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(first.content))
        assert book["corridors"].max_row > 1
        same = client.get("/explore.xlsx", params={"destination": "404", "year": 2020})
        assert same.content == first.content  # the same table asked in other words: one build
        assert len(excel._kept) == min(kept + 1, excel.KEPT)


def test_head_works_where_get_does(fresh):
    with fresh() as client:
        for path in ("/api/v1/countries", "/", "/explore.csv?destination=KEN", "/openapi.json",
                     "/static/app.css"):
            get = client.get(path)
            head = client.head(path)
            assert head.status_code == get.status_code == 200, path
            assert head.content == b""
            assert head.headers["content-type"] == get.headers["content-type"]


def test_bad_input_is_quoted_briefly(fresh):
    with fresh() as client:
        huge = "A" * 60_000  # as long as a client sends
        answer = client.get("/api/v1/stocks", params={"origin": huge})
        assert answer.status_code == 422
        assert len(answer.content) < 2_000
        assert "60,000 characters" in answer.json()["message"]
        lens = client.get("/api/v1/summary", params={"lens": "x" * 5000})
        assert lens.status_code == 422 and len(lens.content) < 2_000


def test_no_file_path_or_traceback_in_answers(tmp_path):
    missing = tmp_path / "secret-home" / "corridors.duckdb"
    with TestClient(create_app(missing), raise_server_exceptions=False) as client:
        for path in ("/api/v1/countries", "/", "/explore.json"):
            answer = client.get(path)
            assert answer.status_code == 503
            assert "secret-home" not in answer.text and str(tmp_path) not in answer.text
            assert "corridors build" in answer.text
    damaged = tmp_path / "private-folder" / "corridors.duckdb"
    damaged.parent.mkdir()
    damaged.write_bytes(b"not a database at all" * 1000)
    with TestClient(create_app(damaged), raise_server_exceptions=False) as client:
        for path in ("/api/v1/countries", "/"):
            answer = client.get(path)
            assert answer.status_code in (422, 500, 503)
            assert "Traceback" not in answer.text and "File \"" not in answer.text
            assert "private-folder" not in answer.text and str(tmp_path) not in answer.text


def test_paths_cut_to_file_names():
    assert without_paths("no store at /home/ana/.local/share/corridors/corridors.duckdb. Run") \
        == "no store at corridors.duckdb. Run"
    assert without_paths("see https://example.org/a/b and /api/v1/stocks") == \
        "see https://example.org/a/b and /api/v1/stocks"
    assert without_paths("bad lens in /tmp/x/lenses.yaml") == "bad lens in lenses.yaml"
    assert without_paths(r"file C:\Users\ana\lenses.yaml: bad") == "file lenses.yaml: bad"
