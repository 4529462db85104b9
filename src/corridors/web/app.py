"""The dashboard on an app: the static files and every page route (overview, countries,
corridors, explorer, governance, remittances), in one list of pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import corridors.languages as languages
from corridors.web import VersionedStatic, governance_pages, pages, region_pages, static_dir
from corridors.web.render import render_error

#: Every page route, in the order they are matched (the docs test reads this list).
router = APIRouter(include_in_schema=False)
router.routes.extend([*pages.router.routes, *governance_pages.router.routes,
                      *region_pages.router.routes])


def install(app: FastAPI) -> None:
    """Mount the static files and the page routes on an app."""
    app.add_middleware(LanguageMiddleware)
    app.mount("/static", VersionedStatic(directory=static_dir()), name="static")
    app.include_router(router)
    app.state.render_error = render_error


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

        with languages.using(language, pinned=languages.asked(scope)):
            await self.app(scope, receive, send_with_language)
