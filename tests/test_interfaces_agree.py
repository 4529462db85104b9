"""The API, the CLI and the web pages give the same members, categories and growth for every
community, lens and year (issue 11, "Done when").

On the store built from the mirror, for every year of the default edition:

- members: every community's full members from the CLI (``corridors communities CODE --year Y
  --format json``) are the API's (``/api/v1/communities?year=Y``), and they decide the shared
  communities of every corridor row of the API (``/api/v1/corridors``) and of the dashboard's
  explorer download (``/explore.csv``);
- categories and growth: every corridor's category under every built-in lens and its growth rate
  are the same in the CLI (``corridors ssm top --all-years --format json``, every corridor), the
  API and the explorer download.

Each interface is reached through its real entry point: the CLI's Typer app, the ASGI app.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridors.analytics.lenses import BUILTIN
from corridors.api.main import create_app
from corridors.cli.main import app as cli_app
from corridors.codes import OTHER_ORIGIN
from corridors.observatory import Observatory

MAX_LIMIT = 1000  # the API's largest page


@pytest.fixture(scope="module")
def client(built_store: Path):
    with TestClient(create_app(built_store), raise_server_exceptions=False) as client:
        yield client


def cli_json(home: Path, *args: str):
    result = CliRunner().invoke(cli_app, ["--home", str(home), *args, "--format", "json"])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def api_corridors(client: TestClient, year: int) -> list[dict]:
    """Every row of the API's corridor table in ``year``, page by page."""
    rows: list[dict] = []
    while True:
        page = client.get("/api/v1/corridors", params={"year": year, "limit": MAX_LIMIT,
                                                       "offset": len(rows)})
        assert page.status_code == 200, page.text[:300]
        body = page.json()
        rows += body["items"]
        if body["next"] is None:
            assert len(rows) == body["total"]
            return rows


def web_corridors(client: TestClient, year: int) -> list[dict]:
    """Every row of the explorer's CSV download in ``year``, typed back from the text."""
    response = client.get("/explore.csv", params={"year": year})
    assert response.status_code == 200, response.text[:300]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    for row in rows:
        row["year"] = int(row["year"])
        row["growth_rate"] = float(row["growth_rate"]) if row["growth_rate"] else None
        row["shared_recs"] = json.loads(row["shared_recs"])
    return rows


def same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def column(lens: str) -> str:
    return "category_" + lens.replace("-", "_")


def test_api_cli_and_web_agree_on_members_categories_and_growth(client, built_home: Path,
                                                                built_store: Path):
    with Observatory(built_store) as obs:
        selection = obs.select()  # the default edition and all its years
    edition, years = selection.edition, list(selection.years)
    assert len(years) >= 7, years
    lenses = list(BUILTIN)
    assert set(lenses) == {"wb-lmic", "wb-non-high", "un-developing", "gfmd-2018"}

    # the CLI: every corridor of every year under each lens, with its category and growth
    cli: dict[str, dict[tuple[str, str, int], dict]] = {}
    for lens in lenses:
        rows = cli_json(built_home, "ssm", "top", "--lens", lens, "--all-years",
                        "--top", "10000000", "--min-stock", "0")
        assert {r["lens"] for r in rows} == {lens} and {r["edition"] for r in rows} == {edition}
        cli[lens] = {(r["origin"], r["destination"], r["year"]): r for r in rows}
        assert {y for _, _, y in cli[lens]} == set(years)

    communities = [c["rec_code"] for c in client.get(
        "/api/v1/communities", params={"limit": 100}).json()["items"]]
    assert len(communities) == 16

    compared = {"members": 0, "pairs": 0, "categories": 0, "growth": 0}
    for year in years:
        # members: the CLI's full members are the API's, community by community
        api_members = {c["rec_code"]: c["member_codes"] for c in client.get(
            "/api/v1/communities", params={"year": year, "limit": 100}).json()["items"]}
        members: dict[str, set[str]] = {}
        for code in communities:
            rows = cli_json(built_home, "communities", code, "--year", str(year))["items"]
            members[code] = {r["iso3"] for r in rows if r["full_member"]}
            assert sorted(members[code]) == api_members[code], (code, year)
            compared["members"] += 1

        api = {(r["origin"], r["destination"]): r for r in api_corridors(client, year)}
        web = {(r["origin"], r["destination"]): r for r in web_corridors(client, year)}
        assert api.keys() == web.keys(), year
        # the CLI lists every corridor of a known origin (unknown origins have no category)
        known = {pair for pair in api if pair[0] != OTHER_ORIGIN}
        for lens in lenses:
            assert {(o, d) for o, d, y in cli[lens] if y == year} == known, (lens, year)

        for pair, a in api.items():
            w = web[pair]
            origin, destination = pair
            # shared communities: both ends full members that year, by the CLI's members
            expected = sorted(code for code, found in members.items()
                              if origin in found and destination in found)
            assert sorted(a["shared_recs"]) == expected, (pair, year, a["shared_recs"])
            assert sorted(w["shared_recs"]) == expected, (pair, year, w["shared_recs"])
            assert same_number(a["growth_rate"], w["growth_rate"]), (pair, year)
            compared["pairs"] += 1
            for lens in lenses:
                assert a[column(lens)] == w[column(lens)], (pair, year, lens)
                if pair in known:
                    c = cli[lens][(origin, destination, year)]
                    assert c["category"] == a[column(lens)], (pair, year, lens)
                    assert same_number(c["growth_rate"], a["growth_rate"]), (pair, year, lens)
                    compared["categories"] += 1
                    compared["growth"] += c["growth_rate"] is not None

    assert compared["members"] == 16 * len(years)
    assert compared["pairs"] > 10_000 * len(years)
    assert compared["categories"] > 10_000 * len(years) * len(lenses)
    assert compared["growth"] > 9_000 * (len(years) - 1) * len(lenses)
    # the rules the comparison rests on are not vacuous
    south_south = sum(r["category"] == "south-south" for r in cli["wb-lmic"].values())
    shared = sum(bool(r["shared_recs"]) for r in api.values())
    assert south_south > 1_000 and shared > 500
