"""World Bank income classification: the history by year (OGHIST) and the current list (CLASS).

``read(path)`` looks at the sheets and reads either layout:

- **OGHIST.xlsx**, sheet "Country Analytical History" (:func:`read_history`): row 5 holds the
  Bank's fiscal years (``FY89`` ...), row 6 the calendar year of the GNI data each classifies
  (FY89 = data year 1987), rows 7-10 the thresholds, then one row per economy (code, name, one
  code per year: ``L``, ``LM``, ``UM``, ``H``; ``..`` or empty = not classified; ``LM*`` is
  Yemen's footnoted FY89 entry and counts as ``LM``), a footnote, a block of former economies and
  a note. Returns a polars frame ``iso3, data_year, fiscal_year, income_group`` with one row per
  classified economy and year (an economy-year with no row was not classified). The former
  economies (:data:`FORMER_ECONOMIES`: Czechoslovakia, Netherlands Antilles, Serbia and
  Montenegro, USSR, Yugoslavia) have no code in today's country table and are dropped; Mayotte,
  listed among them, is kept.
- **CLASS.xlsx** (:func:`read_class`): sheet "List of economies" (Economy, Code, Region, Income
  group, Lending category) and sheet "composition" (WB_Group_Code, WB_Group_Name,
  WB_Country_Code, WB_Country_Name). Returns :class:`Classification`.

Aggregates (regions, income groups, lending groups, "World") are told apart from economies
explicitly: an aggregate is a code that is a group in the "composition" sheet; an economy is a
row with a region. A row with no region that is not a group, or a group code with a region, stops
the read. World Bank codes resolve through ``corridors.codes`` (``XKX`` Kosovo and ``CHI``
Channel Islands are in it), and every economy's name must resolve to its code through the
country table (World Bank spellings live in ``codes/aliases_world_bank.csv``): every unknown
code or name is listed with file, sheet and row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import column_letter, expect_header, open_workbook, sheet_rows

HISTORY_SHEET = "Country Analytical History"
CLASS_SHEET = "List of economies"
COMPOSITION_SHEET = "composition"

#: OGHIST's former economies, which today's country table does not hold (code: name as listed).
FORMER_ECONOMIES = {
    "CSK": "Czechoslovakia (former)",
    "ANT": "Netherlands Antilles (former)",
    "YUG": "Serbia and Montenegro (former)",
    "SUN": "USSR (former)",
    "YUGf": "Yugoslavia (former)",
}

INCOME_CODES = {"L", "LM", "UM", "H"}
#: Cells OGHIST uses for "not classified that year".
NOT_CLASSIFIED = {"..", ""}
#: CLASS spells the groups out.
INCOME_NAMES = {"Low income": "L", "Lower middle income": "LM", "Upper middle income": "UM",
                "High income": "H"}
ALIAS_FILE = "aliases_world_bank.csv"

_FY = re.compile(r"^FY(\d{2})$")


def fiscal_to_data_year(fiscal_year: str) -> int:
    """FY89 classifies economies by GNI of data year 1987: data year = fiscal year - 2."""
    match = _FY.match(fiscal_year)
    if not match:
        raise ValueError(fiscal_year)
    yy = int(match.group(1))
    return (1900 + yy if yy >= 50 else 2000 + yy) - 2


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


def _check_name(problems: list[Problem], file: str, sheet: str, row: int, code: str,
                name: str) -> None:
    resolved = codes.iso3_for_name(name)
    if resolved is None:
        problems.append(Problem(file, sheet, row, name,
                                f"a country name known to corridors.codes (add it to "
                                f"codes/{ALIAS_FILE})"))
    elif resolved != code:
        problems.append(Problem(file, sheet, row, f"{code} {name!r}",
                                f"a name that resolves to {code}, not {resolved}"))


def read_history(path: Path) -> pl.DataFrame:
    """OGHIST "Country Analytical History" -> ``iso3, data_year, fiscal_year, income_group``."""
    path = Path(path)
    file, sheet = path.name, HISTORY_SHEET
    rows = sheet_rows(path, sheet)
    expect_header(rows, path, sheet, 5, ["Bank's fiscal year:", "FY89"], start_col=1)
    expect_header(rows, path, sheet, 6, ["Data for calendar year :", 1987], start_col=1)
    expect_header(rows, path, sheet, 7, ["Low income (L)"], start_col=1)
    expect_header(rows, path, sheet, 10, ["High income (H)"], start_col=1)
    header, years = rows[4], rows[5]
    columns: list[tuple[int, str, int]] = []  # (column, fiscal year, data year)
    for col in range(2, len(header)):
        label = _text(header[col])
        if not label:
            if any(_text(r[col]) for r in rows[5:] if col < len(r)):
                raise InputError.one(file, "a fiscal-year header (FYxx) above every filled column",
                                     sheet=sheet, row=5, value=f"column {column_letter(col)} "
                                     "has no header", hint="The sheet has an extra column.")
            continue
        if not _FY.match(label) or (columns and col != columns[-1][0] + 1):
            raise InputError.one(file, f"fiscal years FY89, FY90, ... in row 5 (column "
                                 f"{column_letter(col)})", sheet=sheet, row=5, value=label,
                                 hint="The sheet has an extra or unexpected column.")
        data_year = fiscal_to_data_year(label)
        if columns and data_year != columns[-1][2] + 1:
            raise InputError.one(file, f"the fiscal year after {columns[-1][1]}", sheet=sheet,
                                 row=5, value=label)
        if _text(years[col]) != str(data_year):
            raise InputError.one(file, f"data year {data_year} under {label}", sheet=sheet,
                                 row=6, value=years[col])
        columns.append((col, label, data_year))

    problems: list[Problem] = []
    out: dict[str, list] = {"iso3": [], "data_year": [], "fiscal_year": [], "income_group": []}
    seen: set[str] = set()
    for index in range(11, len(rows)):
        row, line = rows[index], index + 1
        code = _text(row[0])
        if not code:
            continue  # blank separator, footnote or note text in column B
        name = _text(row[1])
        if code in FORMER_ECONOMIES:
            if name != FORMER_ECONOMIES[code]:
                problems.append(Problem(file, sheet, line, name,
                                        f"{FORMER_ECONOMIES[code]!r} for code {code}"))
            continue
        if code not in codes.countries():
            problems.append(Problem(file, sheet, line, code,
                                    "a World Bank code known to corridors.codes (ISO3, XKX, CHI)"
                                    " or a listed former economy"))
            continue
        _check_name(problems, file, sheet, line, code, name)
        if code in seen:
            problems.append(Problem(file, sheet, line, code, "each economy once"))
        seen.add(code)
        for col, fiscal_year, data_year in columns:
            value = _text(row[col]) if col < len(row) else ""
            if value in NOT_CLASSIFIED:
                continue
            group = value.rstrip("*")
            if group not in INCOME_CODES:
                problems.append(Problem(file, sheet, line, value,
                                        f"L, LM, UM, H or .. in {fiscal_year} (column "
                                        f"{column_letter(col)})"))
                continue
            out["iso3"].append(code)
            out["data_year"].append(data_year)
            out["fiscal_year"].append(fiscal_year)
            out["income_group"].append(group)
    if problems:
        raise InputError(problems, hint="OGHIST does not have the official content.")
    if not seen:
        raise InputError.one(file, "one row per economy from row 12", sheet=sheet, row=12,
                             value="no economies", hint="The file is truncated: pull it again.")
    return pl.DataFrame(out, schema={"iso3": pl.String, "data_year": pl.Int32,
                                     "fiscal_year": pl.String, "income_group": pl.String})


@dataclass
class Classification:
    """The World Bank's current classification (CLASS.xlsx).

    ``economies``: ``iso3, region, income_group (L|LM|UM|H, null = unclassified),
    lending_category (IDA|IBRD|Blend, null = none)``, with ``fiscal_year`` and ``data_year``
    taken from the notes sheet ("set on July 1, 2025" = FY26, GNI of data year 2024) when stated.
    ``groups``: ``group_code, group_name, iso3`` (the composition sheet, members as ISO3).
    ``aggregates``: the aggregate codes found in the list of economies and dropped from it.
    """

    economies: pl.DataFrame
    groups: pl.DataFrame
    aggregates: list[str]
    fiscal_year: str | None
    data_year: int | None


def _fiscal_year_from_notes(path: Path) -> tuple[str | None, int | None]:
    workbook = open_workbook(path)
    if "notes" not in workbook.sheet_names:
        return None, None
    text = " ".join(_text(c) for r in sheet_rows(path, "notes") for c in r)
    match = re.search(r"set on July 1, (\d{4})", text)
    if not match:
        return None, None
    year = int(match.group(1))
    return f"FY{(year + 1) % 100:02d}", year - 1


def read_class(path: Path) -> Classification:
    """CLASS.xlsx -> :class:`Classification` (economies only; aggregates dropped, listed)."""
    path = Path(path)
    file = path.name
    rows = sheet_rows(path, CLASS_SHEET)
    header = ["Economy", "Code", "Region", "Income group", "Lending category"]
    expect_header(rows, path, CLASS_SHEET, 1, header)
    comp_rows = sheet_rows(path, COMPOSITION_SHEET)
    comp_header = ["WB_Group_Code", "WB_Group_Name", "WB_Country_Code", "WB_Country_Name"]
    expect_header(comp_rows, path, COMPOSITION_SHEET, 1, comp_header)
    problems: list[Problem] = []
    for sheet, table, width in ((CLASS_SHEET, rows, len(header)),
                                (COMPOSITION_SHEET, comp_rows, len(comp_header))):
        for index, row in enumerate(table):
            extra = [c for c in row[width:] if _text(c)]
            if extra:
                problems.append(Problem(file, sheet, index + 1, extra[0],
                                        f"no cells right of column {column_letter(width - 1)}"))
                break
    if problems:
        raise InputError(problems, hint="The workbook has an extra column: not the official "
                                        "layout.")

    groups: dict[str, str] = {}
    members: list[tuple[str, str, str, int]] = []
    for index in range(1, len(comp_rows)):
        row = [_text(c) for c in comp_rows[index][:4]]
        if not any(row):
            continue
        group, group_name, member, member_name = row
        groups.setdefault(group, group_name)
        members.append((group, group_name, member, index + 1))

    economies: dict[str, list] = {"iso3": [], "region": [], "income_group": [],
                                  "lending_category": []}
    aggregates: list[str] = []
    for index in range(1, len(rows)):
        name, code, region, income, lending = (_text(c) for c in rows[index][:5])
        line = index + 1
        if not any((name, code, region, income, lending)):
            continue
        if not region:
            if code in groups:
                aggregates.append(code)
            else:
                problems.append(Problem(file, CLASS_SHEET, line, f"{code} {name!r}",
                                        "a region (an economy) or a group code listed in the "
                                        "composition sheet (an aggregate)"))
            continue
        if code in groups:
            problems.append(Problem(file, CLASS_SHEET, line, code,
                                    "an economy code, not a composition group, beside a region"))
            continue
        if code not in codes.countries():
            problems.append(Problem(file, CLASS_SHEET, line, code,
                                    "a World Bank code known to corridors.codes"))
            continue
        _check_name(problems, file, CLASS_SHEET, line, code, name)
        if income and income not in INCOME_NAMES:
            problems.append(Problem(file, CLASS_SHEET, line, income,
                                    f"one of {', '.join(sorted(INCOME_NAMES))} or empty"))
        if lending not in {"", "IDA", "IBRD", "Blend"}:
            problems.append(Problem(file, CLASS_SHEET, line, lending, "IDA, IBRD, Blend or empty"))
        economies["iso3"].append(code)
        economies["region"].append(region)
        economies["income_group"].append(INCOME_NAMES.get(income))
        economies["lending_category"].append(lending or None)

    listed = set(economies["iso3"])
    group_rows: dict[str, list] = {"group_code": [], "group_name": [], "iso3": []}
    for group, group_name, member, line in members:
        if member not in listed:
            problems.append(Problem(file, COMPOSITION_SHEET, line, member,
                                    "a member listed among the economies"))
            continue
        group_rows["group_code"].append(group)
        group_rows["group_name"].append(group_name)
        group_rows["iso3"].append(member)
    missing_groups = sorted(set(groups) - set(aggregates))
    if missing_groups:
        problems.append(Problem(file, CLASS_SHEET, None, missing_groups,
                                "every composition group also listed as an aggregate"))
    if problems:
        raise InputError(problems, hint="CLASS.xlsx does not have the official content.")
    if not listed:
        raise InputError.one(file, "one row per economy", sheet=CLASS_SHEET, row=2,
                             value="no economies", hint="The file is truncated: pull it again.")
    fiscal_year, data_year = _fiscal_year_from_notes(path)
    frame = pl.DataFrame(economies, schema={"iso3": pl.String, "region": pl.String,
                                            "income_group": pl.String,
                                            "lending_category": pl.String})
    frame = frame.with_columns(pl.lit(fiscal_year, pl.String).alias("fiscal_year"),
                               pl.lit(data_year, pl.Int32).alias("data_year"))
    return Classification(frame, pl.DataFrame(group_rows, schema={
        "group_code": pl.String, "group_name": pl.String, "iso3": pl.String}),
        aggregates, fiscal_year, data_year)


THRESHOLDS_SHEET = "Thresholds"
_THRESHOLD_ROWS = {"Low income": "L", "Lower middle income": "LM", "Upper middle income": "UM",
                   "High income": "H"}
_RANGE = re.compile(r"^\s*(?:(<=|>)\s*([\d,]+)|([\d,]+)\s*-\s*([\d,]+))\s*$")


def read_thresholds(path: Path) -> pl.DataFrame:
    """OGHIST "Thresholds" -> ``data_year, fiscal_year, income_group, gni_min, gni_max``: the GNI
    per capita thresholds (US$, Atlas method) of the analytical classification for each data year
    that has them (``<= 1,135`` -> min null, max 1135; ``> 13,935`` -> min 13936, max null; the
    range ``1,136-4,495`` as written). A cell that is not such a range stops the read."""
    path = Path(path)
    file, sheet = path.name, THRESHOLDS_SHEET
    rows = sheet_rows(path, sheet)
    fiscal_row = next((i for i, r in enumerate(rows) if r and str(r[0]).startswith("Bank's fiscal")),
                      None)
    year_row = next((i for i, r in enumerate(rows) if r and str(r[0]).startswith("Data for calendar")),
                    None)
    if fiscal_row is None or year_row is None:
        raise InputError.one(file, "rows \"Bank's fiscal year:\" and \"Data for calendar year :\"",
                             sheet=sheet, value="not found",
                             hint="This is not the World Bank OGHIST workbook.")
    problems: list[Problem] = []
    out: dict[str, list] = {k: [] for k in ("data_year", "fiscal_year", "income_group", "gni_min",
                                              "gni_max")}
    found = set()
    for index, row in enumerate(rows):
        label = str(row[0]).strip() if row else ""
        group = _THRESHOLD_ROWS.get(label)
        if group is None:
            continue
        found.add(group)
        for col in range(1, len(row)):
            text = str(row[col]).strip() if row[col] is not None else ""
            if not text:
                continue
            match = _RANGE.match(text)
            year = rows[year_row][col] if col < len(rows[year_row]) else None
            if match is None or not isinstance(year, (int, float)):
                problems.append(Problem(file, sheet, index + 1, text,
                                        f"a range such as '<= 1,135', '1,136-4,495' or '> 13,935' "
                                        f"under a data year (column {column_letter(col)})"))
                continue
            sign, bound, low, high = match.groups()

            def number(value: str) -> float:
                return float(value.replace(",", ""))

            gni_min = (None if sign == "<=" else number(bound) + 1 if sign == ">" else number(low))
            gni_max = (number(bound) if sign == "<=" else None if sign == ">" else number(high))
            out["data_year"].append(int(year))
            out["fiscal_year"].append(str(rows[fiscal_row][col]).strip() or None)
            out["income_group"].append(group)
            out["gni_min"].append(gni_min)
            out["gni_max"].append(gni_max)
    if found != set(_THRESHOLD_ROWS.values()):
        problems.append(Problem(file, sheet, None, sorted(found),
                                f"the rows {', '.join(_THRESHOLD_ROWS)}"))
    if problems:
        raise InputError(problems, hint="OGHIST Thresholds does not have the official content.")
    return pl.DataFrame(out, schema={"data_year": pl.Int32, "fiscal_year": pl.String,
                                     "income_group": pl.String, "gni_min": pl.Float64,
                                     "gni_max": pl.Float64}).sort(
        "data_year", pl.col("income_group").replace_strict({"L": 0, "LM": 1, "UM": 2, "H": 3},
                                                           return_dtype=pl.Int8))


def read(path: Path) -> pl.DataFrame | Classification:
    """OGHIST.xlsx -> income group per economy and data year (frame, see :func:`read_history`);
    CLASS.xlsx -> :class:`Classification`. Any other workbook stops with InputError."""
    path = Path(path)
    sheets = open_workbook(path).sheet_names
    if HISTORY_SHEET in sheets:
        return read_history(path)
    if CLASS_SHEET in sheets:
        return read_class(path)
    raise InputError.one(path.name, f"a sheet {HISTORY_SHEET!r} (OGHIST) or {CLASS_SHEET!r} "
                         "(CLASS)", value=f"sheets {sheets}",
                         hint="This is not a World Bank income classification workbook.")
