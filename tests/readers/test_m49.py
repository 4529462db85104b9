"""UNSD M49 reader: the real overview and older export, and constructed files in the official layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridors import codes
from corridors.errors import InputError
from corridors.readers import m49

HEADER = ",".join(m49.OVERVIEW_HEADER)
ROWS = [
    "1,World,2,Africa,15,Northern Africa,,,Algeria,12,DZ,DZA,,,",
    "1,World,2,Africa,202,Sub-Saharan Africa,18,Southern Africa,Namibia,516,NA,NAM,,,",
    "1,World,2,Africa,202,Sub-Saharan Africa,14,Eastern Africa,Kenya,404,KE,KEN,,,",
    "1,World,2,Africa,202,Sub-Saharan Africa,14,Eastern Africa,Ethiopia,231,ET,ETH,x,x,",
    "1,World,,,,,,,Antarctica,10,AQ,ATA,,,",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def raw(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


# --- constructed files --------------------------------------------------------------------------

def test_constructed_overview_keeps_namibia_na_and_builds_the_region_tree(tmp_path):
    result = m49.read(write(tmp_path / "m49.csv", [HEADER, *ROWS]))
    countries = {r["iso3"]: r for r in result.countries.iter_rows(named=True)}
    assert countries["NAM"]["iso2"] == "NA"
    assert countries["ETH"]["least_developed"] and countries["ETH"]["lldc"]
    assert not countries["ETH"]["sids"]
    assert countries["KEN"]["intermediate_region"] == "Eastern Africa"
    assert countries["KEN"]["un_subregion_m49"] == 202
    assert countries["ATA"]["continent"] is None
    areas = {r["m49"]: r for r in result.areas.iter_rows(named=True)}
    assert areas[1]["area_type"] == "world" and areas[1]["parent_m49"] is None
    assert areas[202]["parent_m49"] == 2 and areas[14]["parent_m49"] == 202
    assert areas[14]["area_type"] == "intermediate_region"


def test_unknown_codes_and_names_are_all_listed(tmp_path):
    bad = [
        HEADER, ROWS[0],
        "1,World,2,Africa,15,Northern Africa,,,Atlantis,999,XA,XAT,,,",
        "1,World,2,Africa,15,Northern Africa,,,Kenyaa,404,KE,KEN,,,",
        "1,World,2,Africa,15,Northern Africa,,,Somewhere,998,,,,,",
    ]
    with pytest.raises(InputError) as caught:
        m49.read(write(tmp_path / "m49.csv", bad))
    rows = sorted(p.row for p in caught.value.problems)
    assert rows == [3, 4, 5]
    assert "Kenyaa" in str(caught.value) and "XAT" in str(caught.value)


def test_extra_column_is_refused(tmp_path):
    lines = [HEADER + ",Comment"] + [r + "," for r in ROWS]
    with pytest.raises(InputError, match="extra \\['Comment'\\]"):
        m49.read(write(tmp_path / "m49.csv", lines))


def test_another_layout_is_refused(mirror):
    with pytest.raises(InputError, match="header"):
        m49.read(mirror / "geodatasource" / "GEODATASOURCE-COUNTRY-BORDERS.CSV")


def test_truncated_file_is_refused(tmp_path):
    text = "\r\n".join([HEADER, *ROWS])
    path = tmp_path / "m49.csv"
    path.write_text(text[: text.index("Kenya") + 9], encoding="utf-8")  # cut inside a row
    with pytest.raises(InputError, match="truncated"):
        m49.read(path)


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "m49.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        m49.read(tmp_path / "m49.csv")


def test_semicolon_export_is_read(tmp_path):
    header = ";".join(f'"{c}"' for c in m49.METHODOLOGY_HEADER)
    row = '"001";"World";"002";"Africa";"202";"Sub-Saharan Africa";"018";"Southern Africa";' \
          '"Namibia";"516";"NAM";"";"";"";"Developing"'
    result = m49.read(write(tmp_path / "UNSD-Methodology.csv", [header, row]))
    only = result.countries.row(0, named=True)
    assert (only["iso3"], only["m49"], only["iso2"]) == ("NAM", 516, "NA")
    assert only["developed_developing"] == "Developing"


# --- the real files -----------------------------------------------------------------------------

def test_real_overview_matches_an_independent_parse(mirror):
    path = mirror / "unsd" / "m49_overview.csv"
    result = m49.read(path)
    rows = raw(path)
    assert result.layout == "overview" and result.dropped == []
    assert result.countries.height == len(rows) == 248
    got = {r["iso3"]: r for r in result.countries.iter_rows(named=True)}
    for row in rows:
        mine = got[row["ISO-alpha3 Code"]]
        assert mine["m49"] == int(row["M49 Code"])
        assert mine["iso2"] == row["ISO-alpha2 Code"]
        assert mine["least_developed"] == (row["Least Developed Countries (LDC)"] == "x")
        assert mine["sids"] == (row["Small Island Developing States (SIDS)"] == "x")
        assert (mine["continent"] or "") == row["Region Name"]
    assert got["NAM"]["iso2"] == "NA"
    assert result.countries["iso2"].null_count() == 0
    assert (got["ARG"]["continent_m49"], got["ARG"]["intermediate_region"]) == (19, "South America")
    codes_in_tree = set(result.areas["m49"])
    assert set(result.areas["parent_m49"].drop_nulls()) <= codes_in_tree


def test_real_older_export_keeps_developed_developing_and_drops_sark(mirror):
    path = mirror / "unsd" / "UNSD-Methodology.csv"
    result = m49.read(path)
    rows = raw(path)
    assert result.layout == "methodology"
    assert result.dropped == ["Sark (M49 680): no ISO3 code"]
    assert result.countries.height == len(rows) - 1
    want = {r["ISO-alpha3 Code"]: r["Developed / Developing Countries"] or None
            for r in rows if r["ISO-alpha3 Code"]}
    got = dict(result.countries.select("iso3", "developed_developing").iter_rows())
    assert got == want
    assert got["NAM"] == "Developing" and got["JPN"] == "Developed"
    nam = result.countries.filter(iso3="NAM").row(0, named=True)
    assert nam["iso2"] == "NA" and nam["m49"] == 516


def test_every_name_in_both_files_resolves_to_its_iso3(mirror):
    for name, delimiter in (("m49_overview.csv", ","), ("UNSD-Methodology.csv", ",")):
        for row in raw(mirror / "unsd" / name, delimiter):
            if row["Country or Area"] == "Sark":
                continue
            assert codes.iso3_for_name(row["Country or Area"]) == row["ISO-alpha3 Code"], row
