"""Governance and flows on the dashboard: the scorecard, the ranking "where should support go
first?", the good-practice catalogue, ratifications on the country page and flows on the corridor
page; their JSON twins, and in Chromium: offline loading, searching practices, changing lens and
year on the ranking, following a link to a scorecard, and every figure checked equal to the API's."""

from __future__ import annotations

import re

import pytest

from corridors.web.format import people, percent

TWINS = [("/scorecard", "/scorecard.json"), ("/scorecard/NIC/CRI", "/scorecard/NIC/CRI.json"),
         ("/practices", "/practices.json")]


def value(page, selector: str) -> float:
    return float(page.locator(selector).first.get_attribute("data-value"))


@pytest.mark.parametrize(("html", "twin"), TWINS)
def test_governance_pages_have_json_twins_and_nothing_external(web_client, html, twin):
    page = web_client.get(html)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'type="application/json" href="{twin}' in page.text
    assert web_client.get(twin).status_code == 200
    for tag in re.findall(r"<(?:script|link|img)[^>]*>", page.text):
        assert "//" not in tag, tag


def test_twins_carry_the_api_figures(web_client):
    card = web_client.get("/scorecard/NIC/CRI.json", params={"year": 2015}).json()
    api = web_client.get("/api/v1/scorecard/NIC/CRI", params={"year": 2015}).json()
    assert {k: card[k] for k in api} == api
    html = web_client.get("/scorecard/NIC/CRI", params={"year": 2015}).text
    for indicator in api["indicators"]:
        assert f'{indicator["known"]} of {indicator["items"]}</td>' in html
    ranking = web_client.get("/scorecard.json", params={"lens": "un-developing", "year": 2010})
    rank_api = web_client.get("/api/v1/scorecard/rank", params={
        "lens": "un-developing", "year": 2010, "limit": 50}).json()
    assert ranking.json()["rows"] == rank_api["items"]
    found = web_client.get("/practices.json", params={"q": "recruitment"}).json()
    assert [r["id"] for r in found["rows"]] == [r["id"] for r in web_client.get(
        "/api/v1/practices", params={"q": "recruitment"}).json()["items"]]
    country = web_client.get("/country/PHL.json").json()["ratifications"]
    assert country["instruments"] == web_client.get("/api/v1/ratifications/PHL").json()[
        "instruments"]
    flows = web_client.get("/corridor/SOM/KEN.json").json()["flows"]
    assert flows["flows"] == web_client.get("/api/v1/flows/SOM/KEN").json()["flows"]


def test_bad_governance_page_input_is_an_html_page(web_client):
    response = web_client.get("/scorecard", params={"lens": "nope"})
    assert response.status_code == 404 and "expected one of" in response.text
    assert "<h1>" in response.text
    assert web_client.get("/scorecard/NIC/QQQ").status_code == 404
    assert web_client.get("/practices", params={"level": "cosmic"}).status_code == 404
    assert web_client.get("/practices", params={"level": "x" * 30}).status_code == 422


# --- in the browser -----------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize(("path", "heading"), [("/scorecard", "Where should support go first?"),
                                               ("/scorecard/NIC/CRI", "Nicaragua"),
                                               ("/practices", "Good practices")])
def test_governance_pages_load_offline(page, live_server, path, heading):
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert heading in page.locator("h1").inner_text()
    page.wait_for_load_state("networkidle")
    assert page.outside == [] and page.errors == []
    for caption in page.locator("figure.chart figcaption").all():
        assert "Unit:" in caption.inner_text() and "Source:" in caption.inner_text()


@pytest.mark.browser
def test_searching_practices_and_refining_by_a_facet(page, live_server, api):
    page.goto(live_server.url + "/practices")
    page.fill("#practices-q", "social security")
    with page.expect_navigation():
        page.click("#practices-submit")
    assert "q=social+security" in page.url
    expected = api.get("/api/v1/practices", params={"q": "social security"}).json()
    assert value(page, "#result-count") == expected["total"] > 0
    ids = page.locator("#practices > li").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids == [r["id"] for r in expected["items"]]
    with page.expect_navigation():
        page.click('#facets ul[data-facet="level"] a:has-text("regional")')
    assert "level=regional" in page.url and "q=social+security" in page.url
    regional = api.get("/api/v1/practices", params={"q": "social security",
                                                    "level": "regional"}).json()
    assert value(page, "#result-count") == regional["total"] < expected["total"]
    link = page.locator("#practices a.country-link").first
    iso3 = link.get_attribute("href").split("/country/")[1].split("?")[0]
    with page.expect_navigation():
        link.click()
    assert f"/country/{iso3}" in page.url


@pytest.mark.browser
def test_ranking_changes_with_lens_and_year_and_links_to_a_scorecard(page, live_server, api):
    page.goto(live_server.url + "/scorecard")
    page.select_option("select[name=lens]", "wb-non-high")
    page.select_option("select[name=year]", "2015")
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert "lens=wb-non-high" in page.url and "year=2015" in page.url
    expected = api.get("/api/v1/scorecard/rank", params={"lens": "wb-non-high", "year": 2015,
                                                         "limit": 50}).json()["items"]
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == len(expected) == 50
    third = rows.nth(2)
    o, d = third.get_attribute("data-origin"), third.get_attribute("data-destination")
    assert (o, d) == (expected[2]["origin"], expected[2]["destination"])
    assert float(third.locator("td.stock").get_attribute("data-value")) == expected[2]["stock"]
    assert float(third.locator("td.evidenced").get_attribute("data-value")) == pytest.approx(
        expected[2]["evidenced"])
    with page.expect_navigation():
        third.locator("a.scorecard-link").click()
    assert f"/scorecard/{o}/{d}" in page.url and "year=2015" in page.url
    card = api.get(f"/api/v1/scorecard/{o}/{d}", params={"year": 2015,
                                                          "lens": "wb-non-high"}).json()
    assert value(page, "#scorecard-stock") == card["stock"]["value"] == expected[2]["stock"]
    assert page.locator("#scorecard-stock").inner_text() == people(card["stock"]["value"])
    assert value(page, "#evidenced") == pytest.approx(card["coverage"]["evidenced"])
    assert page.locator("#evidenced").inner_text() == percent(card["coverage"]["evidenced"])
    for indicator in card["indicators"]:
        cell = page.locator(f'#indicators tr[data-indicator="{indicator["indicator"]}"] td.low')
        assert float(cell.get_attribute("data-value")) == pytest.approx(indicator["low"])
    statuses = page.locator("#instruments tbody tr").first.locator("td.status")
    assert [statuses.nth(i).get_attribute("data-status") for i in (0, 1)] == [
        card["instruments"]["origin"][0]["status"],
        card["instruments"]["destination"][0]["status"]]


@pytest.mark.browser
def test_ratifications_on_the_country_page_and_flows_on_the_corridor_page(page, live_server,
                                                                          api):
    page.goto(live_server.url + "/country/PHL")
    expected = api.get("/api/v1/ratifications/PHL").json()
    cells = page.locator("#ratifications td.status")
    assert cells.evaluate_all("els => els.map(e => e.dataset.status)") == [
        r["status"] for r in expected["instruments"]]
    unknown = [r for r in expected["instruments"] if r["status"] == "unknown"]
    assert unknown, "the Philippines is absent from some incomplete list"
    row = page.locator(f'#ratifications tr[data-instrument="{unknown[0]["instrument"]}"]')
    assert "unknown" in row.inner_text() and unknown[0]["coverage"] in row.inner_text()
    assert "incomplete list" in page.locator("#ratifications-note").inner_text()
    page.goto(live_server.url + "/corridor/SOM/KEN")
    flows = api.get("/api/v1/flows/SOM/KEN").json()
    rows = page.locator("#corridor-flows tbody tr")
    assert rows.count() == len(flows["flows"])
    for i in (0, rows.count() - 1):
        assert float(rows.nth(i).locator("td.flow").get_attribute("data-value")) == \
            flows["flows"][i]["flow"]
        assert float(rows.nth(i).locator("td.reverse").get_attribute("data-value")) == \
            flows["flows"][i]["reverse_flow"]
    assert "demographic accounting" in page.locator("#flows-method").inner_text()
    with page.expect_navigation():
        page.click("#scorecard-link")
    assert "/scorecard/SOM/KEN" in page.url


@pytest.mark.browser
def test_governance_pages_fit_a_phone(chromium, live_server):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    tab = context.new_page()
    for path in ("/scorecard", "/scorecard/NIC/CRI", "/practices", "/corridor/SOM/KEN"):
        tab.goto(live_server.url + path)
        width = tab.evaluate("document.body.scrollWidth")
        assert width <= 376, (path, width)  # wide tables scroll inside their own box
    context.close()
