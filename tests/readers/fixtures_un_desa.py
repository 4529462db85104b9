"""Small workbooks we construct in UN DESA's official layouts (our own rows, not excerpts).

The official IMS 2020/2024 destination-and-origin workbook is not in the mirror, so its
``Table 1`` is built here in the published layout: title rows, block titles above the years,
a header at row 11 (index, destination name, notes, destination code, type of data, origin name,
origin code, then the years for both sexes, males and females), regional rows, origin "Other"
(location code 2003). Figures are invented but shaped like the real ones (total = male + female).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

YEARS_2020 = [1990, 1995, 2000, 2005, 2010, 2015, 2020]
LONG_IDS = ["Index", "Region, development group, country or area of destination",
            "Notes of destination", "Location code of destination",
            "Type of data of destination", "Region, development group, country or area of origin",
            "Location code of origin"]

#: (destination, notes, code, type of data, origin, origin code, male per year, female per year)
LONG_ROWS: list[tuple[Any, ...]] = [
    ("WORLD", "", 900, "", "WORLD", 900, [150, 160, 170, 180, 190, 200, 210],
     [140, 150, 160, 170, 180, 190, 200]),
    ("  Sub-Saharan Africa", "", 947, "", "Uganda", 800, [60, 64, 68, 72, 76, 80, 84],
     [55, 59, 63, 67, 71, 75, 79]),
    ("   Kenya", "", 404, "B R", "WORLD", 900, [100, 104, 110, 116, 120, 126, 130],
     [95, 99, 104, 108, 113, 118, 124]),
    ("   Kenya", "", 404, "B R", "Sub-Saharan Africa", 947, [90, 94, 99, 104, 108, 113, 118],
     [85, 89, 94, 98, 102, 107, 112]),
    ("   Kenya", "", 404, "B R", "Uganda", 800, [60, 64, 68, 72, 76, 80, 84],
     [55, 59, 63, 67, 71, 75, 79]),
    ("   Kenya", "", 404, "B R", "Somalia", 706, [30, 30, 31, 32, 32, 33, 34],
     [30, 30, 31, 31, 31, 32, 33]),
    ("   Kenya", "", 404, "B R", "Other", 2003, [10, 10, 11, 12, 12, 13, 12],
     [10, 10, 10, 10, 11, 11, 12]),
    ("   Côte d'Ivoire*", 12, 384, "B", "Burkina Faso", 854, [40, 42, 0, "..", 46, 48, 50],
     [38, 40, 0, "..", 44, 46, 48]),
    ("   Côte d'Ivoire*", 12, 384, "B", "WORLD", 900, [50, 52, 54, 56, 58, 60, 62],
     [48, 50, 52, 54, 56, 58, 60]),
    ("WORLD", "", 900, "", "   Kenya", 404, [20, 21, 22, 23, 24, 25, 26],
     [19, 20, 21, 22, 23, 24, 25]),
]


def _sum(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return ".."


def write_long_workbook(path: Path, rows: list[tuple[Any, ...]] | None = None,
                        years: list[int] | None = None, ids: list[str] | None = None,
                        extra_column: str | None = None, sheet: str = "Table 1",
                        titles: tuple[str, str, str] | None = None,
                        edition_year: int = 2020) -> Path:
    """Write ``Table 1`` of an IMS destination-and-origin workbook in the official layout."""
    rows = LONG_ROWS if rows is None else rows
    years = YEARS_2020 if years is None else years
    ids = LONG_IDS if ids is None else ids
    titles = titles or ("International migrant stock at mid-year, both sexes combined",
                        "International migrant stock at mid-year, males",
                        "International migrant stock at mid-year, females")
    book = xlsxwriter.Workbook(str(path))
    contents = book.add_worksheet("Table of contents")
    contents.write(1, 4, f"International Migrant Stock {edition_year}: Destination and origin")
    table = book.add_worksheet(sheet)
    table.write(1, 4, f"International Migrant Stock {edition_year}: Destination and origin")
    table.write(2, 4, "Table 1: International migrant stock at mid-year by sex and by region, "
                      "country or area of destination and origin, 1990-2020")
    table.write(3, 4, f"POP/DB/MIG/Stock/Rev.{edition_year}")
    table.write(5, 4, "Copyright © 2020 by United Nations, made available under a Creative "
                      "Commons license CC BY 3.0 IGO")
    first = len(ids)
    for block, title in enumerate(titles):
        table.write(9, first + block * len(years), title)
    for col, text in enumerate(ids):
        table.write(10, col, text)
    for block in range(3):
        for offset, year in enumerate(years):
            table.write_number(10, first + block * len(years) + offset, year)
    width = first + 3 * len(years)
    if extra_column:
        table.write(10, width, extra_column)
    for index, (dest, notes, dcode, kind, origin, ocode, male, female) in enumerate(rows):
        line = 11 + index
        table.write_row(line, 0, [index + 1, dest, notes, dcode, kind, origin, ocode])
        total = [_sum(m, f) for m, f in zip(male, female, strict=True)]
        table.write_row(line, first, total + list(male) + list(female))
        if extra_column:
            table.write(line, width, 1)
    book.close()
    return path


#: (name, notes, code, type of data, male per year, female per year) for a destination Table 1.
TOTALS_ROWS: list[tuple[Any, ...]] = [
    ("WORLD", "", 900, "", [150, 160, 170, 180, 190, 200, 210],
     [140, 150, 160, 170, 180, 190, 200]),
    ("  Sub-Saharan Africa", "", 947, "", [120, 124, 130, 136, 140, 146, 150],
     [110, 114, 119, 123, 128, 133, 139]),
    ("   Kenya", "", 404, "B R", [100, 104, 110, 116, 120, 126, 130],
     [95, 99, 104, 108, 113, 118, 124]),
    ("   Bolivia (Plurinational State of)", "", 68, "B", [20, 20, 20, 20, 20, 20, 20],
     [15, 15, 15, 15, 15, 15, 15]),
]


def write_totals_workbook(path: Path, rows: list[tuple[Any, ...]] | None = None,
                          header_name: str = "Region, development group, country or area",
                          extra_column: str | None = None) -> Path:
    """An IMS 2020 *Destination* workbook in the official layout with only its Table 1."""
    rows = TOTALS_ROWS if rows is None else rows
    book = xlsxwriter.Workbook(str(path))
    table = book.add_worksheet("Table 1")
    table.write(1, 4, "International Migrant Stock 2020: Destination")
    table.write(2, 4, "Table 1: International migrant stock at mid-year by sex and by region, "
                      "country or area of destination, 1990-2020")
    table.write(3, 4, "POP/DB/MIG/Stock/Rev.2020")
    for block, label in enumerate(("both sexes combined", "males", "females")):
        table.write(7, 5 + 7 * block, f"International migrant stock at mid-year, {label}")
    table.write_row(10, 1, [header_name, "Notes", "Location code", "Type of data"])
    for block in range(3):
        table.write_row(10, 5 + 7 * block, YEARS_2020)
    if extra_column:
        table.write(10, 26, extra_column)
    for index, (name, notes, code, kind, male, female) in enumerate(rows):
        total = [_sum(m, f) for m, f in zip(male, female, strict=True)]
        table.write_row(11 + index, 0, [index + 1, name, notes, code, kind]
                        + total + list(male) + list(female))
    book.close()
    return path
