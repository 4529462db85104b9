"""The web dashboard: server-rendered pages over the same analytics as the CLI and the API.

Every page has a JSON twin (``/overview.json``, ``/country/KEN.json``, ...) holding exactly the
figures the page shows, and its state (year, lens, edition, filters) lives in the URL. Scripts,
styles and map outlines are served from the installed package: nothing comes from a CDN.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridors import languages


def static_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("static")))


def install(app: FastAPI) -> None:
    """Mount the static files and the page routes on an app."""
    from corridors.web import pages

    app.add_middleware(LanguageMiddleware)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.include_router(pages.router)
    app.state.render_error = pages.render_error


class LanguageMiddleware:
    """Answer every page in the language the request asks for, and say so
    (``Content-Language``; ``Vary: Accept-Language`` for caches between us and the reader)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = languages.of_request(scope)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((b"content-language", language.encode()))
                headers.append((b"vary", b"Accept-Language"))
                message = {**message, "headers": headers}
            await send(message)

        with languages.using(language):
            await self.app(scope, receive, send_with_language)
