"""The instrument catalogue committed with the package."""

from __future__ import annotations

from corridors.governance import instruments as i


def test_catalogue():
    table = i.instruments()
    assert list(table)[:3] == ["C097", "C143", "ICRMW"]
    assert set(i.fundamental()) == {"C029", "P029", "C087", "C098", "C100", "C105", "C111",
                                    "C138", "C182", "C155", "C187"}
    assert set(i.migrant_specific()) == {"C097", "C143", "ICRMW", "C118", "C157",
                                         "SOM_PROTOCOL"}
    assert table["C189"].year == 2011 and table["ICRMW"].year == 1990
    assert table["TIP_PROTOCOL"].year == table["SOM_PROTOCOL"].year == 2000
    assert all(x.title and x.subject for x in table.values())


def test_ids_normalise():
    assert i.normalise_id("c97") == "C097"
    assert i.normalise_id("P29") == "P029"
    assert i.normalise_id("icmw") == "ICRMW"
    assert i.instrument("trafficking").id == "TIP_PROTOCOL"
