"""One membership rule: the API's groupings and communities, the CLI's `communities` command and
the analytics (regional shares, the corridor table's shared communities) give the same full members
for every community and year (they used to disagree: the API counted associates and observers)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from corridors.analytics.regions import group_membership
from corridors.cli.main import app
from corridors.governance import communities
from corridors.store import connect

YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2017, 2020, 2024, 2025]


def test_api_cli_and_analytics_agree_on_every_community_and_year(client, built_home: Path,
                                                                  built_store: Path):
    con = connect(built_store)
    analytics = group_membership(con, "rec", YEARS)
    runner = CliRunner()
    rows = communities.memberships(None, con)
    codes = sorted(communities.communities(rows))
    assert len(codes) == 16
    compared = 0
    for year in YEARS:
        api_groups = {g["group"]: g["members"] for g in client.get(
            "/api/v1/groupings/rec", params={"year": year, "limit": 100}).json()["items"]}
        api_communities = {c["rec_code"]: c["member_codes"] for c in client.get(
            "/api/v1/communities", params={"year": year, "limit": 100}).json()["items"]}
        for code in codes:
            expected = communities.members(rows, code, year)
            in_analytics = sorted(analytics.filter(
                (pl.col("group_code") == code) & (pl.col("year") == year))["iso3"].to_list())
            result = runner.invoke(app, ["--home", str(built_home), "communities", code,
                                         "--year", str(year), "--format", "json"])
            assert result.exit_code == 0, result.output
            in_cli = sorted(r["iso3"] for r in json.loads(result.stdout)["items"] if r["full_member"])
            assert in_analytics == expected, (code, year)
            assert api_groups.get(code, []) == expected, (code, year)
            assert api_communities[code] == expected, (code, year)
            assert in_cli == expected, (code, year)
            compared += 1
    assert compared == len(YEARS) * 16
    # the cases that used to differ
    api_2020 = {g["group"]: g["members"] for g in client.get(
        "/api/v1/groupings/rec", params={"year": 2020}).json()["items"]}
    assert "MRT" not in api_2020["ECOWAS"]  # associate since 2017
    assert not {"CHL", "COL", "ECU", "GUY", "PER", "SUR"} & set(api_2020["MERCOSUR"])
    assert "VEN" in api_2020["MERCOSUR"]  # suspended, still a State Party


def test_income_groups_use_the_nearest_classified_year_like_the_analytics(client, built_store):
    con = connect(built_store)
    for year in (1985, 2025):
        api = {g["group"]: g["members"] for g in client.get(
            "/api/v1/groupings/income", params={"year": year}).json()["items"]}
        frame = group_membership(con, "income", [year])
        assert api and set(api) == set(frame["group_code"].unique())
        for code, members in api.items():
            assert members == sorted(frame.filter(pl.col("group_code") == code)["iso3"].to_list())
