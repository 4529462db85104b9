"""The background paper's evidence through the API, as the CLI gives it: the income thresholds
behind each lens, ratifiers of an instrument by lens category, and the category split within a
region or community — and the methods page showing the same figures."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from corridors.cli.main import app


def _cli(built_home, *args: str):
    result = CliRunner().invoke(app, ["--home", str(built_home), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_thresholds_are_the_published_ones_and_the_cli_s(client, built_home):
    body = client.get("/api/v1/lenses/thresholds", params={"lens": "wb-lmic", "year": [2020]}).json()
    (row,) = body["items"]
    # World Bank FY22 classification (GNI 2020): low <= 1,045; lower-middle <= 4,095; upper-middle <= 12,695
    assert (row["fiscal_year"], row["l_max"], row["lm_max"], row["um_max"]) == ("FY22", 1045, 4095, 12695)
    assert row["origin_south_gni_max"] == row["destination_south_gni_max"] == 4095
    assert body["items"] == _cli(built_home, "lenses", "thresholds", "--lens", "wb-lmic", "--year", "2020")
    assert any(s["source_id"].startswith("wb-") for s in body["sources"])
    every = client.get("/api/v1/lenses/thresholds").json()["items"]
    assert {r["lens"] for r in every} >= {"wb-lmic", "wb-non-high", "un-developing", "gfmd-2018"}


def test_ratifiers_by_lens_category(client, built_home):
    body = client.get("/api/v1/instruments/C097/ratifiers",
                      params={"lens": "wb-non-high", "year": 2020}).json()
    groups = {r["group"]: r for r in body["items"]}
    assert set(groups) == {"south", "north", "unclassified"}
    south, north = groups["south"], groups["north"]
    assert south["ratifiers"] == len(south["countries"]) and north["ratifiers"] == len(north["countries"])
    assert not set(south["countries"]) & set(north["countries"])
    assert south["share"] == south["ratifiers"] / (south["ratifiers"] + north["ratifiers"])
    assert south["share"] > 0.5  # the paper: over half of C097's ratifiers are in the South
    cli = _cli(built_home, "ratifications", "south", "C097", "--lens", "wb-non-high", "--year", "2020")
    assert body["items"] == (cli["items"] if isinstance(cli, dict) else cli)
    assert client.get("/api/v1/instruments/C999/ratifiers").status_code == 404
    assert client.get("/api/v1/instruments/C097/ratifiers", params={"role": "both"}).status_code == 422


def test_summary_within_a_community_adds_up_to_its_members_stock(client, built_home, store_con):
    members = next(c for c in client.get("/api/v1/communities", params={"year": 2020}).json()["items"]
                   if c["rec_code"] == "ECOWAS")
    full = sorted(members["member_codes"])
    body = client.get("/api/v1/summary", params={"region": "ECOWAS", "year": 2020}).json()
    rows = body["items"]
    assert {r["category"] for r in rows} == {"south-south", "south-north", "north-south", "north-north"}
    total = store_con.execute(
        "SELECT sum(value) FROM migrant_stock WHERE edition = 'ims2020' AND year = 2020 AND sex = 'total'"
        " AND origin IN ? AND destination IN ?", [full, full]).fetchone()[0]
    first = rows[0]
    assert sum(r["value"] for r in rows) + first["unclassified"] + first["unknown_origin"] == total
    assert rows == _cli(built_home, "ssm", "summary", "--region", "ECOWAS", "--year", "2020")
    assert client.get("/api/v1/summary", params={"region": "Nowhere"}).status_code == 404


def test_methods_page_shows_thresholds_and_ratifiers(client):
    page = client.get("/methods").text
    data = client.get("/methods.json").json()
    year = data["year"]
    api = {r["lens"]: r for r in client.get("/api/v1/lenses/thresholds", params={"year": [year]}).json()["items"]}
    assert 'id="threshold-table"' in page and 'id="ratifier-table"' in page
    for row in data["thresholds"]:
        assert row["lm_max"] == api[row["lens"]]["lm_max"]
    c097 = next(r for r in data["ratifiers"] if r["instrument"] == "C097")
    groups = {r["group"]: r["ratifiers"] for r in client.get(
        "/api/v1/instruments/C097/ratifiers", params={"lens": "wb-lmic", "year": year}).json()["items"]}
    assert (c097["south"], c097["north"], c097["unclassified"]) == (
        groups["south"], groups["north"], groups["unclassified"])
    assert re.search(r'<tr data-instrument="C097"><th scope="row">C097</th><td class="num">'
                     + str(c097["south"]) + "<", page)
