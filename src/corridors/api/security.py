"""Security basics for the app: headers on every response and errors without stack traces.

- Content-Security-Policy allows only the app's own scripts, styles, images and fonts;
  X-Content-Type-Options, Referrer-Policy and X-Frame-Options on every response.
- Validation errors answer 422 with a ``message`` saying what was expected (quoting at most the
  first characters of a bad value); our own user errors (CorridorsError) answer 422 (503 when no
  store is built), with file-system paths cut to the file's name; anything else answers a generic
  500 and the traceback goes to the server log only.
- A query parameter the route does not declare answers 422 naming it and the parameters the
  address accepts (a typo is not silently ignored, and made-up parameters cannot fill the cache).
- HEAD is answered wherever GET is: the GET answer's status and headers, without the body.
"""

from __future__ import annotations

import logging
import os
import re

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridors.errors import CorridorsError, NotBuiltError, NotFoundError, quoted
from corridors.store.lifecycle import DamagedStoreError, StoreBusyError

log = logging.getLogger("corridors.api")

HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
_RAW = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
#: An embedded chart (``/embed/...``) may be framed by any site: the same headers otherwise.
_EMBED = [(k.encode(), v.replace("frame-ancestors 'none'", "frame-ancestors *").encode())
          for k, v in HEADERS.items() if k != "x-frame-options"]


class SecurityHeaders:
    """ASGI middleware adding HEADERS to every HTTP response (including error responses)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = _EMBED if scope["path"].startswith("/embed/") else _RAW

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """ASGI middleware answering HEAD wherever GET is answered: the request runs as a GET (so
    the response cache serves it too) and the body is dropped; the headers, Content-Length
    included, are the GET answer's."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


_DECLARED: dict[int, tuple[str, ...]] = {}


def declared_query(route: object) -> tuple[str, ...]:
    """The query parameters a route declares (its own and its dependencies'), by name."""
    found = _DECLARED.get(id(route))
    if found is None:
        names: list[str] = []
        todo = [getattr(route, "dependant", None)]
        while todo:
            dependant = todo.pop()
            if dependant is not None:
                names += [p.alias for p in dependant.query_params]
                todo += dependant.dependencies
        found = _DECLARED[id(route)] = tuple(dict.fromkeys(names))
    return found


async def known_query(request: Request) -> None:
    """Refuse (422) a query parameter the matched route does not declare, naming it and the
    accepted ones: used by every route of the app (API and pages)."""
    route = request.scope.get("route")
    if route is None:
        return
    allowed = declared_query(route)
    if not request.url.path.startswith("/api/"):
        allowed = (*allowed, "lang")  # every page speaks English, French and Spanish
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in allowed]
    if unknown:
        names = ", ".join(quoted(name, 40) for name in unknown[:5])
        accepted = ", ".join(allowed) if allowed else "no query parameters"
        noun = "parameter" if len(unknown) == 1 else "parameters"
        raise HTTPException(422, f"unknown query {noun} {names}; {request.url.path} accepts: "
                                 f"{accepted}")


#: An absolute file-system path (POSIX, home or Windows drive), not the path part of a URL.
_FILE_PATH = re.compile(r"(?<![\w.:/~-])(~|[A-Za-z]:)?[/\\]([^\s'\"`,;()<>|/\\]+)[/\\]"
                        r"(?:[^\s'\"`,;()<>|/\\]+[/\\])*([^\s'\"`,;()<>|/\\]*)")


def _cut(match: re.Match) -> str:
    root, top, name = match.groups()
    if root is None and not os.path.isdir("/" + top):  # e.g. /api/v1/stocks: an address
        return match.group(0)
    return name or "(folder)"


def without_paths(message: str) -> str:
    """The message with each absolute file path (one that starts in a folder of this machine's
    root, the home folder or a drive) cut to the file's name: an answer over HTTP never shows
    where the server keeps its files."""
    return _FILE_PATH.sub(_cut, message)


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json") or path.endswith(".csv")


def _error(request: Request, status: int, message: str, detail: list | None = None) -> Response:
    if _is_api(request):
        body: dict = {"message": message}
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status)
    render = getattr(request.app.state, "render_error", None)
    if render is not None:
        return render(request, status, message)
    return HTMLResponse(f"<h1>{status}</h1><p>{message}</p>", status_code=status)


def _describe(error: dict) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
    text = f"{where}: {error.get('msg', 'invalid value')}"
    if error.get("type") == "string_pattern_mismatch":
        text = f"{where}: expected a value matching {(error.get('ctx') or {}).get('pattern')}"
    if "input" in error and error["input"] is not None and error.get("type") != "missing":
        text += f"; got {quoted(error['input'])}"
    return text


def _clip(value: object) -> object:
    """A bad value as the ``detail`` of a 422 shows it: text cut to its first characters."""
    if isinstance(value, str) and len(value) > 80:
        return value[:80] + "..."
    return value if isinstance(value, (str, int, float)) else None


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    detail = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type"),
         "input": _clip(e.get("input"))}
        for e in errors
    ]
    message = "; ".join(_describe(e) for e in errors) or "invalid request"
    return _error(request, 422, message, detail)


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = f"nothing at {request.url.path}; see /openapi.json for the API"
    response = _error(request, exc.status_code, message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _user(request: Request, exc: CorridorsError) -> Response:
    if isinstance(exc, (NotBuiltError, DamagedStoreError, StoreBusyError)):
        status = 503  # no store to read (yet, or for now): `corridors build` is the fix
    else:
        status = 404 if isinstance(exc, NotFoundError) else 422
    return _error(request, status, without_paths(str(exc)))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    response = _error(request, 500, "internal error: the server log has the details")
    for key, value in HEADERS.items():
        response.headers[key] = value
    return response


def install(app: FastAPI) -> None:
    """Add the security headers and the error handlers to an app."""
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # outermost: a HEAD runs as the GET it mirrors
    # starlette types a handler as taking any Exception; each of these takes the one it is registered for
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(CorridorsError, _user)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
