"""Names from the data in the page's language, in a real browser (Debian's Chromium through
Playwright): a French country page names its partners in French, a Spanish community page its
members and itself in Spanish, and the country box takes a French name."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_french_country_page_and_spanish_community_page(page, live_server):
    page.goto(f"{live_server.url}/country/KEN?year=2020&lang=fr")
    assert page.locator("h1").inner_text().startswith("Kenya")
    origins = page.locator("table", has=page.locator("a", has_text="Ouganda"))
    assert origins.count() >= 1 and origins.first.is_visible()
    assert page.get_by_role("link", name="Ouganda", exact=True).count() >= 1
    assert page.get_by_role("link", name="Uganda", exact=True).count() == 0
    assert page.outside == [] and page.errors == []  # type: ignore[attr-defined]

    page.goto(f"{live_server.url}/community/ECOWAS?lang=es")
    assert page.title().startswith(
        "Comunidad Económica de los Estados de África Occidental (CEDEAO): perfil regional")
    for name in ("Benín", "Côte d’Ivoire", "Níger", "Cabo Verde"):
        assert page.get_by_role("link", name=name, exact=True).first.is_visible(), name
    assert page.get_by_role("link", name="Benin", exact=True).count() == 0
    assert page.outside == [] and page.errors == []  # type: ignore[attr-defined]


def test_the_country_box_takes_a_french_name(page, live_server):
    page.goto(f"{live_server.url}/?lang=fr")
    page.focus("#jump-code")
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that
    # Playwright's polling predicate needs, and the predicate polls whenever the
    # list is not filled at the first look.
    page.locator("#jump-list option").nth(200).wait_for(state="attached")
    values = page.evaluate("Array.from(document.querySelectorAll('#jump-list option'))"
                           ".map(o => o.value)")
    assert "Afrique du Sud" in values and "Allemagne" in values
    page.fill("#jump-code", "Afrique du Sud")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/country/ZAF" in page.url and "lang=fr" in page.url
    assert page.locator("h1").inner_text().startswith("Afrique du Sud")
    assert page.outside == [] and page.errors == []  # type: ignore[attr-defined]
