"""Regional communities on the real reference files: members per community, periods, free
movement."""

from __future__ import annotations

import duckdb
import pytest

from corridors.governance import communities as c


@pytest.fixture(scope="module")
def rows(shared):
    return c.memberships(shared / "reference")


@pytest.fixture(scope="module")
def movement(shared):
    return c.free_movement(shared / "reference")


def test_members_per_community_now(rows):
    counts = {code: len(c.members(rows, code)) for code in c.communities(rows)}
    assert counts == {
        "ECOWAS": 12, "SADC": 16, "EAC": 8, "COMESA": 21, "IGAD": 7, "ECCAS": 11, "AMU": 5,
        "CEN-SAD": 28, "ASEAN": 11, "SAARC": 8, "GCC": 6, "MERCOSUR": 6, "CAN": 4, "SICA": 8,
        "CARICOM": 15, "PIF": 18,
    }
    # MERCOSUR: five members in good standing and Venezuela, suspended but still a State Party
    # (counted as "now" exactly as it is for any year since 2012: one rule for both)
    assert c.members(rows, "MERCOSUR", roles=("suspended",)) == ["VEN"]
    assert len(c.members(rows, "MERCOSUR", roles=("associate",))) == 6


def test_periods(rows):
    # Burkina Faso, Mali and Niger left ECOWAS in 2025; Mauritania withdrew in 2000
    assert len(c.members(rows, "ECOWAS", 2020)) == 15
    assert "BFA" in c.members(rows, "ECOWAS", 2020)
    assert "BFA" not in c.members(rows, "ECOWAS", 2026)
    assert "MRT" in c.members(rows, "ECOWAS", 1999)
    assert "MRT" not in c.members(rows, "ECOWAS", 2001)
    # Timor-Leste joined ASEAN in 2025
    assert "TLS" not in c.members(rows, "ASEAN", 2020)
    assert "TLS" in c.members(rows, "ASEAN", 2025)
    # Venezuela: MERCOSUR member since 2012, suspended (still a party) in 2020
    assert "VEN" in c.members(rows, "MERCOSUR", 2020)
    assert "VEN" not in c.members(rows, "MERCOSUR", 2010)
    assert c.shared(rows, "BFA", "CIV", 2020) == ["CEN-SAD", "ECOWAS"]
    assert "ECOWAS" not in c.shared(rows, "BFA", "CIV", 2026)


def test_of_country_flags_unknown_start(rows):
    # the reference now dates South Africa's SADC membership (1994); CEN-SAD's Sao Tome and
    # Principe is the one row without a start year
    sadc = [x for x in c.of_country(rows, "ZAF", 2020) if x["rec_code"] == "SADC"]
    assert sadc and sadc[0]["since_known"] is True
    censad = [x for x in c.of_country(rows, "STP", 2020) if x["rec_code"] == "CEN-SAD"]
    assert censad and censad[0]["since_known"] is False


def test_free_movement_status(movement):
    assert movement["EAC"].status == "in force" and movement["EAC"].value == 1.0
    assert movement["MERCOSUR"].status == "in force"
    assert movement["ECOWAS"].status == "partly in force" and movement["ECOWAS"].value == 0.5
    assert movement["SADC"].status == "not in force" and movement["SADC"].value == 0.0
    assert movement["IGAD"].status == "not in force"
    # rows present but nothing retrieved: unknown, not 'no free movement'
    assert movement["COMESA"].status == "unknown" and movement["COMESA"].instrument is None
    assert movement["ASEAN"].status == "unknown" and movement["ASEAN"].value is None


def test_store_table_is_preferred(rows):
    import duckdb

    from corridors.store import create_schema

    con = duckdb.connect()
    create_schema(con)
    con.execute("INSERT INTO rec_membership VALUES ('EAC', 'East African Community', 'KEN', "
                "'member', 2000, NULL, NULL, NULL)")
    from_store = c.memberships(None, con)
    assert [(m.rec_code, m.iso3, m.since) for m in from_store] == [("EAC", "KEN", 2000)]


def test_one_membership_rule_in_python_and_sql(rows):
    """The SQL form of the rule (used by the corridor table, regions, profiles and the API) and
    the Python form (CLI, scorecard) agree on every row of the real reference and every year."""
    con = duckdb.connect()
    con.execute("CREATE TABLE m (member_type VARCHAR, since INTEGER, until INTEGER, i INTEGER)")
    con.executemany("INSERT INTO m VALUES (?, ?, ?, ?)",
                    [(r.member_type, r.since, r.until, i) for i, r in enumerate(rows)])
    years = list(range(1960, 2031))
    got = set(con.execute(
        f"SELECT m.i, y.year FROM m, (SELECT unnest(?) AS year) y "
        f"WHERE {c.full_member_sql('m', 'y.year')}", [years]).fetchall())
    expected = {(i, y) for i, r in enumerate(rows) for y in years if r.full_member(y)}
    assert got == expected and len(expected) > 5000


def test_roles_as_recorded_and_unknown_starts(rows):
    # Venezuela: suspended (still a State Party), shown as such and counted
    mercosur = {r["iso3"]: r for r in c.roles_of(rows, "MERCOSUR", 2020)}
    assert mercosur["VEN"]["role"] == "suspended" and mercosur["VEN"]["full_member"]
    assert mercosur["CHL"]["role"] == "associate" and not mercosur["CHL"]["full_member"]
    assert "CHL" not in c.members(rows, "MERCOSUR", 2020)
    # Mauritania: associate of ECOWAS since 2017 (not a member), a member until 2000
    assert "MRT" not in c.members(rows, "ECOWAS", 2020)
    assert c.of_country(rows, "MRT", 1999)[0]["role"] == "withdrawn"
    # Sao Tome and Principe in CEN-SAD: start unknown -> listed, not counted before 2025
    censad = {r["iso3"]: r for r in c.roles_of(rows, "CEN-SAD", 2020)}
    assert censad["STP"]["since_known"] is False and censad["STP"]["full_member"] is False
    assert "STP" not in c.members(rows, "CEN-SAD", 2020)
    assert "STP" in c.members(rows, "CEN-SAD", c.UNKNOWN_START_CONFIRMED)
    assert c.shared(rows, "STP", "NGA", 2020) == [] and "CEN-SAD" in c.shared(rows, "STP", "NGA", 2025)
