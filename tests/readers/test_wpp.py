"""WPP 2019 total population on the real ESTIMATES sheet; bad sheets we construct."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from corridors.errors import InputError
from corridors.readers import wpp

WPP = Path("un-desa/wpp2019/WPP2019_POP_F01_1_TOTAL_POPULATION_BOTH_SEXES.xlsx")


def value(frame: pl.DataFrame, **keys: object) -> float:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert rows.height == 1, (keys, rows)
    return rows["value"][0]


def test_population_in_persons(mirror: Path) -> None:
    frame = wpp.read(mirror / WPP)
    assert frame.columns == ["area_m49", "iso3", "year", "sex", "value"]
    assert value(frame, area_m49=900, year=2019) == 7_713_468_100  # WPP 2019 headline
    assert value(frame, area_m49=900, year=1950) == 2_536_431_149
    assert value(frame, iso3="KEN", year=2019) == value(frame, area_m49=404, year=2019)
    assert frame["year"].min() == 1950 and frame["year"].max() == 2020
    assert frame.filter(pl.col("iso3").is_not_null())["iso3"].n_unique() == 235
    assert frame.filter(pl.col("iso3") == "BLM").height == 71  # "Saint-Barthélemy" alias


def test_countries_sum_to_the_world(mirror: Path) -> None:
    frame = wpp.read(mirror / WPP)
    countries = frame.filter(pl.col("iso3").is_not_null(), pl.col("year") == 2020)
    world = value(frame, area_m49=900, year=2020)
    # the published world is the sum of its countries, to rounding of the thousands
    assert abs(countries["value"].sum() - world) <= countries.height


def _sheet(path: Path, header: list[object], rows: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("ESTIMATES")
    sheet.write(8, 0, "World Population Prospects 2019")
    sheet.write_row(16, 0, header)
    for index, cells in enumerate(rows):
        sheet.write_row(17 + index, 0, cells)
    book.close()
    return path


HEADER = wpp.IDS + [str(y) for y in wpp.YEARS]
KENYA = [1, "Estimates", "Kenya", "", 404, "Country", 910] + [1000.5] * len(wpp.YEARS)


def test_constructed_sheet_is_read(tmp_path: Path) -> None:
    frame = wpp.read(_sheet(tmp_path / "wpp.xlsx", HEADER, [KENYA]))
    assert value(frame, iso3="KEN", year=1990) == 1_000_500


def test_sheet_of_another_layout_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="row 17"):
        wpp.read(_sheet(tmp_path / "wpp.xlsx", HEADER[:7] + ["1951"] + HEADER[8:], [KENYA]))


def test_extra_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="extra column"):
        wpp.read(_sheet(tmp_path / "wpp.xlsx", HEADER + ["2021"], [KENYA]))


def test_unknown_country_names_are_listed(tmp_path: Path) -> None:
    bad = [list(KENYA), list(KENYA)]
    bad[0][2] = "Kenia"
    bad[1][2], bad[1][4] = "Ruritania", 800
    with pytest.raises(InputError) as error:
        wpp.read(_sheet(tmp_path / "wpp.xlsx", HEADER, bad))
    text = str(error.value)
    assert "row 18: value 'Kenia'" in text and "row 19: value 'Ruritania'" in text


def test_missing_sheet_is_refused(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "wpp.xlsx"))
    book.add_worksheet("MEDIUM VARIANT")
    book.close()
    with pytest.raises(InputError, match="ESTIMATES"):
        wpp.read(tmp_path / "wpp.xlsx")


def test_truncated_and_empty_files_are_refused(tmp_path: Path) -> None:
    good = _sheet(tmp_path / "good.xlsx", HEADER, [KENYA]).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 3])
    with pytest.raises(InputError, match="truncated or corrupt"):
        wpp.read(tmp_path / "cut.xlsx")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        wpp.read(tmp_path / "empty.xlsx")
