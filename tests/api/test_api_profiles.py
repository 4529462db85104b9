"""Country and corridor profiles over HTTP: the analytics' answer, consistent with /stocks and the
published totals."""

from __future__ import annotations

import pytest

from corridors.analytics.lenses import get_lens
from corridors.analytics.profiles import country_profile
from corridors.api.schemas import CorridorProfilePublic, CountryProfilePublic


def test_country_profile_by_iso3_and_m49(client, store_con):
    body = client.get("/api/v1/countries/KEN/profile", params={"year": 2020}).json()
    CountryProfilePublic.model_validate(body)
    assert client.get("/api/v1/countries/404/profile", params={"year": 2020}).json() == body
    expected = country_profile(store_con, "KEN", year=2020, lens=get_lens("wb-lmic"))
    assert (body["immigrants"], body["emigrants"]) == (expected.immigrants, expected.emigrants)
    assert body["sources"] and all(s["licence"] for s in body["sources"])


def test_country_profile_agrees_with_stocks_route(client):
    profile = client.get("/api/v1/countries/ZAF/profile", params={"year": 2015}).json()
    immigrants = client.get("/api/v1/stocks", params={"destination": "ZAF", "year": 2015})
    emigrants = client.get("/api/v1/stocks", params={"origin": "ZAF", "year": 2015})
    assert profile["immigrants"] == immigrants.json()["items"][0]["value"]
    assert profile["emigrants"] == emigrants.json()["items"][0]["value"]


def test_country_profile_csv_is_the_trend(client):
    response = client.get("/api/v1/countries/KEN/profile", params={"format": "csv"})
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("year,immigrants")
    assert len(lines) == 1 + 7


def test_corridor_profile_trend_equals_stocks(client):
    body = client.get("/api/v1/corridors/SOM/KEN").json()
    CorridorProfilePublic.model_validate(body)
    stocks = client.get("/api/v1/stocks", params={"origin": "SOM", "destination": "KEN"}).json()
    assert [(t["year"], t["total"]) for t in body["trend"]] == [
        (r["year"], r["value"]) for r in stocks["items"]]
    assert body["contiguous"] is True


@pytest.mark.parametrize("path", ["/api/v1/countries/QQQ/profile", "/api/v1/corridors/KEN/QQQ"])
def test_unknown_country_is_422(client, path):
    response = client.get(path)
    assert response.status_code == 404  # a well-formed code of no country in the store
    assert "expected" in response.json()["message"]
