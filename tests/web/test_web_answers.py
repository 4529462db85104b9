"""The dashboard answers the two first questions from the home page in at most two interactions
(type a country in the box, press Enter), in a real browser, with the API's figures:

1. "What are the largest South–South corridors for my country?"
2. "How much of my country's immigration comes from neighbours?"

Then: the explorer (sort, category / neighbour / community filters, lens, totals, one year by
default), the corridor page's controls, Back without stale selects, and the country box's
suggestions."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

YEAR = 2020  # the latest year of the default edition in the mirror (IMS 2020)


def value(page, selector: str) -> float:
    return float(page.locator(selector).first.get_attribute("data-value"))


def corridors(api, **params) -> list[dict]:
    """Every row of the API's corridor table for the selection (all pages)."""
    rows, offset = [], 0
    while True:
        answer = api.get("/api/v1/corridors", params={**params, "limit": 1000,
                                                      "offset": offset}).json()
        rows += answer["items"]
        offset += 1000
        if offset >= answer["total"]:
            return rows


def stock(api, **params) -> float:
    items = api.get("/api/v1/stocks", params={"year": YEAR, **params}).json()["items"]
    return items[0]["value"] if items else 0.0


def ask(page, live_server, typed: str) -> None:
    """The reader's interactions: type a country in the header box, press Enter."""
    page.goto(live_server.url + "/")
    page.fill("#jump-code", typed)  # interaction 1
    with page.expect_navigation():
        page.keyboard.press("Enter")  # interaction 2


def table_rows(page, selector: str) -> list[tuple[str, float]]:
    rows = page.locator(f"{selector} tbody tr")
    return [(r.get_attribute("data-iso3"), float(r.locator("td.num").first.get_attribute(
        "data-value"))) for r in rows.all()]


@pytest.mark.parametrize(("typed", "iso3"), [("Kenya", "KEN"), ("Cote d Ivoire", "CIV"),
                                              ("Türkiye", "TUR"), ("DR Congo", "COD")])
def test_largest_south_south_corridors_in_two_interactions(page, live_server, api, typed, iso3):
    ask(page, live_server, typed)
    assert f"/country/{iso3}" in page.url
    # the answer leads the page: above the map, visible without scrolling past it
    answers = page.locator("#h-answers").bounding_box()
    assert answers["y"] < page.locator("#h-map").bounding_box()["y"]
    assert page.locator("#h-ss-in").is_visible()
    for direction, end, partner, selector in (
            ("immigrants", "destination", "origin", "#ss-origins"),
            ("emigrants", "origin", "destination", "#ss-destinations")):
        rows = [r for r in corridors(api, **{end: iso3}, year=YEAR)
                if r["category_wb_lmic"] == "south-south" and r[partner] != iso3]
        expected = sorted(((r[partner], r["stock"]) for r in rows),
                          key=lambda pair: (-pair[1], pair[0]))[:10]
        if not expected:
            assert page.locator(f"{selector}-none").is_visible(), direction
            continue
        assert table_rows(page, selector) == expected, direction
        # every row says South, and marks neighbours as the API's contiguity does
        contiguous = {r[partner]: r["contiguous"] for r in rows}
        for row in page.locator(f"{selector} tbody tr").all():
            assert row.locator("td.south").inner_text() == "South"
            assert (row.get_attribute("data-neighbour") == "yes") == contiguous[
                row.get_attribute("data-iso3")]
    assert page.outside == [] and page.errors == []


def test_share_of_immigration_from_neighbours_in_two_interactions(page, live_server, api):
    ask(page, live_server, "kenya")
    shown = value(page, "#neighbour-share-immigrants")
    # an independent sum: each land neighbour's stock in Kenya over all immigrants in Kenya,
    # from the stock endpoint (not the corridor table the page reads)
    neighbours = ("ETH", "SOM", "SSD", "TZA", "UGA")  # Kenya's land borders
    total = stock(api, destination="KEN")
    from_neighbours = sum(stock(api, origin=n, destination="KEN") for n in neighbours)
    assert total == 1_050_147
    assert shown == pytest.approx(from_neighbours / total, rel=1e-12)
    # the issue read 86.2 % by adding five rounded shares; the exact share is 86.1 %
    assert shown == pytest.approx(0.8611, abs=5e-5)
    assert page.locator("#neighbour-share-immigrants").inner_text() == "86.1%"
    # every neighbour is marked as one in the partner table, and nobody else
    marked = {r.get_attribute("data-iso3") for r in page.locator(
        "#top-origins tbody tr[data-neighbour=yes]").all()}
    assert marked == set(neighbours)
    # the JSON twin carries the same figure, and the trend has one per year
    twin = api.get("/country/KEN.json").json()["partners"]
    assert twin["neighbour_share"]["immigrants"] == shown
    assert len(twin["trend"]) == 7


def test_community_share_counts_full_members_only(page, live_server, api):
    """The share from the country's communities counts partners that are full members with it
    that year (the API's shared communities of each corridor)."""
    page.goto(live_server.url + f"/country/KEN?year={YEAR}")
    rows = corridors(api, destination="KEN", year=YEAR)
    total = sum(r["stock"] for r in rows)
    shared = sum(r["stock"] for r in rows if r["shared_recs"])
    assert value(page, "#community-share-immigrants") == pytest.approx(shared / total)
    eac = sum(r["stock"] for r in rows if "EAC" in r["shared_recs"])
    assert value(page, "#community-shares tr[data-community=EAC] td") == pytest.approx(
        eac / total)
    with page.expect_navigation():
        page.click("#community-shares tr[data-community=EAC] a")
    assert "/community/EAC" in page.url and f"year={YEAR}" in page.url


def test_lens_changes_the_answer_and_links_keep_it(page, live_server, api):
    page.goto(live_server.url + "/country/KEN")
    page.select_option("select[name=lens]", "un-developing")
    page.select_option("select[name=year]", "2000")
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert "lens=un-developing" in page.url and "year=2000" in page.url
    rows = [r for r in corridors(api, destination="KEN", year=2000)
            if r["category_un_developing"] == "south-south" and r["origin"] != "KEN"]
    expected = sorted(((r["origin"], r["stock"]) for r in rows), key=lambda p: (-p[1], p[0]))
    assert table_rows(page, "#ss-origins") == expected[:10]
    link = page.locator("#ss-origins tbody tr a").first
    href = link.get_attribute("href")
    assert "year=2000" in href and "lens=un-developing" in href
    with page.expect_navigation():
        link.click()
    assert "/corridor/" in page.url
    assert page.locator("select[name=year]").input_value() == "2000"
    assert page.locator("select[name=lens]").input_value() == "un-developing"


def test_back_leaves_no_stale_select(page, live_server):
    page.goto(live_server.url + "/country/KEN?year=2010")
    page.select_option("select[name=year]", "2000")  # changed, not submitted
    page.goto(live_server.url + "/country/UGA?year=2010")
    page.go_back()
    assert "/country/KEN" in page.url
    assert page.locator("select[name=year]").input_value() == "2010"


def test_explorer_defaults_to_one_year_filters_sorts_and_totals(page, live_server, api):
    page.goto(live_server.url + "/explore?destination=KEN")
    assert page.locator("#explore-form select[name=year]").input_value() == str(YEAR)
    years = {r.get_attribute("data-year") for r in page.locator("#explore-table tbody tr").all()}
    assert years == {str(YEAR)}
    page.select_option("#explore-form select[name=neighbour]", "yes")
    page.select_option("#explore-form select[name=category]", "south-south")
    page.select_option("#explore-form select[name=sort]", "female_share")
    with page.expect_navigation():
        page.click("#explore-submit")
    rows = [r for r in corridors(api, destination="KEN", year=YEAR)
            if r["contiguous"] and r["category_wb_lmic"] == "south-south"]
    assert value(page, "#total-rows") == len(rows) == 5
    assert value(page, "#total-stock") == sum(r["stock"] for r in rows)
    shown = [float(r.locator("td.num").nth(3).get_attribute("data-value"))
             for r in page.locator("#explore-table tbody tr").all()]
    assert shown == sorted(shown, reverse=True)  # sorted by the share of women
    # community filter: both ends full members of IGAD that year
    page.goto(live_server.url + f"/explore?destination=KEN&community=IGAD&year={YEAR}")
    igad = [r for r in corridors(api, destination="KEN", year=YEAR) if "IGAD" in r["shared_recs"]]
    assert value(page, "#total-stock") == sum(r["stock"] for r in igad)


def test_corridor_page_honours_year_and_sex(page, live_server, api):
    page.goto(live_server.url + "/corridor/SOM/KEN?year=2000&sex=female")
    assert page.locator("select[name=year]").input_value() == "2000"
    assert page.locator("select[name=sex]").input_value() == "female"
    expected = stock(api, origin="SOM", destination="KEN", year=2000, sex="female")
    assert value(page, "#corridor-stock") == expected
    page.select_option("select[name=sex]", "male")
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert value(page, "#corridor-stock") == stock(api, origin="SOM", destination="KEN",
                                                   year=2000, sex="male")


def test_country_box_suggests_names_served_locally(page, live_server):
    page.goto(live_server.url + "/")
    page.focus("#jump-code")
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that
    # Playwright's polling predicate needs, and the predicate polls whenever the
    # list is not filled at the first look.
    page.locator("#jump-list option").nth(200).wait_for(state="attached")
    values = page.evaluate("Array.from(document.querySelectorAll('#jump-list option'))"
                           ".map(o => o.value)")
    assert {"Côte d'Ivoire", "Cote d'Ivoire", "Türkiye", "UK", "Syria", "DR Congo"} <= set(values)
    page.fill("#jump-code", "Kenyia")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#suggestions a[data-iso3=KEN]").is_visible()
    with page.expect_navigation():
        page.click("#suggestions a[data-iso3=KEN]")
    assert page.url.endswith("/country/KEN")
    assert page.outside == [] and page.errors == []
