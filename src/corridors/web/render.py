"""The dashboard's renderer: the Jinja templates, an HTML page with its JSON twin's link, the JSON
answer and the error page, shared by every page module."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import URL

import corridors.languages as languages
from corridors.api import respond
from corridors.web import charts, format, views

templates = Jinja2Templates(
    directory=Path(str(resources.files(__package__).joinpath("templates"))))
templates.env.filters.update(format.FILTERS)
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
    languages.gettext, languages.ngettext, newstyle=True)
templates.env.globals["current_language"] = languages.current
templates.env.globals["language_names"] = languages.NAMES
templates.env.globals["language_url"] = lambda request, code: _language_url(request, code)
templates.env.globals["static"] = lambda name: static_url(name)
templates.env.globals["charts"] = charts
templates.env.globals["category_labels"] = views.CATEGORY_LABELS


def static_url(name: str) -> str:
    """A static file's address, versioned by its content (browsers keep it for a year)."""
    from corridors.web import static_version

    return f"/static/{name}?v={static_version(name)}"


def view_query(request: Request, controls: dict | None) -> dict[str, str]:
    """The query that restores this exact view: what the address says, the year, lens, sex and
    edition the page resolved (a default year written out), and the language."""
    query = dict(request.query_params)
    for key in ("year", "lens", "sex", "edition"):
        if controls and controls.get(key) is not None:
            query[key] = str(controls[key])
    query.update((controls or {}).get("hidden") or {})
    query["lang"] = languages.current()
    return query


def _language_url(request: Request, code: str) -> str:
    """This page (path and query, relative) in another language."""
    url = URL(request.url.path).include_query_params(**{**dict(request.query_params), "lang": code})
    return str(url)


def _json_url(request: Request, path: str) -> str:
    """The JSON twin of this page: the same query, less what only shapes the HTML (``view``)."""
    query = {k: v for k, v in request.query_params.items() if k != "view"}
    return str(URL(path).include_query_params(**query))


def _render(request: Request, template: str, data: dict[str, Any], *, title: str,
            json_path: str | None, extra: dict | None = None, status: int = 200) -> Response:
    context = {
        "request": request, "data": data, "title": title, "page": data.get("page"),
        "json_url": _json_url(request, json_path) if json_path else None,
        "footer_sources": data.get("sources", [])[:6],
        **(extra or {}),
    }
    with charts.drawing(request.url.path, view_query(request, context.get("controls"))):
        return templates.TemplateResponse(request, template, context, status_code=status)


def _json(data: dict[str, Any]) -> Response:
    return Response(respond.to_json(data), media_type="application/json")


def render_error(request: Request, status: int, message: str) -> Response:
    titles = {404: "Not found", 422: "Not a valid request", 503: "No data yet",
              500: "Something went wrong"}
    data = {"page": "error", "sources": []}
    return _render(request, "error.html", data, title=titles.get(status, "Error"),
                   json_path=None, extra={"message": message}, status=status)
