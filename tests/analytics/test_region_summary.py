"""`ssm summary --region`: the category split of the corridors within a region or community, on
the mirror store. The four categories plus the unclassified stock add up to the group's
intra-group stock computed by the other path (:func:`intra_group_shares`)."""

from __future__ import annotations

import pytest

from corridors.analytics.lenses import BUILTIN, LensError
from corridors.analytics.regions import category_summary, intra_group_shares


@pytest.mark.parametrize(("region", "grouping", "group"), [
    ("SADC", "rec", "Southern African Development Community"),
    ("Western Asia", "un-subregion", "Western Asia"),
])
def test_region_categories_add_up_to_the_intra_group_stock(store_con, region, grouping, group):
    frame = category_summary(store_con, lenses=BUILTIN["wb-lmic"], years=2020, region=region)
    total = frame["value"].sum() + frame["unclassified"][0] + frame["unknown_origin"][0]
    shares = intra_group_shares(store_con, grouping, years=[2020])
    intra = shares.filter(shares["group"] == group)["intra_group"][0]
    assert total == pytest.approx(intra)
    assert frame["share"].sum() == pytest.approx(1.0)
    whole = category_summary(store_con, lenses=BUILTIN["wb-lmic"], years=2020)
    assert frame["value"].sum() < whole["value"].sum()


def test_unknown_region(store_con):
    with pytest.raises(LensError, match="unknown region or community 'Atlantis'"):
        category_summary(store_con, lenses=BUILTIN["wb-lmic"], years=2020, region="Atlantis")
