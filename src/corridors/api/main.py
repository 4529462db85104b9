"""The ASGI app: the REST API under ``/api/v1``, the web dashboard, and nothing else.

``create_app(store_path)`` opens the store read-only; ``corridors serve`` runs it with uvicorn.
The OpenAPI schema is at ``/openapi.json``; its reference is ``docs/api.md``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import httpx
from fastapi import APIRouter, Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware

import corridors.web.app as web
from corridors._version import __version__
from corridors.api import respond, security
from corridors.api.cache import ResponseCache
from corridors.api.routes import (
    corridors,
    countries,
    flows,
    governance,
    lenses,
    profiles,
    remittances,
    sources,
    stocks,
    summaries,
)
from corridors.records import prepare as prepared
from corridors.settings import settings
from corridors.store.serving import Store

log = logging.getLogger("corridors.serve")

API_PREFIX = "/api/v1"
ROUTERS = (countries, stocks, profiles, corridors, lenses, summaries, sources, governance, flows,
           remittances)


def create_app(store_path: Path | None = None, *, prepare: bool = False) -> FastAPI:
    """The app over the store at ``store_path`` (default: the settings' store), read-only.

    ``prepare``: when the server starts, prepare the answers the first questions need
    (:mod:`corridors.records.prepare`) before taking requests, and again in the background
    whenever a rebuilt store is swapped in (``corridors serve`` does; tests need not)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # requests worked on at once (settings.serve_threads): the rest wait their turn in order
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings().serve_threads
        if prepare:
            store: Store = app.state.store
            store.on_open = prepared.prepare_in_background
            try:
                done = await anyio.to_thread.run_sync(prepared.prepare, store)
                await _answer_once(app, done.corridor)
                done.spent["settling"] = round(prepared.settle(), 3)
                log.info("answers prepared: %s", done.spent)
            except Exception as error:  # preparing only saves time: it never stops the server
                log.warning("answers not prepared: %s", error)
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="corridors: the South-South Mobility Observatory",
        version=__version__,
        description=(
            "Official international migrant stocks and the South-South picture they give, under "
            "named definitions of 'South'. Every response names its sources (edition, licence, "
            "checksum). JSON by default; CSV with `?format=csv` or `Accept: text/csv`."
        ),
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN: not offline, not CSP-safe
        redoc_url=None,
        dependencies=[Depends(security.known_query)],  # every route: no undeclared query parameter
    )
    path = store_path or settings().store_path
    app.state.store = Store(path)
    app.add_middleware(ResponseCache, store_path=path,  # inside the security headers
                       user_dir=settings().user_dir,
                       max_bytes=int(settings().cache_mb * 1024 * 1024))
    security.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in ROUTERS:
        api.include_router(module.router)
    app.include_router(api)
    web.install(app)
    # outermost: answers are compressed after the response cache (which keeps them plain, one
    # entry whatever the Accept-Encoding) and after the security headers are added
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    _declare_answers(app)
    return app


async def _answer_once(app: FastAPI, corridor: tuple[str, str] | None) -> None:
    """Ask the app, in process, one question of each kind the first users ask (and a path that
    matches none, which has every route made ready: FastAPI readies a route the first time a
    request is matched against it), so that the first real request finds the routes, the answer
    writers and the language catalogues ready."""
    urls = [f"{API_PREFIX}/-", f"{API_PREFIX}/summary", f"{API_PREFIX}/scorecard/rank"]
    if corridor is not None:
        origin, destination = corridor
        urls += [f"{API_PREFIX}/countries/{destination}/profile",
                 f"{API_PREFIX}/corridors/{origin}/{destination}",
                 f"{API_PREFIX}/scorecard/{origin}/{destination}"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://corridors.local") as client:
        for url in urls:
            await client.get(url)


def _declare_answers(app: FastAPI) -> None:
    """Generate the OpenAPI schema with every answer declared (CSV beside JSON, the errors)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = respond.document_answers(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
