"""Flows over HTTP on the store built from the mirror: a corridor both ways per period and sex, and
the South-South summary, equal to the analytics over the store's saved flows table."""

from __future__ import annotations

import polars as pl
import pytest

from corridors.analytics.flows import global_run
from corridors.analytics.flows.lenses import lens_flows
from corridors.analytics.flows.summaries import corridor
from corridors.analytics.lenses import get_lens
from corridors.api.schemas import CorridorFlowsPublic, FlowCategoryPublic


@pytest.fixture(scope="module")
def saved(built_store):
    from corridors.store import connect

    con = connect(built_store)
    edition = global_run.default_edition(con)
    frame = global_run.stored_flows(con, edition=edition,
                                    period_list=global_run.periods(con, edition),
                                    sexes=("male", "female"))
    yield con, edition, frame
    con.close()


def test_corridor_flows_both_ways_equal_the_analytics(client, saved):
    con, edition, frame = saved
    assert frame is not None, "the build saves the default flows run"
    body = client.get("/api/v1/flows/SOM/KEN").json()
    CorridorFlowsPublic.model_validate(body)
    expected = corridor(frame, "SOM", "KEN").to_dicts()
    assert body["flows"] == expected
    assert len(body["flows"]) == 2 * len(global_run.periods(con, edition))  # men and women
    assert body["edition"] == edition and body["method"] == "demo"
    assert "demographic accounting" in body["caption"] and body["settings"]["birthplace_match"]
    first = body["flows"][0]
    assert first["net"] == pytest.approx(first["flow"] - first["reverse_flow"])
    back = client.get("/api/v1/flows/KEN/SOM").json()["flows"][0]
    assert (back["flow"], back["reverse_flow"]) == (first["reverse_flow"], first["flow"])
    women = client.get("/api/v1/flows/SOM/KEN", params={"sex": "female"}).json()["flows"]
    assert women == [r for r in expected if r["sex"] == "female"]
    assert {s["edition"] for s in body["sources"]} == {edition}


def test_corridor_flows_csv(client):
    response = client.get("/api/v1/flows/706/404", params={"format": "csv"})
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("origin,destination,edition,method,period_start")
    assert lines[1].startswith("SOM,KEN,")


def test_flow_summary_equals_the_lens_summary(client, saved):
    con, _, frame = saved
    body = client.get("/api/v1/flows/summary",
                      params={"lens": "wb-lmic", "period": "2015-2020"}).json()
    expected = lens_flows(con, frame, get_lens("wb-lmic")).filter(
        (pl.col("period_start") == 2015) & (pl.col("sex") == "both")).to_dicts()
    assert body["items"] == expected
    for row in body["items"]:
        FlowCategoryPublic.model_validate(row)
    assert sum(r["share"] for r in body["items"]) == pytest.approx(1.0)
    assert body["items"][0]["category"] == "south-south" and body["items"][0]["value"] > 0
    every = client.get("/api/v1/flows/summary", params={"lens": "un-developing"}).json()["items"]
    assert len(every) == 6 * len({r["period_start"] for r in every})


@pytest.mark.parametrize(("url", "params", "says"), [
    ("/api/v1/flows/summary", {"period": "2015-2021"}, "period: expected one of"),
    ("/api/v1/flows/summary", {"period": "2015"}, "period"),
    ("/api/v1/flows/summary", {"lens": "nope"}, "lens: expected one of"),
    ("/api/v1/flows/summary", {"sex": "total"}, "sex"),
    ("/api/v1/flows/SOM/ZZZ", {}, "destination: expected"),
    ("/api/v1/flows/SOM/SOM", {}, "two different countries"),
    ("/api/v1/flows/SOM/KEN", {"edition": "ims1900"}, "edition: expected one of"),
])
def test_bad_flow_input_is_422(client, url, params, says):
    response = client.get(url, params=params)
    # a value of the right form naming nothing the store holds answers 404, any other 422
    unknown = says.endswith(("expected one of", "destination: expected"))
    assert response.status_code == (404 if unknown else 422), response.text
    assert says in response.json()["message"]


def test_a_store_without_saved_flows_says_what_to_run(small_client):
    response = small_client.get("/api/v1/flows/SOM/KEN")
    assert response.status_code == 404
    assert "corridors build" in response.json()["message"]
    assert small_client.get("/api/v1/flows/summary").status_code == 404
    page = small_client.get("/corridor/SOM/KEN")  # the corridor page still shows, with the reason
    assert page.status_code == 200 and 'id="flows-missing"' in page.text
