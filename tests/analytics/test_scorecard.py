"""Scorecard arithmetic on a constructed store, reference folder and agreement
(tests/governance_inputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.analytics import scorecard as sc
from governance_inputs import constructed_store, write_reference, write_user_dir


@pytest.fixture
def con():
    """The constructed store (four corridors into and out of India), not the package's ssm store."""
    connection = constructed_store()
    yield connection
    connection.close()


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    return write_reference(tmp_path)


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    return write_user_dir(tmp_path)


@pytest.fixture
def gov(con, reference, user_dir):
    return sc.Governance.load(con, reference, mirror=reference.parent / "no-mirror",
                              user_dir=user_dir)


def by_name(card: dict) -> dict:
    return {i["indicator"]: i for i in card["indicators"]}


def test_indicator_formula_on_items():
    row = sc.indicator("free_movement", [1.0, 0.0, None, 0.5])
    assert row["items"] == 4 and row["known"] == 3
    assert row["value"] == pytest.approx(1.5 / 3)
    assert row["low"] == pytest.approx(1.5 / 4)
    assert row["high"] == pytest.approx(2.5 / 4)
    assert row["known_share"] == pytest.approx(0.75)
    empty = sc.indicator("social_security", [None])
    assert empty["value"] is None and empty["low"] == 0 and empty["high"] == 1


def test_scorecard_nepal_india_2020(con, gov):
    card = sc.scorecard(con, "NPL", "IND", 2020, gov=gov)
    assert card["corridor"]["edition"] == "ims2020"
    stock = card["stock"]
    assert stock["value"] == 150.0 and stock["previous"] == 100.0 and stock["change"] == 50.0
    assert stock["female_share"] == pytest.approx(0.4)
    assert stock["categories"]["wb-lmic"] == "south-south"
    assert stock["sources"][0]["sha256"] == "abc123"
    assert [t["year"] for t in card["trend"]] == [2015, 2020]

    ind = by_name(card)
    # migrant-specific: NPL C097=1, ICRMW=0 (signed, complete list); IND C097=0 (2021 > 2020),
    # C143=1 (2019, inferred), ICRMW=0 (absent from a complete list), SOM=1; the rest unknown.
    mig = ind["migrant_instruments"]
    assert (mig["items"], mig["known"]) == (12, 6)
    assert mig["value"] == pytest.approx(3 / 6)
    assert mig["low"] == pytest.approx(3 / 12)
    assert mig["high"] == pytest.approx(9 / 12)
    fund = ind["fundamental_instruments"]
    assert (fund["items"], fund["known"], fund["low"], fund["high"]) == (22, 0, 0.0, 1.0)
    fm = ind["free_movement"]
    assert (fm["known"], fm["value"]) == (1, 0.5)
    bla = ind["bilateral_agreement"]
    assert (bla["items"], bla["known"]) == (10, 4)
    assert bla["value"] == pytest.approx(3 / 4)
    assert bla["low"] == pytest.approx(0.3) and bla["high"] == pytest.approx(0.9)
    assert ind["social_security"]["value"] == 1.0

    cov = card["coverage"]
    assert cov["evidenced"] == pytest.approx((0.25 + 0 + 0.5 + 0.3 + 1) / 5)
    assert cov["possible"] == pytest.approx((0.75 + 1 + 0.5 + 0.9 + 1) / 5)
    assert cov["known_share"] == pytest.approx((0.5 + 0 + 1 + 0.4 + 1) / 5)
    assert cov["weakest"] == "fundamental_instruments"
    assert [c["rec_code"] for c in card["communities"]["shared"]] == ["SAARC"]
    assert [a["id"] for a in card["agreements"]] == ["npl-ind-test"]


def test_year_matters(con, gov):
    card = sc.scorecard(con, "NPL", "IND", 2015, gov=gov)
    mig = by_name(card)["migrant_instruments"]
    # in 2015 India had not yet ratified C143 (2019): S drops from 3 to 2
    assert mig["value"] == pytest.approx(2 / 6)
    # the agreement (2010) already existed
    assert by_name(card)["bilateral_agreement"]["known"] == 4


def test_ranking_weakest_first(con, gov):
    rows = sc.rank(con, "wb-lmic", 2020, gov=gov)
    assert [(r["origin"], r["destination"]) for r in rows] == [
        ("BGD", "IND"), ("NPL", "IND"), ("IND", "NPL")]  # CHN is UM: not South under wb-lmic
    assert [r["rank"] for r in rows] == [1, 2, 3]
    # BGD->IND: migrant 3/12 (BGD C097 0, ICRMW 1), free movement 0.5, nothing else evidenced
    assert rows[0]["evidenced"] == pytest.approx((0.25 + 0 + 0.5 + 0 + 0) / 5)
    assert rows[1]["evidenced"] == pytest.approx(rows[2]["evidenced"])
    assert rows[1]["stock"] > rows[2]["stock"]
    top1 = sc.rank(con, "wb-lmic", 2020, gov=gov, top=1)
    assert [(r["origin"], r["stock"]) for r in top1] == [("BGD", 300.0)]
    wider = sc.rank(con, "wb-non-high", 2020, gov=gov)
    assert ("CHN", "IND") in {(r["origin"], r["destination"]) for r in wider}


def test_unknown_corridor_and_country(con, gov):
    from corridors.analytics.corridors import NoDataError
    from corridors.errors import InputError

    with pytest.raises(NoDataError):
        sc.scorecard(con, "NPL", "BGD", 2020, gov=gov)
    with pytest.raises(InputError):
        sc.scorecard(con, "Atlantis", "IND", 2020, gov=gov)
