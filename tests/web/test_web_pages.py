"""The pages and their JSON twins without a browser: same figures, state in the URL, nothing
from a CDN, map geometry from the packaged Natural Earth file."""

from __future__ import annotations

import hashlib
import re

import pytest

from corridors import codes
from corridors.web import geometry

TWINS = [("/", "/overview.json"), ("/country/KEN", "/country/KEN.json"),
         ("/corridor/SOM/KEN", "/corridor/SOM/KEN.json"), ("/explore", "/explore.json"),
         ("/sources", "/sources.json"), ("/methods", "/methods.json")]


@pytest.mark.parametrize(("html", "twin"), TWINS)
def test_every_page_has_a_json_twin_and_nothing_external(web_client, html, twin):
    page = web_client.get(html)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'type="application/json" href="{twin}' in page.text
    data = web_client.get(twin)
    assert data.status_code == 200 and data.json()
    for tag in re.findall(r"<(?:script|link|img)[^>]*>", page.text):
        assert "//" not in tag, tag  # every script, style and image comes from this server


def test_overview_twin_carries_the_page_figures(web_client):
    data = web_client.get("/overview.json", params={"year": 2010, "lens": "wb-non-high"}).json()
    page = web_client.get("/", params={"year": 2010, "lens": "wb-non-high"}).text
    headline = data["headline"]
    assert f'id="world-migrants" data-value="{headline["world_migrants"]}"' in page
    assert f'id="south-south" data-value="{headline["south_south"]}"' in page
    world = web_client.get("/api/v1/stocks", params={"year": 2010}).json()["items"][0]["value"]
    assert headline["world_migrants"] == world
    assert {s["licence"] for s in data["sources"]} >= {"CC BY 3.0 IGO"}
    assert 'value="wb-non-high" selected' in page and 'value="2010" selected' in page


def test_map_shares_are_between_zero_and_one_and_zero_for_north(web_client):
    data = web_client.get("/overview.json", params={"year": 2020}).json()
    shares = {r["iso3"]: r["share"] for r in data["map"]}
    assert all(0 <= s <= 1 for s in shares.values())
    assert shares["GBR"] == 0  # a high-income destination is never South-South under wb-lmic
    assert shares["UGA"] > 0.5


def test_bad_page_input_is_an_html_page_saying_what_was_expected(web_client):
    response = web_client.get("/", params={"year": 1991})
    assert response.status_code == 422
    assert "expected one of" in response.text and "<h1>" in response.text
    missing = web_client.get("/country/QQQ")
    assert missing.status_code == 404 and "ISO3" in missing.text


@pytest.mark.parametrize(("path", "field"), [("/country/ALL.json", "code"), ("/country/ALL", "code"),
                                             ("/corridor/ALL/KEN.json", "origin"),
                                             ("/corridor/SOM/ALL", "destination")])
def test_a_profile_of_all_countries_is_refused_by_name(web_client, path, field):
    # "ALL" means every country in a filter, but a profile is of one: it was "unknown country None"
    response = web_client.get(path)
    assert response.status_code == 404
    assert f"{field}: expected" in response.text and "'ALL'" in response.text.replace("&#39;", "'")
    assert "None" not in response.text


def test_country_box_redirects_names_and_codes(web_client):
    for typed in ("Kenya", "404", "ken"):
        response = web_client.get("/country", params={"code": typed, "year": 2015},
                                  follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/country/KEN?year=2015"


def test_static_assets_are_served_by_the_package(web_client):
    for name in ("app.css", "app.js", "favicon.svg"):
        assert web_client.get(f"/static/{name}").status_code == 200
    geo = web_client.get("/static/geo/countries-110m.json")
    assert hashlib.sha256(geo.content).hexdigest() == geometry.SHA256


def test_natural_earth_outlines_map_to_the_country_table():
    shapes = geometry.world()
    assert len(shapes) >= 170
    known = codes.countries()
    assert all(s.iso3 in known for s in shapes)
    assert {"KEN", "BRA", "IND", "RUS", "FJI"} <= {s.iso3 for s in shapes}
    xs = [float(v) for s in shapes for v in re.findall(r"[ML]([-\d.]+),", s.path)]
    assert 0 <= min(xs) and max(xs) <= geometry.WIDTH


def test_equal_earth_projection_known_points():
    assert geometry.equal_earth(0, 0) == (0.0, 0.0)
    x, y = geometry.equal_earth(180, 0)
    assert x == pytest.approx(2.7066297, abs=1e-6) and y == 0
    _, top = geometry.equal_earth(0, 90)
    assert top == pytest.approx(1.3173627, abs=1e-6)


def test_explorer_csv_is_the_whole_filtered_table(web_client):
    total = web_client.get("/explore.json", params={"year": 2020}).json()["total"]
    assert total > 1000  # more than one API page
    response = web_client.get("/explore.csv", params={"year": 2020})
    lines = response.text.strip().splitlines()
    assert len(lines) == 1 + total
    assert "CC BY 3.0 IGO" in response.headers["x-corridors-sources"]
    page = web_client.get("/explore", params={"year": 2020}).text
    assert "Other (unknown origin)" in page
