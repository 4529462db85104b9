"""`/api/v1/remittances/...` on the store built from the mirror: the twins of the CLI commands
answer the same rows as the analytics, with their sources; bad input is a 422 naming the fix."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridors.analytics import remittances
from corridors.analytics.lenses import BUILTIN

PREFIX = "/api/v1/remittances"


def test_country_twin(client, mirror: Path):
    body = client.get(f"{PREFIX}/country/LSO", params={"year": 2016}).json()
    row = body["items"][0]
    gdp = next(float(r["Value"]) for r in csv.DictReader(
        (mirror / "world-bank/derived/gdp_current_usd_wdi.csv").open(encoding="utf-8"))
        if r["Country Code"] == "LSO" and r["Year"] == "2016")
    assert row["gdp_usd"] == gdp
    assert row["received_share_gdp"] == pytest.approx(row["received_usd"] / gdp)
    assert {s["source_id"] for s in body["sources"]} == {
        "wdi-gdp-long", "wdi-remittances-received", "wdi-remittances-paid"}
    assert all(s["sha256"] for s in body["sources"])


@pytest.mark.parametrize("lens", sorted(BUILTIN))
def test_summary_twin_equals_the_analytics(client, store_con, lens: str):
    body = client.get(f"{PREFIX}/summary", params={"lens": lens}).json()
    expected = remittances.remittance_summary(store_con, lenses=[BUILTIN[lens]]).to_dicts()
    assert [(r["year"], r["category"]) for r in body["items"]] == [
        (r["year"], r["category"]) for r in expected]
    assert [r["value_usd"] for r in body["items"]] == pytest.approx(
        [r["value_usd"] for r in expected])


def test_corridors_costs_sdg_fees(client, store_con):
    corridors = client.get(f"{PREFIX}/corridors", params={"destination": "NPL", "year": 2018,
                                                          "top": 3}).json()["items"]
    assert [c["origin"] for c in corridors] == remittances.remittance_corridors(
        store_con, lens=BUILTIN["wb-lmic"], years=2018, destination="NPL", limit=3)[
        "origin"].to_list()
    costs = client.get(f"{PREFIX}/costs", params={"origin": "ZAF", "destination": "LSO",
                                                  "period": "2020Q3"}).json()["items"]
    assert len(costs) == 1 and costs[0]["origin"] == "ZAF" and costs[0]["period"] == "2020Q3"
    sdg = client.get(f"{PREFIX}/sdg", params={"period": "2020Q3"}).json()["items"][0]
    assert sdg["corridors_above_5_pct"] == cost_above(store_con, "2020Q3")
    fees = client.get(f"{PREFIX}/fees", params={"year": 2017, "top": 2}).json()["items"]
    assert len(fees) == 2 and fees[0]["fees_usd"] >= fees[1]["fees_usd"]
    csv_text = client.get(f"{PREFIX}/costs", params={"period": "2020Q3", "format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("origin,destination,period")


def cost_above(con, period: str) -> int:
    return con.execute("SELECT count(*) FROM remittance_costs WHERE period = ? AND "
                       "source_id = 'wb-rpw-databank' AND cost_pct > 5", [period]).fetchone()[0]


@pytest.mark.parametrize(("path", "params"), [
    ("/costs", {"period": "2020Q5"}),
    ("/summary", {"year": 2016}),
])
def test_bad_input_is_a_422(client, path: str, params: dict):
    response = client.get(PREFIX + path, params=params)
    assert response.status_code == 422


@pytest.mark.parametrize(("path", "params"), [
    ("/country/Atlantis", {}),
    ("/sdg", {"period": "1999Q1"}),
])
def test_a_well_formed_value_the_store_lacks_is_a_404(client, path: str, params: dict):
    """As every API endpoint: the right form, nothing held for it (see docs/api.md)."""
    response = client.get(PREFIX + path, params=params)
    assert response.status_code == 404
    assert "Traceback" not in response.text
