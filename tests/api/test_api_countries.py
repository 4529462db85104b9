"""Countries, groupings and sources: the store's reference tables, paged, with provenance."""

from __future__ import annotations

from corridors.api.schemas import CountryPublic, GroupPublic, Page, SourcePublic


def test_countries_are_the_store_table(client, store_con):
    body = client.get("/api/v1/countries", params={"limit": 1000}).json()
    Page[CountryPublic].model_validate(body)
    assert body["total"] == store_con.execute("SELECT count(*) FROM countries").fetchone()[0]
    kenya = next(r for r in body["items"] if r["iso3"] == "KEN")
    assert (kenya["m49"], kenya["continent"]) == (404, "Africa")
    assert body["sources"]


def test_country_by_m49_with_income_history(client):
    body = client.get("/api/v1/countries/404").json()
    assert body["iso3"] == "KEN"
    history = {r["data_year"]: r["income_group"] for r in body["income_groups"]}
    assert history[2000] == "L" and history[2020] == "LM"


def test_groupings(client):
    body = client.get("/api/v1/groupings").json()
    assert {g["grouping"] for g in body["groupings"]} >= {"continent", "income", "rec"}
    income = client.get("/api/v1/groupings/income", params={"year": 2020}).json()
    Page[GroupPublic].model_validate(income)
    groups = {g["group"]: g["members"] for g in income["items"]}
    assert "KEN" in groups["LM"] and "GBR" in groups["H"]
    bad = client.get("/api/v1/groupings/planets")
    assert bad.status_code == 422 and "continent" in bad.json()["message"]


def test_sources_list_every_provenance_row(client, store_con):
    body = client.get("/api/v1/sources").json()
    Page[SourcePublic].model_validate(body)
    assert body["total"] == store_con.execute("SELECT count(*) FROM provenance").fetchone()[0]
    assert all(len(s["sha256"]) == 64 for s in body["items"])


def test_all_is_not_a_country_in_a_path(client):
    """``ALL`` means "every country" in a filter, never one country: a clear 422, not a 500."""
    for url in ("/api/v1/countries/ALL", "/api/v1/countries/ALL/profile",
                "/api/v1/corridors/ALL/KEN"):
        response = client.get(url)
        assert response.status_code in (404, 422), url
        assert "Traceback" not in response.text
    body = client.get("/api/v1/countries/ALL").json()
    assert "one country" in body["message"]
    assert client.get("/api/v1/stocks", params={"destination": "ALL", "year": 2020,
                                                "limit": 1}).status_code == 200
