"""Names from the data on the pages, in the page's language: countries in partner tables, maps and
member lists, regions, communities, instrument titles and publishers; English pages and every JSON
twin keep the data's own (English) names."""

from __future__ import annotations

import re

import corridors.names as names


def test_a_french_country_page_names_its_partners_in_french(web_client):
    page = web_client.get("/country/KEN", params={"year": 2020, "lang": "fr"}).text
    assert "<h1>Kenya <span" in page
    # partner tables: Uganda, Tanzania, Somalia... in French, the UN's names where CLDR differs
    assert ">Ouganda</a>" in page and ">Somalie</a>" in page
    assert ">République-Unie de Tanzanie</a>" in page
    assert ">Uganda</a>" not in page and ">Somalia</a>" not in page
    # the map's tooltips name countries in French
    assert re.search(r"<title>Ouganda\b", page)
    # its communities and regions in French
    assert "Communauté d’Afrique de l’Est (CAE)" in page
    assert ">Afrique subsaharienne</a>" in page
    # the JSON twin keeps the data's names
    twin = web_client.get("/country/KEN.json", params={"year": 2020, "lang": "fr"}).json()
    assert any(r["name"] == "Uganda" for r in twin["top_origins"])


def test_a_spanish_community_page_names_its_members_in_spanish(web_client):
    page = web_client.get("/community/ECOWAS", params={"lang": "es"}).text
    title = "Comunidad Económica de los Estados de África Occidental (CEDEAO)"
    assert f"<title>{title}: perfil regional" in page
    members = dict(re.findall(r'data-iso3="([A-Z]{3})"><th scope="row"><a [^>]*>([^<]*)</a>',
                              page))
    assert len(members) >= 15
    assert members["CIV"] == "Côte d’Ivoire" and members["GMB"] == "Gambia"
    assert members["SEN"] == "Senegal" and members["CPV"] == "Cabo Verde"
    assert members["NER"] == "Níger" and members["BEN"] == "Benín"
    for iso3, name in members.items():
        assert name == names.country(iso3, language="es")
    english = web_client.get("/community/ECOWAS", params={"lang": "en"}).text
    assert ">Benin</a>" in english and ">Benín</a>" not in english


def test_the_explorer_overview_and_governance_pages_name_things_in_the_page_s_language(web_client):
    explore = web_client.get("/explore", params={"destination": "KEN", "lang": "es"}).text
    assert ">Somalia</a>" in explore and ">Uganda</a>" in explore
    assert '<option value="DEU">Alemania</option>' in explore  # the country list
    overview = web_client.get("/", params={"lang": "fr"}).text
    assert "Arabie saoudite" in overview or "Fédération de Russie" in overview
    scorecard = web_client.get("/scorecard/UGA/KEN", params={"lang": "fr"}).text
    assert "<title>Ouganda → Kenya" in scorecard
    assert "Convention sur les travailleurs migrants (révisée), 1949" in scorecard
    regions = web_client.get("/regions", params={"lang": "es"}).text
    assert "MERCOSUR – Mercado Común del Sur<" in regions and "África subsahariana" in regions
    practices = web_client.get("/practices", params={"lang": "fr"}).text
    assert "protection sociale" in practices
    sources = web_client.get("/sources", params={"lang": "es"}).text
    assert "Banco Mundial" in sources
    assert "Códigos uniformes de países o zonas para uso estadístico (M49)" in sources
    english = web_client.get("/sources").text
    assert "Standard country or area codes for statistical use (M49)" in english


def test_the_country_box_reads_and_suggests_names_in_the_page_s_language(web_client):
    for typed, iso3 in (("Afrique du Sud", "ZAF"), ("Sudáfrica", "ZAF"), ("Allemagne", "DEU"),
                        ("Turquía", "TUR"), ("Côte d'Ivoire", "CIV")):
        answer = web_client.get("/country", params={"code": typed, "lang": "fr"},
                                follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/country/{iso3}?lang=fr"
    french = {tuple(p) for p in web_client.get("/country-names.json",
                                               params={"lang": "fr"}).json()["names"]}
    assert ("Afrique du Sud", "ZAF") in french and ("Türkiye", "TUR") in french
    assert ("South Africa", "ZAF") in french  # English names still suggested
    english = {tuple(p) for p in web_client.get("/country-names.json").json()["names"]}
    assert ("Afrique du Sud", "ZAF") not in english
    found = web_client.get("/country", params={"code": "Alemanai", "lang": "es"}).text
    assert re.search(r'data-iso3="DEU">Alemania</a>', found)


def test_english_pages_read_the_data_as_it_is():
    """English is the data's own language: localise hands the data back untouched (the same
    object), so English pages and every JSON twin stay as they were."""
    import corridors.languages as languages
    from corridors.web.names import localise

    data = {"iso3": "UGA", "name": "Uganda", "rows": [{"origin": "KEN", "origin_name": "Kenya"}]}
    with languages.using("en"):
        assert localise(data) is data
    with languages.using("fr"):
        french = localise(data)
    assert french == {"iso3": "UGA", "name": "Ouganda",
                      "rows": [{"origin": "KEN", "origin_name": "Kenya"}]}
    assert data["name"] == "Uganda"  # the (memoised) data itself is never changed
