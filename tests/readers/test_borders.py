"""Borders: GeoDataSource (primary contiguity) and CEPII GeoDist, real and constructed files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridors import codes
from corridors.errors import InputError
from corridors.readers import borders

GEO = "geodatasource/GEODATASOURCE-COUNTRY-BORDERS.CSV"
CEPII = "cepii/dist_cepii.csv"
GEO_ROWS = [
    '"AR","Argentina","BO","Bolivia (Plurinational State of)"',
    '"BO","Bolivia (Plurinational State of)","AR","Argentina"',
    '"NA","Namibia","BW","Botswana"',
    '"BW","Botswana","NA","Namibia"',
    '"JM","Jamaica","",""',
]
GEO_HEADER = '"country_code","country_name","country_border_code","country_border_name"'
CEPII_HEADER = ",".join(borders.CEPII_HEADER)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def raw(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


# --- constructed files --------------------------------------------------------------------------

def test_constructed_geodatasource(tmp_path):
    result = borders.read(write(tmp_path / "b.csv", [GEO_HEADER, *GEO_ROWS]))
    assert result.contiguity.rows() == [("ARG", "BOL"), ("BOL", "ARG"), ("BWA", "NAM"),
                                        ("NAM", "BWA")]
    assert "JAM" in result.countries and result.one_sided == []


def test_one_sided_pairs_are_made_symmetric_and_reported(tmp_path):
    result = borders.read(write(tmp_path / "b.csv", [GEO_HEADER, GEO_ROWS[0]]))
    assert result.contiguity.rows() == [("ARG", "BOL"), ("BOL", "ARG")]
    assert result.one_sided == [("ARG", "BOL")]


def test_unknown_codes_and_names_are_all_listed(tmp_path):
    lines = [GEO_HEADER, *GEO_ROWS, '"QQ","Atlantis","AR","Argentina"',
             '"KE","Kenyaa","TZ","Tanzania (the United Republic of)"']
    with pytest.raises(InputError) as caught:
        borders.read(write(tmp_path / "b.csv", lines))
    assert [(p.row, p.value) for p in caught.value.problems] == [(7, "QQ"), (8, "Kenyaa")]


def test_extra_column_is_refused(tmp_path):
    lines = [GEO_HEADER + ',"length_km"', *(r + ',"1"' for r in GEO_ROWS)]
    with pytest.raises(InputError, match="extra \\['length_km'\\]"):
        borders.read(write(tmp_path / "b.csv", lines))


def test_another_layout_is_refused(mirror):
    with pytest.raises(InputError, match="header"):
        borders.read(mirror / "unsd" / "m49_overview.csv")


def test_truncated_file_is_refused(tmp_path):
    path = write(tmp_path / "b.csv", [GEO_HEADER, *GEO_ROWS])
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex('"JM"') + 14], encoding="utf-8")
    with pytest.raises(InputError, match="truncated"):
        borders.read(path)


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        borders.read(tmp_path / "b.csv")


def test_constructed_cepii_maps_old_codes_and_drops_yugoslavia(tmp_path):
    lines = [CEPII_HEADER,
             "ZAR,COG,1,1,1,0,0,0,0,0,10.5,10.5,744.3,35.6",
             "COG,ZAR,1,1,1,0,0,0,0,0,10.5,10.5,744.3,35.6",
             "YUG,HUN,1,0,0,0,0,0,0,0,317.1,317.1,393.4,343.2",
             "TMP,IDN,1,0,0,1,0,0,1,0,2095.8,2095.8,.,."]
    result = borders.read(write(tmp_path / "dist_cepii.csv", lines))
    assert result.dyads.select("iso3_o", "iso3_d").rows() == [
        ("COD", "COG"), ("COG", "COD"), ("TLS", "IDN")]
    assert result.dyads.filter(iso3_o="TLS")["distw"].to_list() == [None]
    assert result.contiguity.rows() == [("COD", "COG"), ("COG", "COD"), ("IDN", "TLS"),
                                        ("TLS", "IDN")]
    assert any(d.startswith("YUG: 1 dyads") for d in result.dropped)


def test_cepii_unknown_code_and_bad_cell_stop(tmp_path):
    lines = [CEPII_HEADER, "XYZ,COG,1,1,1,0,0,0,0,0,10.5,10.5,744.3,35.6"]
    with pytest.raises(InputError, match="XYZ"):
        borders.read(write(tmp_path / "dist_cepii.csv", lines))
    lines = [CEPII_HEADER, "KEN,UGA,2,1,1,0,0,0,0,0,10.5,10.5,744.3,35.6"]
    with pytest.raises(InputError, match="0 or 1 in contig"):
        borders.read(write(tmp_path / "dist_cepii.csv", lines))


# --- the real files -----------------------------------------------------------------------------

def test_real_geodatasource_contiguity(mirror):
    result = borders.read(mirror / GEO)
    pairs = set(result.contiguity.iter_rows())
    assert ("ARG", "BOL") in pairs and ("BOL", "ARG") in pairs
    assert {("SSD", "SDN"), ("SRB", "MNE"), ("ZAF", "LSO"), ("NAM", "BWA")} <= pairs
    assert ("SRB", "ALB") in pairs and "XKX" not in result.countries  # Kosovo within Serbia
    assert all((b, a) in pairs for a, b in pairs)
    assert not any(a == b for a, b in pairs)
    assert result.one_sided == []
    # independent parse: every listed pair, through ISO2 codes
    want = {(codes.iso3_for_iso2(r[0]), codes.iso3_for_iso2(r[2])) for r in raw(mirror / GEO)
            if r[2]}
    assert pairs == want and len(pairs) == 642
    assert len(result.countries) == 249 and "AUS" in result.countries
    assert not any(a == "AUS" for a, _ in pairs)


def test_real_cepii_dyads(mirror):
    result = borders.read(mirror / CEPII)
    rows = raw(mirror / CEPII)
    dropped_rows = [r for r in rows if {r[0], r[1]} & {"YUG", "ANT", ""}]
    assert result.dyads.height == len(rows) - len(dropped_rows) == 49283
    assert "SSD" not in set(result.dyads["iso3_o"])
    pairs = set(result.contiguity.iter_rows())
    assert ("COD", "COG") in pairs and ("PSE", "ISR") in pairs and ("TLS", "IDN") in pairs
    assert all((b, a) in pairs for a, b in pairs)
    kenya_uganda = result.dyads.filter(iso3_o="KEN", iso3_d="UGA").row(0, named=True)
    assert kenya_uganda["contig"] == 1 and kenya_uganda["comlang_off"] == 1
    assert result.dyads.filter(iso3_o="ROU", iso3_d="BOL")["curcol"].to_list() == [0]
    assert any("ROU,BOL curcol" in d for d in result.dropped)


def test_sources_disagree_only_where_history_or_geography_explains_it(mirror):
    found = borders.disagreements(borders.read(mirror / GEO), borders.read(mirror / CEPII))
    assert found.rows() == [
        ("AGO", "COG", True, False),   # Cabinda exclave borders the Republic of the Congo
        ("AND", "ESP", True, False),
        ("ARE", "QAT", False, True),   # no land border since the 1974 Saudi corridor
        ("COD", "SDN", False, True),   # now South Sudan's border (CEPII predates 2011)
        ("ESP", "MAR", True, False),   # Ceuta and Melilla
        ("KEN", "SDN", False, True),   # now South Sudan's border
        ("MYS", "SGP", False, True),   # causeway, no land border
        ("SDN", "UGA", False, True),   # now South Sudan's border
    ]


def test_every_geodatasource_name_resolves_to_its_code(mirror):
    unknown = []
    for code, name, border, border_name in raw(mirror / GEO):
        for c, n in ((code, name), (border, border_name)):
            if c and codes.iso3_for_name(n) != codes.iso3_for_iso2(c):
                unknown.append((c, n))
    assert unknown == []
