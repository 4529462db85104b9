"""UN DESA International Migrant Stock totals: one row per region or country and year.

Reads the official IMS workbooks that publish totals by area (not by corridor):

- IMS 2020 *Destination* (``undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx``): Table 1
  migrant stock by sex, Table 2 total population (published in thousands; returned in persons),
  Table 3 migrants as % of population, Table 4 female % of migrants, Table 5 annual rate of
  change, Table 6 refugees and asylum seekers.
- IMS 2020 *Origin* (``undesa_pd_2020_ims_stock_by_sex_and_origin.xlsx``): Table 1 emigrant stock
  by sex, Table 2 female % of emigrants. Its last row is ``OTHER`` (location code 2003), the
  migrants whose origin is unknown; it gets iso3 ``XXX`` like the "Other" origin of the bilateral
  tables.
- IMS 2019 (``UN_MigrantStockTotal_2019.xlsx``): Tables 1-6 as above for 1990..2015 and 2019 (the
  first cell of Table 2's rows is a formula; calamine reads the cached value).
- IMS 2024 *Destination* (``undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx``): Table 1 migrant
  stock by sex and Table 2 total population (thousands) for 1990, 1995, ..., 2020, 2024. The 2024
  edition replaced the 2020 "Notes" and "Type of data" columns: Table 1 reads (A) index, (B) name,
  (C) Coverage, (D) Data type, (E) Location code, then the years for both sexes (F-M), males (N-U),
  females (V-AC); Table 2 reads (A) index, (B) name, (C) Population notes, (D) Location code, then
  the years from E. Tables 3-5 (shares, female %, rate of change) are derived from these two and
  are not read.
- IMS 2024 *Origin* (``undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx``): Table 1 emigrant stock
  by sex: (A) Index, (B) name, (C) Coverage, (D) no header, (E) Location code, then the years as
  in the destination workbook; its "Others" row is location code 2003.

For IMS 2024 the titles above the year blocks are checked for their measure and the sex they name
(e.g. "... migrant stock ..., males"), not word for word: the layout facts come from UN DESA's own
and other public code that reads these files (see docs/sources.md), not from a copy of the files.

Rows are regions, development and income groups AND countries. Every row is keyed by its M49
location code (``area_m49``); countries also get their ``iso3`` (through ``codes.iso3_for_m49``)
and their published name must resolve to the same ISO3 through the country table, so a renamed
or misplaced row stops the read. Regions keep ``iso3`` NULL.

Entry point: :func:`read` (detects which of the five workbooks of :data:`WORKBOOKS` it is given)
returning :class:`TotalsTables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from corridors.codes import OTHER_ORIGIN, NameResolver, iso3_for_m49
from corridors.errors import InputError, Problem
from corridors.readers.workbook import Row, column_letter, expect_header, open_workbook, sheet_rows

#: M49-style location code UN DESA gives to the "Other" (unknown) origin.
OTHER_CODE = 2003

#: Cells that UN DESA uses for "no figure": not available, not applicable, no refugees recorded.
MISSING_MARKS = frozenset({"", "..", "...", "-", "~", "…"})

#: How a block title names its sex ("..., both sexes combined", "..., females", "... (male)").
SEX_WORDS = ((re.compile(r"\bboth sexes\b"), "total"), (re.compile(r"\bfemales?\b"), "female"),
             (re.compile(r"\bmales?\b"), "male"))


def sex_named(title: str) -> str | None:
    """The sex a block title names ('total', 'male', 'female'), or None."""
    text = str(title).strip().casefold()
    return next((sex for word, sex in SEX_WORDS if word.search(text)), None)

TOTALS_SCHEMA = pl.Schema({"view": pl.String, "area_m49": pl.Int32, "iso3": pl.String, "year": pl.Int32,
                           "sex": pl.String, "value": pl.Float64})
POPULATION_SCHEMA = pl.Schema({"area_m49": pl.Int32, "iso3": pl.String, "year": pl.Int32, "sex": pl.String,
                               "value": pl.Float64})
INDICATOR_SCHEMA = pl.Schema({"indicator": pl.String, "area_m49": pl.Int32, "iso3": pl.String,
                              "year": pl.Int32, "sex": pl.String, "value": pl.Float64, "unit": pl.String})


@dataclass
class TotalsTables:
    """What one IMS totals workbook holds, as tidy frames.

    - ``totals``: ``view, area_m49, iso3, year, sex, value`` - migrant stock in persons; ``view`` is
      ``destination`` (immigrants living in the area) or ``origin`` (emigrants born in it).
    - ``population``: ``area_m49, iso3, year, sex, value`` - total population in persons (the
      workbook publishes thousands with three decimals; we multiply by 1,000 and round).
    - ``indicators``: ``indicator, area_m49, iso3, year, sex, value, unit`` - the other tables.
      Rates of change over a period (e.g. 2015-2020) carry the period's END year.
    """

    edition: str
    totals: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=TOTALS_SCHEMA))
    population: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=POPULATION_SCHEMA))
    indicators: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=INDICATOR_SCHEMA))


# --------------------------------------------------------------------------- layouts

@dataclass(frozen=True)
class Block:
    """A run of columns under one title: one value per period, all of one sex and measure."""

    title: str
    periods: tuple[Any, ...]
    sex: str
    target: str  # 'totals' | 'population' | 'indicator'
    indicator: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class SheetLayout:
    """Where things are on one official sheet (rows 1-based, columns 0-based)."""

    sheet: str
    title_row: int
    title_prefix: str
    id_header: tuple[Any, ...]  # expected header cells from column A (None = not checked)
    id_header_row: int
    block_title_row: int
    period_row: int
    blocks: tuple[Block, ...]
    name_col: int = 1
    code_col: int = 3
    type_col: int | None = 4
    #: IMS 2024: a block's title (anywhere from ``block_title_row`` to the row above the periods,
    #: in its first column) must contain ``Block.title`` and name the block's sex; older editions
    #: are checked word for word at ``block_title_row``.
    titles_by_sex: bool = False

    @property
    def first_value_col(self) -> int:
        return len(self.id_header)

    @property
    def width(self) -> int:
        return self.first_value_col + sum(len(b.periods) for b in self.blocks)


Y2020 = (1990, 1995, 2000, 2005, 2010, 2015, 2020)
P2020 = ("1990-1995", "1995-2000", "2000-2005", "2005-2010", "2010-2015", "2015-2020")
Y2019 = (1990, 1995, 2000, 2005, 2010, 2015, 2019)
Y2024 = (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024)
P2019 = ("1990-1995", "1995-2000", "2000-2005", "2005-2010", "2010-2015", "2015-2019")

_SEXES = (("both sexes combined", "total"), ("males", "male"), ("females", "female"))
_SEXES_2019 = (("both sexes", "total"), ("male", "male"), ("female", "female"))


def _by_sex(fmt: str, periods: tuple[Any, ...], target: str, indicator: str | None = None,
            unit: str | None = None, sexes: tuple[tuple[str, str], ...] = _SEXES) -> tuple:
    return tuple(Block(fmt.format(label), periods, sex, target, indicator, unit)
                 for label, sex in sexes)


def _ims2020(sheet: str, number: int, blocks: tuple[Block, ...]) -> SheetLayout:
    return SheetLayout(
        sheet=sheet, title_row=3, title_prefix=f"Table {number}:",
        id_header=(None, "Region, development group, country or area", "Notes", "Location code",
                   "Type of data"),
        id_header_row=11, block_title_row=8, period_row=11, blocks=blocks,
    )


def _ims2019(sheet: str, number: int, blocks: tuple[Block, ...], with_type: bool = True
             ) -> SheetLayout:
    ids: tuple[Any, ...] = (None, "Major area, region, country or area of destination", "Notes",
                            "Code")
    if with_type:
        ids += ("Type of data (a)",)
    return SheetLayout(
        sheet=sheet, title_row=10, title_prefix=f"Table {number} -", id_header=ids,
        id_header_row=15, block_title_row=15, period_row=16, blocks=blocks,
        type_col=4 if with_type else None,
    )


def _ims2024(sheet: str, number: int, ids: tuple[Any, ...], blocks: tuple[Block, ...],
             type_col: int | None) -> SheetLayout:
    return SheetLayout(
        sheet=sheet, title_row=3, title_prefix=f"Table {number}:", id_header=ids,
        id_header_row=11, block_title_row=7, period_row=11, blocks=blocks,
        code_col=ids.index("Location code"), type_col=type_col, titles_by_sex=True,
    )


_STOCK_2020 = "International migrant stock at mid-year, {}"
_FEMALE_SHARE_2020 = "Female migrants as a percentage of the international migrant stock"

DESTINATION_2020 = (
    _ims2020("Table 1", 1, _by_sex(_STOCK_2020, Y2020, "totals")),
    _ims2020("Table 2", 2, _by_sex("Total population at mid-year, {} (thousands)", Y2020,
                                   "population")),
    _ims2020("Table 3", 3, _by_sex(
        "International migrant stock as a percentage of the total population, {}", Y2020,
        "indicator", "migrant_stock_share_of_population", "percent")),
    _ims2020("Table 4", 4, (Block(_FEMALE_SHARE_2020, Y2020, "total", "indicator",
                                  "female_share_of_migrant_stock", "percent"),)),
    _ims2020("Table 5", 5, _by_sex("Annual rate of change of the migrant stock, {}", P2020,
                                   "indicator", "migrant_stock_annual_change",
                                   "percent per year")),
    _ims2020("Table 6", 6, (
        Block("Refugee and asylum seekers at mid-year, both sexes combined", Y2020, "total",
              "indicator", "refugees", "persons"),
        Block("Refugee and asylum seekers as a percentage of the international migrant stock",
              Y2020, "total", "indicator", "refugee_share_of_migrant_stock", "percent"),
        Block("Annual rate of change of the refugee and asylum seekers, both sexes combined",
              P2020, "total", "indicator", "refugees_annual_change", "percent per year"),
    )),
)

ORIGIN_2020 = (
    _ims2020("Table 1", 1, _by_sex(_STOCK_2020, Y2020, "totals")),
    _ims2020("Table 2", 2, (Block(_FEMALE_SHARE_2020, Y2020, "total", "indicator",
                                  "female_share_of_emigrant_stock", "percent"),)),
)

TOTALS_2019 = (
    _ims2019("Table 1", 1, _by_sex("International migrant stock at mid-year ({})", Y2019,
                                   "totals", sexes=_SEXES_2019)),
    _ims2019("Table 2", 2, (
        Block("Total population of both sexes at mid-year (thousands)g", Y2019, "total",
              "population"),
        Block("Total male population at mid-year (thousands)", Y2019, "male", "population"),
        Block("Total female population at mid-year (thousands)", Y2019, "female", "population"),
    ), with_type=False),
    _ims2019("Table 3", 3, _by_sex(
        "International migrant stock as a percentage of the total population ({})", Y2019,
        "indicator", "migrant_stock_share_of_population", "percent", sexes=_SEXES_2019)),
    _ims2019("Table 4", 4, (Block(_FEMALE_SHARE_2020, Y2019, "total", "indicator",
                                  "female_share_of_migrant_stock", "percent"),)),
    _ims2019("Table 5", 5, _by_sex("Annual rate of change of the migrant stock ({})", P2019,
                                   "indicator", "migrant_stock_annual_change",
                                   "percent per year", sexes=_SEXES_2019)),
    _ims2019("Table 6", 6, (
        Block("Estimated refugee stock (including asylum seekers) at mid-year (both sexes)",
              Y2019, "total", "indicator", "refugees", "persons"),
        Block("Refugees and asylum seekers as a percentage of the international migrant stock",
              Y2019, "total", "indicator", "refugee_share_of_migrant_stock", "percent"),
        Block("Annual rate of change of the refugee stock (including asylum seekers)", P2019,
              "total", "indicator", "refugees_annual_change", "percent per year"),
    )),
)

_AREA = "Region, development group, country or area"
_SEXES_2024 = ("total", "male", "female")

DESTINATION_2024 = (
    _ims2024("Table 1", 1, (None, _AREA, "Coverage", "Data type", "Location code"),
             tuple(Block("international migrant stock", Y2024, sex, "totals")
                   for sex in _SEXES_2024), type_col=3),
    _ims2024("Table 2", 2, (None, _AREA, "Population notes", "Location code"),
             tuple(Block("total population", Y2024, sex, "population") for sex in _SEXES_2024),
             type_col=None),
)

ORIGIN_2024 = (
    _ims2024("Table 1", 1, ("Index", _AREA, "Coverage", None, "Location code"),
             tuple(Block("international migrant stock", Y2024, sex, "totals")
                   for sex in _SEXES_2024), type_col=None),
)

#: The workbooks :func:`read` recognises, keyed by their source id in the registry: (sheet, row,
#: text of a cell of that row that identifies it), edition, view, sheet layouts.
WORKBOOKS = {
    "ims2024-destination": (("Table 1", 2, "International Migrant Stock 2024: Destination"),
                            "ims2024", "destination", DESTINATION_2024),
    "ims2024-origin": (("Table 1", 2, "International Migrant Stock 2024: Origin"),
                       "ims2024", "origin", ORIGIN_2024),
    "ims2020-destination": (("Table 1", 2, "International Migrant Stock 2020: Destination"),
                            "ims2020", "destination", DESTINATION_2020),
    "ims2020-origin": (("Table 1", 2, "International Migrant Stock 2020: Origin"),
                       "ims2020", "origin", ORIGIN_2020),
    "ims2019-totals": (("Table 1", 9, "Workbook: UN_MigrantStockTotal_2019.xlsx"),
                       "ims2019", "destination", TOTALS_2019),
}


# --------------------------------------------------------------------------- reading

def read(path: Path) -> TotalsTables:
    """Read an IMS 2024 or 2020 destination or origin workbook, or the IMS 2019 totals workbook.

    Which one it is comes from the title cell of ``Table 1``; any other workbook stops with an
    :class:`InputError`. Every sheet of the layout is read and checked (header, block titles,
    periods, no extra columns, numbers or ``..``/``~`` in every value cell, names and codes).
    """
    path = Path(path)
    kind = identify(path)
    _, edition, view, layouts = WORKBOOKS[kind]
    return read_layouts(path, edition, view, layouts)


def identify(path: Path) -> str:
    """Which IMS totals workbook this is (a key of :data:`WORKBOOKS`)."""
    path = Path(path)
    workbook = open_workbook(path)
    seen = []
    sheets: dict[str, list[Row]] = {}
    for kind, ((sheet, row, text), *_rest) in WORKBOOKS.items():
        if sheet not in workbook.sheet_names:
            continue
        if sheet not in sheets:
            sheets[sheet] = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        rows = sheets[sheet]
        cells = [str(c).strip() for c in rows[row - 1]] if row <= len(rows) else []
        seen += [c for c in cells if c]
        if text in cells:
            return kind
    expected = " or ".join(repr(t[0][2]) for t in WORKBOOKS.values())
    raise InputError.one(path.name, f"an IMS totals workbook whose Table 1 says {expected}",
                         sheet="Table 1", value=next((c for c in seen if c), None),
                         hint="This workbook has another layout: check that the right file "
                              "was given.")


def read_layouts(path: Path, edition: str, view: str, layouts: tuple[SheetLayout, ...]
                 ) -> TotalsTables:
    totals: list[pl.DataFrame] = []
    population: list[pl.DataFrame] = []
    indicators: list[pl.DataFrame] = []
    for layout in layouts:
        frames = read_sheet(path, layout)
        for block, frame in frames:
            if block.target == "totals":
                totals.append(frame.select(pl.lit(view).alias("view"), pl.all()))
            elif block.target == "population":
                population.append(frame.with_columns((pl.col("value") * 1000).round(0)))
            else:
                indicators.append(frame.select(
                    pl.lit(block.indicator).alias("indicator"), pl.all(),
                    pl.lit(block.unit).alias("unit")))
    tables = TotalsTables(edition)
    if totals:
        tables.totals = pl.concat(totals).cast(TOTALS_SCHEMA).drop_nulls("value")
    if population:
        tables.population = pl.concat(population).cast(POPULATION_SCHEMA).drop_nulls("value")
    if indicators:
        tables.indicators = pl.concat(indicators).cast(INDICATOR_SCHEMA).drop_nulls("value")
    return tables


@dataclass
class Location:
    """One row's area: M49 code, ISO3 for countries (None for regions), spreadsheet row."""

    area_m49: int
    iso3: str | None
    row: int


def check_layout(rows: list[Row], path: Path, layout: SheetLayout) -> None:
    """Stop unless the sheet has the official title, headers, block titles, periods and width."""
    name = Path(path).name
    sheet = layout.sheet
    title_cells = rows[layout.title_row - 1] if layout.title_row <= len(rows) else []
    title = next((str(c).strip() for c in title_cells if str(c).strip()), "")
    if not title.startswith(layout.title_prefix):
        raise InputError.one(name, f"a title starting {layout.title_prefix!r}", sheet=sheet,
                             row=layout.title_row, value=title or None,
                             hint="The workbook does not have the official layout.")
    expect_header(rows, path, sheet, layout.id_header_row, list(layout.id_header))
    col = layout.first_value_col
    titles: list[Any] = []
    periods: list[Any] = []
    for block in layout.blocks:
        titles += [block.title] + [None] * (len(block.periods) - 1)
        periods += list(block.periods)
    if layout.titles_by_sex:
        check_sex_titles(rows, path, layout)
    else:
        expect_header(rows, path, sheet, layout.block_title_row, titles, start_col=col)
    expect_header(rows, path, sheet, layout.period_row, periods, start_col=col)
    for header_row in {layout.period_row, layout.block_title_row, layout.id_header_row}:
        cells = rows[header_row - 1]
        for extra in range(layout.width, len(cells)):
            if str(cells[extra]).strip():
                raise InputError.one(
                    name, f"no column after {column_letter(layout.width - 1)}", sheet=sheet,
                    row=header_row, value=f"{column_letter(extra)}: {cells[extra]!r}",
                    hint="An unexpected extra column: the workbook does not have the official "
                         "layout.")


def check_sex_titles(rows: list[Row], path: Path, layout: SheetLayout) -> None:
    """Each block has a title above its first column that names its measure and its sex."""
    col = layout.first_value_col
    for block in layout.blocks:
        cells = [(number, rows[number - 1][col]) for number in
                 range(layout.block_title_row, layout.period_row)
                 if col < len(rows[number - 1]) and str(rows[number - 1][col]).strip()]
        found = next(((n, str(c).strip()) for n, c in cells if sex_named(str(c))), None)
        sex_words = {"total": "both sexes", "male": "males", "female": "females"}[block.sex]
        want = f"a title naming {block.title!r} and {sex_words!r} above column {column_letter(col)}"
        if found is None or block.title not in found[1].casefold() \
                or sex_named(found[1]) != block.sex:
            raise InputError.one(
                Path(path).name, want, sheet=layout.sheet,
                row=found[0] if found else layout.block_title_row,
                value=found[1] if found else None,
                hint="The workbook does not have the official layout.")
        col += len(block.periods)


def read_sheet(path: Path, layout: SheetLayout) -> list[tuple[Block, pl.DataFrame]]:
    """One frame ``area_m49, iso3, year, sex, value`` per block (values as published)."""
    path = Path(path)
    rows = sheet_rows(path, layout.sheet)
    check_layout(rows, path, layout)
    problems: list[Problem] = []
    resolver = NameResolver(path.name, layout.sheet)
    locations: list[Location] = []
    data_rows: list[Row] = []
    for index in range(layout.period_row, len(rows)):
        cells = rows[index]
        number = index + 1
        if not any(str(c).strip() for c in cells):
            continue
        for extra in range(layout.width, len(cells)):
            if str(cells[extra]).strip():
                problems.append(Problem(path.name, layout.sheet, number, cells[extra],
                                        f"nothing in column {column_letter(extra)} (an "
                                        "unexpected extra column)"))
        location = locate(cells, number, layout, resolver, problems, path.name)
        if location is None:
            continue
        locations.append(location)
        data_rows.append(cells)
    problems += unknown_problems(resolver)
    values: dict[int, list[float | None]] = {}
    col = layout.first_value_col
    file = path.name
    for block in layout.blocks:
        for _period in block.periods:
            # published figures are floats: only other cells go through the strict parser
            values[col] = [cell if (cell := r[col]).__class__ is float
                           else cell_number(cell, file, layout.sheet, loc.row, col, problems)
                           for r, loc in zip(data_rows, locations, strict=True)]
            col += 1
    if problems:
        raise InputError(capped(problems), hint="Fix the file or add the spelling to "
                                                "src/corridors/codes/aliases_un_desa.csv.")
    codes = [loc.area_m49 for loc in locations]
    iso3s = [loc.iso3 for loc in locations]
    out = []
    col = layout.first_value_col
    for block in layout.blocks:
        parts = []
        for period in block.periods:
            year = int(period) if isinstance(period, (int, float)) else int(str(period)[-4:])
            parts.append(pl.DataFrame({
                "area_m49": codes, "iso3": iso3s, "year": [year] * len(codes),
                "sex": [block.sex] * len(codes), "value": values[col],
            }, schema=POPULATION_SCHEMA))
            col += 1
        # A region may be printed twice (IMS 2020: Australia and New Zealand, 927, as an SDG
        # region and as a subregion of Oceania; IMS 2019: Oceania, 909): identical repeats are
        # kept once, different figures for one code stop the read.
        frame = pl.concat(parts).unique(maintain_order=True)
        clash = frame.filter(pl.struct("area_m49", "year", "sex").is_duplicated())
        if clash.height:
            raise InputError.one(path.name, "one set of figures per location code",
                                 sheet=layout.sheet, value=clash["area_m49"].unique().to_list(),
                                 hint="A location code appears twice with different figures.")
        out.append((block, frame))
    return out


def locate(cells: Row, row: int, layout: SheetLayout, resolver: NameResolver,
           problems: list[Problem], file: str) -> Location | None:
    """The area of one data row, or None for a label row (no code, no figures).

    A country row (one whose code is a country's M49 code, or that has a "type of data") must
    carry a name that the country table resolves to the same ISO3.
    """
    name = str(cells[layout.name_col]).strip()
    raw_code = cells[layout.code_col]
    kind = str(cells[layout.type_col]).strip() if layout.type_col is not None else ""
    if str(raw_code).strip() == "":
        figures = [c for c in cells[layout.first_value_col:layout.width]
                   if str(c).strip() not in MISSING_MARKS]
        if figures or kind:
            problems.append(Problem(file, layout.sheet, row, name or None,
                                    f"a location code in column {column_letter(layout.code_col)}"))
        return None
    try:
        code = int(float(raw_code))
    except (TypeError, ValueError):
        problems.append(Problem(file, layout.sheet, row, raw_code,
                                f"a numeric location code in column "
                                f"{column_letter(layout.code_col)}"))
        return None
    if code == OTHER_CODE:
        return Location(code, OTHER_ORIGIN, row)
    iso3 = iso3_for_m49(code)
    if iso3 is None:
        if kind:
            problems.append(Problem(file, layout.sheet, row, f"{name} ({code})",
                                    "the M49 code of a country (the row has a type of data)"))
        return Location(code, None, row)
    by_name = resolver.resolve(name, row)
    if by_name is not None and by_name != iso3:
        problems.append(Problem(file, layout.sheet, row, f"{name} ({code})",
                                f"a name of {iso3} (M49 {code}); the name means {by_name}"))
    return Location(code, iso3, row)


def unknown_problems(resolver: NameResolver) -> list[Problem]:
    return [Problem(u.file, u.sheet, u.row, u.name, NAME_EXPECTED) for u in resolver.unknown]


def cell_number(cell: Any, file: str, sheet: str, row: int, col: int,
                problems: list[Problem]) -> float | None:
    """A published figure: a number, or None for UN DESA's missing marks; anything else is a
    problem."""
    if isinstance(cell, bool):
        problems.append(Problem(file, sheet, row, cell, f"a number in column {column_letter(col)}"))
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    text = str(cell).strip()
    if text in MISSING_MARKS:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        problems.append(Problem(file, sheet, row, cell,
                                f"a number or '..' in column {column_letter(col)}"))
        return None


NAME_EXPECTED = "a country name known to corridors.codes (add it to aliases_un_desa.csv)"


def capped(problems: list[Problem], limit: int = 200) -> list[Problem]:
    """Every unknown-name problem, and the first ``limit`` others (a damaged sheet can have
    thousands of bad cells; the first ones say what is wrong)."""
    names = [p for p in problems if p.expected == NAME_EXPECTED]
    others = [p for p in problems if p.expected != NAME_EXPECTED]
    if len(others) <= limit:
        return names + others
    more = Problem(others[limit].file, others[limit].sheet, None, None,
                   f"... and {len(others) - limit} more problems of the same kinds")
    return names + others[:limit] + [more]
