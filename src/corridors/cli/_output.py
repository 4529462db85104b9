"""Shared output for every command: tables for people, CSV and JSON for machines."""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from corridors.spreadsheets import csv_text

console = Console()
console_err = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_PLAIN_INT = ("year", "since", "until", "m49", "code", "period", "rank", "row")


def _fmt(value: Any, column: str = "") -> str:
    if isinstance(value, int) and not isinstance(value, bool) and any(
            key in column.lower() for key in _PLAIN_INT):
        return str(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if value == 0:
            return "0"
        if abs(value) >= 100 or value.is_integer():
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:,.2f}"
        return f"{value:.4f}"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, pl.Series):
        value = value.to_list()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _records(names: list[str], cells: list[list[str]], title: str | None,
             caption: str | None) -> None:
    """A table too wide for the terminal, printed one record at a time (field: value)."""
    if title:
        console.print(f"[bold]{title}[/]")
    width = max(len(n) for n in names)
    for row in cells:
        console.rule(style="dim")
        for name, value in zip(names, row, strict=True):
            console.print(f"[bold]{name:<{width}}[/]  {value}", highlight=False)
    console.rule(style="dim")
    if caption:
        console.print(caption, style="dim")


def emit(data: pl.DataFrame | list[dict] | dict, fmt: Format, *, title: str | None = None,
         caption: str | None = None) -> None:
    """Print a frame, a list of records or one record in the chosen format."""
    if fmt is Format.json:
        if isinstance(data, pl.DataFrame):
            data = data.to_dicts()
        sys.stdout.write(json.dumps(_jsonable(data), ensure_ascii=False, indent=2) + "\n")
        return
    if isinstance(data, dict):
        data = [data] if fmt is Format.csv else data
    if fmt is Format.csv:
        frame = data if isinstance(data, pl.DataFrame) else pl.DataFrame(data)
        for column, dtype in frame.schema.items():
            if isinstance(dtype, pl.List) and not dtype.inner.is_nested():
                # a list of plain values reads best in a spreadsheet as "a; b; c"
                frame = frame.with_columns(
                    pl.col(column).list.eval(pl.element().cast(pl.String)).list.join("; "))
            elif dtype.is_nested():
                frame = frame.with_columns(pl.col(column).map_elements(
                    lambda v: json.dumps(_jsonable(v), ensure_ascii=False), return_dtype=pl.String))
        sys.stdout.write(csv_text(frame))
        return
    if isinstance(data, dict):
        table = Table(title=title, caption=caption, show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value")
        for key, value in data.items():
            if isinstance(value, (list, dict)):
                value = json.dumps(_jsonable(value), ensure_ascii=False)[:200]
            table.add_row(key, _fmt(value, key))
        console.print(table)
        return
    frame = data if isinstance(data, pl.DataFrame) else pl.DataFrame(data)
    names = frame.columns
    cells = [[_fmt(v, c) for v, c in zip(row, names, strict=True)] for row in frame.iter_rows()]
    widths = [max([len(row[i]) for row in cells] + [1]) for i in range(len(names))]
    # short cells (numbers, codes, years, percentages) are never cut; long text may wrap
    minimums = [w if w <= 14 else 14 for w in widths]
    if sum(minimums) + 3 * len(names) + 1 > console.width and len(names) > 2:
        _records(names, cells, title, caption)
        return
    table = Table(title=title, caption=caption)
    for i, (name, dtype) in enumerate(frame.schema.items()):
        table.add_column(name, justify="right" if dtype.is_numeric() else "left",
                         min_width=minimums[i], overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)
