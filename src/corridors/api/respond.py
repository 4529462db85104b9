"""Answers in JSON or CSV, each naming its sources (source, edition, licence, checksum).

JSON: lists are pages (``items``, ``total``, ``limit``, ``offset``, ``next``, ``sources``); single
objects carry their fields plus ``sources``. CSV (``?format=csv`` or ``Accept: text/csv``): the
rows, with the sources in the ``X-Corridors-Sources`` header and, for rows that name a source, a
``licence`` column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
import polars as pl
from fastapi import Request, Response

from corridors.analytics import reference
from corridors.api.deps import Fmt
from corridors.spreadsheets import csv_text
from corridors.store import provenance

#: The sources block of an answer and the source ids of the tables it read: built below the
#: interfaces (the CLI and the pages call the same functions), re-exported for the routes.
sources = provenance.sources
income_sources = reference.income_sources
table_sources = reference.table_sources


def ids_in(frame: pl.DataFrame | list[dict], *columns: str) -> set[str]:
    """Distinct values of the first of ``columns`` that the rows have (e.g. source, edition)."""
    if isinstance(frame, pl.DataFrame):
        for column in columns:
            if column in frame.columns:
                return {v for v in frame.get_column(column).unique().to_list() if v}
        return set()
    found: set[str] = set()
    for row in frame:
        for column in columns:
            if row.get(column):
                found.add(row[column])
                break
    return found


def _plain(value: Any) -> Any:
    """JSON-ready: NaN and infinity as null, dates as ISO text, tuples as lists."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most cells: as they are
        return value
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if kind is list:
        return [_plain(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return timestamp(value)
    return value


def timestamp(value: date) -> str:
    """A date as ISO text; a date and time as RFC 3339 with its UTC offset. The store keeps
    times in UTC without a zone (``fetched_at``), so a time without one is UTC."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value.isoformat()


def _dates(value: Any) -> Any:
    """What ``json.dumps`` calls for a value it cannot write: dates as ISO text (as
    :func:`_plain`); anything else is not JSON."""
    if isinstance(value, (datetime, date)):
        return timestamp(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


#: orjson writes what :func:`_plain` and ``json`` would: times without a zone as UTC (``+00:00``,
#: as :func:`timestamp`), keys that are not text as text. NaN and infinity are null by itself.
_ORJSON = orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def to_json(data: Any) -> bytes:
    """The answer as compact UTF-8 JSON, NaN and infinity as null, dates as ISO text and times as
    RFC 3339 (:func:`timestamp`). Written by orjson (a 32 KB scorecard in 0.02 ms, where ``json``
    takes 0.21 ms); what orjson does not write (an integer beyond 64 bits) by ``json``, the same
    text."""
    try:
        return orjson.dumps(data, default=_dates, option=_ORJSON)
    except orjson.JSONEncodeError:
        pass
    try:
        # most answers hold no NaN or infinity: written as they are, without the copy _plain
        # makes (the same text: dates by _dates, tuples as lists by json itself)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=_dates)
    except ValueError:  # a NaN or an infinity somewhere: null, as _plain writes them
        text = json.dumps(_plain(data), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def representation(accept: Iterable[str]) -> Fmt:
    """``csv`` or ``json``: what the Accept header(s) ask for. Every Accept header a request
    carries counts (a client may send several); CSV is chosen only when ``text/csv`` is acceptable
    and preferred over JSON by its quality value (a named type beats a wildcard; a tie keeps JSON,
    the default). The response and the response cache both decide through this one function, so
    a cached answer is always the one the request would get."""
    csv_q = json_q = wild_q = None
    for header in accept:
        for part in header.split(","):
            media, *params = (p.strip() for p in part.split(";"))
            q = 1.0
            for param in params:
                name, _, value = param.partition("=")
                if name.strip().lower() == "q":
                    try:
                        q = float(value)
                    except ValueError:
                        q = 0.0
            media = media.lower()
            if media == "text/csv":
                csv_q = max(csv_q or 0.0, q)
            elif media == "application/json":
                json_q = max(json_q or 0.0, q)
            elif media in ("*/*", "application/*"):
                wild_q = max(wild_q or 0.0, q)
    if not csv_q:
        return "json"
    rival = json_q if json_q is not None else (wild_q or 0.0)
    return "csv" if csv_q > rival or (json_q is None and csv_q == rival) else "json"


_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "What was wrong and what was expected."},
        "detail": {"type": "array", "items": {"type": "object"},
                   "description": "422 only: each bad parameter (loc, msg, type, input)."},
    },
}
_ERRORS = {
    "404": "A value of the declared form that names nothing this store holds (a country, "
           "edition, lens, period...); the message lists what there is.",
    "422": "A value of the wrong form, or a query parameter the operation does not take.",
    "503": "No store has been built yet, or it cannot be read: run `corridors build`.",
}


def document_answers(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema with every answer an operation gives declared: ``text/csv`` beside
    JSON for operations that answer in CSV (those with a ``format`` parameter, with the headers
    CSV answers carry), and the error answers (404, 422, 503) with their body."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    for operation in (op for item in schema.get("paths", {}).values() for op in item.values()):
        responses = operation.setdefault("responses", {})
        for status, description in _ERRORS.items():
            responses[status] = {"description": description,
                                 "content": {"application/json": {"schema": _ERROR}}}
        ok = responses.get("200")
        if ok is None or not any(p.get("name") == "format"
                                 for p in operation.get("parameters", [])):
            continue
        ok.setdefault("content", {})["text/csv"] = {"schema": {
            "type": "string", "description": "The rows as CSV (UTF-8, header row); text cells "
            "that a spreadsheet would read as a formula begin with a quote (')."}}
        ok.setdefault("headers", {})["X-Corridors-Sources"] = {
            "description": "CSV answers: the sources (id, edition, licence).",
            "schema": {"type": "string"}}
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    return schema


def wants_csv(request: Request, fmt: Fmt | None) -> bool:
    """CSV when ``?format=csv``, or when no format is given and the Accept header prefers it."""
    if fmt is not None:
        return fmt == "csv"
    return representation(request.headers.getlist("accept")) == "csv"


def next_url(request: Request, offset: int) -> str:
    """The next page's address, relative (path and query): never built from the request's Host
    header, which a client can forge (and a cached answer would pass on to everyone)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
    return f"{request.url.path}?{urlencode([*query, ('offset', str(offset))])}"


def _sources_header(found: list[dict[str, Any]]) -> str:
    text = "; ".join(f"{s['source_id']} ({s['edition']}, {s['licence']})" for s in found)
    return text.encode("ascii", "replace").decode("ascii")


def csv_response(rows: list[dict[str, Any]], found: list[dict[str, Any]], filename: str,
                 extra_headers: dict[str, str] | None = None) -> Response:
    licences = {s["source_id"]: s["licence"] for s in found}
    if rows and "source" in rows[0] and "licence" not in rows[0]:
        rows = [{**r, "licence": licences.get(r["source"])} for r in rows]
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    nested = [c for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct))]
    if nested:  # lists and records in a cell: written as JSON text
        frame = frame.with_columns(
            pl.Series(c, [None if v is None else json.dumps(_plain(v), ensure_ascii=False)
                          for v in frame.get_column(c).to_list()], dtype=pl.String)
            for c in nested
        )
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}.csv"',
        "X-Corridors-Sources": _sources_header(found),
        **(extra_headers or {}),
    }
    return Response(csv_text(frame), media_type="text/csv; charset=utf-8", headers=headers)


def _records(data: pl.DataFrame | list[dict]) -> list[dict[str, Any]]:
    return data.to_dicts() if isinstance(data, pl.DataFrame) else list(data)


def page(request: Request, data: pl.DataFrame | list[dict], found: list[dict[str, Any]], *,
         limit: int, offset: int, fmt: Fmt | None, filename: str) -> Response:
    """One page of rows in JSON or CSV."""
    total = data.height if isinstance(data, pl.DataFrame) else len(data)
    chunk = data.slice(offset, limit) if isinstance(data, pl.DataFrame) else data[offset:offset + limit]
    rows = _records(chunk)
    following = None
    if offset + limit < total:
        following = next_url(request, offset + limit)
    if wants_csv(request, fmt):
        headers = {"X-Total-Count": str(total)}
        if following:
            headers["Link"] = f'<{following}>; rel="next"'
        return csv_response(rows, found, filename, headers)
    body = {"items": rows, "total": total, "limit": limit, "offset": offset,
            "next": following, "sources": found}
    return Response(to_json(body), media_type="application/json")


def one(request: Request, record: dict[str, Any], found: list[dict[str, Any]], *,
        fmt: Fmt | None, filename: str, table: list[dict] | None = None) -> Response:
    """A single object (fields plus ``sources``); in CSV, ``table`` (or the flat fields)."""
    if wants_csv(request, fmt):
        rows = table if table is not None else [
            {k: v for k, v in record.items() if not isinstance(v, (list, dict))}
        ]
        return csv_response(rows, found, filename)
    return Response(to_json({**record, "sources": found}), media_type="application/json")
