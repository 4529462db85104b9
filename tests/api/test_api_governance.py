"""Governance over HTTP on the store built from the mirror: every figure is the analytics' answer
(ratifications, instruments, communities, agreements, practices, scorecard and ranking), lists say
how complete they are, "unknown" is never "not ratified", and bad input answers 422."""

from __future__ import annotations

import csv
import io

import pytest

from corridors.analytics import scorecard
from corridors.api.schemas import (
    AgreementPublic,
    CommunityPublic,
    InstrumentPublic,
    PracticePagePublic,
    RankedCorridorPublic,
    RatificationsPublic,
    ScorecardPublic,
)
from corridors.governance import agreements, communities, practices, ratifications
from corridors.governance.instruments import instruments, migrant_specific


def test_ratifications_equal_the_analytics_and_say_how_complete_each_list_is(client):
    body = client.get("/api/v1/ratifications/PHL").json()
    RatificationsPublic.model_validate(body)
    expected = ratifications.load().country("PHL")
    assert body["instruments"] == expected
    assert client.get("/api/v1/ratifications/608").json()["instruments"] == expected  # M49
    icrmw = next(r for r in body["instruments"] if r["instrument"] == "ICRMW")
    assert icrmw["status"] == "in force" and icrmw["list_complete"]  # the UN table is complete
    assert body["lists_complete"] is False and "C097" in body["incomplete_lists"]
    assert "unknown" in body["completeness"] and "ratifications import" in body["how_to_complete"]
    files = {s["file_name"]: s for s in body["sources"]}
    assert {"ilo_ratifications.csv", "un_treaty_parties.csv", "coverage.csv",
            "instruments.yaml"} <= set(files)
    assert all(len(s["sha256"]) == 64 for s in files.values())


def test_absent_from_an_incomplete_list_is_unknown_never_not_ratified(client):
    data = ratifications.load()
    incomplete = [k for k, c in data.coverage.items() if not c.complete and c.known > 0]
    parties = set(data.parties(incomplete[0]))
    absent = next(c for c in ("KEN", "NPL", "BGD", "UGA", "MMR", "LAO") if c not in parties)
    body = client.get(f"/api/v1/ratifications/{absent}", params={"instrument": incomplete[0]})
    row = body.json()["instruments"][0]
    assert (row["status"], row["basis"]) == ("unknown", "absent from an incomplete list")
    assert row["coverage"] == data.coverage[incomplete[0]].text
    statuses = {r["status"] for r in client.get(f"/api/v1/ratifications/{absent}").json()[
        "instruments"] if not r["list_complete"]}
    assert "not ratified" not in statuses


def test_ratifications_csv_is_one_row_per_instrument(client):
    response = client.get("/api/v1/ratifications/PHL",
                          params={"instrument": ["C097", "icrmw"], "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["instrument"] for r in rows] == ["C097", "ICRMW"]
    assert all(r["coverage"] for r in rows)
    assert "reference:ilo_ratifications.csv" in response.headers["X-Corridors-Sources"]


def test_instruments_and_their_list_coverage(client):
    body = client.get("/api/v1/instruments").json()
    assert [r["id"] for r in body["items"]] == list(instruments())
    data = ratifications.load()
    for row in body["items"]:
        InstrumentPublic.model_validate(row)
        assert row["coverage"] == data.coverage[row["id"]].text
        assert row["known"] == len(data.parties(row["id"]))
    assert body["total"] == len(instruments()) and body["sources"]


def test_communities_members_per_year(client):
    body = client.get("/api/v1/communities", params={"year": 2020}).json()
    rows = {r["rec_code"]: r for r in body["items"]}
    memberships = communities.memberships()
    assert len(rows) == 16
    for code in ("ECOWAS", "SADC", "MERCOSUR"):
        CommunityPublic.model_validate(rows[code])
        assert rows[code]["member_codes"] == communities.members(memberships, code, 2020)
        assert rows[code]["members"] == len(rows[code]["member_codes"])
    assert rows["ECOWAS"]["members"] == 15
    assert rows["ECOWAS"]["free_movement_status"] == communities.free_movement()["ECOWAS"].status
    assert {s["file_name"] for s in body["sources"]} >= {"rec_membership.csv",
                                                        "rec_free_movement.csv"}


def test_agreements_with_scores(client):
    body = client.get("/api/v1/agreements").json()
    registry = agreements.registry()
    assert [r["id"] for r in body["items"]] == [a.id for a in registry]
    for row, item in zip(body["items"], registry, strict=True):
        AgreementPublic.model_validate(row)
        assert (row["score"], row["coverage"]) == (item.score()["score"], item.score()["coverage"])
        assert len(row["checklist"]) == 10
    honduras = client.get("/api/v1/agreements", params={"country": "HND"}).json()["items"]
    assert honduras and all("HND" in r["parties"] for r in honduras)
    assert "package:agreements.yaml" in {s["source_id"] for s in body["sources"]}


def test_practice_search_with_facets_and_pages(client):
    params = {"q": "social security", "level": "regional"}
    body = client.get("/api/v1/practices", params=params).json()
    PracticePagePublic.model_validate(body)
    expected = practices.search("social security", level="regional")
    assert [r["id"] for r in body["items"]] == [r["id"] for r in expected]
    assert body["facets"] == practices.facets(expected)
    assert body["items"][0]["score"] >= body["items"][-1]["score"] > 0
    first = client.get("/api/v1/practices", params={**params, "limit": 2}).json()
    assert first["total"] == len(expected) and len(first["items"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["items"]] == [r["id"] for r in expected[2:4]]
    everything = client.get("/api/v1/practices", params={"limit": 1000}).json()
    assert everything["total"] == len(practices.catalogue()) >= 20


def test_practices_of_a_country_include_its_communities(client):
    body = client.get("/api/v1/practices", params={"country": "PHL", "limit": 1000}).json()
    ids = {r["id"] for r in body["items"]}
    asean = {r.id for r in practices.catalogue() if "ASEAN" in r.communities}
    national = {r.id for r in practices.catalogue() if "PHL" in r.countries}
    assert national and asean and ids >= national | asean


def test_scorecard_equals_the_analytics(client, store_con):
    body = client.get("/api/v1/scorecard/NIC/CRI", params={"year": 2020}).json()
    ScorecardPublic.model_validate(body)
    expected = scorecard.scorecard(store_con, "NIC", "CRI", 2020)
    for key in ("corridor", "stock", "trend", "instruments", "communities", "agreements",
                "indicators", "coverage", "lists"):
        assert body[key] == expected[key], key
    assert body["stock"]["value"] == client.get("/api/v1/stocks", params={
        "origin": "NIC", "destination": "CRI", "year": 2020}).json()["items"][0]["value"]
    assert body["category"] == expected["stock"]["categories"]["wb-lmic"]
    assert {i["indicator"] for i in body["indicators"]} == set(body["formulas"]) - {
        "evidenced", "possible", "known_share"}
    assert len(body["instruments"]["origin"]) >= len(migrant_specific())
    ids = {s["source_id"] for s in body["sources"]}
    assert {"curated-reference", "ims2020-bilateral-long", "package:agreements.yaml"} <= ids
    csv_rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/v1/scorecard/NIC/CRI", params={"year": 2020, "format": "csv"}).text)))
    assert [r["indicator"] for r in csv_rows] == [i["indicator"] for i in body["indicators"]]


def test_ranking_equals_the_analytics_and_pages(client, store_con):
    body = client.get("/api/v1/scorecard/rank",
                      params={"lens": "wb-non-high", "year": 2015, "top": 20}).json()
    expected = scorecard.rank(store_con, "wb-non-high", 2015, top=20)
    assert body["items"] == expected
    RankedCorridorPublic.model_validate(body["items"][0])
    assert [r["rank"] for r in body["items"]] == list(range(1, 21))
    evidenced = [r["evidenced"] for r in body["items"]]
    assert evidenced == sorted(evidenced)
    assert body["lists"]["C097"] == ratifications.load().coverage["C097"].text
    assert body["formulas"]["evidenced"].startswith("mean over the 5 indicators")
    page = client.get("/api/v1/scorecard/rank", params={
        "lens": "wb-non-high", "year": 2015, "top": 20, "limit": 5, "offset": 5}).json()
    assert page["items"] == expected[5:10] and page["total"] == 20


@pytest.mark.parametrize(("url", "params", "says"), [
    ("/api/v1/ratifications/ZZZ", {}, "country: expected an ISO3 code"),
    ("/api/v1/ratifications/PHL", {"instrument": "C999"}, "instrument: expected one of C097"),
    ("/api/v1/practices", {"level": "galactic"}, "level: expected one of national"),
    ("/api/v1/practices", {"theme": "magic"}, "theme: expected one of"),
    ("/api/v1/practices", {"gcm": 24}, "gcm"),
    ("/api/v1/practices", {"country": "Atlantis"}, "country: expected"),
    ("/api/v1/agreements", {"country": "QQQ"}, "country: expected"),
    ("/api/v1/scorecard/NIC/ZZZ", {}, "destination: expected"),
    ("/api/v1/scorecard/NIC/CRI", {"year": 2021}, "year: expected a year of ims2020"),
    ("/api/v1/scorecard/NIC/CRI", {"lens": "nope"}, "lens: expected one of wb-lmic"),
    ("/api/v1/scorecard/rank", {"top": 0}, "top"),
    ("/api/v1/scorecard/rank", {"year": 1991}, "year: expected"),
    ("/api/v1/scorecard/rank", {"edition": "ims1900"}, "edition: expected one of"),
])
def test_bad_governance_input_is_422_with_what_was_expected(client, url, params, says):
    response = client.get(url, params=params)
    # a value of the right form naming nothing the store holds answers 404 (the bounds of gcm
    # and top are declared in the schema: 422)
    assert response.status_code == (422 if says in ("gcm", "top") else 404), response.text
    assert says in response.json()["message"]
