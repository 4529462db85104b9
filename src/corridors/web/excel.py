"""The data explorer's Excel download: the table on one sheet, its sources and licences on another.

A workbook takes seconds of CPU to write, so the last few are kept by what they hold (the resolved
selection and the checksums of the files its figures come from), and one is written at a time:
asking for the same table in other words (``origin=404`` or ``origin=ken``) or many times at once
costs one build.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import xlsxwriter

from corridors.spreadsheets import WORKBOOK_OPTIONS, write_cell


def workbook(rows: list[dict[str, Any]], sources: list[dict[str, Any]]) -> bytes:
    """An .xlsx with sheets ``corridors`` (the rows) and ``sources`` (publication, edition,
    licence, checksum), numbers stored as numbers, text as text (never a formula: see
    :mod:`corridors.spreadsheets`)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("corridors")
    columns = list(rows[0]) if rows else ["origin", "destination", "year", "sex", "stock"]
    sheet.write_row(0, 0, columns, bold)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(columns):
            value = row.get(column)
            if isinstance(value, (list, tuple)):
                value = ", ".join(map(str, value))
            write_cell(sheet, r, c, value)
    sheet.freeze_panes(1, 0)
    info = book.add_worksheet("sources")
    fields = ["source_id", "publisher", "title", "edition", "licence", "url", "file_name",
              "sha256"]
    info.write_row(0, 0, fields, bold)
    for r, source in enumerate(sources, start=1):
        for c, field in enumerate(fields):
            write_cell(info, r, c, str(source.get(field) or ""))
    book.close()
    return buffer.getvalue()


#: Workbooks kept (each up to a few megabytes).
KEPT = 4
_kept: OrderedDict[tuple, bytes] = OrderedDict()
_kept_lock = threading.Lock()
_building = threading.Lock()


def cached(key: tuple, build: Callable[[], bytes]) -> bytes:
    """The workbook for ``key`` (what it holds), built by ``build()`` once, one build at a time."""
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    with _building:  # one workbook at a time: many requests cannot take every core
        with _kept_lock:
            if key in _kept:
                return _kept[key]
        body = build()
        with _kept_lock:
            _kept[key] = body
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return body
