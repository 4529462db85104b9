"""/api/v1/stocks on the store built from the mirror: the same answers as ``stock()`` and the
published totals, in JSON and CSV, with sources, pagination and 422s that say what was expected."""

from __future__ import annotations

import csv
import io

import pytest

from corridors.analytics.stocks import stock
from corridors.api.schemas import Page, StockPublic

#: WORLD total of Table 1, IMS 2020 destination workbook (printed in the mirror's manifest).
WORLD_2020 = 280_598_105


def test_world_total_2020_is_the_published_total(client):
    body = client.get("/api/v1/stocks", params={"year": 2020}).json()
    assert [row["value"] for row in body["items"]] == [WORLD_2020]
    row = body["items"][0]
    assert (row["origin"], row["destination"], row["year"], row["sex"]) == (
        "ALL", "ALL", 2020, "total")
    assert row["edition"] == "ims2020"
    Page[StockPublic].model_validate(body)


def test_same_filters_as_stock_function(client, store_con):
    body = client.get("/api/v1/stocks", params={"origin": "UGA", "destination": "KEN"}).json()
    expected = stock(store_con, origin="UGA", destination="KEN")
    assert [(r["year"], r["value"]) for r in body["items"]] == list(
        zip(expected["year"].to_list(), expected["value"].to_list(), strict=True))
    assert len(body["items"]) == 7  # 1990, 1995, ..., 2020


def test_m49_and_iso3_give_the_same_answer(client):
    by_iso3 = client.get("/api/v1/stocks", params={"origin": "SOM", "destination": "KEN",
                                                   "year": 2020}).json()["items"]
    by_m49 = client.get("/api/v1/stocks", params={"origin": "706", "destination": "404",
                                                  "year": 2020}).json()["items"]
    assert by_iso3 == by_m49
    assert by_iso3[0]["value"] > 100_000


def test_destination_total_matches_published_table_1(client, store_con):
    published = store_con.execute(
        "SELECT value FROM migrant_stock_totals WHERE edition = 'ims2020' AND view = "
        "'destination' AND iso3 = 'KEN' AND year = 2020 AND sex = 'total'").fetchone()[0]
    body = client.get("/api/v1/stocks", params={"destination": "KEN", "year": 2020}).json()
    assert body["items"][0]["value"] == round(published)


def test_women_plus_men_equal_both_sexes(client):
    values = {}
    for sex in ("total", "female", "male"):
        items = client.get("/api/v1/stocks", params={"origin": "IND", "destination": "ARE",
                                                     "year": 2020, "sex": sex}).json()["items"]
        values[sex] = items[0]["value"]
    assert values["female"] + values["male"] == values["total"]


def test_every_response_names_source_edition_licence(client, store_con):
    body = client.get("/api/v1/stocks", params={"destination": "KEN"}).json()
    provenance = {r[0]: r for r in store_con.execute(
        "SELECT source_id, edition, licence, sha256 FROM provenance").fetchall()}
    named = {s["source_id"] for s in body["sources"]}
    assert {r["source"] for r in body["items"]} <= named
    for source in body["sources"]:
        assert (source["source_id"], source["edition"], source["licence"], source["sha256"]) == \
            provenance[source["source_id"]]
        assert source["licence"]


def test_csv_by_parameter_and_by_accept_header(client):
    params = {"origin": "BFA", "destination": "CIV"}
    json_rows = client.get("/api/v1/stocks", params=params).json()["items"]
    by_param = client.get("/api/v1/stocks", params={**params, "format": "csv"})
    by_accept = client.get("/api/v1/stocks", params=params, headers={"Accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.headers["content-type"].startswith("text/csv")
        assert "CC BY" in response.headers["x-corridors-sources"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(int(r["year"]), int(r["value"])) for r in rows] == [
            (r["year"], r["value"]) for r in json_rows]
        assert all(r["licence"] for r in rows)


def test_pagination_walks_every_row_once(client):
    seen = []
    url = "/api/v1/stocks?destination=KEN&limit=3"
    while url:
        body = client.get(url).json()
        assert body["total"] == 7 and body["limit"] == 3
        seen += [r["year"] for r in body["items"]]
        url = body["next"]
    assert seen == [1990, 1995, 2000, 2005, 2010, 2015, 2020]


@pytest.mark.parametrize(("params", "words"), [
    ({"year": "abc"}, ["year", "integer", "abc"]),
    ({"origin": "ZZZ"}, ["origin", "expected", "ISO3", "M49", "ZZZ"]),
    ({"destination": "99999"}, ["destination", "expected", "99999"]),
    ({"limit": 5000}, ["limit", "1000"]),
    ({"sex": "both"}, ["sex", "total", "male", "female"]),
    ({"edition": "ims1999"}, ["edition", "expected", "ims2020"]),
    ({"year": 1991}, ["1991", "1990", "2020"]),
    ({"origin": "KEN' OR 1=1 --"}, ["origin", "expected"]),
])
def test_bad_input_is_422_saying_what_was_expected(client, params, words):
    response = client.get("/api/v1/stocks", params=params)
    # a value of the right form naming nothing the store holds (a code, an edition, a year of
    # the edition) answers 404; a value of the wrong form 422
    unknown = params in ({"origin": "ZZZ"}, {"destination": "99999"}, {"edition": "ims1999"},
                         {"year": 1991})
    assert response.status_code == (404 if unknown else 422)
    message = response.json()["message"]
    for word in words:
        assert word in message, message
