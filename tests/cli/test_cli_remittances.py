"""`corridors remittances ...` on the store built from the mirror: the JSON contract of issue 14,
tables that say origin is the sending country, and errors that say what to do."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app

runner = CliRunner()


def run(home: Path, *args: str):
    result = runner.invoke(app, ["--home", str(home), *args])
    settings_module.reset()
    return result


def as_json(home: Path, *args: str):
    result = run(home, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_country_contract(built_home: Path, mirror: Path):
    data = as_json(built_home, "remittances", "country", "LSO", "--year", "2016")
    assert len(data) == 1
    row = data[0]
    assert set(row) == {"iso3", "year", "received_usd", "paid_usd", "gdp_usd",
                        "received_share_gdp", "sources"}
    gdp = next(float(r["Value"]) for r in csv.DictReader(
        (mirror / "world-bank/derived/gdp_current_usd_wdi.csv").open(encoding="utf-8"))
        if r["Country Code"] == "LSO" and r["Year"] == "2016")
    assert row["gdp_usd"] == gdp
    assert row["received_share_gdp"] == pytest.approx(row["received_usd"] / gdp)
    every = as_json(built_home, "remittances", "country", "Nepal")
    assert every[0]["year"] == 1993 and every[-1]["gdp_usd"] is None  # 2024: no GDP yet, a gap


def test_summary_contract(built_home: Path):
    data = as_json(built_home, "remittances", "summary", "--lens", "wb-lmic", "--year", "2017")
    assert [d["category"] for d in data] == ["south-south", "south-north", "north-south",
                                             "north-north"]
    assert all({"category", "value_usd", "share"} <= set(d) for d in data)
    assert sum(d["share"] for d in data) == pytest.approx(1.0)
    assert {d["year"] for d in data} == {2017}


def test_corridors_contract(built_home: Path):
    data = as_json(built_home, "remittances", "corridors", "--origin", "SAU", "--destination",
                   "NPL", "--year", "2017", "--lens", "un-developing")
    assert len(data) == 1
    assert data[0]["origin"] == "SAU" and data[0]["destination"] == "NPL"
    assert data[0]["category"] == "south-south" and data[0]["value_usd"] > 1e9
    top = as_json(built_home, "remittances", "corridors", "--destination", "NPL", "--top", "3")
    assert [d["year"] for d in top] == [2017] * 3 + [2018] * 3


def test_costs_contract(built_home: Path):
    data = as_json(built_home, "remittances", "costs", "--origin", "ZAF", "--destination", "LSO",
                   "--period", "2020Q3")
    assert len(data) == 1
    assert {"origin", "destination", "period", "cost_pct"} <= set(data[0])
    assert data[0]["period"] == "2020Q3" and 0 < data[0]["cost_pct"] < 100
    trend = as_json(built_home, "remittances", "costs", "--origin", "ZAF", "--destination", "LSO")
    assert len(trend) > 10 and [d["period"] for d in trend] == sorted(d["period"] for d in trend)


def test_tables_say_origin_is_the_sender(built_home: Path):
    for args in (["costs", "--period", "2020Q3"], ["summary"], ["corridors", "--top", "2"]):
        result = run(built_home, "remittances", *args)
        assert result.exit_code == 0, result.output
        assert "sending country" in " ".join(result.output.split())
    sdg = run(built_home, "remittances", "sdg", "--period", "latest")
    assert sdg.exit_code == 0 and "%" in sdg.output


@pytest.mark.parametrize(("args", "message"), [
    (["costs", "--period", "2020Q5"], "periods are quarters such as 2020Q3"),
    (["country", "Atlantis"], "unknown country 'Atlantis'"),
    (["summary", "--year", "2016"], "available: 2017, 2018"),
    (["corridors", "--category", "sideways"], "unknown category 'sideways'"),
])
def test_errors_say_what_to_do(built_home: Path, args: list[str], message: str):
    result = runner.invoke(app, ["--home", str(built_home), "remittances", *args])
    settings_module.reset()
    assert result.exit_code != 0
    assert message in str(result.exception)

