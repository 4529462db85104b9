"""Readers of the remittance files added for issue 14, on the real mirror files (values recomputed
here from the raw CSVs with the csv module) and on constructed bad files in the official layouts:
the KNOMAD 2018 matrix CSV, the WDI GDP long CSV and Remittance Prices Worldwide (DataBank export
and corridor-quarter file)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridors.errors import InputError
from corridors.readers import world_bank_bilateral_csv, world_bank_gdp, world_bank_rpw

MATRIX_2018 = "world-bank/derived/Bilateralremittancematrix2018Oct2019.csv"
GDP = "world-bank/derived/gdp_current_usd_wdi.csv"
RPW = "world-bank/RPW_corridors_databank_36d1ed87-9a2d-41da-8eac-c1c25d45fa65_Data.csv"
RPW_QUARTERS = "world-bank/derived/jonsmirl_rpw_filtered.csv"


def raw_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# --- KNOMAD 2018 matrix CSV ----------------------------------------------------------------------

def test_matrix_2018_pairs_are_the_published_cells(mirror: Path):
    rows = raw_rows(mirror / MATRIX_2018)
    names = rows[0][1:]
    matrix = world_bank_bilateral_csv.read(mirror / MATRIX_2018)
    assert matrix.kind == "remittances" and matrix.year == 2018 and matrix.unit == "US$ millions"
    published = [float(c) for row in rows[1:] for c in row[1:] if c not in ("N/A", "")]
    assert matrix.pairs["value"].sum() == pytest.approx(sum(published))
    assert matrix.missing == sum(c == "N/A" for row in rows[1:] for c in row[1:])
    # rows send, columns receive: India receives (its column) far more than it sends (its row)
    india = names.index("India")
    received = sum(float(row[india + 1]) for row in rows[1:] if row[india + 1] != "N/A")
    pairs = matrix.pairs
    assert pairs.filter(pairs["origin"] == "IND")["value"].sum() == pytest.approx(received)
    # one cell: Saudi Arabia (row) to Nepal (column), migration sense origin NPL, destination SAU
    saudi = next(row for row in rows if row[0] == "Saudi Arabia")
    cell = float(saudi[names.index("Nepal") + 1])
    got = pairs.filter((pairs["origin"] == "NPL") & (pairs["destination"] == "SAU"))["value"]
    assert got.to_list() == [cell]


def _small_matrix(tmp_path: Path, cells: list[list[str]], names=("Nepal", "India")) -> Path:
    rows = [["", *names]] + [[name, *cells[i]] for i, name in enumerate(names)]
    return write(tmp_path / "Bilateralremittancematrix2018Oct2019.csv", rows)


def test_matrix_with_unknown_country_names_file_row_and_value(tmp_path: Path):
    path = _small_matrix(tmp_path, [["0", "1"], ["2", "0"]], names=("Nepal", "Atlantis"))
    with pytest.raises(InputError) as caught:
        world_bank_bilateral_csv.read(path)
    message = str(caught.value)
    assert "Bilateralremittancematrix2018Oct2019.csv" in message and "row 1" in message
    assert "'Atlantis'" in message and "aliases_world_bank.csv" in message


def test_matrix_cell_that_is_not_a_number(tmp_path: Path):
    path = _small_matrix(tmp_path, [["0", ".."], ["2", "0"]])
    with pytest.raises(InputError, match=r"row 2: value '\.\.'; expected a number or N/A"):
        world_bank_bilateral_csv.read(path)


def test_matrix_na_cells_are_left_out(tmp_path: Path):
    matrix = world_bank_bilateral_csv.read(_small_matrix(tmp_path, [["0", "N/A"], ["2.5", "0"]]))
    assert matrix.missing == 1
    assert matrix.pairs.to_dicts() == [{"origin": "NPL", "destination": "IND", "value": 2.5}]


# --- WDI GDP (long CSV) --------------------------------------------------------------------------

def test_gdp_values_are_the_file_values(mirror: Path):
    indicator = world_bank_gdp.read(mirror / GDP)
    assert indicator.code == "NY.GDP.MKTP.CD" and indicator.unit == "current US$"
    raw = {(r["Country Code"], int(r["Year"])): float(r["Value"])
           for r in csv.DictReader((mirror / GDP).open(encoding="utf-8"))}
    values = indicator.values
    lesotho = values.filter((values["iso3"] == "LSO") & (values["year"] == 2016))["value"]
    assert lesotho.to_list() == [raw[("LSO", 2016)]]
    assert round(raw[("LSO", 2016)]) == 2_114_426_454  # MANIFEST
    assert "WLD" in indicator.aggregates and "WLD" not in set(values["iso3"])
    countries = {k for k in raw if k[0] not in indicator.aggregates}
    assert values.height == len(countries)


def test_gdp_of_an_unknown_code_and_a_bad_value(tmp_path: Path):
    path = write(tmp_path / "gdp.csv", [["Country Name", "Country Code", "Year", "Value"],
                                        ["Lesotho", "LSO", "2016", "2114426453.7"],
                                        ["Atlantis", "ATL", "2016", "5"],
                                        ["Nepal", "NPL", "2016", "n/a"]])
    with pytest.raises(InputError) as caught:
        world_bank_gdp.read(path)
    message = str(caught.value)
    assert "row 3: value \"ATL 'Atlantis'\"" in message
    assert "row 4: value 'n/a'; expected a number" in message


def test_gdp_of_another_layout(tmp_path: Path):
    path = write(tmp_path / "gdp.csv", [["Country", "Code", "Year", "GDP"], ["Nepal", "NPL", "1", "2"]])
    with pytest.raises(InputError, match="header"):
        world_bank_gdp.read(path)


# --- Remittance Prices Worldwide -----------------------------------------------------------------

def test_rpw_databank_costs_are_the_published_cells(mirror: Path):
    rows = raw_rows(mirror / RPW)
    header = rows[0]
    column = header.index("2020Q3 [YR2020Q3]")
    row = next(r for r in rows if r[1] == "ZAF" and r[5] == "LSO")
    costs = world_bank_rpw.read(mirror / RPW)
    got = costs.filter((costs["origin"] == "ZAF") & (costs["destination"] == "LSO")
                       & (costs["period"] == "2020Q3"))["cost_pct"]
    assert got.to_list() == [float(row[column])]
    data = [r for r in rows[1:] if len(r) > 6 and r[3] == "ATCR.CORR" and "ANT" not in (r[1], r[5])]
    published = [c for r in data for c in r[6:] if c != ".."]
    assert costs.height == len(published)
    assert costs["cost_pct"].sum() == pytest.approx(sum(float(c) for c in published))
    assert "XKX" in set(costs["destination"])  # KSV in the export


def test_rpw_quarters_file(mirror: Path):
    raw = list(csv.DictReader((mirror / RPW_QUARTERS).open(encoding="utf-8")))
    first = raw[0]
    costs = world_bank_rpw.read_quarters(mirror / RPW_QUARTERS)
    period = first["period"][:4] + "Q" + first["period"][5]
    got = costs.filter((costs["origin"] == first["source_code"])
                       & (costs["destination"] == first["destination_code"])
                       & (costs["period"] == period))
    assert got["cost_pct"].to_list() == [float(first["avg_cost_pct_200usd"])]
    assert got["providers"].to_list() == [int(first["num_providers"])]
    assert costs.height == sum(1 for r in raw if r["avg_cost_pct_200usd"])


def _databank(tmp_path: Path, cells: list[str], series: str = "ATCR.CORR",
              receiver: tuple[str, str] = ("Lesotho", "LSO")) -> Path:
    header = ["Sending Countries Name", "Sending Countries Code", "Series Name", "Series Code",
              "Receiving Countries  Name", "Receiving Countries  Code", "2020Q2 [YR2020Q2]",
              "2020Q3 [YR2020Q3]"]
    return write(tmp_path / "RPW_Data.csv", [
        header,
        ["South Africa", "ZAF", "Average Total Cost to remit in corridor", series, *receiver,
         *cells],
        [""] * 8, ["Data from database: Remittance Prices Worldwide (Corridors)"] + [""] * 7,
        ["Last Updated: 12/07/2020"] + [""] * 7])


def test_rpw_dots_are_gaps_and_notes_are_skipped(tmp_path: Path):
    costs = world_bank_rpw.read(_databank(tmp_path, ["..", "8.02"]))
    assert costs.select("origin", "destination", "period", "cost_pct").to_dicts() == [
        {"origin": "ZAF", "destination": "LSO", "period": "2020Q3", "cost_pct": 8.02}]


def test_rpw_bad_inputs_name_row_and_value(tmp_path: Path):
    with pytest.raises(InputError, match=r"row 2: value 'eight'; expected a cost in percent"):
        world_bank_rpw.read(_databank(tmp_path, ["..", "eight"]))
    with pytest.raises(InputError, match=r"row 2: value 'SI.RMT.COST'; expected the series"):
        world_bank_rpw.read(_databank(tmp_path, ["1", "2"], series="SI.RMT.COST"))
    with pytest.raises(InputError, match=r"row 2: value \"ATL 'Atlantis'\""):
        world_bank_rpw.read(_databank(tmp_path, ["1", "2"], receiver=("Atlantis", "ATL")))
