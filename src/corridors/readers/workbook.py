"""Opening official workbooks strictly, with calamine (fast, no formulas evaluated: cached values).

A truncated, corrupt or empty file, or a missing sheet, becomes one InputError that names the file
and says what was expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from corridors.errors import InputError

Row = list[Any]


def open_workbook(path: Path) -> CalamineWorkbook:
    path = Path(path)
    if not path.exists():
        raise InputError.one(str(path), "an existing file", hint="Run `corridors pull` first.")
    if path.stat().st_size == 0:
        raise InputError.one(path.name, "an Excel workbook (.xlsx)", value="empty file (0 bytes)",
                             hint="The download was interrupted: run `corridors pull --force`.")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for zip/xml damage
        raise InputError.one(
            path.name, "a readable Excel workbook (.xlsx)", value=f"unreadable ({error})",
            hint="The file is truncated or corrupt: pull it again (`corridors pull --force ID`).",
        ) from None


def sheet_rows(path: Path, sheet: str) -> list[Row]:
    """All rows of a sheet, empty cells as '' (row i of the list is spreadsheet row i+1)."""
    workbook = open_workbook(path)
    if sheet not in workbook.sheet_names:
        raise InputError.one(
            Path(path).name, f"a sheet named {sheet!r}", value=f"sheets {workbook.sheet_names}",
            hint="This workbook has another layout: check that the right file was given.",
        )
    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as error:
        raise InputError.one(Path(path).name, "a readable sheet", sheet=sheet,
                             value=f"unreadable ({error})",
                             hint="The file is truncated or corrupt: pull it again.") from None


def expect_header(rows: list[Row], path: Path, sheet: str, row: int, expected: list[Any],
                  start_col: int = 0) -> None:
    """Check that spreadsheet row ``row`` (1-based) holds ``expected`` from ``start_col`` on.

    Cells compare after stripping; numbers compare as numbers (1990 == 1990.0).
    """

    def same(a: Any, b: Any) -> bool:
        if isinstance(b, (int, float)) and not isinstance(b, bool):
            try:
                return float(a) == float(b)
            except (TypeError, ValueError):
                return False
        return str(a).strip().casefold() == str(b).strip().casefold()

    if row > len(rows):
        raise InputError.one(Path(path).name, f"a header at row {row}", sheet=sheet, row=row,
                             value="sheet ends before it")
    cells = rows[row - 1]
    for offset, want in enumerate(expected):
        col = start_col + offset
        got = cells[col] if col < len(cells) else None
        if want is None:
            continue
        if not same(got, want):
            raise InputError.one(
                Path(path).name, f"header {want!r} in column {column_letter(col)}", sheet=sheet,
                row=row, value=got, hint="The workbook does not have the official layout.",
            )


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def number(value: Any) -> float | None:
    """A numeric cell; '..', '', '-' and similar are missing (None)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text in {"", "..", "...", "-", "–", "—", "x", "n.a.", "NA"}:
        return None
    try:
        return float(text)
    except ValueError:
        return None
