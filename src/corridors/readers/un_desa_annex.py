"""The UN DESA International Migrant Stock annex: which region and group each area belongs to.

IMS 2020 annex (``aggregates_correspondence_table_2020_1.xlsx``, sheet ``Annex``): one row per
location (WORLD, SDG regions, subregions, development and income groups, countries) with its M49
location code, ISO3, location type, parent, subregion, SDG subregion and region, geographic
region, UN development groups (more / less / least developed, LLDC, SIDS) and World Bank income
group (as UN DESA assigned it for IMS 2020). Membership cells hold the group's code (e.g. 941)
or nothing.

The IMS 2019 totals workbook has an older ``ANNEX`` sheet with ``Y`` flags;
:func:`read_ims2019` reads it.

Entry point: :func:`read` returning :class:`Annex` (``locations`` and ``countries``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from corridors.codes import NameResolver, iso3_for_m49
from corridors.errors import InputError, Problem
from corridors.readers.un_desa_totals import unknown_problems
from corridors.readers.workbook import Row, column_letter, expect_header, sheet_rows

SHEET = "Annex"
GROUP_ROW = 10
HEADER_ROW = 11
GROUP_HEADER = ["", "", "", "", "", "Location Type", "", "Parent Location code", "WORLD",
                "Subregion", "", "SDG subregion", "", "SDG region", "", "Geographic region", "",
                "UN development groups", "", "", "", "", "", "", "World Bank income groups", "",
                "", "", "", ""]
#: (header text, code) of the development-group and income-group membership columns R..AD.
MEMBERSHIP = [
    ("More developed regions", 901), ("Less developed regions", 902),
    ("Least developed countries", 941),
    ("Less developed regions, excluding least developed countries", 934),
    ("Less developed regions, excluding China", 948),
    ("Land-Locked Developing Countries (LLDC)", 1636),
    ("Small Island Developing States (SIDS)", 1637),
    ("High-income Countries", 1503), ("Middle-income Countries", 1517),
    ("Upper-middle-income Countries", 1502), ("Lower-middle-income Countries", 1501),
    ("Low-income Countries", 1500), ("No income group available", 1518),
]
HEADER = (["", "Region, subregion, country or area*", "Notes", "Location code", "ISO3 Alpha-code",
           "Code", "Name", "", "Code", "Code", "Name", "Code", "Name", "Code", "Name", "Code",
           "Name"] + [f"{text}\n{code}" for text, code in MEMBERSHIP])
WIDTH = len(HEADER)
#: World Bank income group codes as the store's ``income_groups`` table writes them.
INCOME_CODES = {1503: "H", 1502: "UM", 1501: "LM", 1500: "L"}

LOCATION_SCHEMA = {
    "area_m49": pl.Int32, "iso3": pl.String, "name": pl.String, "location_type": pl.String,
    "parent_m49": pl.Int32, "subregion_m49": pl.Int32, "subregion": pl.String,
    "sdg_subregion_m49": pl.Int32, "sdg_subregion": pl.String, "sdg_region_m49": pl.Int32,
    "sdg_region": pl.String, "ims_region_m49": pl.Int32, "ims_region": pl.String,
    "development_group": pl.String, "least_developed": pl.Boolean, "lldc": pl.Boolean,
    "sids": pl.Boolean, "income_group": pl.String, "income_group_m49": pl.Int32,
}
COUNTRY_COLUMNS = ["iso3", "ims_region", "sdg_region", "sdg_region_m49", "development_group",
                   "least_developed", "lldc", "sids", "income_group"]


@dataclass
class Annex:
    """The annex as two frames.

    - ``locations``: one row per location (regions, groups and countries) with the columns of
      :data:`LOCATION_SCHEMA`. Group columns are NULL for anything but countries.
      ``development_group`` is ``more developed`` | ``less developed``; ``income_group`` is
      ``H`` | ``UM`` | ``LM`` | ``L`` or NULL (UN DESA's "No income group available").
    - ``countries``: the grouping columns of the store's ``countries`` table, one row per country
      (``iso3, ims_region, sdg_region, sdg_region_m49, development_group, least_developed, lldc,
      sids``) plus ``income_group`` (the IMS 2020 assignment).
    """

    edition: str
    locations: pl.DataFrame
    countries: pl.DataFrame


def read(path: Path) -> Annex:
    """Read the IMS 2020 annex (sheet ``Annex``)."""
    path = Path(path)
    rows = sheet_rows(path, SHEET)
    expect_header(rows, path, SHEET, GROUP_ROW, GROUP_HEADER)
    expect_header(rows, path, SHEET, HEADER_ROW, HEADER)
    _no_extra_columns(rows, path, SHEET, [GROUP_ROW, HEADER_ROW], WIDTH)
    problems: list[Problem] = []
    resolver = NameResolver(path.name, SHEET)
    records: list[dict[str, Any]] = []
    for index in range(HEADER_ROW, len(rows)):
        cells = rows[index]
        number = index + 1
        if not any(str(c).strip() for c in cells):
            continue
        _no_extra_columns(rows, path, SHEET, [number], WIDTH, problems)
        record = _location(cells, number, path.name, resolver, problems)
        if record is not None:
            records.append(record)
    problems += unknown_problems(resolver)
    if problems:
        raise InputError(problems, hint="Fix the file or add the spelling to "
                                        "src/corridors/codes/aliases_un_desa.csv.")
    # A location may be listed twice (Australia and New Zealand, 927, is both an SDG region and
    # a subregion of Oceania); identical repeats are kept once, conflicting ones stop the read.
    locations = pl.DataFrame(records, schema=LOCATION_SCHEMA, orient="row").unique(
        maintain_order=True)
    dupes = locations.filter(pl.col("area_m49").is_duplicated())
    if dupes.height:
        raise InputError.one(path.name, "each location code once (or repeated identically)", sheet=SHEET,
                             value=dupes["area_m49"].to_list()[:10])
    countries = locations.filter(pl.col("iso3").is_not_null()).select(COUNTRY_COLUMNS)
    return Annex("ims2020", locations, countries)


def _no_extra_columns(rows: list[Row], path: Path, sheet: str, numbers: list[int], width: int,
                      problems: list[Problem] | None = None) -> None:
    for number in numbers:
        cells = rows[number - 1]
        for extra in range(width, len(cells)):
            if str(cells[extra]).strip():
                problem = Problem(Path(path).name, sheet, number,
                                  f"{column_letter(extra)}: {cells[extra]!r}",
                                  f"no column after {column_letter(width - 1)} (an unexpected "
                                  "extra column)")
                if problems is None:
                    raise InputError([problem])
                problems.append(problem)
                return


def _int(cell: Any, file: str, row: int, col: int, problems: list[Problem]) -> int | None:
    text = str(cell).strip()
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        problems.append(Problem(file, SHEET, row, cell, f"a code in column {column_letter(col)}"))
        return None


def _text(cell: Any) -> str | None:
    text = str(cell).strip()
    return text or None


def _location(cells: Row, row: int, file: str, resolver: NameResolver,
              problems: list[Problem]) -> dict[str, Any] | None:
    cells = list(cells) + [""] * (WIDTH - len(cells))
    name = str(cells[1]).strip()
    code = _int(cells[3], file, row, 3, problems)
    shown = name.rstrip("*").strip()  # "Wallis and Futuna Islands*": footnote mark dropped
    if code is None:
        problems.append(Problem(file, SHEET, row, name or None, "a location code in column D"))
        return None
    location_type = _text(cells[6])
    iso3_cell = _text(cells[4])
    iso3 = None
    if location_type == "Country/Area":
        iso3 = iso3_for_m49(code)
        by_name = resolver.resolve(name, row)
        if iso3 is None or iso3 != iso3_cell:
            problems.append(Problem(file, SHEET, row, f"{name} ({code}, {iso3_cell})",
                                    f"an ISO3 code matching M49 {code} "
                                    f"({iso3 or 'unknown to corridors.codes'})"))
        elif by_name is not None and by_name != iso3:
            problems.append(Problem(file, SHEET, row, name,
                                    f"a name of {iso3}; the name means {by_name}"))
    elif iso3_cell:
        problems.append(Problem(file, SHEET, row, iso3_cell,
                                "no ISO3 code for a region or group"))
    members: dict[int, bool] = {}
    for offset, (_label, group) in enumerate(MEMBERSHIP):
        col = 17 + offset
        value = _int(cells[col], file, row, col, problems)
        if value is not None and value != group:
            problems.append(Problem(file, SHEET, row, cells[col],
                                    f"{group} or nothing in column {column_letter(col)}"))
        members[group] = value == group
    development = ("more developed" if members[901] else
                   "less developed" if members[902] else None)
    income = next((c for c in (1503, 1502, 1501, 1500, 1518) if members[c]), None)
    is_country = iso3 is not None
    return {
        "area_m49": code, "iso3": iso3, "name": shown, "location_type": location_type,
        "parent_m49": _int(cells[7], file, row, 7, problems),
        "subregion_m49": _int(cells[9], file, row, 9, problems), "subregion": _text(cells[10]),
        "sdg_subregion_m49": _int(cells[11], file, row, 11, problems),
        "sdg_subregion": _text(cells[12]),
        "sdg_region_m49": _int(cells[13], file, row, 13, problems),
        "sdg_region": _text(cells[14]),
        "ims_region_m49": _int(cells[15], file, row, 15, problems),
        "ims_region": _text(cells[16]),
        "development_group": development,
        "least_developed": members[941] if is_country else None,
        "lldc": members[1636] if is_country else None,
        "sids": members[1637] if is_country else None,
        "income_group": INCOME_CODES.get(income) if income else None,
        "income_group_m49": income,
    }


# --------------------------------------------------------------------------- IMS 2019 ANNEX

IMS2019_SHEET = "ANNEX"
IMS2019_HEADER = ["Index", "Region, subregion, country or area", "Notes", "Code", "Type of data",
                  "More Developed Regions", "Less Developed Regions", "Least developed countries",
                  "High-income Countries", "Middle-income Countries",
                  "Upper-middle-income Countries", "Lower-middle-income Countries",
                  "Low-income Countries", "No income group available", "Sub-Saharan Africa"]
IMS2019_SCHEMA = {"area_m49": pl.Int32, "iso3": pl.String, "development_group": pl.String,
                  "least_developed": pl.Boolean, "income_group": pl.String,
                  "sub_saharan_africa": pl.Boolean}


def read_ims2019(path: Path) -> pl.DataFrame:
    """The IMS 2019 ``ANNEX`` sheet: one row per country (``Y`` flags turned into groups)."""
    path = Path(path)
    rows = sheet_rows(path, IMS2019_SHEET)
    expect_header(rows, path, IMS2019_SHEET, 16, IMS2019_HEADER)
    width = len(IMS2019_HEADER)
    _no_extra_columns(rows, path, IMS2019_SHEET, [16], width)
    problems: list[Problem] = []
    resolver = NameResolver(path.name, IMS2019_SHEET)
    records = []
    incomes = ["H", None, "UM", "LM", "L", None]  # columns I..N; Middle-income is an aggregate
    for index in range(16, len(rows)):
        cells = list(rows[index]) + [""] * width
        number = index + 1
        if not str(cells[3]).strip():
            continue
        code = int(float(cells[3]))
        iso3 = iso3_for_m49(code)
        if iso3 is None:
            continue
        by_name = resolver.resolve(str(cells[1]), number)
        if by_name is not None and by_name != iso3:
            problems.append(Problem(path.name, IMS2019_SHEET, number, cells[1],
                                    f"a name of {iso3}; the name means {by_name}"))
        flags = []
        for col in range(5, width):
            text = str(cells[col]).strip()
            if text not in ("", "Y"):
                problems.append(Problem(path.name, IMS2019_SHEET, number, cells[col],
                                        f"'Y' or nothing in column {column_letter(col)}"))
            flags.append(text == "Y")
        development = ("more developed" if flags[0] else "less developed" if flags[1] else None)
        income = next((incomes[i] for i in range(6) if flags[3 + i] and incomes[i]), None)
        records.append((code, iso3, development, flags[2], income, flags[9]))
    problems += unknown_problems(resolver)
    if problems:
        raise InputError(problems)
    return pl.DataFrame(records, schema=IMS2019_SCHEMA, orient="row").unique(maintain_order=True)
