"""The web dashboard: server-rendered pages over the same analytics as the CLI and the API.

Every page has a JSON twin (``/overview.json``, ``/country/KEN.json``, ...) holding exactly the
figures the page shows, and its state (year, lens, edition, filters) lives in the URL. Scripts,
styles and map outlines are served from the installed package: nothing comes from a CDN.

:func:`corridors.web.app.install` mounts the pages on an app. This module is a leaf (it imports no
page module), so the page modules may import each other's package without a cycle.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def static_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("static")))
