"""Ratification statuses on the real curated files and the UN-treaties ICRMW table."""

from __future__ import annotations

import csv

import pytest

from corridors.governance import ratifications as r
from corridors.governance.instruments import instruments


@pytest.fixture(scope="module")
def real(mirror, shared):
    return r.load(shared / "reference", mirror=mirror, include_imports=False)


def test_icrmw_parties_in_the_treaty_files(mirror, shared, real):
    with (mirror / "un-treaties" / "hr_status_icmw.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 193  # every UN member state
    assert sum(row["status"] == "state party" for row in rows) == 57
    assert sum(row["status"] == "signatory state" for row in rows) == 11
    with (shared / "reference" / "un_treaty_parties.csv").open(encoding="utf-8") as handle:
        untc = [row for row in csv.DictReader(handle) if row["instrument"] == "ICRMW"]
    assert sum(row["status"] == "party" for row in untc) == 54
    # merged: 57 + 54 overlap to 59, the total the UN Treaty Collection states -> complete
    parties = real.parties("ICRMW")
    assert len(parties) == 59
    assert real.coverage["ICRMW"].complete
    assert real.coverage["ICRMW"].text == "59 of 59 known (complete)"
    # in hr_status but not in the UNTC extract, and the reverse
    assert {"MOZ", "VEN", "CIV", "MWI"} <= set(parties)


def test_coverage_texts(real):
    assert real.coverage["C097"].text == "39 of 54 known"
    assert not real.coverage["C097"].complete
    assert real.coverage["C181"].text == "32 of 37 known"
    assert real.coverage["C143"].text.startswith("17 known; total not stated")
    assert real.coverage["TIP_PROTOCOL"].text == "14 of 182 known"
    assert real.coverage["SOM_PROTOCOL"].text == "40 of 152 known"
    assert real.coverage["C087"].text == "no ratification list loaded (0 known)"
    assert len(real.coverage_table()) == len(instruments()) == 29


def test_absent_from_incomplete_list_is_unknown(real):
    # South Africa is not among the 39 known C097 ratifications: unknown, never 'not ratified'
    row = real.status("ZAF", "C097")
    assert row["status"] == "unknown"
    assert row["basis"] == "absent from an incomplete list"
    assert row["coverage"] == "39 of 54 known"
    assert real.status("ZAF", "C087")["status"] == "unknown"
    assert real.ratified_by("ZAF", "C097", 2020) is None


def test_absent_from_complete_list_is_not_ratified(real):
    row = real.status("USA", "ICRMW")
    assert row["status"] == "not ratified" and row["list_complete"]


def test_statuses_and_years(real):
    assert real.status("PHL", "ICRMW")["status"] == "in force"
    assert real.status("PHL", "ICRMW")["date"] == "1995-07-05"
    assert real.status("ARM", "ICRMW")["status"] == "signed"
    # a ratification beats an older signature snapshot (UNTC says signatory, hr_status party)
    assert real.status("STP", "ICRMW")["status"] == "in force"
    # Congo (Brazzaville) ratified C097 on 26 Oct 2023: 'not in force' on the page
    congo = real.status("COG", "C097")
    assert congo["status"] == "not in force" and congo["year"] == 2023
    assert real.ratified_by("COG", "C097", 2020) == 0.0
    assert real.ratified_by("COG", "C097", 2024) == 1.0
    # blank status in the C181 list: in force by rule, flagged
    assert real.status("MAR", "C181")["basis"] == "listed (status inferred)"
    # Namibia C189: ratified only by its legislature, registration not shown -> unknown
    assert real.status("NAM", "C189")["status"] == "unknown"
    assert {row["status"] for row in real.country("KEN")} <= set(r.STATUSES)


def test_every_view_states_its_coverage(real):
    for row in real.country("BRA"):
        assert row["coverage"]
        assert row["status"] in r.STATUSES


def test_reference_names_resolve_to_their_iso3(shared, mirror):
    """Every country name in the curated files and the UN-treaties table resolves (through
    codes/aliases_ilo_normlex.csv and aliases_un_treaties.csv) to the code given beside it."""
    from corridors import codes

    for name in ("ilo_ratifications.csv", "un_treaty_parties.csv", "rec_membership.csv"):
        with (shared / "reference" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert codes.code_for(row["country"]) == row["iso3"], (name, row["country"])
    with (mirror / "un-treaties" / "hr_status_icmw.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_code = "TLS" if row["iso2"] == "TP" else codes.iso3_for_iso2(row["iso2"])
            assert codes.iso3_for_name(row["member"]) == by_code, row["member"]


def test_bounds_when_only_entry_into_force_is_known(real):
    # Philippines C097: only 'entry into force for this party = 2010-04-21' on the page
    phl = real.status("PHL", "C097")
    assert (phl["year"], phl["latest_year"]) == (None, 2010)
    assert real.ratified_by("PHL", "C097", 2005) is None
    assert real.ratified_by("PHL", "C097", 2015) == 1.0
    # Smuggling Protocol: 'ratification/accession (before 2003-11)'
    assert real.ratified_by("ALB", "SOM_PROTOCOL", 2000) is None
    assert real.ratified_by("ALB", "SOM_PROTOCOL", 2010) == 1.0
    # Uruguay ICRMW: date truncated in the UNTC extract, year 2001 from the UN-treaties table
    assert real.status("URY", "ICRMW")["year"] == 2001
    assert real.ratified_by("URY", "ICRMW", 2000) == 0.0


@pytest.mark.parametrize("instrument", ["ICCPR", "ICESCR", "ICERD", "CEDAW", "CAT", "CRC", "CRPD",
                                        "CPED"])
def test_core_un_treaties_come_from_the_status_files(mirror, shared, instrument):
    """Every UN member state's status on each core treaty is the one in its hr_status file."""
    file = mirror / "un-treaties" / r.HR_STATUS[instrument][0]
    rows = list(csv.DictReader(file.open(encoding="utf-8-sig")))
    parties = {row["iso2"] for row in rows if row["status"] == "state party"}
    loaded = r.load(shared / "reference", mirror=mirror, include_imports=False)
    assert len(loaded.parties(instrument)) == len(parties)
    assert loaded.coverage[instrument].complete
    kenya = next(row for row in rows if row["iso2"] == "KE")
    expected = {"state party": "in force", "signatory state": "signed",
                "no action": "not ratified"}[kenya["status"]]
    assert loaded.status("KEN", instrument)["status"] == expected


def test_statuses_are_worked_out_once_and_follow_what_is_added(mirror, shared):
    # a fresh load: this test adds a record
    rats = r.load(shared / "reference", mirror=mirror, include_imports=False)
    before = rats.status("ZAF", "C097")
    assert before["status"] == "unknown"
    before["status"] = "changed by a caller"  # a copy: the next answer is not the caller's
    assert rats.status("ZAF", "C097")["status"] == "unknown"
    rats.add(r.Record("C097", "ZAF", "in force", date="2021-03-01", year=2021,
                      origin="import", imported_at="2026-12-05T10:00:00"))
    after = rats.status("ZAF", "C097")
    assert after["status"] == "in force" and after["year"] == 2021
    assert rats.ratified_by("ZAF", "C097", 2020) == 0.0
    assert rats.ratified_by("ZAF", "C097", 2021) == 1.0
