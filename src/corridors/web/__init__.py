"""The web dashboard: server-rendered pages over the same analytics as the CLI and the API.

Every page has a JSON twin (``/overview.json``, ``/country/KEN.json``, ...) holding exactly the
figures the page shows, and its state (year, lens, edition, filters) lives in the URL. Scripts,
styles and map outlines are served from the installed package: nothing comes from a CDN.

:func:`corridors.web.app.install` mounts the pages on an app. This module is a leaf (it imports no
page module), so the page modules may import each other's package without a cycle.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi.staticfiles import StaticFiles
from starlette.types import Scope


def static_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("static")))


@lru_cache(maxsize=64)
def static_version(name: str) -> str:
    """The first characters of a static file's SHA-256: its address changes when it does."""
    return hashlib.sha256((static_dir() / name).read_bytes()).hexdigest()[:12]


class VersionedStatic(StaticFiles):
    """Static files; asked for with ``?v=<version>`` they may be kept a year (the address
    changes with the content, :func:`static_version`)."""

    async def get_response(self, path: str, scope: Scope):
        response = await super().get_response(path, scope)
        if response.status_code == 200 and b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
