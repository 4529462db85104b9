"""The data explorer's Excel download: the table on one sheet, its sources and licences on another."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter


def workbook(rows: list[dict[str, Any]], sources: list[dict[str, Any]]) -> bytes:
    """An .xlsx with sheets ``corridors`` (the rows) and ``sources`` (publication, edition,
    licence, checksum), numbers stored as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("corridors")
    columns = list(rows[0]) if rows else ["origin", "destination", "year", "sex", "stock"]
    sheet.write_row(0, 0, columns, bold)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(columns):
            value = row.get(column)
            if isinstance(value, (list, tuple)):
                value = ", ".join(map(str, value))
            if value is None:
                continue
            sheet.write(r, c, value)
    sheet.freeze_panes(1, 0)
    info = book.add_worksheet("sources")
    fields = ["source_id", "publisher", "title", "edition", "licence", "url", "file_name",
              "sha256"]
    info.write_row(0, 0, fields, bold)
    for r, source in enumerate(sources, start=1):
        info.write_row(r, 0, [str(source.get(f) or "") for f in fields])
    book.close()
    return buffer.getvalue()
