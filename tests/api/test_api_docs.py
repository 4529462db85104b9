"""The API and dashboard docs cannot drift: every endpoint in the OpenAPI schema and every page is
documented, and every URL in the docs' examples answers on the store built from the mirror."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).parents[2] / "docs"


def test_every_endpoint_is_documented(small_client):
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    for path in small_client.get("/openapi.json").json()["paths"]:
        assert path in text, f"docs/api.md does not mention {path}"


def test_every_page_is_documented(small_client):
    from corridors.web.app import router

    text = (DOCS / "dashboard.md").read_text(encoding="utf-8")
    for route in router.routes:
        first = "/" + route.path.strip("/").split("/")[0]
        assert first.split("{")[0] in text, f"docs/dashboard.md does not mention {route.path}"


def test_documented_examples_answer(client):
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    urls = re.findall(r"'http://127\.0\.0\.1:8000(/api/v1/[^']+)'", text)
    assert len(urls) >= 8
    for url in urls:
        response = client.get(url)
        expected = 404 if "ZZZ" in url else 422 if "cachebust" in url else 200
        assert response.status_code == expected, (url, response.text[:200])
    assert client.get("/api/v1/stocks?year=2020").json()["items"][0]["value"] == 280_598_105
    assert "280,598,105" in text
