"""Every page on a phone (390x844) and a desktop (1440x900) in Debian's Chromium: axe-core finds
no violation, nothing is wider than the screen (wide tables scroll inside their own box), chart
text renders at 11 px or more, chart controls are 24 px or more, the focus ring stands out 3:1
against what is behind it, and one key press skips the map."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "tooling" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/country/KEN", "/corridor/SOM/KEN", "/explore?destination=KEN&year=2020",
         "/sources", "/methods", "/scorecard", "/scorecard/NIC/CRI", "/practices",
         "/?lang=fr", "/country/BRA?lang=es", "/embed/country/KEN?chart=trends",
         "/regions", "/community/ECOWAS", "/region/continent/002?lang=fr"]
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI needs axe-core for the browser tests (scripts/setup.sh: npm ci)")
        pytest.skip("run scripts/setup.sh (npm ci --prefix tests/web/tooling) for axe-core")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(params=list(SCREENS), scope="module")
def screen(request, chromium):
    context = chromium.new_context(viewport=SCREENS[request.param],
                                   is_mobile=request.param == "phone",
                                   has_touch=request.param == "phone")
    yield request.param, context.new_page()
    context.close()


def _open(tab, live_server, path: str) -> None:
    if "chart=trends" in path:  # the embed of the country page's first line chart
        tab.goto(live_server.url + "/country/KEN")
        chart = tab.locator("figure.chart-line").first.get_attribute("id")
        path = path.replace("trends", chart)
    response = tab.goto(live_server.url + path)
    assert response.status == 200, path
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


@pytest.mark.parametrize("path", PAGES)
def test_page_passes_axe_and_fits_the_screen(screen, live_server, axe_source, path):
    name, tab = screen
    _open(tab, live_server, path)
    tab.evaluate(axe_source)  # evaluated by the test driver: the page's CSP stays as served
    violations = tab.evaluate("""async (tags) => (await axe.run(document,
        {runOnly: {type: 'tag', values: tags}})).violations.map(v =>
        ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""", TAGS)
    assert violations == [], (name, path, violations)
    fit = tab.evaluate(OVERFLOW)
    assert fit["page"] <= fit["width"] and fit["wide"] == [], (name, path, fit)
    small = [(text, round(px, 1)) for text, px in tab.evaluate(CHART_TEXT) if px < 11]
    assert small == [], (name, path, small)
    tools = tab.evaluate("""() => [...document.querySelectorAll(
        '.chart-tools button, .chart-tools a, .chart-tools summary, .chart-data summary')]
        .filter(e => e.getClientRects().length).map(e => [e.textContent, e.getBoundingClientRect().height])""")
    assert all(height >= 24 for _, height in tools), (name, path, tools)


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


@pytest.mark.parametrize("path", ["/", "/country/KEN", "/explore"])
def test_focus_ring_stands_out_everywhere(page, live_server, path):
    page.goto(live_server.url + path)
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
