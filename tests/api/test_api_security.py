"""Security basics: read-only store, headers on every response, bounded inputs, no stack traces,
the OpenAPI schema, and a rebuilt store picked up without a restart."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from fastapi.testclient import TestClient
from small_store import make_small_store

from corridors.api.deps import Store
from corridors.api.main import create_app
from corridors.api.security import HEADERS


@pytest.mark.parametrize("path", ["/api/v1/stocks", "/", "/sources", "/api/v1/nothing",
                                  "/api/v1/stocks?year=x", "/static/app.css", "/openapi.json"])
def test_security_headers_everywhere(small_client, path):
    response = small_client.get(path)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_unexpected_error_is_a_generic_500_without_traceback(small_store):
    app = create_app(small_store)

    def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json() == {"message": "internal error: the server log has the details"}
    assert response.headers["x-frame-options"] == "DENY"


def test_store_is_opened_read_only(small_store):
    store = Store(small_store)
    cursor = store.cursor()
    with pytest.raises(duckdb.Error, match="read-only"):
        cursor.execute("DELETE FROM migrant_stock")
    store.close()


def test_no_store_is_503_with_what_to_run(tmp_path):
    with TestClient(create_app(tmp_path / "none.duckdb"), raise_server_exceptions=False) as c:
        response = c.get("/api/v1/stocks")
    assert response.status_code == 503
    assert "corridors build" in response.json()["message"]


def test_rebuilt_store_is_picked_up(tmp_path, small_store):
    path = tmp_path / "live.duckdb"
    shutil.copy(small_store, path)
    with TestClient(create_app(path)) as client:
        before = client.get("/api/v1/stocks", params={"year": 2020}).json()["items"][0]["value"]
        fresh = make_small_store(tmp_path / "next.duckdb")
        con = duckdb.connect(str(fresh))
        con.execute("UPDATE migrant_stock SET value = value * 2")
        con.close()
        fresh.replace(path)  # what `corridors build` does: a new file swapped in
        after = client.get("/api/v1/stocks", params={"year": 2020}).json()["items"][0]["value"]
    assert after == 2 * before == 2 * 3380


def test_openapi_schema_documents_stock_filters(small_client):
    schema = small_client.get("/openapi.json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/stocks"]["get"]["parameters"]}
    assert {"origin", "destination", "year", "sex", "edition", "limit", "offset",
            "format"} <= params
    for path in ("/api/v1/countries", "/api/v1/summary", "/api/v1/regions",
                 "/api/v1/contiguity", "/api/v1/top-corridors", "/api/v1/corridors",
                 "/api/v1/countries/{code}/profile", "/api/v1/corridors/{origin}/{destination}",
                 "/api/v1/sources", "/api/v1/groupings/{grouping}", "/api/v1/lenses"):
        assert path in schema["paths"], path
    limit = next(p for p in schema["paths"]["/api/v1/stocks"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 1000


def test_small_store_figures(small_client):
    """Hand-computed on our constructed rows: Kenya's immigrants in 2020 are 300 (UGA) + 2400
    (SOM) + 70 (GBR) + 10 (unknown) = 2780."""
    body = small_client.get("/api/v1/stocks", params={"destination": "KEN", "year": 2020}).json()
    assert body["items"][0]["value"] == 2780
    summary = small_client.get("/api/v1/summary", params={"year": 2020}).json()["items"]
    south_south = next(r for r in summary if r["category"] == "south-south")
    assert south_south["value"] == 2700 and south_south["share"] == pytest.approx(2700 / 3370)
