"""WDI API CSV reader: the three real downloads in the mirror and constructed files in the layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridors import codes
from corridors.errors import InputError
from corridors.readers import world_bank_wdi as wdi

GNI = "API_NY.GNP.PCAP.CD_DS2_en_csv_v2_1519779.csv"
RECEIVED = "API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv"
PAID = "API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2_3012027.csv"
NAME = "Personal remittances, received (current US$)"


def wdi_file(path: Path, rows: list[list[str]], years=("1960", "1961", "1962"),
             extra: str | None = None) -> Path:
    def line(cells):
        return ",".join(f'"{c}"' for c in cells) + ","

    header = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", *years]
    if extra:
        header.append(extra)
    lines = ['\ufeff"Data Source","World Development Indicators",', "",
             '"Last Updated Date","2025-07-01",', "", line(header), *(line(r) for r in rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


ROWS = [["Kenya", "KEN", NAME, "BX.TRF.PWKR.CD.DT", "", "1.5", "2"],
        ["Korea, Rep.", "KOR", NAME, "BX.TRF.PWKR.CD.DT", "10", "", ""],
        ["World", "WLD", NAME, "BX.TRF.PWKR.CD.DT", "100", "200", "300"],
        ["Not classified", "INX", NAME, "BX.TRF.PWKR.CD.DT", "", "", ""]]


def raw(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# --- constructed files --------------------------------------------------------------------------

def test_constructed_file(tmp_path):
    result = wdi.read(wdi_file(tmp_path / "API_X.csv", ROWS))
    assert (result.code, result.unit, result.last_updated) == (
        "BX.TRF.PWKR.CD.DT", "current US$", "2025-07-01")
    assert result.values.select("iso3", "year", "value").rows() == [
        ("KEN", 1961, 1.5), ("KEN", 1962, 2.0), ("KOR", 1960, 10.0)]
    assert result.aggregates == ["WLD", "INX"]


def test_unknown_codes_names_and_values_are_all_listed(tmp_path):
    rows = [*ROWS, ["Atlantis", "ATL", NAME, "BX.TRF.PWKR.CD.DT", "", "", ""],
            ["Kenia", "KEN", NAME, "BX.TRF.PWKR.CD.DT", "", "", ""],
            ["Peru", "PER", NAME, "BX.TRF.PWKR.CD.DT", "n/a", "", ""]]
    with pytest.raises(InputError) as caught:
        wdi.read(wdi_file(tmp_path / "API_X.csv", rows))
    assert [p.row for p in caught.value.problems if p.row] == [10, 11, 12]
    assert "ATL" in str(caught.value) and "Kenia" in str(caught.value)


def test_extra_column_is_refused(tmp_path):
    rows = [r + ["x"] for r in ROWS]
    with pytest.raises(InputError, match="extra or unexpected column"):
        wdi.read(wdi_file(tmp_path / "API_X.csv", rows, extra="Source"))


def test_another_layout_is_refused(mirror):
    with pytest.raises(InputError, match="not a WDI API CSV"):
        wdi.read(mirror / "unsd" / "m49_overview.csv")


def test_truncated_file_is_refused(tmp_path):
    path = wdi_file(tmp_path / "API_X.csv", ROWS)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b'"INX"') + 30])
    with pytest.raises(InputError, match="truncated"):
        wdi.read(path)


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "API_X.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        wdi.read(tmp_path / "API_X.csv")


# --- the real files -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", [GNI, RECEIVED, PAID])
def test_real_file_equals_an_independent_parse(mirror, name):
    path = mirror / "world-bank" / name
    result = wdi.read(path)
    rows = raw(path)
    header = rows[4]
    want = {}
    for row in rows[5:]:
        if row[1] in codes.countries():
            for col in range(4, len(header)):
                if header[col] and row[col] != "":
                    want[(row[1], int(header[col]))] = float(row[col])
    got = {(r[1], r[2]): r[3] for r in result.values.iter_rows()}
    assert got == want
    assert len(result.aggregates) == 49 and "WLD" in result.aggregates
    assert result.unit == "current US$"
    assert set(result.values["iso3"]).isdisjoint(wdi.AGGREGATES)


def test_real_spot_values(mirror):
    gni = wdi.read(mirror / "world-bank" / GNI).values
    value = {(r[1], r[2]): r[3] for r in gni.iter_rows()}
    assert value[("ZMB", 1962)] == 190.0 and value[("ZWE", 2023)] == 1740.0
    received = wdi.read(mirror / "world-bank" / RECEIVED)
    assert received.last_updated == "2025-07-01"
    assert received.values.filter(iso3="XKX").height > 0  # Kosovo's World Bank code


def test_metadata_aggregates_are_exactly_the_rows_without_region(mirror):
    meta_path = mirror / "world-bank" / f"Metadata_Country_{RECEIVED}"
    countries = wdi.read_metadata(meta_path)
    rows = raw(meta_path)[1:]
    assert set(countries["iso3"]) == {r[0] for r in rows if r[1]}
    no_region = {r[0] for r in rows if not r[1]}
    assert no_region == set(wdi.AGGREGATES) - {"INX"}
    assert countries.filter(iso3="NAM")["income_group"].to_list() == ["LM"]  # FY26, as OGHIST


def test_every_name_in_every_wdi_file_resolves(mirror):
    unknown = []
    for name in (GNI, RECEIVED, PAID):
        for row in raw(mirror / "world-bank" / name)[5:]:
            if row[1] not in wdi.AGGREGATES and codes.iso3_for_name(row[0]) != row[1]:
                unknown.append((name, row[:2]))
    for row in raw(mirror / "world-bank" / f"Metadata_Country_{RECEIVED}")[1:]:
        if row[1] and codes.iso3_for_name(row[4]) != row[0]:
            unknown.append(("metadata", row[0], row[4]))
    assert unknown == []
