"""The three IMS 2024 workbooks, constructed by us in UN DESA's published 2024 layout.

No IMS 2024 file is in the mirror, so these stand in for them (our own invented figures, never
excerpts). What the layout is, and where we learned it, is written in docs/sources.md; in short:

- every sheet: title rows (workbook title in row 2, ``Table N: ...`` in row 3, the database code
  ``POP/DB/MIG/Stock/Rev.2024``, the suggested citation, the CC BY 3.0 IGO copyright line in
  column D), block titles above the years, the header in row 11, data from row 12; notes live in
  a ``Migrant notes`` sheet (and ``Population notes`` in the destination workbook);
- destination-and-origin ``Table 1``: Index, destination name, Coverage, Data type, destination
  location code, origin name, origin location code (A-G), then 1990..2020, 2024 for both sexes
  (H-O), males (P-W), females (X-AE); regions and WORLD on both sides, origin "Others" = 2003;
- destination ``Table 1``: (no header), name, Coverage, Data type, Location code (A-E), then the
  years for both sexes (F-M), males (N-U), females (V-AC); ``Table 2`` (population, thousands):
  (no header), name, Population notes, Location code (A-D), then the years from E;
- origin ``Table 1``: Index, name, Coverage, (no header), Location code (A-E), years from F.

Names carry UN DESA's footnote markers (``United Republic of Tanzania*``), missing figures are
``..``. Every total is the sum of its parts: a destination's row against WORLD is the sum of its
origins (``..`` counted as nothing), WORLD is the sum of the countries, a region the sum of its
members, both sexes = males + females. :data:`TRUTH` holds the same figures for tests to compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
MISSING = ".."

#: Countries: (name as printed, M49, ISO3, coverage, data type).
COUNTRIES = {
    "KEN": ("Kenya", 404, "B", "R"),
    "UGA": ("Uganda", 800, "B", "R"),
    "TZA": ("United Republic of Tanzania*", 834, "B", "R"),
    "SOM": ("Somalia", 706, "B", "I"),
    "TUR": ("Türkiye", 792, "C", "R"),
}
OTHERS = ("Others", 2003)
#: Regions as destination / origin rows: (name, code, member ISO3 codes).
REGIONS = [("  Sub-Saharan Africa", 947, ("KEN", "UGA", "TZA", "SOM")),
           ("  Northern Africa and Western Asia", 1833, ("TUR",))]
WORLD = ("WORLD", 900)


def _series(base: int, step: int) -> list[int]:
    return [base + step * i for i in range(len(YEARS))]


#: Country pairs (destination, origin) -> (males per year, females per year); ".." = missing.
PAIRS: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {
    ("KEN", "UGA"): (_series(60_000, 2_100), _series(55_000, 2_300)),
    ("KEN", "SOM"): (_series(120_000, 9_000), _series(118_000, 9_500)),
    ("KEN", "TUR"): (_series(300, 11), _series(250, 13)),
    ("KEN", "XXX"): (_series(4_000, 100), _series(3_900, 90)),
    ("UGA", "KEN"): (_series(21_000, 700), _series(19_500, 650)),
    ("UGA", "SOM"): ([MISSING] + _series(5_000, 400)[1:], [MISSING] + _series(4_800, 380)[1:]),
    ("TZA", "KEN"): (_series(33_000, 1_000), _series(31_000, 1_200)),
    ("TUR", "SOM"): (_series(700, 300), _series(650, 280)),
    ("TUR", "KEN"): (_series(150, 20), [0] * 7 + [5]),
}


def _num(value: Any) -> int:
    return 0 if value == MISSING else int(value)


def _add(*series: list[Any]) -> list[int]:
    return [sum(_num(s[i]) for s in series) for i in range(len(YEARS))]


def _pair_total(male: list[Any], female: list[Any]) -> list[Any]:
    return [MISSING if MISSING in (m, f) else int(m) + int(f) for m, f in zip(male, female,
                                                                             strict=True)]


def _by(role: int, code: str) -> tuple[list[int], list[int]]:
    """Males and females summed over the pairs whose destination (role 0) or origin (role 1) is
    ``code``."""
    chosen = [v for k, v in PAIRS.items() if k[role] == code]
    return _add(*[m for m, _ in chosen]), _add(*[f for _, f in chosen])


def _truth() -> dict[str, dict[tuple[str, int], tuple[list[int], list[int]]]]:
    """Published totals by view: {(iso3 or region name, code): (males, females)}."""
    dest: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    orig: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for iso3, (_name, code, *_rest) in COUNTRIES.items():
        dest[(iso3, code)] = _by(0, iso3)
        orig[(iso3, code)] = _by(1, iso3)
    orig[("XXX", OTHERS[1])] = _by(1, "XXX")
    for name, code, members in REGIONS:
        for table in (dest, orig):
            parts = [table[(m, COUNTRIES[m][1])] for m in members]
            table[(name.strip(), code)] = (_add(*[p[0] for p in parts]),
                                          _add(*[p[1] for p in parts]))
    everyone_m = [v[0] for v in PAIRS.values()]
    everyone_f = [v[1] for v in PAIRS.values()]
    for table in (dest, orig):
        table[("WORLD", WORLD[1])] = (_add(*everyone_m), _add(*everyone_f))
    return {"destination": dest, "origin": orig}


TRUTH = _truth()

#: Total population in thousands (three decimals) by destination: both sexes = males + females.
POPULATION: dict[str, tuple[list[Any], list[Any]]] = {
    "KEN": ([11_800.5 + 1_000 * i for i in range(8)], [11_900.25 + 1_010 * i for i in range(8)]),
    "UGA": ([8_700.125 + 700 * i for i in range(8)], [8_800.0 + 720 * i for i in range(8)]),
    "TZA": ([MISSING] + [13_000.0 + 900 * i for i in range(1, 8)],
            [MISSING] + [13_100.5 + 910 * i for i in range(1, 8)]),
    "SOM": ([3_600.0 + 300 * i for i in range(8)], [3_650.0 + 310 * i for i in range(8)]),
    "TUR": ([27_000.0 + 1_800 * i for i in range(8)], [27_400.0 + 1_790 * i for i in range(8)]),
}

TITLE_ROWS = ("POP/DB/MIG/Stock/Rev.2024",
              "Suggested citation: United Nations Department of Economic and Social Affairs, "
              "Population Division (2024). International Migrant Stock 2024.",
              "Copyright © 2024 by United Nations, made available under a Creative Commons "
              "license CC BY 3.0 IGO: http://creativecommons.org/licenses/by/3.0/igo/")
STOCK_TITLES = ("International migrant stock at mid-year, both sexes combined",
                "International migrant stock at mid-year, males",
                "International migrant stock at mid-year, females")
POPULATION_TITLES = ("Total population at mid-year, both sexes combined (thousands)",
                     "Total population at mid-year, males (thousands)",
                     "Total population at mid-year, females (thousands)")
BILATERAL_IDS = ["Index", "Region, development group, country or area of destination",
                 "Coverage", "Data type", "Location code of destination",
                 "Region, development group, country or area of origin", "Location code of origin"]
AREA = "Region, development group, country or area"


def _sheet_head(book: Any, sheet: str, workbook_title: str, table_title: str,
                ids: list[Any], titles: tuple[str, ...], years: list[int],
                title_col: int = 3) -> Any:
    """A sheet with UN DESA's title rows, block titles (row 8) and the header (row 11)."""
    table = book.add_worksheet(sheet)
    table.write(1, title_col, workbook_title)
    table.write(2, title_col, table_title)
    for offset, text in enumerate(TITLE_ROWS):
        table.write(3 + offset, title_col, text)
    first = len(ids)
    for block, title in enumerate(titles):
        table.write(7, first + block * len(years), title)
    for col, text in enumerate(ids):
        if text:
            table.write(10, col, text)
    for block in range(len(titles)):
        table.write_row(10, first + block * len(years), years)
    return table


def _notes(book: Any, name: str = "Migrant notes") -> None:
    notes = book.add_worksheet(name)
    notes.write(0, 0, "Notes")
    notes.write(1, 0, "(*) Refugees and asylum seekers are included in the estimates.")
    notes.write(2, 0, "(..) Not available.")


def _contents(book: Any, title: str) -> None:
    book.add_worksheet("Table of contents").write(1, 3, title)


def _label(iso3_or_region: str) -> tuple[str, int]:
    if iso3_or_region == "XXX":
        return OTHERS
    if iso3_or_region in COUNTRIES:
        name, code, *_ = COUNTRIES[iso3_or_region]
        return f"   {name}", code
    return next((n, c) for n, c, _ in REGIONS if n.strip() == iso3_or_region)


def write_bilateral(path: Path, *, ids: list[str] | None = None, titles: tuple[str, ...] = STOCK_TITLES,
                    extra_column: bool = False, bad_cell: tuple[int, int, Any] | None = None) -> Path:
    """``undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx`` (``Table 1`` only of the
    nine tables: the regional cross-tabs of Tables 2-9 are not read). ``bad_cell`` = (data row
    index, column, value) overwrites one cell for error tests."""
    book = xlsxwriter.Workbook(str(path))
    title = "International Migrant Stock 2024: Destination and origin"
    _contents(book, title)
    table = _sheet_head(book, "Table 1", title, "Table 1: International migrant stock at mid-year "
                        "by sex and by region, country or area of destination and origin, "
                        "1990-2024", ids or BILATERAL_IDS, titles, YEARS)
    rows: list[list[Any]] = []
    world_name, world_code = WORLD
    truth_d, truth_o = TRUTH["destination"], TRUTH["origin"]

    def line(dest: tuple[str, int], coverage: str, kind: str, orig: tuple[str, int],
             male: list[Any], female: list[Any]) -> None:
        rows.append([len(rows) + 1, dest[0], coverage, kind, dest[1], orig[0], orig[1]]
                    + _pair_total(male, female) + list(male) + list(female))

    line(WORLD, "", "", WORLD, *truth_d[("WORLD", world_code)])
    for key, (male, female) in truth_o.items():  # WORLD as destination: totals by origin
        if key[0] != "WORLD":
            line(WORLD, "", "", _label(key[0]), male, female)
    for name, code, _members in REGIONS:
        line((name, code), "", "", WORLD, *truth_d[(name.strip(), code)])
    for iso3, (_name, code, coverage, kind) in COUNTRIES.items():
        if (iso3, code) in truth_d and any(truth_d[(iso3, code)][0]):
            line(_label(iso3), coverage, kind, WORLD, *truth_d[(iso3, code)])
            for (dest, orig), (male, female) in PAIRS.items():
                if dest == iso3:
                    line(_label(iso3), coverage, kind, _label(orig), male, female)
    if bad_cell:
        rows[bad_cell[0]][bad_cell[1]] = bad_cell[2]
    width = len(rows[0])
    for index, cells in enumerate(rows):
        table.write_row(11 + index, 0, cells)
        if extra_column:
            table.write(11 + index, width, "x")
    _notes(book)
    book.close()
    return path


def write_destination(path: Path, *, drop_table_2: bool = False,
                      table_1_ids: list[Any] | None = None,
                      titles: tuple[str, ...] = STOCK_TITLES) -> Path:
    """``undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx``: Table 1 (stock) and Table 2
    (population, thousands); Tables 3-5 hold derived percentages (only their titles here)."""
    book = xlsxwriter.Workbook(str(path))
    title = "International Migrant Stock 2024: Destination"
    _contents(book, title)
    stock = _sheet_head(book, "Table 1", title, "Table 1: International migrant stock at mid-year "
                        "by sex and by region, country or area of destination, 1990-2024",
                        table_1_ids or [None, AREA, "Coverage", "Data type", "Location code"],
                        titles, YEARS)
    truth = TRUTH["destination"]
    order = [("WORLD", WORLD[1])] + [(n.strip(), c) for n, c, _ in REGIONS] + [
        (iso3, COUNTRIES[iso3][1]) for iso3 in COUNTRIES]
    for index, key in enumerate(order):
        male, female = truth[key]
        name, code = (WORLD if key[0] == "WORLD" else _label(key[0]))
        coverage, kind = (COUNTRIES[key[0]][2:4] if key[0] in COUNTRIES else ("", ""))
        stock.write_row(11 + index, 0, [index + 1, name, coverage, kind, code]
                        + _pair_total(male, female) + male + female)
    if not drop_table_2:
        population = _sheet_head(book, "Table 2", title, "Table 2: Total population at mid-year "
                                 "by sex and by region, country or area of destination, "
                                 "1990-2024 (thousands)",
                                 [None, AREA, "Population notes", "Location code"],
                                 POPULATION_TITLES, YEARS)
        for index, iso3 in enumerate(POPULATION):
            male, female = POPULATION[iso3]
            name, code = _label(iso3)
            both = [MISSING if MISSING in (m, f) else round(m + f, 3)
                    for m, f in zip(male, female, strict=True)]
            population.write_row(11 + index, 0, [index + 1, name, 3 if iso3 == "SOM" else "", code]
                                 + both + male + female)
    for number in range(3, 6):
        book.add_worksheet(f"Table {number}").write(2, 3, f"Table {number}: (derived)")
    _notes(book)
    _notes(book, "Population notes")
    book.close()
    return path


def write_origin(path: Path) -> Path:
    """``undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx``: Table 1 (emigrant stock by sex)."""
    book = xlsxwriter.Workbook(str(path))
    title = "International Migrant Stock 2024: Origin"
    _contents(book, title)
    table = _sheet_head(book, "Table 1", title, "Table 1: International migrant stock at mid-year "
                        "by sex and by region, country or area of origin, 1990-2024",
                        ["Index", AREA, "Coverage", None, "Location code"], STOCK_TITLES, YEARS)
    truth = TRUTH["origin"]
    for index, key in enumerate(truth):
        male, female = truth[key]
        name, code = WORLD if key[0] == "WORLD" else _label(key[0])
        table.write_row(11 + index, 0, [index + 1, name, "", "", code]
                        + _pair_total(male, female) + male + female)
    _notes(book)
    book.close()
    return path


def write_all(folder: Path) -> dict[str, Path]:
    """The three workbooks under their official names, keyed by registry source id."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "ims2024-bilateral": write_bilateral(
            folder / "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx"),
        "ims2024-destination": write_destination(
            folder / "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx"),
        "ims2024-origin": write_origin(folder / "undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx"),
    }
