"""A response cache in front of the app: the store is read-only, so the answer to a GET is the
same until ``corridors build`` swaps in a new store file.

Successful GET answers of the API and the pages are kept (bounded: entries and bytes) keyed by
path, query string and whether CSV was asked for in the Accept header, and served again without
routing, validation or a database call. Every entry remembers the store file it was computed from
(inode and modification time) and the state of the user's own additions (``<home>/user/``:
imported ratifications, agreements, practices, lenses); a rebuilt store or a new import empties
the cache at the next request.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ENTRIES = 2048
MAX_BODY = 4 * 1024 * 1024
_SKIP = ("/static/",)


class ResponseCache:
    """ASGI middleware: replay cached successful GET responses for an unchanged store file."""

    def __init__(self, app: ASGIApp, store_path: Path, user_dir: Path | None = None):
        self.app = app
        self.store_path = Path(store_path)
        self.user_dir = Path(user_dir) if user_dir else None
        self.entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        self.stamp: tuple | None = None
        self.lock = threading.Lock()

    def _stamp(self) -> tuple | None:
        try:
            info = os.stat(self.store_path)
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns, self._user_stamp()

    def _user_stamp(self) -> tuple[int, int]:
        """How many files the user's additions hold and the newest change among them."""
        if self.user_dir is None or not self.user_dir.is_dir():
            return 0, 0
        count, newest = 0, 0
        for root, _dirs, files in os.walk(self.user_dir):
            for name in files:
                try:
                    newest = max(newest, os.stat(os.path.join(root, name)).st_mtime_ns)
                    count += 1
                except FileNotFoundError:
                    continue
        return count, newest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or \
                scope["path"].startswith(_SKIP):
            await self.app(scope, receive, send)
            return
        stamp = self._stamp()
        if stamp is None:
            await self.app(scope, receive, send)
            return
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        key = (scope["path"], scope.get("query_string", b""), b"text/csv" in accept)
        with self.lock:
            if stamp != self.stamp:
                self.entries.clear()
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
                if not message.get("more_body") and size <= MAX_BODY:
                    with self.lock:
                        if self.stamp == stamp:
                            self.entries[key] = (200, list(start["headers"]), b"".join(chunks))
                            while len(self.entries) > MAX_ENTRIES:
                                self.entries.popitem(last=False)
            await send(message)

        await self.app(scope, receive, capture)
