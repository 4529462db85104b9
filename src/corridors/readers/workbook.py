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


# --- CSV files (added for the UNSD, World Bank and borders readers) ---


def csv_table(path: Path, expected: list[str], *, skip_lines: int = 0, separator: str = ",",
              trailing_empty_column: bool = False, what: str = "CSV file") -> Any:
    """A publisher's CSV read strictly with polars: every cell a string, no null values.

    Nothing is ever turned into null, so Namibia's ISO2 ``NA`` stays ``NA`` and an empty cell is
    ``''``. ``expected`` is the exact header (after ``skip_lines`` preamble lines); a missing,
    renamed or extra column, an empty file, bytes that are not UTF-8, a row with too many fields
    or a last row cut short (a truncated download) each raise one InputError. Files such as the
    WDI API CSVs end every line with a separator: ``trailing_empty_column=True`` accepts (and
    drops) that unnamed empty last column. Data row ``i`` of the frame is line
    ``skip_lines + 2 + i`` of the file.
    """
    import csv
    import io

    import polars as pl

    path = Path(path)
    if not path.exists():
        raise InputError.one(str(path), "an existing file", hint="Run `corridors pull` first.")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError.one(path.name, what, value="empty file (0 bytes)",
                             hint="The download was interrupted: run `corridors pull --force`.")
    try:
        frame = pl.read_csv(io.BytesIO(raw), infer_schema=False, empty_string_is_null=False,
                            skip_lines=skip_lines, separator=separator,
                            truncate_ragged_lines=False)
    except Exception as error:
        raise InputError.one(path.name, f"a readable {what}", value=f"unreadable ({error})".split(
            "\n")[0], hint="The file is truncated, corrupt or of another layout: pull it again."
        ) from None
    columns = [c.lstrip("\ufeff").strip() for c in frame.columns]
    frame.columns = [c if c else f"__empty_{i}" for i, c in enumerate(columns)]
    if trailing_empty_column and columns and columns[-1] == "":
        last = frame.columns[-1]
        if frame.height and (frame[last] != "").any():
            row = ((frame[last] != "").arg_max() or 0) + skip_lines + 2  # not None: .any() held
            raise InputError.one(
                path.name, "an empty last column", row=row, value=frame[last][row - skip_lines - 2],
                hint="The file has an extra column: it is not the official layout.")
        frame = frame.drop(last)
        columns = columns[:-1]
    if columns != expected:
        extra = [c for c in columns if c not in expected]
        missing = [c for c in expected if c not in columns]
        detail = (f"extra {extra}" if extra else "") + (f" missing {missing}" if missing else "")
        raise InputError.one(
            path.name, f"header {expected}", row=skip_lines + 1, value=detail.strip() or columns,
            hint="The file has another layout: check that the right file was given.")
    if frame.height == 0:
        raise InputError.one(path.name, f"data rows after the header of this {what}",
                             row=skip_lines + 2, value="no rows",
                             hint="The download was interrupted: pull it again.")
    # a truncated download cuts the last row short: with a trailing separator on every line the
    # file must end with one; otherwise the last line (no multi-line cells) must be complete
    last_line = raw.rstrip(b"\r\n").rsplit(b"\n", 1)[-1].decode("utf-8", "replace")
    want = len(expected) + (1 if trailing_empty_column else 0)
    if trailing_empty_column:
        cut = not raw.rstrip(b"\r\n").endswith(separator.encode())
        fields = ["?"] * (want - 1 if cut else want)
    else:
        fields = next(csv.reader([last_line], delimiter=separator))
    if len(fields) < want:
        raise InputError.one(
            path.name, f"{want} fields in every row", row=skip_lines + 1 + frame.height,
            value=f"last row cut short: {last_line[-60:]!r}",
            hint="The file is truncated: pull it again (`corridors pull --force`).")
    return frame.rename(dict(zip(frame.columns, columns, strict=True)))

