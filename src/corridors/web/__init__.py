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


def static_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("static")))


def install(app: FastAPI) -> None:
    """Mount the static files and the page routes on an app."""
    from corridors.web import pages

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.include_router(pages.router)
    app.state.render_error = pages.render_error
