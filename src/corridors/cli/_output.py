"""Shared output for every command: tables for people, CSV and JSON for machines.

Light on purpose: every command module imports it when the CLI starts, so it loads neither rich
nor polars until something is printed in a way that needs them (JSON of plain records needs
neither). Tables are never cropped: long cells wrap, and a table too wide for the terminal is
printed one record at a time; headers read as words (``origin_view_share`` -> "origin view
share"); lists read as text (``ASEAN, SADC``).
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeGuard, cast

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console


class CommandGroup(TyperGroup):
    """A group of commands whose ``--help`` lists the first paragraph of each command's help
    whole (wrapped), never cut short with "..."."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                text = command.short_help or (command.help or "").strip().split("\n\n")[0]
                rows.append((name, " ".join(text.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def commands(**options: Any) -> typer.Typer:
    """A Typer app (the CLI or one of its command groups) with the help every command shares:
    plain text wrapped to the terminal (up to 100 columns), lists of commands never cut short.
    Plain rather than rich help: rendering help with rich loads a markdown parser and a syntax
    highlighter, which doubles the time `corridors --help` takes."""
    options.setdefault("cls", CommandGroup)
    return typer.Typer(rich_markup_mode=None, context_settings={"max_content_width": 100},
                       **options)


class _LazyConsole:
    """A rich Console created on first use (``.real`` for APIs that need the Console itself)."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._real: Console | None = None

    @property
    def real(self) -> Console:
        if self._real is None:
            from rich.console import Console

            self._real = Console(stderr=self._stderr)
        return self._real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


console = _LazyConsole()
console_err = _LazyConsole(stderr=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_PLAIN_INT = ("year", "since", "until", "m49", "code", "period", "rank", "row")


def _is_frame(data: object) -> TypeGuard[pl.DataFrame]:
    return type(data).__module__.startswith("polars") and hasattr(data, "iter_rows")


def _is_series(data: object) -> bool:
    return type(data).__module__.startswith("polars") and hasattr(data, "to_list")


def heading(name: str) -> str:
    """A column or field name as words: ``origin_view_share`` -> ``origin view share``."""
    return str(name).replace("_", " ")


def _fmt(value: Any, column: str = "") -> str:
    if _is_series(value):
        value = value.to_list()
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
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_fmt(v, column) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{heading(k)}: {_fmt(v, str(k))}" for k, v in value.items()) or "—"
    return str(value)


def _jsonable(value: Any) -> Any:
    if _is_series(value):
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


def _columns(rows: list[dict]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def _records(names: list[str], cells: list[list[str]], title: str | None,
             caption: str | None) -> None:
    """A table too wide for the terminal, printed one record at a time (field: value), each
    value wrapped beside its field name."""
    from rich.table import Table
    from rich.text import Text

    out = console.real
    if title:
        out.print(Text(title, style="bold"))
    for row in cells:
        out.rule(style="dim")
        record = Table.grid(padding=(0, 2))
        record.add_column(style="bold", no_wrap=True)
        record.add_column(overflow="fold")
        for name, value in zip(names, row, strict=True):
            record.add_row(name, Text(value))
        out.print(record)
    out.rule(style="dim")
    if caption:
        out.print(Text(caption, style="dim"))


def _write_csv(data: pl.DataFrame | list[dict]) -> None:
    import polars as pl

    frame = data if _is_frame(data) else pl.DataFrame(data)
    for column, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and not dtype.inner.is_nested():
            # a list of plain values reads best in a spreadsheet as "a; b; c"
            frame = frame.with_columns(
                pl.col(column).list.eval(pl.element().cast(pl.String)).list.join("; "))
        elif dtype.is_nested():
            frame = frame.with_columns(pl.col(column).map_elements(
                lambda v: json.dumps(_jsonable(v), ensure_ascii=False), return_dtype=pl.String))
    from corridors.spreadsheets import csv_text

    sys.stdout.write(csv_text(frame))


def _field_table(data: dict, title: str | None, caption: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, show_header=False)
    table.add_column("field", style="bold", overflow="fold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        table.add_row(heading(key), Text(_fmt(value, str(key))))
    console.real.print(table)


def emit(data: pl.DataFrame | list[dict] | dict, fmt: Format, *, title: str | None = None,
         caption: str | None = None) -> None:
    """Print a frame, a list of records or one record in the chosen format."""
    if fmt is Format.json:
        if _is_frame(data):
            data = data.to_dicts()
        sys.stdout.write(json.dumps(_jsonable(data), ensure_ascii=False, indent=2) + "\n")
        return
    if isinstance(data, dict):
        if fmt is Format.csv:
            _write_csv([data])
        else:
            _field_table(data, title, caption)
        return
    if fmt is Format.csv:
        _write_csv(data)
        return
    rows: list[tuple[Any, ...] | list[Any]]
    if _is_frame(data):
        names = data.columns
        rows = list(data.iter_rows())
        numeric = [dtype.is_numeric() for dtype in data.schema.values()]
    else:
        records = cast("list[dict]", data)  # not a frame: records (TypeGuard narrows one way only)
        names = _columns(records)
        rows = [[record.get(n) for n in names] for record in records]
        numeric = [all(isinstance(row[i], (int, float)) and not isinstance(row[i], bool)
                       for row in rows if row[i] is not None) and any(row[i] is not None for row in rows)
                   for i in range(len(names))]
    _table(names, rows, numeric, title, caption)


def _table(names: list[str], rows: list, numeric: list[bool], title: str | None,
           caption: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console.real
    cells = [[_fmt(v, c) for v, c in zip(row, names, strict=True)] for row in rows]
    headers = [heading(n) for n in names]
    # text wraps at its spaces, so a column needs its longest word (codes, numbers, years,
    # percentages are never split; a word longer than 14 characters may be); too wide for the
    # terminal even so, the table is printed one record at a time
    minimums = [max(1, *(len(word) for word in header.split()),
                    *(min(len(word), 14) for row in cells for word in row[i].split()))
                for i, header in enumerate(headers)]
    if sum(minimums) + 3 * len(names) + 1 > out.width and len(names) > 1:
        _records(headers, cells, title, caption)
        return
    table = Table(title=title, caption=caption)
    for i, name in enumerate(headers):
        table.add_column(name, justify="right" if numeric[i] else "left",
                         min_width=minimums[i], overflow="fold")
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))  # values are text, never rich markup
    out.print(table)


def emit_sourced(data: pl.DataFrame | list[dict] | dict, fmt: Format, sources: list[dict], *,
                 title: str | None = None, caption: str | None = None) -> None:
    """:func:`emit` with the answer's sources: under a table the sources footer every stock
    command prints (:func:`corridors.store.provenance.caption`), in JSON a ``sources`` list
    (a list of records becomes ``{"items": [...], "sources": [...]}``, as the REST API's pages);
    CSV is the records alone."""
    if fmt is Format.json:
        if _is_frame(data):
            data = data.to_dicts()
        body = data | {"sources": sources} if isinstance(data, dict) else {
            "items": data, "sources": sources}
        emit(body, fmt)
        return
    if fmt is Format.table:
        from corridors.store.provenance import caption as sources_caption

        caption = " ".join(filter(None, [caption, sources_caption(sources) + "."]))
    emit(data, fmt, title=title, caption=caption)
