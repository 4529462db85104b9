"""Region and community pages and their JSON twins, the country page's new figures in its twin,
and the country box: figures equal to the API's and to sums of the stock."""

from __future__ import annotations

import re

import pytest

from corridors.governance import communities

YEAR = 2020


def test_every_group_has_a_page_and_a_twin(web_client):
    index = web_client.get("/regions.json").json()
    groupings = {g["grouping"]: g["groups"] for g in index["groupings"]}
    assert set(groupings) == {"continent", "sdg-region", "un-subregion", "un-region", "income",
                              "rec"}
    codes_in_store = {m.rec_code for m in communities.memberships()}
    assert {g["group_code"] for g in groupings["rec"]} == codes_in_store
    page = web_client.get("/regions").text
    for grouping, groups in groupings.items():
        for group in groups:
            path = (f"/community/{group['group_code']}" if grouping == "rec"
                    else f"/region/{grouping}/{group['group_code']}")
            assert f'href="{path}?' in page, path
    # every community page answers, with its twin
    for group in groupings["rec"]:
        code = group["group_code"]
        html = web_client.get(f"/community/{code}")
        assert html.status_code == 200, code
        assert f'href="/community/{code}.json' in html.text
        twin = web_client.get(f"/community/{code}.json").json()
        assert twin["group_code"] == code and twin["year"] == YEAR
        assert twin["member_count"] == group["countries"]


def test_community_page_figures_equal_the_api(web_client):
    twin = web_client.get(f"/community/ECOWAS.json?year={YEAR}").json()
    api = web_client.get("/api/v1/regions", params={"grouping": "rec", "year": YEAR}).json()
    row = next(r for r in api["items"] if r["group_code"] == "ECOWAS")
    mine = next(r for r in twin["shares"] if r["year"] == YEAR)
    assert mine["intra_group"] == row["intra_group"]
    assert mine["origin_view_share"] == pytest.approx(row["origin_view_share"])
    assert mine["destination_view_share"] == pytest.approx(row["destination_view_share"])
    # full members only, by the one membership rule
    rule = communities.members(communities.memberships(), "ECOWAS", YEAR)
    counted = sorted(m["iso3"] for m in twin["members"] if m["full_member"])
    assert counted == rule and twin["member_count"] == len(rule)
    # members over time: Mauritania left ECOWAS in 2000 (withdrawn, counted before it left)
    by_year = {r["year"]: r["countries"] for r in twin["members_by_year"]}
    assert by_year[1995] == by_year[2020] + 1
    mrt = next(m for m in twin["members"] if m["iso3"] == "MRT" and m["role"] == "withdrawn")
    assert mrt["until"] == 2000 and not mrt["full_member"]
    # top corridors between members: the largest stock of a member pair, from the stock API
    top = twin["top_corridors"][0]
    assert top["origin"] in rule and top["destination"] in rule
    stock = web_client.get("/api/v1/stocks", params={
        "origin": top["origin"], "destination": top["destination"], "year": YEAR}).json()
    assert top["stock"] == stock["items"][0]["value"]
    stocks = [r["stock"] for r in twin["top_corridors"]]
    assert stocks == sorted(stocks, reverse=True)
    assert twin["free_movement"]["status"] in ("in force", "partly in force", "not in force",
                                               "unknown")
    html = web_client.get("/community/ECOWAS").text
    assert 'id="region-members"' in html and 'id="region-shares"' in html
    assert 'id="free-movement"' in html


def test_region_page_of_a_continent(web_client):
    twin = web_client.get(f"/region/continent/002.json?year={YEAR}").json()
    assert twin["group"] == "Africa"
    api = web_client.get("/api/v1/regions", params={"grouping": "continent",
                                                     "year": YEAR}).json()
    row = next(r for r in api["items"] if r["group"] == "Africa")
    mine = next(r for r in twin["shares"] if r["year"] == YEAR)
    assert mine["immigrants"] == row["immigrants"] and mine["emigrants"] == row["emigrants"]
    assert twin["free_movement"] is None
    html = web_client.get("/region/continent/002")
    assert html.status_code == 200 and "Africa" in html.text
    assert web_client.get("/region/continent/999").status_code == 404
    assert web_client.get("/region/planet/002").status_code == 422
    assert web_client.get("/community/NOPE").status_code == 404


def test_country_twin_carries_the_south_south_picture(web_client):
    twin = web_client.get(f"/country/KEN.json?year={YEAR}").json()
    partners = twin["partners"]
    rows = []
    offset = 0
    while True:
        page = web_client.get("/api/v1/corridors", params={"destination": "KEN", "year": YEAR,
                                                           "limit": 1000,
                                                           "offset": offset}).json()
        rows += page["items"]
        offset += 1000
        if offset >= page["total"]:
            break
    assert [(r["partner"], r["stock"]) for r in partners["inbound"]] == [
        (r["origin"], r["stock"]) for r in sorted(rows, key=lambda r: (-r["stock"], r["origin"]))]
    for mine, theirs in zip(partners["inbound"], sorted(rows, key=lambda r: (-r["stock"],
                                                                             r["origin"])),
                            strict=True):
        assert mine["neighbour"] == theirs["contiguous"]
        assert mine["communities"] == theirs["shared_recs"]
        assert mine["category"] == theirs["category_wb_lmic"]
    total = sum(r["stock"] for r in rows)
    assert partners["immigrants"] == total == twin["immigrants"]
    # links from the country page to its regions and communities
    html = web_client.get("/country/KEN").text
    for path in ("/region/continent/002", "/community/EAC", "/community/IGAD"):
        assert f'href="{path}?' in html, path


@pytest.mark.parametrize(("typed", "iso3"), [
    ("Côte d'Ivoire", "CIV"), ("Côte d’Ivoire", "CIV"), ("Cote d Ivoire", "CIV"),
    ("Türkiye", "TUR"), ("Syria", "SYR"), ("UK", "GBR"), ("DR Congo", "COD"),
    ("Viet Nam", "VNM"), ("Vietnam", "VNM"), ("Bolivia", "BOL"), ("Iran", "IRN"),
    ("Laos", "LAO"), ("Tanzania", "TZA"), ("USA", "USA"), ("404", "KEN"),
])
def test_country_box_finds_any_name(web_client, typed, iso3):
    answer = web_client.get("/country", params={"code": typed, "year": 2015, "lens": "gfmd-2018"},
                            follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/country/{iso3}?year=2015&lens=gfmd-2018"


def test_country_box_suggests_close_names_for_a_typo(web_client):
    answer = web_client.get("/country", params={"code": "Tanzanai"})
    assert answer.status_code == 200  # a page of suggestions, not an error
    assert re.search(r'<a href="/country/TZA"[^>]*data-iso3="TZA"', answer.text)
    # the API says the same in its message
    api = web_client.get("/api/v1/countries/Kenyia/profile")
    assert api.status_code == 404 and "did you mean Kenya (KEN)?" in api.json()["message"]
    names = web_client.get("/country-names.json")
    assert "max-age" in names.headers["cache-control"]
    pairs = {tuple(p) for p in names.json()["names"]}
    assert ("Türkiye", "TUR") in pairs and ("UK", "GBR") in pairs


def test_explorer_twin_defaults_to_the_latest_year_and_filters(web_client):
    default = web_client.get("/explore.json").json()
    assert default["year"] == YEAR and default["lens"] == "wb-lmic"
    assert {r["year"] for r in default["rows"]} == {YEAR}
    everything = web_client.get("/explore.json", params={"year": "all",
                                                         "destination": "KEN"}).json()
    assert everything["year"] is None and len({r["year"] for r in everything["rows"]}) == 7
    ss = web_client.get("/explore.json", params={"destination": "KEN", "lens": "un-developing",
                                                 "category": "south-south",
                                                 "limit": 1000}).json()
    assert ss["rows"] and all(r["category_un_developing"] == "south-south" for r in ss["rows"])
    assert ss["totals"]["stock"] == sum(r["stock"] for r in ss["rows"])
    csv = web_client.get("/explore.csv", params={"destination": "KEN", "neighbour": "yes"})
    assert len(csv.text.strip().splitlines()) - sum(
        line.startswith("#") for line in csv.text.splitlines()) == 1 + 5
    assert web_client.get("/explore.json", params={"category": "sideways"}).status_code == 422
    assert web_client.get("/explore.json", params={"sort": "nonsense"}).status_code == 422


def test_the_language_travels_with_the_country_box_and_the_links(web_client):
    answer = web_client.get("/country", params={"code": "Côte d’Ivoire", "lang": "fr"},
                            follow_redirects=False)
    assert answer.headers["location"] == "/country/CIV?lang=fr"
    page = web_client.get("/country/KEN?lang=es&year=2020").text
    assert "de los inmigrantes nacieron en un país vecino" in page
    assert 'href="/community/EAC?year=2020&amp;lang=es' in page or \
        re.search(r'href="/community/EAC\?[^"]*lang=es', page)
    suggestions = web_client.get("/country", params={"code": "Kenyia", "lang": "fr"}).text
    assert "Vouliez-vous dire" in suggestions and 'href="/country/KEN?lang=fr"' in suggestions


def test_the_api_takes_the_same_names(web_client):
    for typed in ("Côte d’Ivoire", "Cote d Ivoire", "Ivory Coast"):
        answer = web_client.get(f"/api/v1/countries/{typed}/profile")
        assert answer.status_code == 200 and answer.json()["iso3"] == "CIV", typed
    turkey = web_client.get("/api/v1/stocks", params={"destination": "Türkiye", "year": YEAR})
    assert turkey.json()["items"][0]["destination"] == "TUR"
    assert web_client.get("/api/v1/stocks", params={"destination": "<script>"}).status_code == 422


def test_a_year_the_edition_lacks_is_named(web_client):
    answer = web_client.get("/community/ECOWAS.json", params={"year": 2003})
    assert answer.status_code == 422 and "2020" in answer.json()["message"]


def test_a_community_page_splits_its_migration_by_category_as_the_api(web_client):
    """The category split within a community (the twin of `corridors ssm summary --region`)."""
    data = web_client.get("/community/ECOWAS.json", params={"year": 2020}).json()
    page = web_client.get("/community/ECOWAS", params={"year": 2020}).text
    api = web_client.get("/api/v1/summary", params={"region": "ECOWAS", "year": 2020}).json()["items"]
    shown = {r["category"]: r["value"] for r in data["categories"]}
    assert shown == {r["category"]: r["value"] for r in api} and shown["south-south"] > 0
    assert 'id="region-categories"' in page
    assert '<tr data-category="south-south">' in page
