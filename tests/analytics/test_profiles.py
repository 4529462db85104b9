"""Country and corridor profiles on the constructed store (ssm_store.py)."""

from __future__ import annotations

import pytest

from corridors.analytics.corridors import NoDataError
from corridors.analytics.lenses import BUILTIN, LensError
from corridors.analytics.profiles import corridor_profile, country_profile


def test_kenya_2020_by_hand(con):
    p = country_profile(con, "404", year=2020)  # M49 code accepted
    assert (p.iso3, p.name, p.year, p.lens) == ("KEN", "Kenya", 2020, "wb-lmic")
    assert p.immigrants == 85 and p.emigrants == 200
    assert p.immigrants_unknown_origin == 5
    assert p.female_share_immigrants == pytest.approx((20 + 10 + 5 + 2) / 85)
    assert p.female_share_emigrants == pytest.approx((40 + 50) / 200)
    assert p.population == 50_000
    assert p.immigrants_share_of_population == pytest.approx(85 / 50_000)
    # South-South: of classified immigrants (80), UGA 50 + TZA 20; of emigrants, UGA 100 of 200
    assert p.south_south_share_immigrants == pytest.approx(70 / 80)
    assert p.south_south_share_emigrants == pytest.approx(0.5)
    assert p.income_group == "LM"
    assert p.top_origins.select("origin", "stock").rows()[:2] == [("UGA", 50), ("TZA", 20)]
    assert p.top_destinations["stock"].to_list() == [100, 100]
    assert p.trend.select("year", "immigrants", "emigrants").rows() == [
        (2015, 50, 140), (2020, 85, 200)]
    assert p.income_history["fiscal_year"].to_list() == ["FY89", "FY17", "FY22"]
    assert "CC BY 3.0 IGO" in p.caption
    record = p.to_dict()
    assert record["immigrants"] == 85 and isinstance(record["top_origins"], list)


def test_lens_changes_the_south_south_share(con):
    india = country_profile(con, "IND", year=2020, lens=BUILTIN["un-developing"])
    assert india.south_south_share_emigrants == pytest.approx(400 / 600)
    india_lmic = country_profile(con, "IND", year=2020)
    assert india_lmic.south_south_share_emigrants == 0.0
    assert india_lmic.trend.filter(india_lmic.trend["year"] == 2015)[
        "emigrants_south_south_share"][0] == 0.0  # 2015 India LM, but SAU/GBR are H


def test_country_errors(con):
    with pytest.raises(LensError, match="ISO3"):
        country_profile(con, "Atlantis")
    with pytest.raises(NoDataError, match="no migrant stock"):
        country_profile(con, "FRA")


def test_corridor_profile(con):
    c = corridor_profile(con, "IND", "Saudi Arabia")
    assert c.trend.select("year", "total", "male", "female").rows() == [
        (2015, 200, 150, 50), (2020, 400, 300, 100)]
    groups = {r["year"]: r for r in c.groups.iter_rows(named=True)}
    assert groups[2015]["origin_income_group"] == "LM"
    assert groups[2020]["origin_income_group"] == "UM"
    assert groups[2020]["fiscal_year"] == "FY22"
    assert (groups[2015]["gfmd-2018"], groups[2020]["gfmd-2018"]) == ("south-south", "north-south")
    assert c.contiguous is False and c.shared_communities.is_empty()
    ken_uga = corridor_profile(con, "KEN", "UGA")
    assert ken_uga.contiguous is True
    assert dict(ken_uga.shared_communities.rows()) == {"COMESA": [2015, 2020], "EAC": [2020]}
    with pytest.raises(NoDataError):
        corridor_profile(con, "USA", "KEN")
