"""Every link the pages make is answered: since an undeclared query parameter answers 422, a link
with a parameter its page does not take would be a dead link. Crawls the dashboard from its
front pages over the store built from the mirror."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from corridors.api.main import create_app

START = ["/", "/explore", "/scorecard", "/practices", "/sources", "/methods", "/country/KEN",
         "/corridor/UGA/KEN", "/scorecard/UGA/KEN", "/explore?destination=KEN&offset=100"]


def test_every_link_of_the_pages_is_answered(built_store: Path):
    with TestClient(create_app(built_store), raise_server_exceptions=False) as client:
        todo, seen, shapes, failed = list(START), set(), set(), []
        while todo and len(seen) < 200:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            answer = client.get(url)
            if answer.status_code != 200:
                failed.append(f"{url}: {answer.status_code} {answer.text[:160]}")
                continue
            if not answer.headers["content-type"].startswith("text/html"):
                continue
            for link in re.findall(r'href="(/[^"]*)"', answer.text):
                link = html.unescape(link)
                path, _, query = link.partition("?")
                # one link of each shape (path pattern and parameter names) is enough
                shape = (re.sub(r"/[A-Z]{3}\b", "/XXX", path),
                         tuple(sorted(p.split("=")[0] for p in query.split("&") if p)))
                if link.startswith("/static/") or shape in shapes:
                    continue
                shapes.add(shape)
                todo.append(link)
        assert not failed, failed
        assert len(seen) > 30


def test_country_links_lead_to_countries(web_client):
    """The crawl above follows one link of each shape; a link to a code with no page (the unknown
    origin, XXX, in the map's list) has the same shape as Kenya's. Every country a page links to
    is in the country table."""
    known = {code for _name, code in web_client.get("/country-names.json").json()["names"]}
    for page in ("/country/KEN?year=2020", "/country/BRA", "/?year=2020", "/community/ECOWAS"):
        linked = set(re.findall(r'href="/country/([A-Z]{3})\b', web_client.get(page).text))
        assert linked and linked <= known, (page, sorted(linked - known))
