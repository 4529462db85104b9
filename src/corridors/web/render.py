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
from corridors.languages import N_
from corridors.languages import gettext as _
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
templates.env.globals["status_label"] = lambda status: views.label(views.STATUS_LABELS, status)
templates.env.globals["basis_label"] = lambda basis: views.label(views.BASIS_LABELS, basis)
templates.env.globals["coverage_label"] = views.coverage_label
templates.env.globals["href"] = lambda path, **params: _href(path, **params)
templates.env.globals["brief_url"] = lambda request, code: _brief_url(request, code)


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
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    return str(URL(request.url.path).include_query_params(**query, lang=code))


def _href(path: str, **params: Any) -> str:
    """A link to one of our pages, with its query (None values left out) and the language."""
    query = {k: v for k, v in params.items() if v is not None}
    return languages.keep(str(URL(path).include_query_params(**query)) if query else path)


def _brief_url(request: Request, code: str) -> str:
    """The printable brief of ``code`` in this page's year, lens, edition and language."""
    keep = {k: request.query_params.get(k) for k in ("year", "lens", "edition")}
    return _href(f"/brief/{code}", **keep)


def _json_url(request: Request, path: str) -> str:
    """The JSON twin of this page: the same query, less what only shapes the HTML (``view``)."""
    query = {k: v for k, v in request.query_params.items() if k != "view"}
    return str(URL(path).include_query_params(**query))


def _render(request: Request, template: str, data: dict[str, Any], *, title: str,
            json_path: str | None, extra: dict | None = None, status: int = 200) -> Response:
    from corridors.web.names import localise

    data, extra = localise(data), localise(extra)  # names from the data in the page's language
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


ERROR_TITLES = {404: N_("Not found"), 422: N_("Not a valid request"), 503: N_("No data yet"),
                500: N_("Something went wrong")}


def _web_message(status: int, message: str) -> str:
    """The error handlers' own messages in the reader's language (a message about a value keeps
    the wording of the rule that refused it)."""
    import re

    if status == 500:
        return _("Internal error: the server's log has the details.")
    found = re.fullmatch(r"nothing at (\S+); see /openapi.json for the API", message)
    if found:
        return _("There is no page at {path}.").format(path=found.group(1))
    return message


def render_error(request: Request, status: int, message: str) -> Response:
    message = _web_message(status, message)
    data = {"page": "error", "sources": []}
    return _render(request, "error.html", data, title=_(ERROR_TITLES.get(status, N_("Error"))),
                   json_path=None, extra={"message": message}, status=status)
