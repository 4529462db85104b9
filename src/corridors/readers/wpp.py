"""UN DESA World Population Prospects 2019: total population by area and year, in persons.

File ``WPP2019_POP_F01_1_TOTAL_POPULATION_BOTH_SEXES.xlsx``, sheet ``ESTIMATES`` (1950-2020):
title rows, a header at row 17 (Index, Variant, name, Notes, Country code, Type, Parent code,
then one column per year), one row per region, group or country. The workbook publishes
THOUSANDS with three decimals; :func:`read` returns persons (value x 1,000, rounded to the
person). Rows are keyed by M49 code; countries (Type ``Country``) also get their ISO3, and their
name must resolve to the same ISO3 through the country table. Label rows (``…``) are skipped.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from corridors.codes import NameResolver, iso3_for_m49
from corridors.errors import InputError, Problem
from corridors.readers.un_desa_totals import (
    POPULATION_SCHEMA,
    capped,
    cell_number,
    unknown_problems,
)
from corridors.readers.workbook import column_letter, expect_header, sheet_rows

SHEET = "ESTIMATES"
HEADER_ROW = 17
IDS = ["Index", "Variant", "Region, subregion, country or area *", "Notes", "Country code",
       "Type", "Parent code"]
YEARS = list(range(1950, 2021))
TYPES = {"World", "Label/Separator", "Development Group", "Region", "Subregion", "SDG region",
         "SDG subregion", "Income Group", "Special other", "Country"}


def read(path: Path, sheet: str = SHEET) -> pl.DataFrame:
    """Total population, both sexes: ``area_m49, iso3, year, sex, value`` (persons)."""
    path = Path(path)
    rows = sheet_rows(path, sheet)
    expect_header(rows, path, sheet, HEADER_ROW, IDS + [str(y) for y in YEARS])
    width = len(IDS) + len(YEARS)
    header = rows[HEADER_ROW - 1]
    for extra in range(width, len(header)):
        if str(header[extra]).strip():
            raise InputError.one(path.name, f"no column after {column_letter(width - 1)}",
                                 sheet=sheet, row=HEADER_ROW,
                                 value=f"{column_letter(extra)}: {header[extra]!r}",
                                 hint="An unexpected extra column: not the official layout.")
    problems: list[Problem] = []
    resolver = NameResolver(path.name, sheet)
    codes: list[int] = []
    iso3s: list[str | None] = []
    data = []
    for index in range(HEADER_ROW, len(rows)):
        cells = rows[index]
        number = index + 1
        if not any(str(c).strip() for c in cells):
            continue
        kind = str(cells[5]).strip()
        name = str(cells[2]).strip()
        if kind not in TYPES:
            problems.append(Problem(path.name, sheet, number, kind,
                                    f"a Type in column F, one of {', '.join(sorted(TYPES))}"))
            continue
        if kind == "Label/Separator":
            continue
        try:
            code = int(float(cells[4]))
        except (TypeError, ValueError):
            problems.append(Problem(path.name, sheet, number, cells[4],
                                    "a numeric country code in column E"))
            continue
        iso3 = None
        if kind == "Country":
            iso3 = iso3_for_m49(code)
            by_name = resolver.resolve(name, number)
            if iso3 is None:
                problems.append(Problem(path.name, sheet, number, f"{name} ({code})",
                                        "the M49 code of a country known to corridors.codes"))
            elif by_name is not None and by_name != iso3:
                problems.append(Problem(path.name, sheet, number, f"{name} ({code})",
                                        f"a name of {iso3}; the name means {by_name}"))
        codes.append(code)
        iso3s.append(iso3)
        data.append((number, cells))
    problems += unknown_problems(resolver)
    frames = []
    for offset, year in enumerate(YEARS):
        col = len(IDS) + offset
        values = [cell_number(cells[col], path.name, sheet, number, col, problems)
                  for number, cells in data]
        frames.append(pl.DataFrame({"area_m49": codes, "iso3": iso3s, "year": year,
                                    "sex": "total", "value": values}, schema=POPULATION_SCHEMA))
    if problems:
        raise InputError(capped(problems), hint="Fix the file or add the spelling to "
                                              "src/corridors/codes/aliases_un_desa.csv.")
    frame = pl.concat(frames).drop_nulls("value").with_columns(
        (pl.col("value") * 1000).round(0))
    dupes = frame.filter(pl.struct("area_m49", "year").is_duplicated())
    if dupes.height:
        raise InputError.one(path.name, "each area once", sheet=sheet,
                             value=dupes["area_m49"].unique().to_list()[:10])
    return frame
