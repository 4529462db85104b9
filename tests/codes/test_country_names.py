"""Finding a country by any name: the one rule (:func:`corridors.codes.code_for` and
:func:`corridors.codes.suggest`) that the CLI, the API and the dashboard's country box use.

A table of messy real inputs; every new bug becomes one new row."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from corridors import codes

TYPED = [
    # as people type them: short and common names
    ("UK", "GBR"), ("U.K.", "GBR"), ("Britain", "GBR"), ("USA", "USA"), ("United States", "USA"),
    ("Syria", "SYR"), ("DR Congo", "COD"), ("DRC", "COD"), ("Congo-Kinshasa", "COD"),
    ("Congo-Brazzaville", "COG"), ("Bolivia", "BOL"), ("Iran", "IRN"), ("Laos", "LAO"),
    ("Tanzania", "TZA"), ("Russia", "RUS"), ("South Korea", "KOR"), ("North Korea", "PRK"),
    ("Ivory Coast", "CIV"), ("Cape Verde", "CPV"), ("Swaziland", "SWZ"), ("Burma", "MMR"),
    ("Vietnam", "VNM"), ("Viet Nam", "VNM"), ("Turkey", "TUR"), ("Palestine", "PSE"),
    # accents, apostrophes and punctuation: any of them
    ("Türkiye", "TUR"), ("Turkiye", "TUR"), ("TÜRKIYE", "TUR"),
    ("Côte d'Ivoire", "CIV"), ("Côte d’Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"),
    ("Cote d Ivoire", "CIV"), ("cote d'ivoire", "CIV"), ("Curacao", "CUW"), ("Curaçao", "CUW"),
    ("Timor Leste", "TLS"), ("Guinea Bissau", "GNB"), ("Lao People's Democratic Republic", "LAO"),
    ("Sao Tome and Principe", "STP"), ("São Tomé and Príncipe", "STP"), ("Réunion", "REU"),
    ("Reunion", "REU"),
    # codes
    ("KEN", "KEN"), ("ken", "KEN"), ("404", "KEN"), ("KE", "KEN"),
]


@pytest.mark.parametrize(("typed", "iso3"), TYPED)
def test_a_country_by_any_name(typed, iso3):
    assert codes.code_for(typed) == iso3


@pytest.mark.parametrize(("typed", "iso3"), [
    ("Kenyia", "KEN"), ("Tanzanai", "TZA"), ("Venezuala", "VEN"), ("Nigerya", "NGA"),
    ("Phillipines", "PHL"), ("Columbia", "COL"), ("Cote divoire", "CIV"), ("Ethopia", "ETH"),
    ("tanz", "TZA"), ("Bangaldesh", "BGD"),
])
def test_a_typo_is_not_guessed_but_suggested(typed, iso3):
    assert codes.code_for(typed) is None  # never resolved silently
    assert iso3 in codes.suggest(typed)[:3]


def test_suggestions_stay_within_the_store_and_are_empty_for_nonsense():
    assert codes.suggest("Kenyia", within={"UGA", "TZA"}) == [] or "KEN" not in codes.suggest(
        "Kenyia", within={"UGA", "TZA"})
    assert codes.suggest("qqqqzzzz") == []
    assert codes.suggest("") == []


def test_ambiguous_folded_names_decide_nothing():
    """'Congo' is the Republic of the Congo as UN DESA writes it; 'DR Congo' the other one;
    a folded key two countries share resolves to neither."""
    assert codes.code_for("Congo") == "COG"
    assert codes.code_for("Niger") == "NER" and codes.code_for("Nigeria") == "NGA"
    assert codes.suggest("Korea")[:2] == ["KOR", "PRK"]


def test_common_names_do_not_contradict_the_publishers():
    """A name in aliases_common.csv that a publisher (or the country table) also writes points at
    the same country."""
    elsewhere: dict[str, str] = {}
    for country in codes.countries().values():
        elsewhere[codes.normalise(country.name)] = country.iso3
        elsewhere[codes.normalise(country.short_name)] = country.iso3
    for file in codes.alias_files():
        if file == "aliases_common.csv":
            continue
        with resources.files("corridors.codes").joinpath(file).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                elsewhere.setdefault(codes.normalise(row["alias"]), row["iso3"])
    with resources.files("corridors.codes").joinpath("aliases_common.csv").open(
            encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = codes.normalise(row["alias"])
            assert row["iso3"] in codes.countries(), row
            assert elsewhere.get(key, row["iso3"]) == row["iso3"], row


def test_every_name_of_a_country_finds_it():
    for iso3 in ("CIV", "TUR", "GBR", "COD", "VNM"):
        for name in codes.names_of(iso3):
            assert codes.code_for(name) == iso3, name


def test_the_cli_takes_any_name(built_home):
    """`corridors profile "Côte d'Ivoire"` (and the typed variants) is the profile of CIV; a typo
    is refused with the names that come close (the real command, in a subprocess)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    command = str(Path(sys.executable).with_name("corridors"))
    env = {**os.environ, "CORRIDORS_HOME": str(built_home)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([command, *args], env=env, capture_output=True, text=True,
                              timeout=300)

    for typed in ("Côte d'Ivoire", "Cote d Ivoire", "Ivory Coast"):
        done = run("profile", typed, "--format", "json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["iso3"] == "CIV"
    refused = run("profile", "Kenyia")
    assert refused.returncode != 0
    assert "did you mean Kenya (KEN)?" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(("typed", "iso3"), [
    ("Côte d'Ivoire", "CIV"), ("Afrique du Sud", "ZAF"), ("Sudáfrica", "ZAF"),
    ("sudafrica", "ZAF"), ("Allemagne", "DEU"), ("Alemania", "DEU"), ("Turquie", "TUR"),
    ("Turquía", "TUR"), ("Syrie", "SYR"), ("République arabe syrienne", "SYR"),
    ("Congo-Kinshasa", "COD"), ("République démocratique du Congo", "COD"), ("Ouganda", "UGA"),
    ("Estados Unidos", "USA"), ("États-Unis d’Amérique", "USA"), ("Kenia", "KEN"),
])
def test_french_and_spanish_names_are_read_too(typed, iso3):
    assert codes.code_for(typed) == iso3
    assert codes.suggest(typed)[0] == iso3


def test_french_and_spanish_names_never_resolve_an_official_file():
    """Readers match names as publishers write them (English); a French name is no spelling
    of a publisher's file."""
    assert codes.iso3_for_name("Allemagne") is None
    assert codes.iso3_for_name("Germany") == "DEU"
