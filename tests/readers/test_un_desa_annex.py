"""The IMS 2020 annex and the IMS 2019 ANNEX on the real files; bad annexes we construct."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from corridors.errors import InputError
from corridors.readers import un_desa_annex as annex

ANNEX = Path("un-desa/ims2020/aggregates_correspondence_table_2020_1.xlsx")
IMS2019 = Path("un-desa/ims2019/UN_MigrantStockTotal_2019.xlsx")


@pytest.fixture(scope="module")
def ims2020(mirror: Path) -> annex.Annex:
    return annex.read(mirror / ANNEX)


def row(frame: pl.DataFrame, **keys: object) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert rows.height == 1, (keys, rows)
    return rows.row(0, named=True)


def test_every_location_once_with_its_type(ims2020: annex.Annex) -> None:
    locations = ims2020.locations
    assert list(annex.LOCATION_SCHEMA) == locations.columns
    assert locations["area_m49"].is_unique().all()
    counts = dict(locations.group_by("location_type").len().iter_rows())
    assert counts["Country/Area"] == 235
    assert counts["SDG region"] == 8  # Australia and New Zealand is printed twice, kept once
    assert row(locations, area_m49=900)["name"] == "WORLD"


def test_country_groupings(ims2020: annex.Annex) -> None:
    kenya = row(ims2020.countries, iso3="KEN")
    assert kenya == {"iso3": "KEN", "ims_region": "Africa", "sdg_region": "Sub-Saharan Africa",
                     "sdg_region_m49": 947, "development_group": "less developed",
                     "least_developed": False, "lldc": False, "sids": False,
                     "income_group": "LM"}
    tuvalu = row(ims2020.countries, iso3="TUV")
    assert (tuvalu["least_developed"], tuvalu["sids"], tuvalu["income_group"]) == (
        True, True, "UM")
    assert row(ims2020.countries, iso3="JPN")["development_group"] == "more developed"
    assert row(ims2020.countries, iso3="CHI")["ims_region"] == "Europe"
    groups = dict(ims2020.countries.group_by("development_group").len().iter_rows())
    assert groups == {"more developed": 56, "less developed": 179}
    # 47 least developed countries: Vanuatu still counted (it graduated in December 2020)
    assert ims2020.countries["least_developed"].sum() == 47
    assert row(ims2020.countries, iso3="VUT")["least_developed"] is True
    assert set(ims2020.countries["ims_region"]) == {
        "Africa", "Asia", "Europe", "Latin America and the Caribbean", "Northern America",
        "Oceania"}


def test_ims2019_annex(mirror: Path) -> None:
    frame = annex.read_ims2019(mirror / IMS2019)
    assert frame["iso3"].is_unique().all() and frame.height == 232
    kenya = row(frame, iso3="KEN")
    assert (kenya["development_group"], kenya["income_group"], kenya["sub_saharan_africa"]) == (
        "less developed", "LM", True)


def _annex(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Annex")
    sheet.write(1, 5, "International Migrant Stock 2020")
    sheet.write_row(9, 0, annex.GROUP_HEADER)
    sheet.write_row(10, 0, header)
    for index, cells in enumerate(rows):
        sheet.write_row(11 + index, 0, cells)
    book.close()
    return path


KENYA = ["", "   Kenya", "", 404, "KEN", 4, "Country/Area", 910, 900, 910, "Eastern Africa", "",
         "", 947, "Sub-Saharan Africa", 903, "Africa", "", 902, "", 934, 948, "", "", "", 1517,
         "", 1501, "", ""]


def test_constructed_annex_is_read(tmp_path: Path) -> None:
    found = annex.read(_annex(tmp_path / "annex.xlsx", annex.HEADER, [KENYA]))
    assert found.countries.row(0, named=True)["income_group"] == "LM"


def test_annex_of_another_layout_is_refused(tmp_path: Path) -> None:
    header = list(annex.HEADER)
    header[4] = "ISO2 Alpha-code"
    with pytest.raises(InputError, match="column E"):
        annex.read(_annex(tmp_path / "annex.xlsx", header, [KENYA]))


def test_annex_with_an_extra_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="extra column"):
        annex.read(_annex(tmp_path / "annex.xlsx", annex.HEADER + ["Remarks"], [KENYA]))


def test_annex_iso3_must_match_the_m49_code(tmp_path: Path) -> None:
    wrong = list(KENYA)
    wrong[4] = "KNY"
    unknown = list(KENYA)
    unknown[1], unknown[3], unknown[4] = "Ruritania", 800, "UGA"
    with pytest.raises(InputError) as error:
        annex.read(_annex(tmp_path / "annex.xlsx", annex.HEADER, [wrong, unknown]))
    text = str(error.value)
    assert "row 12" in text and "KNY" in text and "row 13: value 'Ruritania'" in text


def test_annex_membership_cell_must_hold_its_group_code(tmp_path: Path) -> None:
    wrong = list(KENYA)
    wrong[19] = 942  # least developed column holds 941 or nothing
    with pytest.raises(InputError, match="941 or nothing in column T"):
        annex.read(_annex(tmp_path / "annex.xlsx", annex.HEADER, [wrong]))


def test_annex_without_its_sheet_is_refused(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "annex.xlsx"))
    book.add_worksheet("Notes")
    book.close()
    with pytest.raises(InputError, match="a sheet named 'Annex'"):
        annex.read(tmp_path / "annex.xlsx")


def test_truncated_annex_is_refused(tmp_path: Path) -> None:
    good = _annex(tmp_path / "good.xlsx", annex.HEADER, [KENYA]).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(good[:1000])
    with pytest.raises(InputError, match="truncated or corrupt"):
        annex.read(tmp_path / "cut.xlsx")
