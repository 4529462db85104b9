"""Summaries, regional and contiguity shares, top corridors and the corridor table: each route
answers what ``corridors.analytics`` answers, with its sources."""

from __future__ import annotations

import csv
import io
import json

import pytest

from corridors.analytics import regions
from corridors.analytics.corridors import corridor_table
from corridors.analytics.lenses import BUILTIN, get_lens
from corridors.api.schemas import (
    CategoryPublic,
    ContiguityPublic,
    CorridorPublic,
    GroupSharePublic,
    Page,
    TopCorridorPublic,
)


@pytest.mark.parametrize("lens", list(BUILTIN))
def test_summary_equals_analytics_and_shares_add_up(client, store_con, lens):
    body = client.get("/api/v1/summary", params={"lens": lens, "year": 2020}).json()
    Page[CategoryPublic].model_validate(body)
    expected = regions.category_summary(store_con, lenses=get_lens(lens), years=2020)
    assert {r["category"]: r["value"] for r in body["items"]} == dict(
        zip(expected["category"], expected["value"], strict=True))
    assert sum(r["share"] for r in body["items"]) == pytest.approx(1.0)
    ids = {s["source_id"] for s in body["sources"]}
    assert any("oghist" in i or "income" in i for i in ids), ids  # the lens's classification
    assert any(s["edition"] == "ims2020" for s in body["sources"])


def test_summary_all_years_has_four_categories_per_year(client):
    body = client.get("/api/v1/summary", params={"lens": "wb-non-high"}).json()
    years = sorted({r["year"] for r in body["items"]})
    assert years == [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    assert len(body["items"]) == 4 * len(years)


def test_unknown_lens_is_404_listing_the_lenses(client):
    response = client.get("/api/v1/summary", params={"lens": "global-south"})
    assert response.status_code == 404
    assert "wb-lmic" in response.json()["message"]


def test_regional_shares_per_continent(client, store_con):
    body = client.get("/api/v1/regions", params={"grouping": "continent", "year": 2020}).json()
    Page[GroupSharePublic].model_validate(body)
    groups = {r["group"]: r for r in body["items"]}
    assert "Africa" in groups
    expected = regions.intra_group_shares(store_con, "continent", years=2020)
    africa = expected.filter(expected["group"] == "Africa").to_dicts()[0]
    assert groups["Africa"]["origin_view_share"] == pytest.approx(africa["origin_view_share"])
    assert 0 < groups["Africa"]["destination_view_share"] < 1


def test_regional_shares_for_communities(client):
    body = client.get("/api/v1/regions", params={"grouping": "rec", "year": 2020}).json()
    assert any("ECOWAS" in (r["group"], str(r["group_code"])) for r in body["items"])


def test_contiguity_share(client, store_con):
    body = client.get("/api/v1/contiguity", params={"lens": "wb-lmic", "year": 2020}).json()
    Page[ContiguityPublic].model_validate(body)
    expected = regions.contiguity_share(store_con, lenses=get_lens("wb-lmic"), years=2020)
    assert body["items"][0]["share_contiguous"] == pytest.approx(
        expected["share_contiguous"][0])
    assert any("border" in s["source_id"] or "geodist" in s["source_id"]
               for s in body["sources"])


def test_top_corridors_are_south_south_and_ranked(client):
    body = client.get("/api/v1/top-corridors", params={
        "lens": "wb-lmic", "year": 2020, "category": "south-south", "n": 5}).json()
    Page[TopCorridorPublic].model_validate(body)
    rows = body["items"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["category"] == "south-south" for r in rows)
    assert [r["stock"] for r in rows] == sorted((r["stock"] for r in rows), reverse=True)


def test_top_corridors_n_is_bounded(client):
    assert client.get("/api/v1/top-corridors", params={"n": 1000}).status_code == 422


def test_corridor_table_rows_equal_analytics(client, store_con):
    body = client.get("/api/v1/corridors", params={"destination": "KEN", "year": 2020,
                                                   "limit": 5}).json()
    Page[CorridorPublic].model_validate(body)
    expected = corridor_table(store_con, years=2020, sex="total", destination="KEN")
    assert body["total"] == expected.height
    assert [r["origin"] for r in body["items"]] == expected["origin"].head(5).to_list()
    assert body["next"] and "offset=5" in body["next"]


def test_lenses_are_listed_with_citations(client):
    body = client.get("/api/v1/lenses").json()
    ids = [r["lens"] for r in body["items"]]
    assert ids[:4] == ["wb-lmic", "wb-non-high", "un-developing", "gfmd-2018"]
    assert all(r["citation"] for r in body["items"])


def test_corridor_table_csv_writes_list_cells_as_json(client):
    response = client.get("/api/v1/corridors", params={
        "origin": "BFA", "destination": "CIV", "year": 2020, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    assert "ECOWAS" in json.loads(rows[0]["shared_recs"])
