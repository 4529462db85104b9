"""The "Print brief" button in a real browser (Debian's Chromium through Playwright): the brief
opens in the page's language, loads its styles and script under the Content-Security-Policy (no
console error, nothing from outside), and prints on two A4 pages."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "button", "heading"), [
    ("en", "Print brief", "Kenya: South–South brief, 2020"),
    ("fr", "Imprimer la fiche", "Kenya : fiche Sud–Sud, 2020"),
    ("es", "Imprimir la ficha", "Kenia: ficha Sur–Sur, 2020"),
])
def test_print_brief_button(page, live_server, api, language, button, heading):
    page.goto(f"{live_server.url}/country/KEN?year=2020&lang={language}")
    page.get_by_role("link", name=button).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == heading
    assert f"lang={language}" in page.url
    # the brief's own styles applied (two sheets, a grid of key figures), no CSP refusal
    assert page.locator(".headline").first.evaluate("e => getComputedStyle(e).display") == "grid"
    assert page.outside == [] and page.errors == []  # type: ignore[attr-defined]
    immigrants = api.get("/api/v1/countries/KEN/profile", params={"year": 2020}).json()["immigrants"]
    assert float(page.locator("#brief-immigrants").get_attribute("data-value")) == immigrants
    assert page.locator("#print-brief").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf)) == 2


@pytest.fixture(scope="module")
def printer(chromium):
    """One browser tab for every brief printed below."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("place", ["KEN", "IND", "BRA", "ECOWAS"])
def test_brief_prints_on_two_pages_whatever_the_screen(printer, live_server, place, language):
    """The phone layout is for screens only: from a phone-sized tab the brief still prints on two
    A4 pages, its charts at the print size (the screen's larger chart text left out)."""
    printer.goto(f"{live_server.url}/brief/{place}?year=2020&lang={language}")
    assert printer.evaluate("document.documentElement.scrollWidth") <= 390  # a phone page on screen
    pdf = printer.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf)) == 2, (place, language)
    printer.emulate_media(media="print")
    try:
        tick = printer.locator("figure.chart svg text.tick").first
        assert tick.evaluate("t => getComputedStyle(t).fontSize") == "12px"  # brief.css, print
    finally:
        printer.emulate_media(media="null")  # back to what the browser does itself
