"""IMS totals readers on the real IMS 2020 destination/origin and IMS 2019 workbooks, and bad
files we construct in the official layout."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from fixtures_un_desa import TOTALS_ROWS, write_totals_workbook

from corridors.errors import InputError
from corridors.readers import un_desa_totals as totals

IMS2020 = Path("un-desa/ims2020")
DESTINATION = IMS2020 / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
ORIGIN = IMS2020 / "undesa_pd_2020_ims_stock_by_sex_and_origin.xlsx"
IMS2019 = Path("un-desa/ims2019/UN_MigrantStockTotal_2019.xlsx")

#: IMS 2020 Table 1, WORLD: (total, male, female), as published.
WORLD_2020 = {
    1990: (152_986_157, 77_563_467, 75_422_690), 1995: (161_289_976, 81_581_501, 79_708_475),
    2000: (173_230_585, 87_719_833, 85_510_752), 2005: (191_446_828, 97_663_081, 93_783_747),
    2010: (220_983_187, 113_940_881, 107_042_306),
    2015: (247_958_644, 128_238_058, 119_720_586),
    2020: (280_598_105, 145_655_844, 134_942_261),
}
#: IMS 2019 Table 1, WORLD (both sexes), as published.
WORLD_2019 = {1990: 153_011_473, 1995: 161_316_895, 2000: 173_588_441, 2005: 191_615_574,
              2010: 220_781_909, 2015: 248_861_296, 2019: 271_642_105}


def value(frame: pl.DataFrame, **keys: object) -> float:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert rows.height == 1, (keys, rows)
    return rows["value"][0]


@pytest.fixture(scope="module")
def destination(mirror: Path) -> totals.TotalsTables:
    return totals.read(mirror / DESTINATION)


@pytest.fixture(scope="module")
def origin(mirror: Path) -> totals.TotalsTables:
    return totals.read(mirror / ORIGIN)


@pytest.fixture(scope="module")
def ims2019(mirror: Path) -> totals.TotalsTables:
    return totals.read(mirror / IMS2019)


def test_world_totals_by_year_and_sex_equal_table_1(destination: totals.TotalsTables) -> None:
    assert destination.edition == "ims2020"
    frame = destination.totals
    assert frame.columns == ["view", "area_m49", "iso3", "year", "sex", "value"]
    for year, (total, male, female) in WORLD_2020.items():
        assert value(frame, area_m49=900, year=year, sex="total") == total
        assert value(frame, area_m49=900, year=year, sex="male") == male
        assert value(frame, area_m49=900, year=year, sex="female") == female


def test_rows_are_regions_and_countries_keyed_by_m49(destination: totals.TotalsTables) -> None:
    frame = destination.totals
    assert set(frame["view"]) == {"destination"}
    countries = frame.filter(pl.col("iso3").is_not_null())
    assert countries["iso3"].n_unique() == 232
    assert value(frame, area_m49=404, year=2020, sex="total") == value(
        frame, iso3="KEN", year=2020, sex="total")
    assert frame.filter(pl.col("area_m49") == 947)["iso3"].null_count() == 21  # Sub-Saharan
    assert frame.filter(pl.struct("area_m49", "year", "sex").is_duplicated()).height == 0


def test_male_plus_female_equals_total_wherever_both_are_published(
        destination: totals.TotalsTables) -> None:
    wide = destination.totals.pivot(on="sex", index=["area_m49", "year"], values="value")
    both = wide.drop_nulls(["male", "female"])
    assert both.height > 1900
    assert (both["male"] + both["female"] == both["total"]).all()
    # the only country without a sex split is Bonaire, Sint Eustatius and Saba (docs/sources.md)
    split_missing = destination.totals.filter(pl.col("iso3").is_not_null()).group_by(
        "iso3").agg(pl.col("sex").n_unique()).filter(pl.col("sex") < 3)
    assert split_missing["iso3"].to_list() == ["BES"]


def test_population_is_in_persons(destination: totals.TotalsTables) -> None:
    population = destination.population
    assert population.columns == ["area_m49", "iso3", "year", "sex", "value"]
    assert value(population, area_m49=900, year=2020, sex="total") == 7_794_798_729
    assert value(population, iso3="KEN", year=2020, sex="total") == 53_771_300


def test_other_tables_become_indicators(destination: totals.TotalsTables) -> None:
    ind = destination.indicators
    assert set(ind["indicator"]) == {
        "migrant_stock_share_of_population", "female_share_of_migrant_stock",
        "migrant_stock_annual_change", "refugees", "refugee_share_of_migrant_stock",
        "refugees_annual_change"}
    assert value(ind, indicator="refugees", area_m49=900, year=2020) == 33_807_795
    share = value(ind, indicator="migrant_stock_share_of_population", area_m49=900, year=2020,
                  sex="total")
    assert share == pytest.approx(280_598_105 / 7_794_798_729 * 100, rel=1e-9)
    assert value(ind, indicator="migrant_stock_annual_change", area_m49=900, year=2020,
                 sex="total") == pytest.approx(2.4732288013)  # period 2015-2020
    assert set(ind.filter(pl.col("indicator") == "refugees")["unit"]) == {"persons"}


def test_origin_workbook_has_the_same_world_and_the_other_origin(
        origin: totals.TotalsTables, destination: totals.TotalsTables) -> None:
    frame = origin.totals
    assert set(frame["view"]) == {"origin"}
    for year, (total, _male, _female) in WORLD_2020.items():
        assert value(frame, area_m49=900, year=year, sex="total") == total
    assert value(frame, area_m49=2003, year=2020, sex="total") == 12_657_151
    assert value(frame, area_m49=2003, year=2020, sex="total") == value(
        frame, iso3="XXX", year=2020, sex="total")
    assert value(frame, iso3="IND", year=2020, sex="total") == 17_869_492
    assert origin.indicators["indicator"].unique().to_list() == ["female_share_of_emigrant_stock"]


def test_ims2019_world_and_population(ims2019: totals.TotalsTables) -> None:
    assert ims2019.edition == "ims2019"
    for year, total in WORLD_2019.items():
        assert value(ims2019.totals, area_m49=900, year=year, sex="total") == total
    # Table 2 column A holds formulas: the cached values are read
    assert value(ims2019.population, area_m49=900, year=2019, sex="total") == 7_713_468_100
    assert value(ims2019.totals, iso3="USA", year=2019, sex="total") == 50_661_149
    assert ims2019.totals.filter(pl.struct("area_m49", "year", "sex").is_duplicated()).height == 0


# --------------------------------------------------------------------------- bad input

def test_constructed_table_1_is_read(tmp_path: Path) -> None:
    path = write_totals_workbook(tmp_path / "dest.xlsx")
    ((_block, frame), *_rest) = totals.read_sheet(path, totals.DESTINATION_2020[0])
    assert value(frame, iso3="BOL", year=1990) == 35


def test_missing_sheet_is_refused(tmp_path: Path) -> None:
    path = write_totals_workbook(tmp_path / "dest.xlsx")
    with pytest.raises(InputError, match="a sheet named 'Table 2'"):
        totals.read(path)


def test_workbook_of_another_layout_is_refused(tmp_path: Path) -> None:
    path = write_totals_workbook(tmp_path / "dest.xlsx", header_name="Country")
    with pytest.raises(InputError) as error:
        totals.read(path)
    text = str(error.value)
    assert "dest.xlsx" in text and "'Table 1'" in text and "row 11" in text
    assert "'Country'" in text


def test_unrecognised_workbook_is_refused(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "other.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Table 1").write(1, 4, "World Population Prospects 2019")
    book.close()
    with pytest.raises(InputError, match="IMS totals workbook"):
        totals.read(path)


def test_extra_column_is_refused(tmp_path: Path) -> None:
    path = write_totals_workbook(tmp_path / "dest.xlsx", extra_column="2024")
    with pytest.raises(InputError, match="extra column"):
        totals.read(path)


def test_every_unknown_name_is_listed(tmp_path: Path) -> None:
    rows = list(TOTALS_ROWS)
    rows[2] = ("   Kenia", "", 404) + rows[2][3:]
    rows[3] = ("   Bolivia, Republic of", "", 68) + rows[3][3:]
    with pytest.raises(InputError) as error:
        totals.read(write_totals_workbook(tmp_path / "dest.xlsx", rows=rows))
    text = str(error.value)
    assert "2 problems" in text
    assert "row 14: value 'Kenia'" in text and "row 15: value 'Bolivia, Republic of'" in text


def test_text_in_a_figure_is_refused(tmp_path: Path) -> None:
    rows = list(TOTALS_ROWS)
    rows[2] = rows[2][:4] + (["n/a"] + rows[2][4][1:], rows[2][5])
    with pytest.raises(InputError) as error:
        totals.read(write_totals_workbook(tmp_path / "dest.xlsx", rows=rows))
    assert "row 14" in str(error.value) and "'..'" in str(error.value)


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    good = write_totals_workbook(tmp_path / "good.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) - 200])
    with pytest.raises(InputError) as error:
        totals.read(cut)
    assert "cut.xlsx" in str(error.value) and "truncated or corrupt" in str(error.value)


def test_corrupt_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.xlsx"
    bad.write_text("<html>Service unavailable</html>")  # what a failed download often is
    with pytest.raises(InputError, match="truncated or corrupt"):
        totals.read(bad)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        totals.read(empty)
