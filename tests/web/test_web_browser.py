"""The dashboard in a real browser (Debian's Chromium, headless): every page loads from this
machine alone, year and lens change the page through the URL, links lead to countries, the CSV
download is the API's table, and every figure checked equals the API's."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from corridors.web.format import people, percent

pytestmark = pytest.mark.browser

PAGES = {
    "/": "South–South picture",
    "/country/KEN": "Kenya",
    "/corridor/SOM/KEN": "Somalia",
    "/explore": "Data explorer",
    "/sources": "Sources and licences",
    "/methods": "Methods",
}


def value(page, selector: str) -> float:
    return float(page.locator(selector).first.get_attribute("data-value"))


def summary(api, lens: str, year: int) -> dict[str, dict]:
    items = api.get("/api/v1/summary", params={"lens": lens, "year": year}).json()["items"]
    return {r["category"]: r for r in items}


@pytest.mark.parametrize(("path", "heading"), list(PAGES.items()))
def test_every_page_loads_offline(page, live_server, path, heading):
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert heading in page.locator("h1").inner_text()
    page.wait_for_load_state("networkidle")
    assert page.outside == [], "requests left this machine"
    assert page.errors == [], "console errors (e.g. blocked by the content security policy)"
    for caption in page.locator("figure.chart figcaption").all():
        text = caption.inner_text()
        assert "Unit:" in text and "Source:" in text, text
    assert page.evaluate("document.documentElement.classList.contains('js')")  # app.js ran


def test_overview_figures_equal_the_api(page, live_server, api):
    page.goto(live_server.url + "/")
    world = api.get("/api/v1/stocks", params={"year": 2020}).json()["items"][0]["value"]
    ss = summary(api, "wb-lmic", 2020)["south-south"]
    assert value(page, "#world-migrants") == world == 280_598_105
    assert page.locator("#world-migrants").inner_text() == people(world) == "280,598,105"
    assert value(page, "#south-south") == ss["value"]
    assert page.locator("#south-south").inner_text() == people(ss["value"])
    assert value(page, "#south-south-share") == pytest.approx(ss["share"])
    assert page.locator("#south-south-share").inner_text() == percent(ss["share"])
    contiguity = api.get("/api/v1/contiguity", params={"lens": "wb-lmic", "year": 2020}).json()
    assert value(page, "#share-contiguous") == pytest.approx(
        contiguity["items"][0]["share_contiguous"])
    top = api.get("/api/v1/top-corridors", params={
        "lens": "wb-lmic", "year": 2020, "category": "south-south"}).json()["items"]
    rows = page.locator("#top-corridors tbody tr")
    assert rows.count() == len(top) == 10
    first = rows.first
    assert (first.get_attribute("data-origin"), first.get_attribute("data-destination")) == (
        top[0]["origin"], top[0]["destination"])
    assert float(first.locator("[data-value]").first.get_attribute("data-value")) == top[0][
        "stock"]
    assert page.locator("svg.map use").count() > 170


def test_changing_year_and_lens_changes_the_page_and_the_url(page, live_server, api):
    page.goto(live_server.url + "/")
    page.select_option("select[name=year]", "2000")
    assert "year=" not in page.url  # nothing changes before the button is pressed
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert "year=2000" in page.url
    assert "2000" in page.locator("h1").inner_text()
    assert value(page, "#south-south") == summary(api, "wb-lmic", 2000)["south-south"]["value"]
    page.select_option("select[name=lens]", "un-developing")
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert "lens=un-developing" in page.url and "year=2000" in page.url
    expected = summary(api, "un-developing", 2000)["south-south"]
    assert value(page, "#south-south") == expected["value"]
    assert value(page, "#south-south-share") == pytest.approx(expected["share"])
    assert expected["value"] != summary(api, "wb-lmic", 2000)["south-south"]["value"]
    shared = page.url  # the state is in the URL: the link reproduces the view
    page.goto(live_server.url + "/")
    page.goto(shared)
    assert value(page, "#south-south") == expected["value"]


def test_following_a_link_to_a_country(page, live_server, api):
    page.goto(live_server.url + "/")
    link = page.locator("#top-corridors tbody tr").first.locator("td a").first
    iso3 = page.locator("#top-corridors tbody tr").first.get_attribute("data-origin")
    with page.expect_navigation():
        link.click()
    assert f"/country/{iso3}" in page.url
    profile = api.get(f"/api/v1/countries/{iso3}/profile", params={"year": 2020}).json()
    assert value(page, "#immigrants") == profile["immigrants"]
    assert value(page, "#emigrants") == profile["emigrants"]
    emigrants = api.get("/api/v1/stocks", params={"origin": iso3, "year": 2020}).json()
    assert value(page, "#emigrants") == emigrants["items"][0]["value"]
    assert page.locator("#top-destinations tbody tr").first.get_attribute("data-iso3") == \
        profile["top_destinations"][0]["destination"]


def test_country_map_switches_between_origins_and_destinations(page, live_server, api):
    page.goto(live_server.url + "/country/KEN?year=2020")
    profile = api.get("/api/v1/countries/KEN/profile", params={"year": 2020, "top": 300}).json()
    somalia = page.locator('svg.map [data-iso3="SOM"]')
    origins = {r["origin"]: r["stock"] for r in profile["top_origins"]}
    assert float(somalia.get_attribute("data-value")) == origins["SOM"]
    with page.expect_navigation():
        page.click("#view-destinations")
    assert "view=destinations" in page.url
    destinations = {r["destination"]: r["stock"] for r in profile["top_destinations"]}
    usa = page.locator('svg.map [data-iso3="USA"]')
    assert float(usa.get_attribute("data-value")) == destinations["USA"]


def test_explorer_downloads_csv_and_excel_equal_to_the_api(page, live_server, api, tmp_path):
    page.goto(live_server.url + "/explore")
    page.fill("input[name=destination]", "KEN")
    page.select_option("#explore-form select[name=year]", "2020")
    with page.expect_navigation():
        page.click("#explore-submit")
    assert "destination=KEN" in page.url and "year=2020" in page.url
    expected = api.get("/api/v1/corridors", params={"destination": "KEN", "year": 2020,
                                                    "limit": 1000}).json()
    assert value(page, "#row-count") == expected["total"]
    first_row = page.locator("#explore-table tbody tr").first
    assert float(first_row.locator("td.stock").get_attribute("data-value")) == \
        expected["items"][0]["stock"]
    with page.expect_download() as info:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert [(r["origin"], float(r["stock"])) for r in rows] == [
        (r["origin"], r["stock"]) for r in expected["items"]]
    with page.expect_download() as info:
        page.click("#download-xlsx")
    info.value.save_as(tmp_path / "corridors.xlsx")
    book = openpyxl.load_workbook(tmp_path / "corridors.xlsx", read_only=True)
    assert book.sheetnames == ["corridors", "sources"]
    sheet = list(book["corridors"].iter_rows(values_only=True))
    header = list(sheet[0])
    assert [(r[header.index("origin")], r[header.index("stock")]) for r in sheet[1:]] == [
        (r["origin"], r["stock"]) for r in expected["items"]]
    licences = [r[4] for r in list(book["sources"].iter_rows(values_only=True))[1:]]
    assert licences and all(licences)


def test_keyboard_only(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.focus("select[name=year]")
    page.keyboard.press("ArrowUp")  # 2020 -> 2015: the page stays until the button
    page.wait_for_timeout(300)
    assert "year=" not in page.url
    assert page.evaluate("document.activeElement.name") == "year"  # focus stays
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "year=2015" in page.url
    page.focus("#top-corridors tbody tr td a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/country/" in page.url


def test_readable_on_a_phone(chromium, live_server):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    tab = context.new_page()
    for path in ("/", "/country/KEN", "/explore"):
        tab.goto(live_server.url + path)
        width = tab.evaluate("document.body.scrollWidth")
        assert width <= 376, (path, width)  # tables scroll inside their own box
        size = tab.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 14
    context.close()


def test_changing_edition_moves_to_a_year_of_that_edition(page, live_server, api):
    page.goto(live_server.url + "/?year=2020")
    editions = page.locator("select[name=edition] option").all_inner_texts()
    if "ims2015" not in editions:
        pytest.skip("the store holds one edition")
    page.select_option("select[name=edition]", "ims2015")
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert "edition=ims2015" in page.url and "year=" not in page.url
    assert "2015" in page.locator("h1").inner_text()
    world = api.get("/api/v1/stocks", params={"edition": "ims2015", "year": 2015}).json()
    assert value(page, "#world-migrants") == world["items"][0]["value"]
