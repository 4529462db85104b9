"""One membership rule everywhere a community's members are counted (issue 11 item 6): roles as
recorded, only full members counted, an unknown start shown as unknown and not counted before
the year the lists are confirmed — through the CLI's `communities`, `ssm regions --grouping rec`
and `scorecard`, on the store built from the mirror."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from corridors.cli.main import app
from corridors.governance import communities
from corridors.store import connect

runner = CliRunner()


def _json(built_home, *args: str):
    result = runner.invoke(app, ["--home", str(built_home), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_communities_show_roles_as_recorded_and_count_only_full_members(built_home):
    body = _json(built_home, "communities", "MERCOSUR", "--year", "2020")
    roles = {r["iso3"]: (r["role"], r["full_member"]) for r in body["items"]}
    assert roles["VEN"] == ("suspended", True)  # suspended: still a State Party, counted
    assert {roles[c] for c in ("CHL", "COL", "ECU", "GUY", "PER", "SUR")} == {("associate", False)}
    assert sorted(c for c, (_, full) in roles.items() if full) == ["ARG", "BRA", "PRY", "URY", "VEN"]
    table = runner.invoke(app, ["--home", str(built_home), "communities", "MERCOSUR", "--year", "2020"])
    assert "MERCOSUR: 5 full members, 6 other roles, 2020" in table.stdout


def test_an_unknown_start_is_shown_as_unknown_and_counted_only_once_confirmed(built_home):
    before = {r["iso3"]: r for r in _json(built_home, "communities", "CEN-SAD", "--year", "2020")["items"]}
    assert before["STP"]["since"] is None and before["STP"]["since_known"] is False
    assert before["STP"]["full_member"] is False  # shown, not counted before 2025
    confirmed = {r["iso3"]: r for r in _json(
        built_home, "communities", "CEN-SAD", "--year", str(communities.UNKNOWN_START_CONFIRMED))["items"]}
    assert confirmed["STP"]["full_member"] is True
    summary = {r["rec_code"]: r for r in _json(built_home, "communities", "--year", "2020")["items"]}
    assert summary["CEN-SAD"]["members"] == sum(r["full_member"] for r in before.values())
    assert summary["MERCOSUR"]["members"] == 5 and summary["MERCOSUR"]["associates"] == 6


@pytest.mark.parametrize("year", [2000, 2020])
def test_ssm_regions_by_community_counts_full_members_only(built_home, year):
    """Intra-community stock = the stock among the community's full members that year (the
    members of `communities`), for every community."""
    con = connect(built_home / "corridors.duckdb")
    rows = communities.memberships(None, con)
    shares = {r["group_code"]: r for r in _json(built_home, "ssm", "regions", "--grouping", "rec",
                                               "--year", str(year), "--edition", "ims2020")}
    checked = 0
    for code in communities.communities(rows):
        members = communities.members(rows, code, year)
        if not members:
            assert code not in shares
            continue
        intra, = con.execute(
            "SELECT coalesce(sum(value), 0) FROM migrant_stock WHERE edition = 'ims2020' AND year = ? "
            "AND sex = 'total' AND list_contains($1, origin) AND list_contains($1, destination) "
            "AND origin <> destination".replace("$1", "?"), [year, members, members]).fetchone()
        assert shares[code]["countries"] == len(members), code
        assert shares[code]["intra_group"] == pytest.approx(intra), code
        checked += 1
    con.close()
    assert checked >= 14


def test_scorecard_shares_a_community_only_between_full_members(built_home):
    # Venezuela (suspended) and Brazil: MERCOSUR shared; Venezuela and Colombia (an associate of
    # MERCOSUR; Venezuela left the Andean Community in 2006): none in 2020, CAN in 2005
    shared = _json(built_home, "scorecard", "VEN", "BRA", "--year", "2020")["communities"]["shared"]
    assert [c["rec_code"] for c in shared] == ["MERCOSUR"]
    assert _json(built_home, "scorecard", "VEN", "COL", "--year", "2020")["communities"]["shared"] == []
    shared = _json(built_home, "scorecard", "VEN", "COL", "--year", "2005")["communities"]["shared"]
    assert [c["rec_code"] for c in shared] == ["CAN"]
    # Chile is an associate of MERCOSUR: Chile -> Argentina shares no community
    assert _json(built_home, "scorecard", "CHL", "ARG", "--year", "2020")["communities"]["shared"] == []
