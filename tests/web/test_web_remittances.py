"""Remittance sections of the country and corridor pages, and their JSON twins, on the store built
from the mirror: the figures shown are those of the analytics (and so of the WDI and RPW files)."""

from __future__ import annotations

import re

import pytest

from corridors.analytics import remittances


def value_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}" data-value="([^"]*)"', html)
    assert match, f"no #{element_id} with a data-value"
    return match.group(1)


def test_country_page_shows_inflows_outflows_share_and_costliest(web_client, store_con):
    html = web_client.get("/country/LSO").text
    assert 'id="h-remittances"' in html
    frame = remittances.country_remittances(store_con, "LSO")
    latest = frame.filter(frame["received_share_gdp"].is_not_null()).tail(1).to_dicts()[0]
    assert float(value_of(html, "remittances-received")) == pytest.approx(latest["received_usd"])
    assert float(value_of(html, "remittances-share-gdp")) == pytest.approx(
        latest["received_share_gdp"])
    assert 'id="remittance-costliest"' in html
    twin = web_client.get("/country/LSO.json").json()["remittances"]
    costs = remittances.remittance_costs(store_con, destination="LSO")
    period = costs["period"].max()
    top = costs.filter(costs["period"] == period).sort("cost_pct", descending=True)
    assert twin["cost_period"] == period
    assert [c["origin"] for c in twin["costliest"]] == top["origin"].head(8).to_list()
    assert {s["source_id"] for s in twin["sources"]} >= {"wdi-remittances-received", "wdi-gdp-long"}


def test_corridor_page_shows_money_sent_home_and_its_cost(web_client, store_con):
    # migrants from Lesotho in South Africa send money from ZAF (origin of the money) to LSO
    html = web_client.get("/corridor/LSO/ZAF").text
    assert "Money sent home: South Africa → Lesotho" in html
    costs = remittances.remittance_costs(store_con, origin="ZAF", destination="LSO")
    assert float(value_of(html, "corridor-cost-latest")) == pytest.approx(costs["cost_pct"][-1])
    twin = web_client.get("/corridor/LSO/ZAF.json").json()["remittances"]
    assert twin["sender"] == "ZAF" and twin["receiver"] == "LSO"
    assert [v["year"] for v in twin["volumes"]] == [2017, 2018]
    assert len(twin["costs"]) == costs.height


def test_a_corridor_without_remittance_data_says_so(web_client):
    html = web_client.get("/corridor/TUV/NRU").text
    assert 'id="corridor-cost-missing"' in html
