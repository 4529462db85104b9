"""Ratifiers counted by lens category on the mirror store: each party falls in the group its
income group (World Bank, that year) puts it in, the counts add up to the list, and the list's
completeness travels with the answer."""

from __future__ import annotations

import pytest

from corridors.analytics.lenses import BUILTIN
from corridors.analytics.ratifiers import ratifiers_by_category
from corridors.governance import ratifications as r


@pytest.fixture(scope="module")
def data(shared, mirror):
    return r.load(shared / "reference", mirror=mirror, include_imports=False)


def test_c097_ratifiers_by_income_group(store_con, data):
    frame = ratifiers_by_category(store_con, data, "C097", BUILTIN["wb-non-high"], 2020)
    groups = {row["group"]: row for row in frame.iter_rows(named=True)}
    assert sum(g["ratifiers"] for g in groups.values()) == len(data.parties("C097"))
    income = dict(store_con.execute(
        "SELECT iso3, income_group FROM income_groups WHERE data_year = 2020").fetchall())
    for iso3 in groups["south"]["countries"]:
        assert income[iso3] in ("L", "LM", "UM")
    for iso3 in groups["north"]["countries"]:
        assert income[iso3] == "H"
    assert groups["south"]["list_complete"] is False and "known" in groups["south"]["coverage"]
    assert groups["south"]["share"] + groups["north"]["share"] == pytest.approx(1.0)


def test_core_treaty_counts_are_complete_and_gfmd_hubs_count_as_destinations(store_con, data):
    origin = ratifiers_by_category(store_con, data, "CRC", BUILTIN["gfmd-2018"], 2020)
    hubs = ratifiers_by_category(store_con, data, "CRC", BUILTIN["gfmd-2018"], 2020,
                                 role="destination")
    assert origin["list_complete"].all()
    south = dict(zip(origin["group"], origin["ratifiers"], strict=True))["south"]
    south_hubs = dict(zip(hubs["group"], hubs["ratifiers"], strict=True))["south"]
    assert south_hubs > south  # Brazil, the Gulf states ... are parties to the CRC


def test_unknown_instrument(store_con, data):
    with pytest.raises(Exception, match="one of C097"):
        ratifiers_by_category(store_con, data, "C999", BUILTIN["wb-lmic"], 2020)
