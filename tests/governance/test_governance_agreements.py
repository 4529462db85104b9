"""The agreement registry: schema validation with bad inputs, the alignment score, the seed."""

from __future__ import annotations

import pytest

from corridors.errors import InputError
from corridors.governance import agreements as a

GOOD = {
    "id": "x-y", "title": "Test agreement", "kind": "BLA", "parties": ["NPL", "IND"],
    "source": "constructed", "provenance": {"coded_from": "t", "coded_by": "t",
                                            "coded_on": "2026-01-01"},
}


def test_alignment_formula():
    s = a.alignment(["yes", "yes", "no"] + ["unknown"] * 7)
    assert (s["yes"], s["no"], s["unknown"], s["known"]) == (2, 1, 7, 3)
    assert s["score"] == pytest.approx(2 / 3)
    assert s["coverage"] == pytest.approx(0.3)
    assert (s["score_min"], s["score_max"]) == (pytest.approx(0.2), pytest.approx(0.9))
    none = a.alignment(["unknown"] * 10)
    assert none["score"] is None and none["score_min"] == 0 and none["score_max"] == 1


def test_seed_codes_only_what_the_paper_states():
    seed = {x.id: x for x in a.seed()}
    for wanted in ("kor-eps-tha", "hnd-mex-programme", "hnd-pan-programme", "cri-nic-bla",
                   "cri-pan-bla"):
        assert wanted in seed
    eps = seed["kor-eps-tha"]
    assert eps.value("equality_of_treatment") == "yes"
    assert "equality of treatment" in eps.provisions["equality_of_treatment"].evidence
    assert sum(v["value"] != "unknown" for v in eps.checklist()) == 1
    for bla in ("cri-nic-bla", "cri-pan-bla", "hnd-mex-programme", "hnd-pan-programme"):
        assert seed[bla].score()["known"] == 0
        assert seed[bla].year_signed is None
    assert seed["ecowas-social-security"].community == "ECOWAS"
    assert seed["mercosur-social-security"].parties == ["ARG", "BRA", "URY", "PRY"]
    assert all(x.provenance.sha256 and len(x.provenance.sha256) == 64 for x in seed.values())


@pytest.mark.parametrize("change, field", [
    ({"parties": ["NPL", "Atlantis"]}, "parties"),
    ({"parties": ["NPL"]}, "two or more parties"),
    ({"parties": ["NPL", "NPL"]}, "twice"),
    ({"parties": 5}, "parties: Input should be a valid list"),  # not a TypeError traceback
    ({"kind": "treaty"}, "kind"),
    ({"year_signed": 2999}, "future"),
    ({"year_signed": 1800}, "year_signed"),
    ({"provisions": {"equality_of_treatment": "maybe"}}, "provisions"),
    ({"provisions": {"free_lunch": "yes"}}, "unknown provision"),
    ({"provisions": {"equality_of_treatment": "yes"}}, "evidence"),
    ({"id": "Bad Id"}, "id"),
    ({"colour": "blue"}, "colour"),
    ({"provenance": {"coded_by": "t"}}, "provenance"),
])
def test_bad_records(change, field):
    record = {**GOOD, **change}
    with pytest.raises(InputError) as error:
        a.parse_records([GOOD | {"id": "ok-one"}, record], "agreements.yaml")
    problems = error.value.problems
    assert problems and all(p.row == 2 and p.file == "agreements.yaml" for p in problems)
    assert field in str(error.value)


def test_yaml_booleans_and_duplicates():
    items = a.parse_records([GOOD | {"provisions": {"gender_provisions": {
        "value": False, "evidence": "quoted"}}}], "f.yaml")
    assert items[0].value("gender_provisions") == "no"
    with pytest.raises(InputError, match="unique id"):
        a.parse_records([GOOD, GOOD], "f.yaml")


def test_csv_file_and_registry(tmp_path):
    folder = tmp_path / "agreements"
    folder.mkdir()
    path = folder / "mine.csv"
    path.write_text(
        "id,title,kind,parties,year_signed,sectors,source,coded_from,coded_by,coded_on,"
        "equality_of_treatment,equality_of_treatment_evidence,complaint_mechanism,"
        "complaint_mechanism_evidence\n"
        "npl-mys-mou,Nepal - Malaysia MoU,MoU,NPL;MYS,2018,construction;manufacturing,"
        "constructed,constructed,me,2026-01-01,yes,art. 5,no,none found\n", encoding="utf-8")
    items = a.read_file(path)
    assert items[0].parties == ["NPL", "MYS"] and items[0].sectors == ["construction",
                                                                       "manufacturing"]
    assert items[0].score()["score"] == 0.5
    registry = a.registry(tmp_path)
    assert "npl-mys-mou" in {x.id for x in registry}
    assert len(registry) == len(a.seed()) + 1
    bad = folder / "bad.csv"
    bad.write_text("id,title,kind,parties,source,coded_from,coded_by,coded_on\n"
                   "z,Zed,BLA,NPL;XXY,constructed,c,me,2026-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        a.read_file(bad)
    assert error.value.problems[0].row == 2


def test_between_uses_community_membership():
    seed = a.seed()
    members = {"ECOWAS": {"BFA", "CIV"}}
    ids = [x.id for x in a.between(seed, "BFA", "CIV", 2020, members)]
    assert ids == ["ecowas-social-security"]
    assert [x.id for x in a.between(seed, "NIC", "CRI")] == ["cri-nic-bla"]
