"""Honest maps and charts, read from the pages the server draws over the store built from the
mirror: non-South countries in their own style, no data distinct, rounded class breaks, the
selected country outlined, no line across the map, axes scaled to the data, the same colours for
women and men everywhere; and what makes them light (compression, a cached map file)."""

from __future__ import annotations

import gzip
import math
import re

import pytest

from corridors.web import charts, geometry


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _uses(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<use [^>]*>", html)]


# --- axes and classes ---------------------------------------------------------------------------

@pytest.mark.parametrize(("top", "axis_top"), [(260e6, 300e6), (280_598_105, 300e6), (45_210, 50_000),
                                               (0.62, 0.75), (0.053, 0.06), (7, 7.5)])
def test_axes_end_just_above_the_data(top, axis_top):
    ticks = charts.ticks(top)
    assert ticks[0] == 0 and ticks[-1] == pytest.approx(axis_top)
    assert 3 <= len(ticks) - 1 <= 6
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced


def test_an_axis_has_one_number_format():
    labels = charts.axis_labels(charts.ticks(1.2e6), as_share=False)
    assert labels == ["0", "0.2M", "0.4M", "0.6M", "0.8M", "1.0M", "1.2M"]
    assert charts.axis_labels(charts.ticks(0.62), as_share=True) == ["0%", "25%", "50%", "75%"]


def test_map_classes_are_round_and_do_not_overlap():
    values = [1, 300, 523, 800, 9926, 20000, 1e5, 3e5, 2e6]
    breaks = charts.class_breaks(values, as_share=False)
    assert breaks == sorted(set(breaks))
    for b in breaks:
        mantissa = b / 10 ** math.floor(math.log10(b))
        assert mantissa in (1, 2, 5), b
    labels = charts.class_labels(breaks, as_share=False)
    assert labels[0] == "under 200" and labels[1] == "200–999" and labels[-1] == "200,000 or more"
    assert "523" not in " ".join(labels)
    assert charts.class_labels([0.2, 0.4, 0.6, 0.8], as_share=True)[1] == "20%–39.9%"


def test_no_outline_runs_across_the_map():
    shapes = {s.iso3: s for s in geometry.world()}
    for iso3 in ("FJI", "RUS", "USA", "KIR", "NZL"):
        if iso3 not in shapes:
            continue
        for ring in re.findall(r"M[^Z]*Z", shapes[iso3].path):
            xs = [float(x) for x in re.findall(r"([-\d.]+),", ring)]
            jumps = [abs(b - a) for a, b in zip(xs, xs[1:], strict=False)]
            assert max(jumps) < geometry.WIDTH / 3, (iso3, max(jumps))
    fiji = [float(x) for x in re.findall(r"([-\d.]+),", shapes["FJI"].path)]
    assert min(fiji) < geometry.WIDTH * 0.1 and max(fiji) > geometry.WIDTH * 0.9  # both edges


def test_a_ring_crossing_the_date_line_is_split_in_two():
    ring = [(170.0, -10.0), (-170.0, -10.0), (-170.0, 10.0), (170.0, 10.0)]
    pieces = geometry.split_at_antimeridian(ring)
    assert len(pieces) == 2
    for piece in pieces:
        lons = [lon for lon, _ in piece]
        assert max(lons) - min(lons) == pytest.approx(10)


# --- the maps on the pages -----------------------------------------------------------------------

def test_overview_map_draws_non_south_countries_as_such(web_client):
    data = web_client.get("/overview.json", params={"year": 2020, "lens": "wb-lmic"}).json()
    html = web_client.get("/", params={"year": 2020, "lens": "wb-lmic"}).text
    uses = {u["data-iso3"]: u for u in _uses(html) if u.get("data-iso3")}
    for iso3 in ("USA", "CHN", "BRA", "GBR", "DEU"):
        assert iso3 in data["not_south"]
        assert uses[iso3]["data-class"] == "not-south" and uses[iso3]["fill"].endswith("-north)")
    assert len(data["not_south"]) > 80
    assert uses["UGA"]["fill"] in charts.MAP_CLASSES and "data-value" in uses["UGA"]
    assert all(u["fill"].startswith("url(") for u in uses.values() if u.get("data-class") in (
        "not-south", "no-data"))
    assert "not South under this definition" in html and "no data" in html
    legend = re.search(r'<figure class="chart chart-map".*?<ul class="legend">(.*?)</ul>', html, re.S)
    assert "0–" not in legend.group(1) and "under 20%" in legend.group(1)


def test_country_map_outlines_the_country_on_top(web_client):
    html = web_client.get("/country/KEN", params={"year": 2020}).text
    svg = re.search(r'<svg[^>]*class="map".*?</svg>', html, re.S).group(0)
    uses = _uses(svg)
    assert uses[-1]["data-iso3"] == "KEN" and uses[-1]["stroke"] == charts.INK
    assert sum(1 for u in uses if u.get("class") == "selected") == 1


def test_the_map_outlines_are_one_cached_file_not_inline(web_client):
    html = web_client.get("/", params={"year": 2020}).text
    assert ' d="M' not in html.split('class="map"')[1].split("</svg>")[0]  # no inline geometry
    href = re.search(r'<use href="([^"#]+)#c-KEN"', html).group(1)
    assert href == charts.world_url()
    answer = web_client.get(href)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert "immutable" in answer.headers["cache-control"] and "max-age=31536000" in answer.headers[
        "cache-control"]
    assert 'id="c-KEN"' in answer.text and 'id="c-FJI"' in answer.text
    assert "immutable" not in web_client.get("/geo/world.svg").headers["cache-control"]


def test_women_and_men_have_the_same_colours_in_every_chart(web_client):
    corridor = web_client.get("/corridor/SOM/KEN").text
    by_series = {series: colour for colour, series in re.findall(
        r'<circle [^>]*fill="(#\w+)" data-series="([^"]*)"', corridor)}
    assert by_series["Women"] == charts.SEX_COLOURS["female"]
    assert by_series["Men"] == charts.SEX_COLOURS["male"]
    flows = [(c, s) for c, s in re.findall(r'<circle [^>]*fill="(#\w+)" data-series="([^"]*)"',
                                           corridor) if s.endswith((", women", ", men"))]
    assert len(flows) >= 4
    for colour, series in flows:
        assert colour == charts.SEX_COLOURS["female" if series.endswith("women") else "male"]
    # colour-blind safe and visible on white: 3:1 or more for both
    for colour in (charts.SEX_COLOURS["female"], charts.SEX_COLOURS["male"]):
        assert (1.05) / (_luminance(colour) + 0.05) >= 3


def test_reclassification_is_noted_under_the_category_chart(web_client):
    html = web_client.get("/", params={"year": 2020}).text
    figure = re.search(r'<figure class="chart chart-bars".*?</figure>', html, re.S).group(0)
    assert 'class="chart-note"' in figure and "reclassification" in figure


# --- take-away: link, embed, data ----------------------------------------------------------------

def test_each_chart_has_a_link_restoring_the_view_and_a_named_file(web_client):
    html = web_client.get("/country/KEN", params={"year": 2015, "lens": "un-developing",
                                                   "lang": "fr"}).text
    figures = re.findall(r'<figure class="chart[^"]*" id="([^"]+)" data-file="([^"]+)"', html)
    assert len(figures) >= 4
    links = re.findall(r'class="chart-tools" data-link="([^"]+)"', html)
    assert len(links) == len(figures)
    for link in links:
        link = link.replace("&amp;", "&")
        assert link.startswith("/country/KEN?")
        for part in ("year=2015", "lens=un-developing", "lang=fr", "edition=", "view=origins"):
            assert part in link, (part, link)
    files = dict(figures)
    assert any(f.endswith("-un-developing-ims2020") and "kenya" in f for f in files.values())


def test_the_map_data_table_lists_every_country_with_its_value(web_client):
    data = web_client.get("/overview.json", params={"year": 2020}).json()
    html = web_client.get("/", params={"year": 2020}).text
    figure = re.search(r'<figure class="chart chart-map".*?</figure>', html, re.S).group(0)
    table = re.search(r'<details class="chart-data">.*?</details>', figure, re.S).group(0)
    shown = dict(re.findall(r'<td>([A-Z]{3})</td><td class="num" data-value="([^"]+)"', table))
    expected = {r["iso3"]: r["share"] for r in data["map"] if r["iso3"] not in data["not_south"]}
    assert shown.keys() == expected.keys()
    assert all(float(shown[k]) == pytest.approx(v) for k, v in expected.items())


def test_embed_shows_one_chart_and_may_be_framed(web_client):
    html = web_client.get("/", params={"year": 2020}).text
    chart = re.search(r'<figure class="chart chart-map" id="([^"]+)"', html).group(1)
    answer = web_client.get("/embed/", params={"chart": chart, "year": 2020, "lang": "es"})
    assert answer.status_code == 200
    assert answer.text.count("<figure") == 1 and f'id="{chart}"' in answer.text
    assert "<header" not in answer.text and 'lang="es"' in answer.text
    assert "x-frame-options" not in answer.headers
    assert "frame-ancestors *" in answer.headers["content-security-policy"]
    assert web_client.get("/").headers["x-frame-options"] == "DENY"
    country = web_client.get("/embed/country/KEN", params={"chart": "nothing-here"})
    assert country.status_code == 404 and "nothing-here" in country.text


# --- weight --------------------------------------------------------------------------------------

def test_pages_are_compressed_after_the_cache(web_client):
    plain = web_client.get("/", params={"year": 2015}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for _ in range(2):  # the second answer comes from the response cache
        packed = web_client.get("/", params={"year": 2015}, headers={"accept-encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in packed.headers["vary"].lower()
        assert packed.headers["content-security-policy"] == plain.headers["content-security-policy"]
        assert packed.text == plain.text  # httpx decompressed it
        size = int(packed.headers["content-length"])
        assert size == len(gzip.compress(plain.content)) or size < len(plain.content) / 3
    assert int(packed.headers["content-length"]) <= 60_000  # the repeat visit's whole transfer
    again = web_client.get("/", params={"year": 2015}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in again.headers and again.content == plain.content


def test_static_files_are_versioned_and_kept(web_client):
    html = web_client.get("/").text
    for name in ("app.css", "app.js"):
        href = re.search(rf'"(/static/{name}\?v=[0-9a-f]+)"', html).group(1)
        answer = web_client.get(href)
        assert "immutable" in answer.headers["cache-control"]
    assert "immutable" not in web_client.get("/static/app.css").headers.get("cache-control", "")


def test_a_country_changing_income_group_has_a_note_under_its_south_south_share(web_client):
    profile = web_client.get("/country/IND.json", params={"year": 2020}).json()
    groups = {row["income_group"] for row in profile["income_history"] if row["income_group"]}
    assert len(groups) >= 2  # India: low income, then lower-middle income
    html = web_client.get("/country/IND", params={"year": 2020}).text
    notes = re.findall(r'<p class="chart-note">([^<]*)</p>', html)
    assert any("changed World Bank income group" in n and "→" in n for n in notes), notes
