"""Names from the data in the reader's language (corridors.names, corridors.codes.name_in)."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest
from babel import Locale

import corridors.codes as codes
import corridors.languages as languages
import corridors.names as names
from corridors.governance.instruments import instruments


def _curated() -> list[dict[str, str]]:
    text = resources.files("corridors.codes").joinpath("names_fr_es.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(("iso3", "fr", "es"), [
    # the UN's names where CLDR says otherwise
    ("COD", "République démocratique du Congo", "República Democrática del Congo"),
    ("PSE", "État de Palestine", "Estado de Palestina"),
    ("TUR", "Türkiye", "Türkiye"),
    ("SWZ", "Eswatini", "Eswatini"),
    ("VNM", "Viet Nam", "Viet Nam"),
    ("LAO", "République démocratique populaire lao", "República Democrática Popular Lao"),
    ("BOL", "Bolivie (État plurinational de)", "Bolivia (Estado Plurinacional de)"),
    ("IRN", "Iran (République islamique d’)", "Irán (República Islámica del)"),
    ("SYR", "République arabe syrienne", "República Árabe Siria"),
    ("KOR", "République de Corée", "República de Corea"),
    ("PRK", "République populaire démocratique de Corée", "República Popular Democrática de Corea"),
    ("HKG", "Chine, RAS de Hong Kong", "China, RAE de Hong Kong"),
    ("MAC", "Chine, RAS de Macao", "China, RAE de Macao"),
    ("CHI", "Îles Anglo-Normandes", "Islas del Canal"),  # no ISO2: CLDR has no name
    ("XON", "Autres pays du Nord (non précisés)", "Otros países del Norte (no especificados)"),
    ("XOS", "Autres pays du Sud (non précisés)", "Otros países del Sur (no especificados)"),
    ("XXX", "Autre (origine inconnue)", "Otro (origen desconocido)"),
    # CLDR's names where they are the UN's
    ("CIV", "Côte d’Ivoire", "Côte d’Ivoire"),
    ("CZE", "Tchéquie", "Chequia"),
    ("UGA", "Ouganda", "Uganda"),
    ("ZAF", "Afrique du Sud", "Sudáfrica"),
    ("XKX", "Kosovo", "Kosovo"),
])
def test_a_country_in_french_and_spanish(iso3, fr, es):
    assert names.country(iso3, language="fr") == fr
    assert names.country(iso3, language="es") == es
    with languages.using("es"):
        assert names.country(iso3) == es  # the current language by default


def test_english_is_the_data_s_own_name():
    assert names.country("TUR", "Turkey", language="en") == "Turkey"
    assert names.country("TUR", language="en") == "Turkey"  # UN DESA's short name
    assert names.country("XXX", language="en") == codes.NOT_COUNTRY_NAMES["XXX"]
    assert names.country("ZZZ", "Nowhere", language="fr") == "Nowhere"  # unknown: as given


def test_every_curated_name_cites_its_page_and_differs_from_cldr():
    rows = _curated()
    assert len({r["iso3"] for r in rows}) == len(rows)
    for row in rows:
        assert row["source"].strip() and row["fr"].strip() and row["es"].strip(), row
        country = codes.countries().get(row["iso3"])
        assert country is not None or row["iso3"] in codes.NOT_COUNTRY_NAMES, row
        if country and country.iso2:  # an override says something CLDR does not, in one language
            assert (row["fr"], row["es"]) != (Locale("fr").territories.get(country.iso2),
                                              Locale("es").territories.get(country.iso2)), row


def test_every_country_of_the_store_has_a_french_and_spanish_name(store_con):
    stored = [r[0] for r in store_con.execute("SELECT iso3 FROM countries").fetchall()]
    assert len(stored) > 200
    for iso3 in [*stored, *codes.NOT_COUNTRY_NAMES]:
        for language in ("fr", "es"):
            name = codes.name_in(iso3, language)
            assert name and name.strip() == name, (iso3, language)
            country = codes.countries().get(iso3)
            cldr = Locale(language).territories.get(country.iso2) if country and country.iso2 else None
            if cldr and name != cldr:  # never English where CLDR knows the country
                assert iso3 in {r["iso3"] for r in _curated()}, (iso3, language, name)


def test_regions_communities_and_instruments_are_named_in_both_languages(store_con):
    from corridors.analytics.region_profiles import group_index

    year = store_con.execute("SELECT max(year) FROM migrant_stock").fetchone()[0]
    groups = group_index(store_con, year)
    assert {g["grouping"] for g in groups} >= {"continent", "sdg-region", "rec", "income"}
    for group in groups:
        kind, key = (("community", group["group_code"]) if group["grouping"] == "rec"
                     else ("region", group["group"]))
        for language in ("fr", "es"):
            with languages.using(language):
                found = names.group(group["grouping"], group["group_code"], group["group"])
            if group["grouping"] == "income":  # the catalogue's labels
                assert found != group["group"], (group, language)
            else:
                assert found == names.table()[(kind, key)][language], (group, language)
    for key, instrument in instruments().items():
        for language in ("fr", "es"):
            assert names.instrument(key, instrument.title, language) != instrument.title, key
    assert names.community("ECOWAS", language="fr").endswith("(CEDEAO)")
    assert names.community("MERCOSUR", language="es") == "Mercado Común del Sur"
    assert names.community("ECOWAS", "Economic Community of West African States",
                           language="en") == "Economic Community of West African States"


def test_every_name_row_cites_its_page():
    text = resources.files("corridors").joinpath("locale", "names.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(names.table())
    for row in rows:
        assert row["source"].strip() and row["fr"].strip() and row["es"].strip(), row


def test_every_source_of_the_registry_has_a_french_and_spanish_title_and_publisher():
    from corridors.sources.registry import registry

    own_names = {"CEPII", "GeoDataSource"}  # an organisation's own name, the same in every language
    for source_id, source in registry().items():
        for language in ("fr", "es"):
            assert names.source_title(source_id, source.title, language) != source.title, source_id
            if source.publisher not in own_names:
                assert names.publisher(source.publisher, language) != source.publisher, source_id
    assert names.source_title("m49", "x", "fr") == \
        "Codes standard des pays et des zones à usage statistique (M49)"
