"""Every page in the language the reader asks for (``?lang=``, Accept-Language)."""

from __future__ import annotations


def test_pages_answer_in_the_asked_language(web_client):
    french = web_client.get("/", params={"lang": "fr"})
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text and french.headers["content-language"] == "fr"
    assert "Accept-Language" in french.headers["vary"]
    spanish = web_client.get("/", headers={"Accept-Language": "es-AR,es;q=0.9"})
    assert '<html lang="es">' in spanish.text and spanish.headers["content-language"] == "es"
    # the response cache keeps one answer per language: English is still English afterwards
    english = web_client.get("/")
    assert '<html lang="en">' in english.text and english.headers["content-language"] == "en"
    assert web_client.get("/", params={"lang": "fr"}).text == french.text
