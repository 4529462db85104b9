"""UN DESA bilateral readers: the official long workbook (constructed in its layout), the derived
IMS 2020 long CSV, the IMS 2015 matrix and the IMS 2019 wide CSV (real files from the mirror)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from fixtures_un_desa import LONG_ROWS, YEARS_2020, write_long_workbook

from corridors.errors import InputError
from corridors.readers import un_desa_bilateral as bilateral
from corridors.readers import un_desa_totals as totals

IMS2020 = Path("un-desa/ims2020")
LONG_CSV = IMS2020 / "derived/ims2020_bilateral_by_sex_long.csv"
DESTINATION = IMS2020 / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
ORIGIN = IMS2020 / "undesa_pd_2020_ims_stock_by_sex_and_origin.xlsx"
IMS2015 = Path("un-desa/ims2015/UN_MigrantStockByOriginAndDestination_2015.xlsx")
IMS2019_CSV = Path("un-desa/ims2019/derived/UN_MigrantStockByOriginAndDestination_2019_clean.csv")
IMS2019_TOTALS = Path("un-desa/ims2019/UN_MigrantStockTotal_2019.xlsx")

#: IMS 2020 Table 1, WORLD row: (total, male, female) per year, as published.
WORLD_2020 = {
    1990: (152_986_157, 77_563_467, 75_422_690), 1995: (161_289_976, 81_581_501, 79_708_475),
    2000: (173_230_585, 87_719_833, 85_510_752), 2005: (191_446_828, 97_663_081, 93_783_747),
    2010: (220_983_187, 113_940_881, 107_042_306),
    2015: (247_958_644, 128_238_058, 119_720_586),
    2020: (280_598_105, 145_655_844, 134_942_261),
}


def value(frame: pl.DataFrame, **keys: object) -> float:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert rows.height == 1, (keys, rows)
    return rows["value"][0]


# --------------------------------------------------------------------------- official workbook

def test_official_workbook_gives_country_pairs_by_sex(tmp_path: Path) -> None:
    tables = bilateral.read(write_long_workbook(tmp_path / "dest_origin.xlsx"))
    stock = tables.stock
    assert tables.edition == "ims2020"
    assert stock.columns == ["origin", "destination", "year", "sex", "value"]
    assert value(stock, origin="UGA", destination="KEN", year=2020, sex="total") == 84 + 79
    assert value(stock, origin="UGA", destination="KEN", year=2020, sex="male") == 84
    assert value(stock, origin="XXX", destination="KEN", year=1990, sex="female") == 10
    assert value(stock, origin="BFA", destination="CIV", year=2020, sex="female") == 48
    # regions, WORLD, zeros and '..' never become corridors
    assert set(stock["origin"]) == {"UGA", "SOM", "XXX", "BFA"}
    assert set(stock["destination"]) == {"KEN", "CIV"}
    assert stock.filter(pl.col("destination") == "CIV", pl.col("year").is_in([2000, 2005])
                        ).height == 0
    assert stock.height == (3 * 7 + 5) * 3  # Kenya: 3 origins x 7 years; CIV: 5 years


def test_official_workbook_totals_come_from_rows_against_world(tmp_path: Path) -> None:
    tables = bilateral.read(write_long_workbook(tmp_path / "dest_origin.xlsx"))
    dest = tables.totals.filter(pl.col("view") == "destination")
    assert value(dest, area_m49=404, year=2020, sex="total") == 130 + 124
    assert value(dest, area_m49=900, year=1990, sex="male") == 150
    origin = tables.totals.filter(pl.col("view") == "origin")
    assert value(origin, iso3="KEN", year=2015, sex="female") == 24


def test_official_workbook_2024_edition_has_one_more_year(tmp_path: Path) -> None:
    years = YEARS_2020 + [2024]
    rows = [r[:6] + (r[6] + [r[6][-1]], r[7] + [r[7][-1]]) for r in LONG_ROWS]
    path = write_long_workbook(tmp_path / "ims2024.xlsx", rows=rows, years=years,
                               edition_year=2024)
    tables = bilateral.read(path)
    assert tables.edition == "ims2024"
    assert value(tables.stock, origin="SOM", destination="KEN", year=2024, sex="male") == 34


def test_official_workbook_lists_every_unknown_name(tmp_path: Path) -> None:
    rows = list(LONG_ROWS)
    rows[4] = rows[4][:4] + ("Ruritania", 800) + rows[4][6:]  # code of Uganda, unknown name
    rows[5] = ("   Kenya", "", 404, "B R", "Somalia", 706, [1] * 7, [1] * 7)
    rows[7] = ("   Cote d'Ivoire of the West", 12, 384) + rows[7][3:]
    with pytest.raises(InputError) as error:
        bilateral.read(write_long_workbook(tmp_path / "unknown.xlsx", rows=rows))
    text = str(error.value)
    assert "Ruritania" in text and "row 16" in text
    assert "Cote d'Ivoire of the West" in text and "row 19" in text
    assert "unknown.xlsx" in text and "'Table 1'" in text


def test_official_workbook_name_must_match_its_code(tmp_path: Path) -> None:
    rows = list(LONG_ROWS)
    rows[5] = rows[5][:4] + ("Somalia", 800) + rows[5][6:]  # Somalia under Uganda's code
    with pytest.raises(InputError, match="a name of UGA"):
        bilateral.read(write_long_workbook(tmp_path / "mismatch.xlsx", rows=rows))


def test_official_workbook_of_another_layout_is_refused(tmp_path: Path) -> None:
    ids = list(bilateral.WORKBOOK_IDS)
    ids[6] = "Origin code"
    with pytest.raises(InputError) as error:
        bilateral.read(write_long_workbook(tmp_path / "other.xlsx", ids=ids))
    assert "row 11" in str(error.value) and "Origin code" in str(error.value)


def test_official_workbook_with_an_extra_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="extra column"):
        bilateral.read(write_long_workbook(tmp_path / "extra.xlsx", extra_column="Remarks"))


def test_official_workbook_with_blocks_in_another_order_is_refused(tmp_path: Path) -> None:
    titles = ("International migrant stock at mid-year, both sexes combined",
              "International migrant stock at mid-year, females",
              "International migrant stock at mid-year, males")
    with pytest.raises(InputError, match="both sexes, males, females"):
        bilateral.read(write_long_workbook(tmp_path / "order.xlsx", titles=titles))


@pytest.mark.parametrize("titles", [
    ("Both sexes", "Male", "Female"),
    ("International migrant stock at mid-year (both sexes)",
     "International migrant stock at mid-year (male)",
     "International migrant stock at mid-year (female)"),
])
def test_official_workbook_block_titles_may_be_worded_differently(
        tmp_path: Path, titles: tuple[str, str, str]) -> None:
    stock = bilateral.read(write_long_workbook(tmp_path / "t.xlsx", titles=titles)).stock
    assert value(stock, origin="SOM", destination="KEN", year=1990, sex="male") == 30
    assert value(stock, origin="SOM", destination="KEN", year=1990, sex="total") == 60


def test_official_workbook_without_table_1_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a sheet named 'Table 1'"):
        bilateral.read(write_long_workbook(tmp_path / "nosheet.xlsx", sheet="Table 2"))


def test_truncated_workbook_is_refused(tmp_path: Path) -> None:
    good = write_long_workbook(tmp_path / "good.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        bilateral.read(cut)


def test_corrupt_workbook_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    with pytest.raises(InputError, match="cut|corrupt"):
        bilateral.read(bad)


def test_empty_files_are_refused(tmp_path: Path) -> None:
    for name in ("empty.xlsx", "empty.csv"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(InputError, match="empty"):
            bilateral.read(tmp_path / name)


def test_text_in_a_figure_cell_is_refused(tmp_path: Path) -> None:
    rows = list(LONG_ROWS)
    rows[5] = rows[5][:6] + (["thirty"] + rows[5][6][1:], rows[5][7])
    with pytest.raises(InputError) as error:
        bilateral.read(write_long_workbook(tmp_path / "text.xlsx", rows=rows))
    assert "'thirty'" in str(error.value) and "row 17" in str(error.value)


# --------------------------------------------------------------------------- derived long CSV

@pytest.fixture(scope="module")
def ims2020(mirror: Path) -> dict[str, pl.DataFrame]:
    return {
        "stock": bilateral.read(mirror / LONG_CSV).stock,
        "destination": totals.read(mirror / DESTINATION).totals,
        "origin": totals.read(mirror / ORIGIN).totals,
    }


def test_long_csv_world_totals_equal_table_1(ims2020: dict[str, pl.DataFrame]) -> None:
    sums = ims2020["stock"].group_by("year", "sex").agg(pl.col("value").sum())
    for year, (total, male, female) in WORLD_2020.items():
        assert value(sums, year=year, sex="total") == total
        assert value(sums, year=year, sex="male") == male
        assert value(sums, year=year, sex="female") == female


def _compare(stock: pl.DataFrame, published: pl.DataFrame, side: str) -> pl.DataFrame:
    sums = stock.group_by(pl.col(side).alias("iso3"), "year", "sex").agg(
        pl.col("value").sum().alias("bilateral"))
    countries = published.filter(pl.col("iso3").is_not_null())
    return countries.join(sums, on=["iso3", "year", "sex"], how="full", coalesce=True).filter(
        pl.col("value").fill_null(0) != pl.col("bilateral").fill_null(0))


def test_long_csv_destination_sums_equal_table_1(ims2020: dict[str, pl.DataFrame]) -> None:
    """Every country, year and sex matches, with ONE documented residual (docs/sources.md):
    Table 1 publishes no sex split for Bonaire, Sint Eustatius and Saba ('..' in M..Z) while
    the bilateral file splits it; its both-sexes totals match."""
    diff = _compare(ims2020["stock"], ims2020["destination"], "destination")
    assert diff["iso3"].unique().to_list() == ["BES"]
    assert diff["value"].null_count() == diff.height == 14
    assert set(diff["sex"]) == {"male", "female"}
    bes = ims2020["stock"].filter(pl.col("destination") == "BES", pl.col("sex") != "total")
    assert bes.group_by("year").agg(pl.col("value").sum()).sort("year")["value"].to_list() == [
        13010, 15101, 14387, 14399, 20941, 24571, 26221]  # Table 1, BES, both sexes


def test_long_csv_origin_sums_equal_the_origin_workbook(ims2020: dict[str, pl.DataFrame]) -> None:
    """Exact for every origin country, year and sex, the "Other" origin (XXX, code 2003:
    12,657,151 in 2020) and the Channel Islands (CHI, code 830) included."""
    assert _compare(ims2020["stock"], ims2020["origin"], "origin").height == 0
    other = ims2020["origin"].filter(pl.col("iso3") == "XXX")
    assert value(other, year=2020, sex="total") == 12_657_151
    assert ims2020["stock"].filter(pl.col("origin") == "CHI").height > 0


def test_long_csv_derives_totals_from_the_sexes(ims2020: dict[str, pl.DataFrame]) -> None:
    stock = ims2020["stock"]
    wide = stock.pivot(on="sex", index=["origin", "destination", "year"], values="value")
    check = wide.with_columns(pl.col("male").fill_null(0) + pl.col("female").fill_null(0))
    assert (check["total"] == check["male"]).all()
    assert stock.filter(pl.struct("origin", "destination", "year", "sex").is_duplicated()
                        ).height == 0


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "long.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_long_csv_with_an_extra_column_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, "to,from,t,sex,v,note\nKEN,UGA,2020,Male,5,x\n")
    with pytest.raises(InputError, match="columns"):
        bilateral.read(path)


def test_long_csv_lists_unknown_codes_and_sexes(tmp_path: Path) -> None:
    path = _csv(tmp_path, "to,from,t,sex,v\nKEN,UGA,2020,Male,5\nKEN,ZZZ,2020,Male,5\n"
                          "QQQ,UGA,2020,Female,3\nKEN,UGA,2020,Both,8\n")
    with pytest.raises(InputError) as error:
        bilateral.read(path)
    text = str(error.value)
    assert "3 problems" in text
    assert "row 3: value 'ZZZ'" in text and "row 4: value 'QQQ'" in text
    assert "row 5: value 'Both'" in text


# --------------------------------------------------------------------------- IMS 2015 matrix

def test_ims2015_world_total_and_every_row_sums_to_its_total(mirror: Path) -> None:
    tables = bilateral.read(mirror / IMS2015)
    assert tables.edition == "ims2015"
    assert tables.stock["value"].sum() == 243_700_236
    assert value(tables.totals, area_m49=900) == 243_700_236
    sums = tables.stock.group_by(pl.col("destination").alias("iso3")).agg(
        pl.col("value").sum().alias("row_sum"))
    published = tables.totals.filter(pl.col("iso3").is_not_null())
    joined = published.join(sums, on="iso3", how="left")
    assert joined.height == 232
    mismatched = joined.filter(pl.col("value") != pl.col("row_sum").fill_null(0))
    assert mismatched.height == 0, mismatched


def test_ims2015_has_232_origins_plus_other_north_and_other_south(mirror: Path) -> None:
    stock = bilateral.read(mirror / IMS2015).stock
    assert stock["origin"].n_unique() <= 234
    # Other North and Other South stay two residual origins (never the unknown XXX), with the
    # world figures published in row 17
    assert "XXX" not in set(stock["origin"])
    assert stock.filter(pl.col("origin") == "XON")["value"].sum() == 2_139_539
    assert stock.filter(pl.col("origin") == "XOS")["value"].sum() == 7_644_005


# --------------------------------------------------------------------------- IMS 2019 wide CSV

def test_ims2019_csv_falls_short_of_the_official_totals(mirror: Path) -> None:
    """The derived CSV drops the "Other" origins: documented shortfall (docs/sources.md)."""
    stock = bilateral.read(mirror / IMS2019_CSV).stock
    published = totals.read(mirror / IMS2019_TOTALS).totals
    usa = stock.filter(pl.col("destination") == "USA", pl.col("year") == 2019)
    assert usa["value"].sum() == 48_065_741
    assert value(published, iso3="USA", year=2019, sex="total") == 50_661_149
    sums = stock.group_by(pl.col("destination").alias("iso3"), "year").agg(
        pl.col("value").sum().alias("csv"))
    joined = published.filter(pl.col("sex") == "total").join(sums, on=["iso3", "year"])
    assert joined.height > 1500
    assert (joined["csv"] <= joined["value"]).all()
    assert set(stock["sex"]) == {"total"}
