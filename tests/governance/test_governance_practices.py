"""The good-practice catalogue: the seed, schema validation, BM25 search and facets."""

from __future__ import annotations

import pytest

from corridors.errors import InputError
from corridors.governance import practices as p

NAMED_IN_PAPER = [
    "asean-ilms", "mercosur-social-security", "cipres-social-security", "ecowas-social-security",
    "asean-forum-migrant-labour", "sadc-employment-labour-sector", "sica-labour-migration",
    "colombo-process", "abu-dhabi-dialogue", "philippines-institutions",
    "morocco-migration-policy", "south-africa-labour-law", "lesotho-labour-law",
    "ilo-fair-nepal-tunisia", "iom-iris", "korea-eps", "cetu-fenasol",
    "mercosur-trade-union-agreements", "honduras-mexico-programme", "costa-rica-nicaragua-bla",
]


def test_seed_holds_every_named_practice():
    ids = {x.id for x in p.seed()}
    assert set(NAMED_IN_PAPER) <= ids
    assert len(ids) >= 20
    levels = {x.level for x in p.seed()}
    assert levels == set(p.LEVELS)


def test_search_ranks_by_relevance():
    hits = p.search("social security", practices=list(p.seed()))
    top3 = {h["id"] for h in hits[:3]}
    assert top3 == {"mercosur-social-security", "ecowas-social-security",
                    "cipres-social-security"}
    assert hits[0]["score"] >= hits[-1]["score"] > 0
    assert p.search("Philippines", practices=list(p.seed()))[0]["id"] == "philippines-institutions"
    assert p.search("recruitment fair", practices=list(p.seed()))[0]["themes"] == [
        "fair recruitment"]
    assert p.search("zebra giraffe", practices=list(p.seed())) == []


def test_facets_filter():
    seed = list(p.seed())
    bilateral = p.search("", level="bilateral", practices=seed)
    assert bilateral and all(h["level"] == "bilateral" for h in bilateral)
    gcm22 = p.search("", gcm=22, practices=seed)
    assert {h["id"] for h in gcm22} == {"mercosur-social-security", "cipres-social-security",
                                         "ecowas-social-security"}
    nepal = p.search("", country="Nepal", practices=seed)
    assert [h["id"] for h in nepal] == ["ilo-fair-nepal-tunisia"]
    # through community membership: a West African country finds ECOWAS practices
    ghana = p.search("", country="GHA", practices=seed, member_of={"ECOWAS": {"GHA"}})
    assert {"ecowas-social-security", "midwa"} <= {h["id"] for h in ghana}
    counts = p.facets(bilateral)
    assert counts["level"] == {"bilateral": len(bilateral)}
    with pytest.raises(InputError):
        p.search("", level="global")
    with pytest.raises(InputError):
        p.search("", gcm=24)
    with pytest.raises(InputError):
        p.search("", country="Atlantis")


@pytest.mark.parametrize("change, needle", [
    ({"level": "global"}, "level"),
    ({"themes": ["cooking"]}, "unknown theme"),
    ({"themes": []}, "themes"),
    ({"gcm_objectives": [24]}, "GCM objective 24"),
    ({"sdg_targets": ["10.77x"]}, "SDG target"),
    ({"countries": ["Atlantis"]}, "unknown country"),
    ({"countries": 5}, "countries: Input should be a valid list"),  # not a TypeError traceback
    ({"sdg_targets": 10.7}, "sdg_targets: Input should be a valid list"),
    ({"link": "ftp://x"}, "link"),
])
def test_bad_practice_records(change, needle):
    good = {"id": "t", "title": "Test practice", "level": "national", "themes": ["labour law"],
            "summary": "A constructed practice.", "source": "constructed"}
    assert p.parse_records([good], "p.yaml")[0].id == "t"
    with pytest.raises(InputError) as error:
        p.parse_records([good | {"id": "u"}, good | change], "p.yaml")
    assert needle in str(error.value)
    assert all(x.row == 2 for x in error.value.problems)


def test_tokens():
    assert p.tokens("Social-Security agreements, Côte d'Ivoire") == [
        "social", "security", "agreement", "cote", "d", "ivoire"]
