"""World Bank / KNOMAD bilateral matrices (2017 and 2018 editions): migrant stocks and remittances.

Two official square layouts, one sheet each (other sheets, such as ``remshare`` or
``countries-comparison`` added by third parties, are ignored). The matrix sheet is the one named
``Bilateral_Migration_YYYY`` / ``Bilateral_Remittances_YYYY`` (also with spaces for underscores,
any case), or else the one sheet whose A1 title starts as below and names the year ("... for
2018 ..."): the 2018 remittance matrix (``Bilateralremittancematrix2018Oct2019.xlsx``) keeps the
2017 layout, title, ``receiving (across) / sending (down)`` and ``WORLD`` row and column.

- ``WB_Bilateral_Estimates_Migrant_Stocks_2017.xlsx``, sheet ``Bilateral_Migration_2017``: row 1
  the title "Bilateral Estimates of Migrant Stocks in 2017", row 2 the destination names (B..),
  then ``Other North``, ``Other South`` and ``World``; column A from row 3 the origin names in the
  same order, then the ``Other North``, ``Other South`` and ``World`` rows, a blank row and notes.
  Persons; rows are origins, columns destinations.
- ``WB_Bilateral_Remittance_Estimates_2017.xlsx``, sheet ``Bilateral_Remittances_2017``: title
  "Bilateral Remittance Estimates for 2017 ... (millions of US$)", A2 "receiving (across) /
  sending (down)", 214 economies and ``WORLD``. Rows are sending (host) economies, columns
  receiving economies.

``read(path)`` returns :class:`BilateralMatrix`; its ``pairs`` frame is ``origin, destination,
value`` in the migration sense for both files: ``origin`` = the migrants' country of origin
(for remittances the **receiving** economy), ``destination`` = the host country (for remittances
the **sending** economy). Only economies, only non-zero published values; ``-`` and empty cells
are not published (left out, counted in ``missing``). ``totals`` holds the published World row
and column (``iso3, role ('origin' | 'destination'), value``); ``others`` the ``Other North`` /
``Other South`` cells of the migration matrix (``origin, destination, value`` with those labels);
``world`` the published grand total.
Known property of the 2017 remittance file: its rows add up to the WORLD column, but its WORLD
row differs from the column sums by up to US$ 2.04 million.

Names resolve through ``corridors.codes`` (``codes/aliases_world_bank.csv``); every unknown name
is listed with file, sheet and row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import column_letter, open_workbook, sheet_rows

LAYOUTS = {  # sheet prefix -> (kind, title start, unit, rows are origins?)
    "Bilateral_Migration_": ("migrant_stock", "Bilateral Estimates of Migrant Stocks", "persons",
                             True),
    "Bilateral_Remittances_": ("remittances", "Bilateral Remittance Estimates",
                               "US$ millions", False),
}
WORLD = {"world"}
OTHERS = {"Other North", "Other South"}
ALIAS_FILE = "aliases_world_bank.csv"


@dataclass
class BilateralMatrix:
    kind: str  # 'migrant_stock' | 'remittances'
    year: int
    unit: str
    pairs: pl.DataFrame  # origin, destination, value
    totals: pl.DataFrame  # iso3, role, value (the published World row and column)
    others: pl.DataFrame  # origin, destination, value with 'Other North'/'Other South' labels
    missing: int  # cells published as '-' or empty
    world: float | None = None  # the published World x World total


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _value(cell: Any) -> float | None | str:
    """A float, None for an unpublished cell ('-' or empty), or the text when it is not a number."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell)
    text = _text(cell)
    if text in {"", "-"}:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


_SHEET = re.compile(r"^bilateral[ _](migration|remittances)[ _]?((?:19|20)\d{2})$", re.IGNORECASE)
_TITLE_YEAR = re.compile(r"\b(?:for|in)\s+((?:19|20)\d{2})\b")


def _matrix_sheet(path: Path, sheets: list[str]) -> tuple[str, str, int] | None:
    """(sheet, layout prefix, year) of the matrix: by the sheet's name, else by its A1 title."""
    named = [(s, match) for s in sheets if (match := _SHEET.match(s.strip()))]
    if len(named) == 1:
        sheet, match = named[0]
        prefix = "Bilateral_Migration_" if match.group(1).lower() == "migration" else "Bilateral_Remittances_"
        return sheet, prefix, int(match.group(2))
    if named:
        return None
    titled = []
    for sheet in sheets:
        rows = sheet_rows(path, sheet)
        first = _text(rows[0][0]) if rows and rows[0] else ""
        for prefix, (_kind, title, _unit, _origins) in LAYOUTS.items():
            year = _TITLE_YEAR.search(first)
            if first.startswith(title) and year:
                titled.append((sheet, prefix, int(year.group(1))))
    return titled[0] if len(titled) == 1 else None


def read(path: Path) -> BilateralMatrix:
    """Read a World Bank/KNOMAD bilateral migration or remittance matrix (see the module doc)."""
    path = Path(path)
    file = path.name
    sheets = open_workbook(path).sheet_names
    found = _matrix_sheet(path, sheets)
    if found is None:
        raise InputError.one(file, "one sheet Bilateral_Migration_YYYY or "
                             "Bilateral_Remittances_YYYY (or one sheet titled 'Bilateral "
                             "Remittance Estimates for YYYY ...' in A1)", value=f"sheets {sheets}",
                             hint="This is not a World Bank bilateral matrix workbook.")
    sheet, prefix, year = found
    kind, title, unit, rows_are_origins = LAYOUTS[prefix]
    rows = sheet_rows(path, sheet)
    if not rows or not _text(rows[0][0]).startswith(title):
        raise InputError.one(file, f"the title {title!r} in A1", sheet=sheet, row=1,
                             value=_text(rows[0][0]) if rows else "empty sheet")
    if len(rows) < 3:
        raise InputError.one(file, "a header row and data rows", sheet=sheet, row=len(rows),
                             value="the sheet ends early", hint="The file is truncated.")

    header = [_text(c) for c in rows[1]]
    problems: list[Problem] = []
    # columns: names from B until the World column; nothing to its right
    world_col = next((i for i, h in enumerate(header) if i and h.casefold() in WORLD), None)
    if world_col is None:
        raise InputError.one(file, "a World column in row 2", sheet=sheet, row=2,
                             value=header[-1:], hint="The matrix is truncated or of another "
                                                     "layout.")
    for index, row in enumerate(rows):
        extra = [c for c in row[world_col + 1:] if _text(c)]
        if extra:
            raise InputError.one(file, f"nothing right of the World column "
                                 f"({column_letter(world_col)})", sheet=sheet, row=index + 1,
                                 value=extra[0], hint="The sheet has an extra column.")
    names = header[1:world_col]
    col_codes: list[str | None] = []
    for offset, name in enumerate(names):
        if name in OTHERS:
            col_codes.append(name)
            continue
        iso3 = codes.iso3_for_name(name) if name else None
        if iso3 is None:
            problems.append(Problem(file, sheet, 2, name or f"(empty {column_letter(offset + 1)})",
                                    f"a country name known to corridors.codes (add it to "
                                    f"codes/{ALIAS_FILE})"))
        col_codes.append(iso3)
    # rows: the same names in the same order, then World
    world_row = None
    for index in range(2, len(rows)):
        label = _text(rows[index][0])
        expected = names[index - 2] if index - 2 < len(names) else None
        if expected is None:
            if label.casefold() in WORLD:
                world_row = index
            else:
                problems.append(Problem(file, sheet, index + 1, label, "the World row"))
            break
        if label != expected:
            problems.append(Problem(file, sheet, index + 1, label,
                                    f"{expected!r} (rows list the same economies as the columns,"
                                    " in the same order)"))
            break
    if world_row is None and not problems:
        problems.append(Problem(file, sheet, len(rows), "sheet ends",
                                "every economy's row and the World row"))
    if problems:
        raise InputError(problems, hint="The bilateral matrix does not have the official layout.")

    pairs: dict[str, list] = {"origin": [], "destination": [], "value": []}
    others: dict[str, list] = {"origin": [], "destination": [], "value": []}
    totals: dict[str, list] = {"iso3": [], "role": [], "value": []}
    missing = 0
    world = None
    row_role, col_role = ("origin", "destination") if rows_are_origins else ("destination",
                                                                              "origin")
    for r in range(len(names) + 1):
        index = 2 + r
        row = rows[index]
        row_code = col_codes[r] if r < len(names) else "World"
        for c in range(len(names) + 1):
            col = 1 + c
            col_code = col_codes[c] if c < len(names) else "World"
            raw = row[col] if col < len(row) else ""
            value = raw if raw.__class__ is float else _value(raw)  # floats as published
            if isinstance(value, str):
                problems.append(Problem(file, sheet, index + 1, value,
                                        f"a number, '-' or empty in column {column_letter(col)}"))
                continue
            if value is None:
                missing += 1
                continue
            cell = {row_role: row_code, col_role: col_code}
            if row_code == "World" and col_code == "World":
                world = value
                continue
            if row_code == "World" or col_code == "World":
                if row_code in OTHERS or col_code in OTHERS:
                    continue
                iso3 = col_code if row_code == "World" else row_code
                role = col_role if row_code == "World" else row_role
                totals["iso3"].append(iso3)
                totals["role"].append(role)
                totals["value"].append(value)
            elif row_code in OTHERS or col_code in OTHERS:
                if value:
                    for key in others:
                        others[key].append(value if key == "value" else cell[key])
            elif value:
                pairs["origin"].append(cell["origin"])
                pairs["destination"].append(cell["destination"])
                pairs["value"].append(value)
    if problems:
        raise InputError(problems, hint="The bilateral matrix has cells that are not numbers.")
    pair_schema = {"origin": pl.String, "destination": pl.String, "value": pl.Float64}
    return BilateralMatrix(
        kind, year, unit, pl.DataFrame(pairs, schema=pair_schema),
        pl.DataFrame(totals, schema={"iso3": pl.String, "role": pl.String, "value": pl.Float64}),
        pl.DataFrame(others, schema=pair_schema), missing, world,
    )
