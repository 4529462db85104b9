"""Charts people can take away, in Debian's Chromium: PNG, SVG and CSV downloads named after
what they hold and holding it (the CSV equals the page's JSON twin), a copied link that restores
the exact view, an embed that a page on another site can frame; and the weight of a repeat
visit to the overview (gzip + the browser's cache of the map outlines and static files)."""

from __future__ import annotations

import csv
import http.server
import io
import re
import struct
import threading
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect
from tests.web.conftest import free_port

pytestmark = pytest.mark.browser

SVG = "{http://www.w3.org/2000/svg}"


def _download(page, figure, action: str):
    with page.expect_download() as info:
        figure.locator(f'button[data-action="{action}"]').click()
    return info.value


def test_map_downloads_png_svg_and_csv(page, live_server, api, tmp_path):
    page.goto(live_server.url + "/?year=2015&lens=un-developing")
    figure = page.locator("figure.chart-map")
    name = figure.get_attribute("data-file")
    assert name == "south-south-share-of-immigrants-by-country-2015-un-developing-ims2020"

    svg = _download(page, figure, "svg")
    assert svg.suggested_filename == name + ".svg"
    svg.save_as(tmp_path / "map.svg")
    root = ET.parse(tmp_path / "map.svg").getroot()
    paths = [p for p in root.iter(SVG + "path") if p.get("data-iso3")]
    assert len(paths) > 170 and all(p.get("d", "").startswith("M") for p in paths)
    assert not list(root.iter(SVG + "use"))  # outlines drawn in: the file stands alone
    words = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "Share of each country" in words and "Source:" in words and "not South" in words

    png = _download(page, figure, "png")
    assert png.suggested_filename == name + ".png"
    data = open(png.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1900 and height >= 900 and len(data) > 50_000  # drawn at 2x, not blank

    table = _download(page, figure, "csv")
    assert table.suggested_filename == name + ".csv"
    rows = list(csv.reader(io.StringIO(open(table.path(), encoding="utf-8").read())))
    overview = api.get("/overview.json", params={"year": 2015, "lens": "un-developing"}).json()
    expected = {r["iso3"]: r["share"] for r in overview["map"]
                if r["iso3"] not in overview["not_south"]}
    assert rows[0][:2] == ["Country", "ISO3"]
    assert {r[1]: float(r[2]) for r in rows[1:]} == pytest.approx(expected)


def test_line_chart_csv_equals_the_api(page, live_server, api):
    page.goto(live_server.url + "/corridor/SOM/KEN")
    figure = page.locator("figure.chart-line").first
    assert figure.get_attribute("data-file").startswith("migrants-from-somalia-in-kenya-by-sex")
    table = _download(page, figure, "csv")
    rows = list(csv.DictReader(io.StringIO(open(table.path(), encoding="utf-8").read())))
    trend = api.get("/corridor/SOM/KEN.json").json()["trend"]
    assert [(int(r["Year"]), float(r["Women"]), float(r["Men"])) for r in rows] == [
        (t["year"], t["female"], t["male"]) for t in trend]


def test_copied_link_restores_the_view(chromium, live_server):
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    tab.goto(live_server.url + "/country/BRA?year=2000&lens=un-developing&view=destinations&lang=fr")
    figure = tab.locator("figure.chart-map")
    figure.locator('button[data-action="copy"]').click()
    # expect(), not wait_for_function: the page's CSP forbids the eval it polls with.
    expect(figure.locator(".chart-status")).to_have_text(re.compile(r"\S"))
    link = tab.evaluate("navigator.clipboard.readText()")
    assert link.startswith(live_server.url + "/country/BRA?")
    for part in ("year=2000", "lens=un-developing", "view=destinations", "lang=fr", "edition="):
        assert part in link
    assert link.endswith("#" + figure.get_attribute("id"))
    other = context.new_page()
    other.goto(link)
    assert other.evaluate("document.documentElement.lang") == "fr"
    assert other.locator("select[name=year]").input_value() == "2000"
    assert other.locator("select[name=lens]").input_value() == "un-developing"
    assert other.locator("#view-destinations").get_attribute("aria-current") == "true"
    assert other.locator("figure.chart-map").get_attribute("data-file") == figure.get_attribute(
        "data-file")
    context.close()


def test_embed_snippet_frames_the_chart_on_another_page(page, live_server):
    page.goto(live_server.url + "/?year=2020")
    snippet = page.locator("figure.chart-map .chart-embed textarea").input_value()
    assert snippet.startswith(f'<iframe src="{live_server.url}/embed/?')
    body = f"<!doctype html><title>Elsewhere</title>{snippet}".encode()

    class Elsewhere(http.server.BaseHTTPRequestHandler):  # another site: another origin (port)
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    host = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Elsewhere)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{host.server_address[1]}/")
        frame = page.frame_locator("iframe")
        frame.locator("figure.chart-map svg.map").wait_for()
        assert frame.locator("figure").count() == 1
        assert frame.locator("svg.map use").count() > 170
    finally:
        host.shutdown()


def test_a_repeat_visit_to_the_overview_is_light(page, live_server):
    """Bytes on the wire (Chromium's own count, compressed), not time: the first visit fetches
    the page, the style sheet, the script and the map outlines; the second only the page."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    session.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    session.on("Network.loadingFinished",
               lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def visit() -> dict[str, int]:
        sizes.clear()
        urls.clear()
        page.goto(live_server.url + "/?year=2020")
        page.wait_for_load_state("networkidle")
        return {urls.get(k, k): v for k, v in sizes.items()}

    first = visit()
    assert any("/geo/world.svg" in u for u in first)
    again = visit()
    total = sum(again.values())
    assert total <= 60_000, again
    assert all(v < 1000 for u, v in again.items() if "/static/" in u or "/geo/" in u), again
