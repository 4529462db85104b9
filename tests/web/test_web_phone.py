"""Every page in every language on a phone (390x844), and in English on a desktop (1440x900), in
Debian's Chromium: axe-core finds no violation, nothing is wider than the screen (wide tables
scroll inside their own box), chart text renders at 11 px or more, chart controls and the brief's
buttons are 24 px or more; the page speaks the language asked for (``?lang=fr``, the browser's
``Accept-Language: es``): ``<html lang>``, no interface message of the catalogues left in English,
numbers in the language's format (a known figure: Babel's format of the API's); the focus ring
stands out 3:1 against what is behind it, and one key press skips the map."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from tests.web.conftest import PAGES
from tests.web.test_web_translations import untranslated

from corridors import codes, languages

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "tooling" / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
#: (screen, language, how the language is asked for): one browser context each, its tab reused
#: for every page. English on both screens; French and Spanish on the phone, the narrower one.
VIEWS = [("phone", "en", None), ("phone", "fr", "query"), ("phone", "es", "header"),
         ("desktop", "en", None)]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: A figure each of these pages shows, with the API's figure it must be (read with ``api``).
KNOWN = {
    "/": ("#world-migrants", lambda api: max(api.get("/api/v1/stocks").json()["items"],
                                             key=lambda r: r["year"])["value"]),
    "/country/KEN": ("#immigrants",
                     lambda api: api.get("/api/v1/countries/KEN/profile").json()["immigrants"]),
    "/corridor/SOM/KEN": ("#corridor-stock", lambda api: max(api.get("/api/v1/corridors", params={
        "origin": "SOM", "destination": "KEN"}).json()["items"], key=lambda r: r["year"])["stock"]),
    "/brief/KEN?year=2020": ("#brief-immigrants", lambda api: api.get(
        "/api/v1/countries/KEN/profile", params={"year": 2020}).json()["immigrants"]),
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI needs axe-core for the browser tests (scripts/setup.sh: npm ci)")
        pytest.skip("run scripts/setup.sh (npm ci --prefix tests/web/tooling) for axe-core")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(params=VIEWS, ids=[f"{s}-{lang}" for s, lang, _ in VIEWS], scope="module")
def view(request, chromium):
    name, language, asked = request.param
    headers = {"Accept-Language": f"{language}-{language.upper()},{language};q=0.9"} if asked == "header" else {}
    context = chromium.new_context(viewport=SCREENS[name], is_mobile=name == "phone",
                                   has_touch=name == "phone", extra_http_headers=headers)
    yield name, language, asked, context.new_page()
    context.close()


def _address(path: str, language: str, asked: str | None) -> str:
    if asked != "query":
        return path
    return path + ("&" if "?" in path else "?") + f"lang={language}"


def _open(tab, live_server, path: str, language: str = "en", asked: str | None = None) -> None:
    if "chart=trends" in path:  # the embed of the country page's first line chart
        tab.goto(live_server.url + _address("/country/KEN", language, asked))
        chart = tab.locator("figure.chart-line").first.get_attribute("id")
        path = path.replace("trends", chart)
    response = tab.goto(live_server.url + _address(path, language, asked))
    assert response.status == (404 if path == "/no-such-page" else 200), path
    tab.wait_for_load_state("networkidle")


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth, wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (!box.width || box.right <= width + 1) continue;
    let up = el.parentElement, inside = false;
    while (up && !inside) {
      inside = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX);
      up = up.parentElement;
    }
    if (!inside) wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.right));
  }
  return {page: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""

CHART_TEXT = """() => [...document.querySelectorAll('figure.chart svg text')]
  .filter(t => t.getClientRects().length)
  .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a])"""

#: Controls a finger must hit: the charts' tools, the brief's Print button and link back.
TARGETS = """() => [...document.querySelectorAll(
    '.chart-tools button, .chart-tools a, .chart-tools summary, .chart-data summary, '
    + '.screen-only a, .screen-only button')]
  .filter(e => e.getClientRects().length).map(e => [e.textContent, e.getBoundingClientRect().height])"""

#: Tables wider than the screen: each must scroll in a box of its own that shows a shadow at the
#: edge (the cue that there is more), not be cut off.
WIDE_TABLES = """() => [...document.querySelectorAll('table')].filter(t => t.getClientRects().length
    && t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(t => {
  let box = t.parentElement;
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  return {table: t.id || t.className, scrolls: !!box,
          cue: !!box && getComputedStyle(box).backgroundImage.includes('gradient')};
})"""

#: Every text a reader (or a screen reader) gets: the title, text nodes (closed details and
#: screen-reader-only text too), option labels, and the names in attributes.
TEXTS = """() => {
  const clean = s => s.replace(/\\s+/g, ' ').trim(), out = [clean(document.title)];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('script, style, template, textarea')) continue;
    if (clean(n.data)) out.push(clean(n.data));
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))
    for (const name of ['aria-label', 'title', 'placeholder', 'alt'])
      if (el.getAttribute(name)) out.push(clean(el.getAttribute(name)));
  return out;
}"""

#: Figures printed with their raw value beside them (``data-value``), outside the charts.
FIGURES = """() => [...document.querySelectorAll('[data-value]')].filter(e => !e.closest('svg'))
  .map(e => [e.id, e.getAttribute('data-value'), e.textContent.trim()])"""
BARE_NUMBER = re.compile(r"^-?\d[\d\s.,\u202f\u00a0’']*$")
PERCENT = re.compile(r"^-?\d[\d.,]*[\s\u202f\u00a0]?%$")


def shares(value: float, language: str) -> set[str]:
    """How a share may be written in ``language``: the language's percent pattern (CLDR, through
    Babel: '40.5%', '40,5 %') with 0 to 2 decimals; of ``value`` (0.405) or, for figures kept in
    percentage points (remittance costs: 58.175), of ``value / 100``."""
    pattern = Locale.parse(language).percent_formats[None].pattern  # '#,##0\u00a0%'
    return {format_percent(share, pattern.replace("#,##0", "#,##0." + "0" * digits if digits else "#,##0"),
                           locale=language)
            for share in (value, value / 100) for digits in (0, 1, 2)}


def catalogue_messages() -> set[str]:
    """Every message id of the French and Spanish catalogues (read with Babel)."""
    found: set[str] = set()
    for language in languages.LANGUAGES:
        if language == languages.DEFAULT:
            continue
        with languages.catalogue_path(language).open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id:
                    found.add(message.id if isinstance(message.id, str) else message.id[0])
    return found


@pytest.fixture(scope="module")
def messages(api) -> set[str]:
    """The catalogues' messages less the names of countries and groups (data, named by the
    store: "Lower middle income" is both a message and the name of a group, whose pages show
    the store's names until names are translated)."""
    found = catalogue_messages()
    assert len(found) > 300  # the catalogues were read
    names = {name for name, _code in api.get("/country-names.json").json()["names"]}
    names |= {group["group"] for grouping in api.get("/regions.json").json()["groupings"]
              for group in grouping["groups"]}
    names |= set(codes.NOT_COUNTRY_NAMES.values())
    assert {"Kenya", "Africa", "Economic Community of West African States"} <= names
    return found - names


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_every_language(view, live_server, api, axe_source, messages, path):
    name, language, asked, tab = view
    _open(tab, live_server, path, language, asked)
    where = (name, language, path)
    # the language asked for, every interface message in it, numbers in its format
    assert tab.evaluate("document.documentElement.lang") == language, where
    left = untranslated(tab.evaluate(TEXTS), language, messages)
    assert left == [], (where, left[:8])
    for element, raw, shown in tab.evaluate(FIGURES):
        value = float(raw) if re.fullmatch(r"-?\d+(\.0+)?", raw) else None
        if value is not None and abs(value) >= 1000 and BARE_NUMBER.match(shown):
            assert shown == format_decimal(round(value), locale=language), (where, element, raw, shown)
        if PERCENT.match(shown) and re.fullmatch(r"-?\d*\.\d+(e-?\d+)?", raw):
            assert shown in shares(float(raw), language), (where, element, raw, shown)
    if path in KNOWN:
        selector, read = KNOWN[path]
        figure = read(api)
        assert tab.locator(selector).inner_text() == format_decimal(round(figure), locale=language), where
        assert float(tab.locator(selector).get_attribute("data-value")) == figure, where
    # accessible, fits the screen, readable charts, targets a finger can hit
    tab.evaluate(axe_source)  # evaluated by the test driver: the page's CSP stays as served
    violations = tab.evaluate("""async (tags) => (await axe.run(document,
        {runOnly: {type: 'tag', values: tags}})).violations.map(v =>
        ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""", TAGS)
    assert violations == [], (where, violations)
    fit = tab.evaluate(OVERFLOW)
    assert fit["page"] <= fit["width"] and fit["wide"] == [], (where, fit)
    small = [(text, round(px, 1)) for text, px in tab.evaluate(CHART_TEXT) if px < 11]
    assert small == [], (where, small)
    tables = tab.evaluate(WIDE_TABLES)
    assert all(t["scrolls"] and t["cue"] for t in tables), (where, tables)
    targets = tab.evaluate(TARGETS)
    assert all(height >= 24 for _, height in targets), (where, targets)


def _luminance(rgb: list[float]) -> float:
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in rgb[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


FOCUS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  let up = parseFloat(style.outlineOffset) < 0 ? el : el.parentElement, back = [255, 255, 255];
  while (up) {
    const c = rgb(getComputedStyle(up).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0.5)) { back = c; break; }
    up = up.parentElement;
  }
  return {tag: el.tagName + '.' + el.className, style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: rgb(style.outlineColor), back};
}"""


@pytest.mark.parametrize("path", PAGES)
def test_focus_ring_stands_out_everywhere(page, live_server, path):
    _open(page, live_server, path)
    for _ in range(40):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS)
        if ring["tag"].startswith("BODY"):
            break
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        light, dark = sorted((_luminance(ring["colour"]), _luminance(ring["back"])), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3, ring


def test_one_key_skips_the_map(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("svg.map a").count() > 50  # what a keyboard would otherwise cross
    page.focus("select[name=lens]")
    presses = 0
    while not page.evaluate("document.activeElement.classList.contains('skip-map')"):
        page.keyboard.press("Tab")
        presses += 1
        assert presses < 30, "the skip link comes before the map"
    assert page.locator(".skip-map").bounding_box()["width"] > 0  # visible when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    after = page.evaluate("""() => !!(document.querySelector('svg.map').compareDocumentPosition(
        document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING)""")
    assert after and page.evaluate("!document.activeElement.closest('svg')")


def test_the_map_has_a_list_to_tap_on_a_phone(chromium, live_server):
    context = chromium.new_context(viewport=SCREENS["phone"], is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(live_server.url + "/?year=2020")
    figure = tab.locator("figure.chart-map")
    figure.locator(".chart-data summary").tap()
    link = figure.locator(".chart-data a", has_text="Uganda")
    assert link.bounding_box()["height"] >= 24
    with tab.expect_navigation():
        link.tap()
    assert "/country/UGA" in tab.url and "year=2020" in tab.url
    context.close()
