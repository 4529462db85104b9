"""UN DESA bilateral international migrant stock: who lives where, by country of origin.

Four layouts, one entry point :func:`read` that tells them apart and returns
:class:`BilateralTables`:

1. The official IMS 2020 / 2024 *destination and origin* workbook
   (``undesa_pd_2020_ims_stock_by_sex_destination_and_origin.xlsx``,
   ``undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx``), sheet ``Table 1``: long
   format, one row per (destination, origin) with title rows above a header row (row 11): seven
   columns that say who (IMS 2020: index, destination name, notes, destination location code,
   type of data, origin name, origin location code; IMS 2024: index, destination name, coverage,
   data type, destination location code, origin name, origin location code), then one column per
   year for both sexes, males, females (IMS 2024: H-O, P-W, X-AE). Destinations and origins
   include regions and WORLD; origin "Other" (2024: "Others") has location code 2003.
2. The derived long CSV ``ims2020_bilateral_by_sex_long.csv`` (``to, from, t, sex, v``; ISO3
   codes; ``XXX`` = Other; Male/Female only). It publishes the sexes only, so the ``total`` rows
   we return are DERIVED: total = male + female for each pair and year.
3. The IMS 2015 wide matrix ``UN_MigrantStockByOriginAndDestination_2015.xlsx``, sheet
   ``Table 16`` (2015, both sexes): destinations down (incl. regions), origins across (Total,
   Other North, Other South, then 232 countries by NAME, resolved through the country table).
   Other North and Other South stay two residual origins, ``XON`` and ``XOS`` (never merged
   into the unknown ``XXX``), so the UN lens can place them.
4. The derived IMS 2019 wide CSV ``UN_MigrantStockByOriginAndDestination_2019_clean.csv``
   (``Year, Dest`` by NAME, one column per origin NAME, both sexes). Its five regional rows
   (Caribbean, Melanesia, Micronesia, Polynesia, South America) are dropped; it has no "Other"
   origins, so its row sums fall short of the official totals (USA 2019: 48,065,741 against
   50,661,149 in the IMS 2019 totals workbook).

``stock`` holds country pairs only: ``origin, destination, year, sex, value`` with ISO3 codes
(origin ``XXX`` = UN "Other"; IMS 2015 ``XON``/``XOS`` = Other North/South), sex ``total | male |
female``, value in persons, zero and missing cells dropped. ``totals`` holds what the file itself
publishes as totals (``view, area_m49, iso3, year, sex, value``): the official workbook's rows
against WORLD, the 2015 Total column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from corridors.codes import (
    OTHER_NORTH,
    OTHER_ORIGIN,
    OTHER_SOUTH,
    NameResolver,
    countries,
    iso3_for_m49,
)
from corridors.errors import InputError, Problem
from corridors.readers.un_desa_totals import (
    MISSING_MARKS,
    OTHER_CODE,
    TOTALS_SCHEMA,
    capped,
    cell_number,
    sex_named,
    unknown_problems,
)
from corridors.readers.workbook import Row, column_letter, expect_header, open_workbook, sheet_rows

STOCK_SCHEMA = pl.Schema({"origin": pl.String, "destination": pl.String, "year": pl.Int32,
                          "sex": pl.String, "value": pl.Float64})
WORLD = 900
ALIAS_HINT = "Fix the file or add the spelling to src/corridors/codes/aliases_un_desa.csv."


@dataclass
class BilateralTables:
    """A bilateral file as tidy frames: ``stock`` (country pairs) and the ``totals`` it prints."""

    edition: str
    layout: str
    stock: pl.DataFrame
    totals: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=TOTALS_SCHEMA))


def read(path: Path) -> BilateralTables:
    """Read any of the four bilateral layouts (see the module docstring)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        header = _csv_header(path)
        if header[:2] == ["Year", "Dest"]:
            return read_ims2019_wide_csv(path)
        return read_long_csv(path)
    workbook = open_workbook(path)
    if "Table 16" in workbook.sheet_names:
        return read_ims2015_matrix(path)
    return read_workbook(path)


# --------------------------------------------------------------------------- official long workbook

_DEST = "Region, development group, country or area of destination"
_ORIG = "Region, development group, country or area of origin"
#: The seven columns before the years in the header row of each edition's Table 1.
WORKBOOK_IDS = ("Index", _DEST, "Notes of destination", "Location code of destination",
                "Type of data of destination", _ORIG, "Location code of origin")
WORKBOOK_IDS_2024 = ("Index", _DEST, "Coverage", "Data type", "Location code of destination",
                     _ORIG, "Location code of origin")
WORKBOOK_HEADER_ROW = 11


def read_workbook(path: Path, sheet: str = "Table 1") -> BilateralTables:
    """The official IMS 2020/2024 destination-and-origin workbook, ``Table 1`` (long format).

    Years come from the header row: three equal runs of years (both sexes, males, females), e.g.
    1990..2020 for IMS 2020 and 1990..2020, 2024 for IMS 2024. The edition is named after the
    last year ("ims2020", "ims2024").
    """
    path = Path(path)
    rows = sheet_rows(path, sheet)
    ids = _workbook_ids(rows, path, sheet)
    header = rows[WORKBOOK_HEADER_ROW - 1]
    years, sexes = _year_blocks(rows, header, path, sheet)
    first = len(WORKBOOK_IDS)
    width = first + len(years) * 3
    problems: list[Problem] = []
    data = [(index + 1, cells) for index, cells in enumerate(rows[WORKBOOK_HEADER_ROW:],
                                                              start=WORKBOOK_HEADER_ROW)
            if any(str(c).strip() for c in cells)]
    for number, cells in data:
        for extra in range(width, len(cells)):
            if str(cells[extra]).strip():
                problems.append(Problem(path.name, sheet, number, cells[extra],
                                        f"nothing in column {column_letter(extra)} (an "
                                        "unexpected extra column)"))
                break
    resolver = NameResolver(path.name, sheet)
    dest = _codes_column(data, ids.index("Location code of destination"), ids.index(_DEST),
                         path.name, sheet, resolver, problems, "destination")
    orig = _codes_column(data, ids.index("Location code of origin"), ids.index(_ORIG), path.name,
                         sheet, resolver, problems, "origin")
    problems += unknown_problems(resolver)
    columns: dict[str, list[Any]] = {"row": [n for n, _ in data], "dest_m49": dest[0],
                                     "destination": dest[1], "orig_m49": orig[0],
                                     "origin": orig[1]}
    value_columns = []
    file = path.name
    for block, sex in enumerate(sexes):
        for offset, year in enumerate(years):
            col = first + block * len(years) + offset
            name = f"{sex}|{year}"
            # published figures are floats: only other cells go through the strict parser
            columns[name] = [
                cell if cell.__class__ is float else cell_number(cell, file, sheet, number, col,
                                                                 problems)
                for number, cell in ((n, c[col] if col < len(c) else "") for n, c in data)]
            value_columns.append(name)
    if problems:
        raise InputError(capped(problems), hint=ALIAS_HINT)
    frame = pl.DataFrame(columns).unpivot(
        index=["row", "dest_m49", "destination", "orig_m49", "origin"], on=value_columns,
    ).drop_nulls("value").with_columns(
        pl.col("variable").str.split_exact("|", 1).struct.rename_fields(["sex", "year"])
    ).unnest("variable").with_columns(pl.col("year").cast(pl.Int32))
    # Regions printed twice (Australia and New Zealand, 927, is an SDG region and a subregion)
    # repeat identical figures: keep them once; different figures for one pair stop the read.
    frame = frame.unique(subset=["dest_m49", "orig_m49", "year", "sex", "value"], keep="first",
                         maintain_order=True)
    _no_duplicates(frame, ["dest_m49", "orig_m49", "year", "sex"], path, sheet)
    stock = frame.filter(pl.col("destination").is_not_null(), pl.col("origin").is_not_null(),
                         pl.col("value") != 0)
    dest_totals = frame.filter(pl.col("orig_m49") == WORLD).select(
        pl.lit("destination").alias("view"), pl.col("dest_m49").alias("area_m49"),
        pl.col("destination").alias("iso3"), "year", "sex", "value")
    orig_totals = frame.filter(pl.col("dest_m49") == WORLD).select(
        pl.lit("origin").alias("view"), pl.col("orig_m49").alias("area_m49"),
        pl.col("origin").alias("iso3"), "year", "sex", "value")
    return BilateralTables(
        edition=f"ims{max(years)}", layout="ims-destination-origin-workbook",
        stock=stock.select(list(STOCK_SCHEMA)).cast(STOCK_SCHEMA),
        totals=pl.concat([dest_totals, orig_totals]).cast(TOTALS_SCHEMA),
    )


def _workbook_ids(rows: list[Row], path: Path, sheet: str) -> tuple[str, ...]:
    """The id columns of the header row: the IMS 2024 or the IMS 2020 ones, else an error that
    names the first cell that differs from the nearer of the two."""
    header = [str(c).strip().casefold() for c in
              (rows[WORKBOOK_HEADER_ROW - 1] if len(rows) >= WORKBOOK_HEADER_ROW else [])]
    candidates = (WORKBOOK_IDS_2024, WORKBOOK_IDS)
    for ids in candidates:
        if header[:len(ids)] == [c.casefold() for c in ids]:
            return ids
    nearest = max(candidates, key=lambda ids: sum(
        a == b.casefold() for a, b in zip(header, ids, strict=False)))
    expect_header(rows, path, sheet, WORKBOOK_HEADER_ROW, list(nearest))
    return nearest  # not reached: expect_header raised


def _year_blocks(rows: list[Row], header: Row, path: Path, sheet: str
                 ) -> tuple[list[int], list[str]]:
    """Years of one block and the sex of each of the three blocks (from the titles above)."""
    first = len(WORKBOOK_IDS)
    cells = [c for c in header[first:]]
    while cells and not str(cells[-1]).strip():
        cells.pop()
    years: list[int] = []
    for offset, cell in enumerate(cells):
        try:
            years.append(int(float(cell)))
        except (TypeError, ValueError):
            raise InputError.one(path.name, "a year (e.g. 1990) in the header",
                                 sheet=sheet, row=WORKBOOK_HEADER_ROW,
                                 value=f"{column_letter(first + offset)}: {cell!r}",
                                 hint="An unexpected extra column or another layout.") from None
    size = len(years) // 3
    block = years[:size]
    if (size == 0 or len(years) != size * 3 or years != block * 3 or block != sorted(set(block))
            or block[0] != 1990):
        raise InputError.one(path.name, "three runs of the same years from 1990 (both sexes, "
                             "males, females)", sheet=sheet, row=WORKBOOK_HEADER_ROW,
                             value=years, hint="The workbook does not have the official layout.")
    sexes = []
    for index in range(3):
        col = first + index * size
        titles = [str(r[col]).strip().casefold() for r in rows[:WORKBOOK_HEADER_ROW - 1]
                  if col < len(r) and str(r[col]).strip()]
        found = next((sex for title in titles if (sex := sex_named(title))), None)
        if found is None:
            raise InputError.one(path.name, "a title naming both sexes, males or females above "
                                 f"column {column_letter(col)}", sheet=sheet,
                                 value=titles or None,
                                 hint="The workbook does not have the official layout.")
        sexes.append(found)
    if sexes != ["total", "male", "female"]:
        raise InputError.one(path.name, "blocks in the order both sexes, males, females",
                             sheet=sheet, row=WORKBOOK_HEADER_ROW, value=sexes)
    return block, sexes


def _codes_column(data: list[tuple[int, Row]], code_col: int, name_col: int, file: str,
                  sheet: str, resolver: NameResolver, problems: list[Problem], role: str
                  ) -> tuple[list[int | None], list[str | None]]:
    """M49 code and ISO3 (None for regions) of each row, checking each (code, name) pair once."""
    seen: dict[tuple[Any, str], tuple[int | None, str | None]] = {}
    m49s: list[int | None] = []
    iso3s: list[str | None] = []
    for number, cells in data:
        key = (cells[code_col], str(cells[name_col]).strip())
        if key not in seen:
            seen[key] = _code(key[0], key[1], number, code_col, file, sheet, resolver, problems,
                              role)
        m49, iso3 = seen[key]
        m49s.append(m49)
        iso3s.append(iso3)
    return m49s, iso3s


def _code(raw: Any, name: str, row: int, col: int, file: str, sheet: str,
          resolver: NameResolver, problems: list[Problem], role: str
          ) -> tuple[int | None, str | None]:
    try:
        code = int(float(raw))
    except (TypeError, ValueError):
        problems.append(Problem(file, sheet, row, raw,
                                f"a numeric {role} location code in column {column_letter(col)}"))
        return None, None
    if code == OTHER_CODE:
        return code, OTHER_ORIGIN
    iso3 = iso3_for_m49(code)
    if iso3 is None:
        return code, None
    by_name = resolver.resolve(name, row)
    if by_name is not None and by_name != iso3:
        problems.append(Problem(file, sheet, row, f"{name} ({code})",
                                f"a name of {iso3} (M49 {code}); the name means {by_name}"))
    return code, iso3


def _no_duplicates(frame: pl.DataFrame, keys: list[str], path: Path, sheet: str | None) -> None:
    dupes = frame.filter(pl.struct(keys).is_duplicated())
    if dupes.height:
        first = dupes.row(0, named=True)
        raise InputError.one(Path(path).name, "one row per pair, year and sex", sheet=sheet,
                             row=first.get("row"),
                             value={k: first[k] for k in keys})


# --------------------------------------------------------------------------- derived long CSV

LONG_CSV_COLUMNS = ["to", "from", "t", "sex", "v"]
_CSV_SEX = {"Male": "male", "Female": "female"}


def _csv_header(path: Path) -> list[str]:
    if not path.exists():
        raise InputError.one(str(path), "an existing file", hint="Run `corridors pull` first.")
    with path.open(encoding="utf-8-sig") as handle:
        line = handle.readline()
    if not line.strip():
        raise InputError.one(path.name, "a CSV file with a header row", row=1,
                             value="empty file", hint="Pull the file again.")
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]


def read_long_csv(path: Path) -> BilateralTables:
    """The derived IMS 2020 long CSV (``to, from, t, sex, v``); adds total = male + female."""
    path = Path(path)
    header = _csv_header(path)
    if header != LONG_CSV_COLUMNS:
        raise InputError.one(path.name, f"columns {LONG_CSV_COLUMNS}", row=1, value=header,
                             hint="This file has another layout (an unexpected or missing "
                                  "column).")
    try:
        raw = pl.read_csv(path, schema={"to": pl.String, "from": pl.String, "t": pl.String,
                                        "sex": pl.String, "v": pl.String})
    except Exception as error:  # polars raises ComputeError/NoDataError on damaged text
        raise InputError.one(path.name, "a readable CSV file", value=str(error)[:200],
                             hint="The file is truncated or corrupt: pull it again.") from None
    frame = raw.with_row_index("row", offset=2).with_columns(
        pl.col("t").cast(pl.Int32, strict=False).alias("year"),
        pl.col("v").cast(pl.Float64, strict=False).alias("value"),
        pl.col("sex").replace_strict(_CSV_SEX, default=None).alias("sex_code"),
    )
    known = list(countries()) + [OTHER_ORIGIN]
    checks = [
        (pl.col("year").is_null(), "t", "a year"),
        (pl.col("value").is_null() | (pl.col("value") < 0), "v", "a count of persons >= 0"),
        (pl.col("sex_code").is_null(), "sex", "Male or Female"),
        (~pl.col("to").is_in(known) | (pl.col("to") == OTHER_ORIGIN), "to",
         "the ISO3 code of a destination country"),
        (~pl.col("from").is_in(known), "from", "an ISO3 code or XXX (Other)"),
    ]
    problems: list[Problem] = []
    for condition, column, expected in checks:
        # every distinct bad value once, at its first row (at most 50 per column)
        bad = frame.filter(condition).unique(column, keep="first", maintain_order=True).head(50)
        for record in bad.iter_rows(named=True):
            problems.append(Problem(path.name, None, record["row"], record[column],
                                    f"{expected} in column {column!r}"))
    if problems:
        raise InputError(problems, hint="Codes must be ISO3 codes known to corridors.codes.")
    frame = frame.select(pl.col("from").alias("origin"), pl.col("to").alias("destination"),
                         "year", pl.col("sex_code").alias("sex"), "value", "row")
    _no_duplicates(frame, ["origin", "destination", "year", "sex"], path, None)
    by_sex = frame.drop("row").filter(pl.col("value") != 0)
    total = by_sex.group_by(["origin", "destination", "year"]).agg(pl.col("value").sum()
                                                                   ).with_columns(
        pl.lit("total").alias("sex")).select(list(STOCK_SCHEMA))
    stock = pl.concat([total, by_sex.select(list(STOCK_SCHEMA))]).cast(STOCK_SCHEMA)
    return BilateralTables(edition="ims2020", layout="ims2020-derived-long-csv",
                           stock=stock.sort(["destination", "origin", "year", "sex"]))


# --------------------------------------------------------------------------- IMS 2015 matrix

IMS2015_SHEET = "Table 16"
IMS2015_IDS = ("Sort\norder", "Major area, region, country or area of destination", "Notes",
               "Country code", "Type of data (a)", "Country of origin")
IMS2015_ORIGIN_COUNT = 232  # country columns after Total, Other North, Other South


def read_ims2015_matrix(path: Path, sheet: str = IMS2015_SHEET, year: int = 2015
                        ) -> BilateralTables:
    """The IMS 2015 wide matrix (both sexes). ``totals`` holds the Total column (destinations)."""
    path = Path(path)
    rows = sheet_rows(path, sheet)
    expect_header(rows, path, sheet, 15, list(IMS2015_IDS))
    expect_header(rows, path, sheet, 16, ["Total", "Other North", "Other South"], start_col=5)
    names = rows[15][8:]
    while names and not str(names[-1]).strip():
        names.pop()
    width = 8 + len(names)
    if len(names) != IMS2015_ORIGIN_COUNT:
        raise InputError.one(path.name, f"{IMS2015_ORIGIN_COUNT} origin countries in columns "
                             f"I..{column_letter(8 + IMS2015_ORIGIN_COUNT - 1)}", sheet=sheet,
                             row=16, value=f"{len(names)} columns, last {names[-1]!r}",
                             hint="An unexpected extra or missing column: not the official "
                                  "layout.")
    resolver = NameResolver(path.name, sheet)
    origins = [resolver.resolve(str(n), 16) for n in names]
    problems = unknown_problems(resolver)
    repeated = {o for o in origins if o and origins.count(o) > 1}
    for col, origin in enumerate(origins, start=8):
        if origin in repeated:
            problems.append(Problem(path.name, sheet, 16, f"{column_letter(col)}: {names[col-8]}",
                                    f"each origin once; {origin} appears twice"))
    dest_resolver = NameResolver(path.name, sheet)
    areas: list[int] = []
    dests: list[str | None] = []
    data: list[tuple[int, Row]] = []
    for index in range(16, len(rows)):
        cells = rows[index]
        number = index + 1
        if not any(str(c).strip() for c in cells):
            continue
        for extra in range(width, len(cells)):
            if str(cells[extra]).strip():
                problems.append(Problem(path.name, sheet, number, cells[extra],
                                        f"nothing in column {column_letter(extra)} (an "
                                        "unexpected extra column)"))
                break
        code, iso3 = _code(cells[3], str(cells[1]).strip(), number, 3, path.name, sheet,
                           dest_resolver, problems, "destination")
        if code is None:
            continue
        if iso3 is None and str(cells[4]).strip():
            problems.append(Problem(path.name, sheet, number, f"{cells[1]} ({code})",
                                    "the M49 code of a country (the row has a type of data)"))
        areas.append(code)
        dests.append(iso3)
        data.append((number, cells))
    problems += unknown_problems(dest_resolver)
    file = path.name
    # published figures are floats: only other cells go through the strict parser
    values = {col: [cell if (cell := cells[col]).__class__ is float
                    else cell_number(cell, file, sheet, number, col, problems)
                    for number, cells in data] for col in range(5, width)}
    if problems:
        raise InputError(capped(problems), hint=ALIAS_HINT)
    totals = pl.DataFrame({"view": "destination", "area_m49": areas, "iso3": dests,
                           "year": year, "sex": "total", "value": values[5]},
                          schema=TOTALS_SCHEMA).drop_nulls("value")
    wide = pl.DataFrame({"destination": dests,
                         OTHER_NORTH: values[6], OTHER_SOUTH: values[7],
                         **{str(origins[col - 8]): values[col] for col in range(8, width)}})
    stock = wide.filter(pl.col("destination").is_not_null()).unpivot(
        index="destination", variable_name="origin").drop_nulls("value").filter(
        pl.col("value") != 0).with_columns(pl.lit(year).alias("year"),
                                           pl.lit("total").alias("sex"))
    return BilateralTables(edition="ims2015", layout="ims2015-matrix",
                           stock=stock.select(list(STOCK_SCHEMA)).cast(STOCK_SCHEMA),
                           totals=totals)


# --------------------------------------------------------------------------- IMS 2019 wide CSV

#: Regional rows the derived 2019 CSV still carries (UN M49 region names, not countries).
IMS2019_CSV_REGIONS = frozenset({"Caribbean", "Melanesia", "Micronesia", "Polynesia",
                                 "South America"})


def read_ims2019_wide_csv(path: Path) -> BilateralTables:
    """The derived IMS 2019 wide CSV (names, both sexes; ``..`` and ``-`` are missing)."""
    path = Path(path)
    header = _csv_header(path)
    if header[:2] != ["Year", "Dest"] or len(header) < 3:
        raise InputError.one(path.name, "columns Year, Dest, then one column per origin", row=1,
                             value=header[:5])
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except Exception as error:
        raise InputError.one(path.name, "a readable CSV file", value=str(error)[:200],
                             hint="The file is truncated or corrupt: pull it again.") from None
    resolver = NameResolver(path.name)
    origins = {name: resolver.resolve(name, 1) for name in raw.columns[2:]}
    raw = raw.with_row_index("row", offset=2)
    dests: dict[str, str | None] = {}
    for record in raw.select("row", "Dest").unique("Dest", keep="first").iter_rows():
        if record[1] not in IMS2019_CSV_REGIONS:
            dests[record[1]] = resolver.resolve(record[1], record[0])
    problems = unknown_problems(resolver)
    taken: dict[str, str] = {}
    for name, iso3 in origins.items():
        if iso3 and iso3 in taken:
            problems.append(Problem(path.name, None, 1, name,
                                    f"each origin once; {iso3} is also {taken[iso3]!r}"))
        elif iso3:
            taken[iso3] = name
    if problems:
        raise InputError(problems, hint=ALIAS_HINT)
    long = raw.filter(~pl.col("Dest").is_in(list(IMS2019_CSV_REGIONS))).unpivot(
        index=["row", "Year", "Dest"], variable_name="name", value_name="text")
    long = long.with_columns(pl.col("text").str.strip_chars(),
                             pl.col("Year").cast(pl.Int32, strict=False).alias("year"))
    long = long.with_columns(
        pl.when(pl.col("text").is_in(list(MISSING_MARKS))).then(None)
        .otherwise(pl.col("text")).cast(pl.Float64, strict=False).alias("value"))
    bad = long.filter((pl.col("value").is_null() & ~pl.col("text").is_in(list(MISSING_MARKS)))
                      | pl.col("year").is_null()).head(20)
    if bad.height:
        raise InputError([Problem(path.name, None, r["row"], r["text"] if r["year"] else r["Year"],
                                  f"a number or '..' in column {r['name']!r} and a year")
                          for r in bad.iter_rows(named=True)])
    stock = long.drop_nulls("value").filter(pl.col("value") != 0).select(
        pl.col("name").replace_strict(origins).alias("origin"),
        pl.col("Dest").replace_strict(dests).alias("destination"),
        "year", pl.lit("total").alias("sex"), "value")
    _no_duplicates(stock, ["origin", "destination", "year"], path, None)
    return BilateralTables(edition="ims2019", layout="ims2019-derived-wide-csv",
                           stock=stock.cast(STOCK_SCHEMA))
