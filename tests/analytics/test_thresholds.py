"""`corridors lenses thresholds`: the income thresholds behind each lens are those of the OGHIST
'Thresholds' sheet (read here straight from the workbook) for the data year the lens uses."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from corridors.analytics.lenses import BUILTIN
from corridors.analytics.thresholds import lens_thresholds
from corridors.errors import InputError
from corridors.readers.world_bank_income import read_thresholds


def raw_ceiling(mirror, data_year: int, label: str) -> float:
    rows = CalamineWorkbook.from_path(str(mirror / "world-bank/OGHIST.xlsx")).get_sheet_by_name(
        "Thresholds").to_python()
    years = next(r for r in rows if str(r[0]).startswith("Data for calendar"))
    row = next(r for r in rows if r[0] == label)
    text = str(row[years.index(float(data_year))])
    return float(text.split("-")[-1].replace("<=", "").replace(",", "").strip())


@pytest.mark.parametrize("year", [1990, 2020])
def test_thresholds_are_the_oghist_cells(store_con, mirror, year):
    frame = lens_thresholds(store_con, list(BUILTIN.values()), [year])
    rows = {r["lens"]: r for r in frame.iter_rows(named=True)}
    lm = raw_ceiling(mirror, year, "Lower middle income")
    um = raw_ceiling(mirror, year, "Upper middle income")
    assert rows["wb-lmic"]["lm_max"] == lm and rows["wb-lmic"]["origin_south_gni_max"] == lm
    assert rows["wb-non-high"]["destination_south_gni_max"] == um
    assert rows["un-developing"]["origin_south_gni_max"] is None
    assert rows["wb-lmic"]["fiscal_year"] == f"FY{(year + 2) % 100:02d}"


def test_a_thresholds_cell_that_is_not_a_range(tmp_path):
    import xlsxwriter

    path = tmp_path / "OGHIST.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Thresholds")
    sheet.write_row(0, 0, ["Bank's fiscal year:", "FY22"])
    sheet.write_row(1, 0, ["Data for calendar year :", 2020])
    for i, (label, cell) in enumerate([("Low income", "<= 1,045"),
                                       ("Lower middle income", "about 4 thousand"),
                                       ("Upper middle income", "4,096 - 12,695"),
                                       ("High income", "> 12,695")]):
        sheet.write_row(2 + i, 0, [label, cell])
    book.close()
    with pytest.raises(InputError, match="row 4: value 'about 4 thousand'"):
        read_thresholds(path)
