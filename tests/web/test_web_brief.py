"""The printable brief (/brief/<code>, ``corridors brief``): its figures are the API's, in every
language; a PDF of two pages printed by Debian's Chromium; one clear message for a bad place."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app
from corridors.web import brief

runner = CliRunner()
CORRIDORS = str(Path(sys.executable).with_name("corridors"))
LANGUAGES = ("en", "fr", "es")


def value_of(html: str, element_id: str) -> float:
    match = re.search(rf'id="{element_id}" data-value="([^"]*)"', html)
    assert match, f"no #{element_id} with a data-value"
    return float(match.group(1))


def rows_of(html: str, table_id: str) -> list[tuple[str, float]]:
    """(partner ISO3, stock) of a brief table, in order."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [(iso3, float(stock)) for iso3, stock in re.findall(
        r'<tr data-iso3="([A-Z]{3})"><td>[^<]*</td><td class="num" data-value="([^"]+)"', body)]


def pages_in(pdf: bytes) -> int:
    """Pages of a PDF: its page objects (``/Type /Page``, not the ``/Pages`` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


def run(home: Path, *args: str):
    result = runner.invoke(app, ["--home", str(home), *args])
    settings_module.reset()
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_country_brief_figures_equal_the_api(web_client, language):
    html = web_client.get("/brief/KEN", params={"lang": language, "year": 2020}).text
    assert f'<html lang="{language}">' in html
    profile = web_client.get("/api/v1/countries/KEN/profile", params={"year": 2020}).json()
    for element, key in [("brief-immigrants", "immigrants"), ("brief-emigrants", "emigrants"),
                         ("brief-female-immigrants", "female_share_immigrants"),
                         ("brief-female-emigrants", "female_share_emigrants"),
                         ("brief-ss-immigrants", "south_south_share_immigrants"),
                         ("brief-ss-emigrants", "south_south_share_emigrants")]:
        assert value_of(html, element) == pytest.approx(profile[key]), element
    into = web_client.get("/api/v1/corridors", params={
        "destination": "KEN", "year": 2020, "limit": 1000}).json()["items"]
    south = sorted((r for r in into if r["category_wb_lmic"] == "south-south"),
                   key=lambda r: -r["stock"])[:brief.TOP]
    assert rows_of(html, "brief-ss-in") == [(r["origin"], r["stock"]) for r in south]
    out = web_client.get("/api/v1/corridors", params={
        "origin": "KEN", "year": 2020, "limit": 1000}).json()["items"]
    south_out = sorted((r for r in out if r["category_wb_lmic"] == "south-south"),
                       key=lambda r: -r["stock"])[:brief.TOP]
    assert rows_of(html, "brief-ss-out") == [(r["destination"], r["stock"]) for r in south_out]
    # neighbours and communities: the API's corridors over all immigrants (unknown origin too)
    neighbours = sum(r["stock"] for r in into if r["contiguous"])
    community = sum(r["stock"] for r in into if r["same_rec"])
    assert value_of(html, "brief-neighbours") == pytest.approx(neighbours / profile["immigrants"])
    assert value_of(html, "brief-communities") == pytest.approx(community / profile["immigrants"])
    assert round(value_of(html, "brief-neighbours"), 3) == 0.861  # Kenya: mostly its neighbours
    # remittances and ratifications are there, and the source and edition under every figure
    assert 'id="brief-remittances-received"' in html and 'id="brief-ratifications"' in html
    assert html.count('class="source"') >= 5 and "ims2020" in html
    assert html.count('<figure class="chart') == 3


@pytest.mark.parametrize(("language", "words"), [
    ("en", "members in 2020"), ("fr", "membres en 2020"), ("es", "miembros en 2020")])
def test_community_brief_summarises_its_members(web_client, language, words):
    html = web_client.get("/brief/ECOWAS", params={"lang": language, "year": 2020}).text
    assert words in html
    members = re.findall(r'<tr data-iso3="([A-Z]{3})">', html.split('id="brief-member-table"')[1])
    assert len(members) == value_of(html, "brief-members") == 15
    assert {"NGA", "GHA", "SEN", "CIV"} <= set(members)
    assert 0 < value_of(html, "brief-origin-view") < value_of(html, "brief-destination-view") < 1


def test_unknown_place_is_one_clear_page(web_client):
    answer = web_client.get("/brief/NOWHERE")
    assert answer.status_code == 404
    assert "neither a country" in answer.text and "ECOWAS" in answer.text
    assert "Traceback" not in answer.text


def test_country_page_has_a_print_brief_button_in_its_language(web_client):
    html = web_client.get("/country/KEN", params={"lang": "es", "year": 2015,
                                                  "lens": "wb-non-high"}).text
    link = re.search(r'<a class="button" id="print-brief-link" href="([^"]+)">([^<]+)</a>', html)
    assert link and link.group(2) == "Imprimir la ficha"
    href = link.group(1).replace("&amp;", "&")
    assert href.startswith("/brief/KEN?") and {"year=2015", "lens=wb-non-high", "lang=es"} <= set(
        href.split("?")[1].split("&"))
    page = web_client.get(href)
    assert page.status_code == 200 and "ficha Sur–Sur, 2015" in page.text
    assert "Banco Mundial: ingreso no alto" in page.text  # the lens by its Spanish name


@pytest.mark.skipif(brief.chromium() is None, reason="apt-get install chromium to print PDFs")
def test_cli_prints_a_two_page_pdf_in_spanish(built_home: Path, tmp_path: Path):
    out = tmp_path / "kenia.pdf"
    result = run(built_home, "brief", "KEN", "--lang", "es", "--year", "2020", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and pages_in(pdf) == 2
    assert not list(tmp_path.glob(".*partial"))
    community = tmp_path / "ecowas.pdf"
    assert run(built_home, "brief", "ECOWAS", "--lang", "fr", "--out", str(community)).exit_code == 0
    assert pages_in(community.read_bytes()) == 2


def test_cli_html_brief_needs_nothing(built_home: Path, tmp_path: Path, web_client):
    out = tmp_path / "kenia.html"
    result = run(built_home, "brief", "Kenya", "--lang", "es", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in html and "<style>" in html and "/static/" not in html
    assert "Principales corredores Sur–Sur hacia: Kenia" in html
    page = web_client.get("/brief/KEN", params={"lang": "es"}).text
    for element in ("brief-immigrants", "brief-neighbours", "brief-ss-immigrants"):
        assert value_of(html, element) == value_of(page, element)  # the page's figures


@pytest.mark.parametrize(("args", "message"), [
    (["NOWHERE", "--out", "x.pdf"], "is neither a country"),
    (["KEN", "--out", "x.docx"], "expected a file ending in .pdf or .html"),
    (["KEN", "--lang", "de", "--out", "x.html"], "expected one of en, fr, es"),
    (["KEN", "--year", "1991", "--out", "x.html"], "year"),
])
def test_cli_bad_input_is_one_message(built_home: Path, tmp_path: Path, args, message):
    """Through the real command: one line starting "error:", no traceback, nothing written."""
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    proc = subprocess.run([CORRIDORS, "brief", *args], capture_output=True, text=True,
                          env={**os.environ, "CORRIDORS_HOME": str(built_home)}, timeout=300)
    assert proc.returncode != 0
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr, proc.stderr
    assert message in " ".join(proc.stderr.split())
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_without_chromium_says_so_and_offers_html(built_home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(brief, "CHROMIUM", (str(tmp_path / "no-such-chromium"),))
    result = run(built_home, "brief", "KEN", "--out", str(tmp_path / "kenya.pdf"))
    assert isinstance(result.exception, brief.BriefError)
    text = str(result.exception)
    assert "apt-get install chromium" in text and "kenya.html" in text
    assert not (tmp_path / "kenya.pdf").exists()


@pytest.mark.parametrize(("page", "brief_path"), [
    ("/community/ECOWAS", "/brief/ECOWAS"), ("/region/continent/002", "/brief/002")])
def test_region_and_community_pages_have_a_print_brief_button(web_client, page, brief_path):
    html = web_client.get(page, params={"lang": "fr", "year": 2015}).text
    link = re.search(r'<a class="button" id="print-brief-link" href="([^"]+)">([^<]+)</a>', html)
    assert link and link.group(2) == "Imprimer la fiche"
    href = link.group(1).replace("&amp;", "&")
    assert href.startswith(brief_path + "?") and {"year=2015", "lang=fr"} <= set(href.split("?")[1].split("&"))
    brief_page = web_client.get(href).text
    assert re.search(r"<h1>[^<]+ : fiche Sud–Sud, 2015</h1>", brief_page)  # the group's name: data
    members = web_client.get(page + ".json", params={"year": 2015}).json()["member_count"]
    assert value_of(brief_page, "brief-members") == members  # the page's group, its members
    # income groups have pages but no brief: no button there
    assert 'id="print-brief-link"' not in web_client.get("/region/income/LM").text
