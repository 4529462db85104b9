"""The IMS 2024 readers on workbooks we construct in the 2024 layout (fixtures_ims2024.py):
every figure read back, every published total reproduced to the person, and a clear stop (file,
sheet, row, what was expected) on anything else."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl
import pytest

from corridors.errors import InputError
from corridors.readers import un_desa_bilateral, un_desa_totals

_spec = importlib.util.spec_from_file_location(
    "fixtures_ims2024", Path(__file__).parent / "fixtures_ims2024.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fx.write_all(tmp_path_factory.mktemp("ims2024"))


@pytest.fixture(scope="module")
def bilateral(files) -> un_desa_bilateral.BilateralTables:
    return un_desa_bilateral.read(files["ims2024-bilateral"])


def _problem(error: pytest.ExceptionInfo[InputError]):
    return error.value.problems[0]


# --------------------------------------------------------------------------- destination and origin

def test_bilateral_edition_years_and_sexes(bilateral) -> None:
    assert bilateral.edition == "ims2024"
    assert sorted(bilateral.stock["year"].unique()) == fx.YEARS
    assert set(bilateral.stock["sex"].unique()) == {"total", "male", "female"}
    assert set(bilateral.stock["destination"].unique()) == {"KEN", "UGA", "TZA", "TUR"}
    # Türkiye, footnote markers (United Republic of Tanzania*) and "Others" (2003 -> XXX) resolve
    assert {"TUR", "SOM", "UGA", "KEN", "XXX"} == set(bilateral.stock["origin"].unique())


def test_bilateral_every_pair_figure_read_back(bilateral) -> None:
    stock = bilateral.stock
    for (dest, orig), (male, female) in fx.PAIRS.items():
        for sex, series in (("male", male), ("female", female)):
            got = dict(stock.filter(destination=dest, origin=orig, sex=sex)
                       .select("year", "value").iter_rows())
            want = {y: float(v) for y, v in zip(fx.YEARS, series, strict=True)
                    if v not in (fx.MISSING, 0)}
            assert got == want, (dest, orig, sex)
    # '..' is missing, not zero: Somalis in Uganda have no 1990 figure at all
    assert stock.filter(destination="UGA", origin="SOM", year=1990).height == 0
    # a zero is dropped (no corridor), the female 2024 figure of Kenyans in Türkiye is kept
    assert stock.filter(destination="TUR", origin="KEN", sex="female")["year"].to_list() == [2024]


def test_bilateral_totals_reproduce_the_rows_against_world(bilateral) -> None:
    stock = bilateral.stock
    for view, role in (("destination", "destination"), ("origin", "origin")):
        sums = stock.group_by(role, "year", "sex").agg(pl.col("value").sum())
        for (code, m49), (male, female) in fx.TRUTH[view].items():
            if not (code in fx.COUNTRIES or code == "XXX") or not any(male):
                continue
            for sex, series in (("male", male), ("female", female)):
                got = dict(sums.filter(pl.col(role) == code, sex=sex).select("year", "value")
                           .iter_rows())
                assert got == {y: float(v) for y, v in zip(fx.YEARS, series, strict=True) if v}
            printed = bilateral.totals.filter(view=view, area_m49=m49, sex="total")
            assert dict(printed.select("year", "value").iter_rows()) == {
                y: float(m + f) for y, m, f in zip(fx.YEARS, male, female, strict=True)}
    world = bilateral.totals.filter(view="destination", area_m49=900, sex="total", year=2024)
    assert world["value"].item() == stock.filter(year=2024, sex="total")["value"].sum()


def test_bilateral_2024_header_with_a_renamed_column_is_refused(tmp_path: Path) -> None:
    ids = list(fx.BILATERAL_IDS)
    ids[3] = "Type of data"
    path = fx.write_bilateral(tmp_path / "renamed.xlsx", ids=ids)
    with pytest.raises(InputError) as error:
        un_desa_bilateral.read(path)
    problem = _problem(error)
    assert (problem.file, problem.sheet, problem.row) == ("renamed.xlsx", "Table 1", 11)
    assert "'Data type' in column D" in problem.expected
    assert problem.value == "Type of data"


def test_bilateral_extra_column_after_ae_is_refused(tmp_path: Path) -> None:
    path = fx.write_bilateral(tmp_path / "wide.xlsx", extra_column=True)
    with pytest.raises(InputError) as error:
        un_desa_bilateral.read(path)
    problem = _problem(error)
    assert problem.sheet == "Table 1" and problem.row == 12
    assert "column AF" in problem.expected


def test_bilateral_blocks_in_another_order_are_refused(tmp_path: Path) -> None:
    titles = (fx.STOCK_TITLES[0], fx.STOCK_TITLES[2], fx.STOCK_TITLES[1])
    path = fx.write_bilateral(tmp_path / "order.xlsx", titles=titles)
    with pytest.raises(InputError) as error:
        un_desa_bilateral.read(path)
    assert "both sexes, males, females" in _problem(error).expected


def test_bilateral_text_in_a_figure_cell_names_file_sheet_row_and_column(tmp_path: Path) -> None:
    path = fx.write_bilateral(tmp_path / "text.xlsx", bad_cell=(2, 14, "12 345a"))
    with pytest.raises(InputError) as error:
        un_desa_bilateral.read(path)
    problem = _problem(error)
    assert (problem.file, problem.sheet, problem.row, problem.value) == (
        "text.xlsx", "Table 1", 14, "12 345a")
    assert "column O" in problem.expected


def test_bilateral_country_name_that_contradicts_its_code_is_refused(tmp_path: Path) -> None:
    path = fx.write_bilateral(tmp_path / "swap.xlsx", bad_cell=(5, 5, "   Uganda"))
    with pytest.raises(InputError) as error:
        un_desa_bilateral.read(path)
    assert "a name of" in _problem(error).expected


# --------------------------------------------------------------------------- destination, origin

def test_destination_workbook_is_identified_and_read(files) -> None:
    assert un_desa_totals.identify(files["ims2024-destination"]) == "ims2024-destination"
    tables = un_desa_totals.read(files["ims2024-destination"])
    assert tables.edition == "ims2024"
    totals = tables.totals
    assert set(totals["view"].unique()) == {"destination"}
    assert sorted(totals["year"].unique()) == fx.YEARS
    for (code, m49), (male, female) in fx.TRUTH["destination"].items():
        for sex, series in (("total", [m + f for m, f in zip(male, female, strict=True)]),
                            ("male", male), ("female", female)):
            got = dict(totals.filter(area_m49=m49, sex=sex).select("year", "value").iter_rows())
            assert got == {y: float(v) for y, v in zip(fx.YEARS, series, strict=True)}, (code, sex)
    assert totals.filter(area_m49=834)["iso3"].unique().to_list() == ["TZA"]
    assert totals.filter(area_m49=947)["iso3"].unique().to_list() == [None]


def test_destination_population_is_in_persons_and_missing_stays_missing(files) -> None:
    population = un_desa_totals.read(files["ims2024-destination"]).population
    ken = population.filter(iso3="KEN", year=2024)
    assert dict(ken.select("sex", "value").iter_rows()) == {
        "male": 18_800_500.0, "female": 18_970_250.0, "total": 37_770_750.0}
    assert population.filter(iso3="TZA", year=1990).height == 0  # '..' in all three blocks
    assert population.filter(iso3="TZA", year=1995, sex="total")["value"].item() == 27_910_500.0


def test_origin_workbook_reads_emigrants_and_others(files) -> None:
    assert un_desa_totals.identify(files["ims2024-origin"]) == "ims2024-origin"
    totals = un_desa_totals.read(files["ims2024-origin"]).totals
    assert set(totals["view"].unique()) == {"origin"}
    for (code, m49), (_male, female) in fx.TRUTH["origin"].items():
        got = dict(totals.filter(area_m49=m49, sex="female").select("year", "value").iter_rows())
        assert got == {y: float(v) for y, v in zip(fx.YEARS, female, strict=True)}, code
    assert totals.filter(area_m49=2003)["iso3"].unique().to_list() == ["XXX"]


def test_destination_origin_and_bilateral_agree(files, bilateral) -> None:
    """The three workbooks tell one story: a country's Table 1 total equals its row against
    WORLD in the destination-and-origin workbook, for every year and sex."""
    for kind in ("ims2024-destination", "ims2024-origin"):
        table = un_desa_totals.read(files[kind]).totals.drop("iso3")
        view = table["view"][0]
        joined = table.join(bilateral.totals.filter(view=view).drop("iso3"),
                            on=["view", "area_m49", "year", "sex"], how="inner")
        assert joined.height == bilateral.totals.filter(view=view).height
        assert (joined["value"] == joined["value_right"]).all()


def test_destination_without_table_2_is_refused(tmp_path: Path) -> None:
    path = fx.write_destination(tmp_path / "short.xlsx", drop_table_2=True)
    with pytest.raises(InputError) as error:
        un_desa_totals.read(path)
    assert "a sheet named 'Table 2'" in _problem(error).expected


def test_destination_with_the_2020_columns_is_refused(tmp_path: Path) -> None:
    ids = [None, fx.AREA, "Notes", "Location code", "Type of data"]
    path = fx.write_destination(tmp_path / "old.xlsx", table_1_ids=ids)
    with pytest.raises(InputError) as error:
        un_desa_totals.read(path)
    problem = _problem(error)
    assert (problem.sheet, problem.row, problem.value) == ("Table 1", 11, "Notes")
    assert "'Coverage' in column C" in problem.expected


def test_destination_block_title_naming_the_wrong_sex_is_refused(tmp_path: Path) -> None:
    titles = (fx.STOCK_TITLES[0], fx.STOCK_TITLES[2], fx.STOCK_TITLES[2])
    path = fx.write_destination(tmp_path / "sex.xlsx", titles=titles)
    with pytest.raises(InputError) as error:
        un_desa_totals.read(path)
    problem = _problem(error)
    assert (problem.sheet, problem.row) == ("Table 1", 8)
    assert "'males' above column N" in problem.expected


def test_a_workbook_of_another_publication_is_not_identified(tmp_path: Path) -> None:
    path = fx.write_bilateral(tmp_path / "bilateral.xlsx")
    with pytest.raises(InputError) as error:
        un_desa_totals.identify(path)
    problem = _problem(error)
    assert "International Migrant Stock 2024: Destination" in problem.expected
    assert problem.value == "International Migrant Stock 2024: Destination and origin"
