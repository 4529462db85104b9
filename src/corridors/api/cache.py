"""A response cache in front of the app: the store is read-only, so the answer to a GET is the
same until ``corridors build`` swaps in a new store file.

Successful GET answers of the API and the pages are kept and served again without routing,
validation or a database call. The key is everything that shapes an answer: the path, the query
parameters (in a canonical order) and the representation the Accept header(s) ask for, decided by
:func:`corridors.api.respond.representation`, the function the answers themselves use. Answers
never depend on the Host header (links are relative), so it is not part of the key. Query
parameters a route does not declare are refused (422) before they reach the cache
(:mod:`corridors.api.security`), so made-up parameters cannot fill it.

The cache is bounded in bytes (``CORRIDORS_CACHE_MB``, see :mod:`corridors.settings`; 0 turns it
off) and in entries; the least recently used answers go first. Every entry remembers the store
file it was computed from (inode and modification time) and the state of the user's own
additions (``<home>/user/``: imported ratifications, agreements, practices, lenses); a rebuilt
store or a new import empties the cache at the next request.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

import corridors.languages as languages
from corridors.api.respond import representation
from corridors.settings import additions_stamp, settings

MAX_ENTRIES = 2048
#: The largest single answer kept (larger ones are computed each time).
MAX_BODY = 4 * 1024 * 1024
#: Bytes an entry costs besides its body (key, headers, bookkeeping), roughly.
_OVERHEAD = 512
_SKIP = ("/static/",)


def cache_key(scope: Scope) -> tuple[str, str, str, str]:
    """What shapes the answer to a request: path, query parameters in a canonical order, the
    representation asked for in the Accept header(s) and the language (``?lang=`` or
    Accept-Language, :func:`corridors.languages.of_request`)."""
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    accept = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == b"accept"]
    return scope["path"], urlencode(sorted(query)), representation(accept), languages.of_request(scope)


class ResponseCache:
    """ASGI middleware: replay cached successful GET responses for an unchanged store file."""

    def __init__(self, app: ASGIApp, store_path: Path, user_dir: Path | None = None,
                 max_bytes: int = 128 * 1024 * 1024):
        self.app = app
        self.store_path = Path(store_path)
        self.user_dir = Path(user_dir) if user_dir else None
        self.max_bytes = max(0, int(max_bytes))
        self.max_body = min(MAX_BODY, self.max_bytes)
        self.entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        #: Bytes the entries hold (bodies, headers and overhead).
        self.size = 0
        self.stamp: tuple | None = None
        self.lock = threading.Lock()

    def _stamp(self) -> tuple | None:
        try:
            info = os.stat(self.store_path)
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns, additions_stamp(self.user_dir,
                                                              settings().reference_dir)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.max_bytes == 0 or \
                scope["path"].startswith(_SKIP):
            await self.app(scope, receive, send)
            return
        stamp = self._stamp()
        if stamp is None:
            await self.app(scope, receive, send)
            return
        key = cache_key(scope)
        with self.lock:
            if stamp != self.stamp:
                self.entries.clear()
                self.size = 0
                self.stamp = stamp
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return

        start: dict = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body") and size <= self.max_body:
                    self._keep(key, stamp, list(start["headers"]), b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    @staticmethod
    def _cost(key: tuple, headers: list, body: bytes) -> int:
        return (len(body) + sum(len(k) + len(v) for k, v in headers)
                + sum(len(part) for part in key) + _OVERHEAD)

    def _keep(self, key: tuple, stamp: tuple, headers: list, body: bytes) -> None:
        """Keep an answer, dropping the least recently used ones beyond the bounds."""
        cost = self._cost(key, headers, body)
        if cost > self.max_bytes:
            return
        with self.lock:
            if self.stamp != stamp:
                return
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= self._cost(key, old[1], old[2])
            self.entries[key] = (200, headers, body)
            self.size += cost
            while self.entries and (self.size > self.max_bytes or len(self.entries) > MAX_ENTRIES):
                gone, (_status, gone_headers, gone_body) = self.entries.popitem(last=False)
                self.size -= self._cost(gone, gone_headers, gone_body)
