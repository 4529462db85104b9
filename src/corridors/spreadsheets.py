"""Cells that are safe to open in a spreadsheet: the one rule every CSV and Excel export follows.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK("http://evil...")``), so a note
imported from somebody else's file could run in the user's spreadsheet. Following the OWASP
CSV-injection rule, such a cell is written with a single quote in front (``'=HYPERLINK(...)``):
the spreadsheet shows the text as text. Numbers stay numbers (``-3`` in a numeric column is a
number, not text); only text columns are touched.

Every export path calls this module: the CLI's ``--format csv``, the API's CSV answers, the web
pages' ``.csv`` and ``.xlsx`` downloads, ``corridors export`` and ``corridors survey estimate
--format csv|xlsx``. Workbooks are written with ``strings_to_formulas`` off, so xlsxwriter never
turns a string into a formula either.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

#: The characters a spreadsheet reads as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: xlsxwriter options for every workbook we write: strings stay strings (no formulas, no URLs
#: turned into links, no numbers guessed from text).
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def neutralise(value: Any) -> Any:
    """A text value that a spreadsheet would run as a formula, with a quote in front; anything
    else (numbers, dates, None, safe text) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell neutralised (numeric, date and boolean columns untouched)."""
    import polars as pl

    text = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical)]
    if not text:
        return frame
    pattern = "^[=+\\-@\t\r]"
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(pattern))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )


def csv_text(frame: pl.DataFrame) -> str:
    """The frame as CSV text, every text cell neutralised."""
    return neutralise_frame(frame).write_csv()


def write_csv(frame: pl.DataFrame, path: Path | str) -> None:
    """Write the frame as a CSV file, every text cell neutralised."""
    neutralise_frame(frame).write_csv(path)


def write_frame(frame: pl.DataFrame, workbook: Any, worksheet: str, **options: Any) -> None:
    """Write the frame on a sheet of an open xlsxwriter workbook (polars' ``write_excel``), every
    text cell neutralised."""
    neutralise_frame(frame).write_excel(workbook=workbook, worksheet=worksheet, **options)


def write_cell(sheet: Any, row: int, column: int, value: Any, cell_format: Any = None) -> None:
    """One cell of an xlsxwriter sheet: text as a (neutralised) string, never a formula; numbers
    as numbers; None left empty."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, neutralise(value), cell_format)
    else:
        sheet.write(row, column, value, cell_format)
