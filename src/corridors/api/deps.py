"""Typed dependencies shared by the API and the web pages: the request's cursor and checked inputs.

HTTP glue only. The served store (opened READ-ONLY once per process, reopened when ``corridors
build`` swaps in a new file) is :class:`corridors.store.serving.Store`; each request gets its own
cursor of it here (:func:`get_con`). Small facts every answer needs are read once per store file
by :func:`corridors.store.lookups.lookup`; the selection a request gets when it names none is
:func:`corridors.observatory.selection`. Both are re-exported for the routes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Literal

import anyio.to_thread
import duckdb
from fastapi import Depends, HTTPException, Query, Request
from fastapi import Path as PathParam

import corridors.codes as codes
from corridors.analytics.editions import editions_held
from corridors.errors import quoted
from corridors.observatory import (  # noqa: F401  # the selection a request gets, re-exported for the routes
    edition_or_newest,
    selection,
    years_of,
)
from corridors.store.serving import (  # noqa: F401  # the served store, re-exported for the routes
    MEMO_SIZE,
    Store,
    lookup,
    open_generation,
    sweep_serving_links,
)

#: The largest page a list endpoint returns.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
async def get_store(request: Request) -> Store:
    """The app's store (async: an attribute read needs no worker thread)."""
    return request.app.state.store


async def get_con(request: Request) -> AsyncIterator[duckdb.DuckDBPyConnection]:
    """The request's own cursor, given back after the answer. Async: taking a cursor of the
    current store (a stat of the file) needs no worker thread; opening a rebuilt store file does,
    so that the event loop never blocks in ``duckdb.connect``."""
    store_: Store = request.app.state.store
    if store_.needs_reopen():
        await anyio.to_thread.run_sync(store_.reopen)
    cursor, generation = store_.acquire()
    try:
        yield cursor
    finally:
        store_.release(cursor, generation)


StoreDep = Annotated[Store, Depends(get_store)]
Con = Annotated[duckdb.DuckDBPyConnection, Depends(get_con)]


class Invalid(HTTPException):
    """A request value that is well-formed but not acceptable: answered as 422 with what was
    expected."""

    status = 422

    def __init__(self, name: str, value: object, expected: str):
        super().__init__(self.status, f"{name}: expected {expected}; got {quoted(value)}")
        self.name = name


class Unknown(Invalid):
    """A request value of the declared form that names nothing this store holds (a country
    code, an edition, a lens, a period): answered as 404 with what there is. Values of the
    wrong form are refused by the declared pattern, enum or bounds (422)."""

    status = 404


#: A country as a request may name it: ISO3 (KEN), M49 (404) or a name in any script and accent
#: ("Kenya", "Côte d’Ivoire", "Türkiye"); empty (a form's empty field) means all countries, as
#: ``ALL`` does.
CODE_PATTERN = r"^[\w .,'\u2019()\-]{0,60}$"
_CODE = re.compile(CODE_PATTERN)


def check_country(con: duckdb.DuckDBPyConnection, known: frozenset[str], name: str,
            value: str | None, *, allow_other: bool = False) -> str | None:
    """The ISO3 code a user typed (ISO3 or M49, names also accepted), checked against the store's
    country table; None stays None (= all countries)."""
    if value is None or value == "" or value.strip().upper() == "ALL":
        return None
    expected = "an ISO3 code (e.g. KEN) or M49 number (e.g. 404) of a country in the store"
    if not _CODE.match(value):
        raise Invalid(name, value, expected)
    if allow_other and value.strip().upper() == codes.OTHER_ORIGIN:
        return codes.OTHER_ORIGIN
    iso3 = codes.code_for(value)
    if iso3 is None or iso3 not in known:
        raise Unknown(name, value, expected + codes.did_you_mean(value, within=known))
    return iso3


def require_country(con: duckdb.DuckDBPyConnection, known: frozenset[str], name: str, value: str,
                    *, allow_other: bool = False) -> str:
    """One country named in a path (``/countries/{code}``): like :func:`check_country`, but
    ``ALL`` or an empty value is refused (there is no "all countries" profile)."""
    iso3 = check_country(con, known, name, value, allow_other=allow_other)
    if iso3 is None:
        raise Unknown(name, value, "an ISO3 code (e.g. KEN) or M49 number (e.g. 404) of one "
                                   "country in the store")
    return iso3


def check_edition(store_: Store, con: duckdb.DuckDBPyConnection,
                  value: str | None) -> str | None:
    if value is None or value == "":
        return None
    editions = editions_held(con)
    if value not in editions:
        raise Unknown("edition", value, "one of " + ", ".join(editions))
    return value


Sex = Literal["total", "male", "female"]
Fmt = Literal["json", "csv"]

YearQ = Annotated[int | None, Query(ge=1950, le=2100, description="Year, e.g. 2020.")]
SexQ = Annotated[Sex, Query(description="total, male or female.")]
EditionQ = Annotated[
    str | None,
    Query(max_length=20, pattern=r"^[a-z0-9\-]+$",
          description="Edition of the migrant-stock estimates, e.g. ims2024 or ims2020 (default: the "
                      "newest in the store, by the latest year it covers)."),
]
LensQ = Annotated[
    str,
    Query(max_length=40, pattern=r"^[a-z0-9\-]+$",
          description="Definition of 'South': wb-lmic, wb-non-high, un-developing, gfmd-2018."),
]
FormatQ = Annotated[Fmt | None, Query(description="json (default) or csv; or send Accept: text/csv.")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page, 1..{MAX_LIMIT}.")]
OffsetQ = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
CodeQ = Annotated[
    str | None,
    Query(max_length=60, pattern=CODE_PATTERN,
          description="ISO3 code (e.g. KEN) or M49 number (e.g. 404); omit (or ALL) for all."),
]
CodeP = Annotated[str, PathParam(max_length=60, pattern=CODE_PATTERN,
                            description="ISO3 (KEN) or M49 (404).")]
