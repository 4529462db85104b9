"""A store that holds IMS 2024 beside the mirror's editions (2020, 2019, 2015): the three 2024
workbooks (constructed in the official layout, tests/readers/fixtures_ims2024.py) pulled from a
mirror folder laid out like the publisher's site, built with everything else, and asked through
every interface. The default edition is the same for the Python API, the CLI and the REST API,
with and without IMS 2024."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.api.main import create_app
from corridors.cli.main import app
from corridors.observatory import Observatory
from corridors.pipeline import build
from corridors.sources.pull import pull
from corridors.store import connect

_spec = importlib.util.spec_from_file_location(
    "fixtures_ims2024", Path(__file__).parents[1] / "readers" / "fixtures_ims2024.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

IMS2024 = ["ims2024-bilateral", "ims2024-destination", "ims2024-origin"]
runner = CliRunner()


@pytest.fixture(scope="module")
def home2024(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mirror's built home, plus the IMS 2024 files pulled from a mirror folder holding them
    at ``un-desa/ims2024/`` (as the publisher's names), then built again."""
    base = tmp_path_factory.mktemp("ims2024-store")
    fx.write_all(base / "mirror" / "un-desa" / "ims2024")
    home = base / "home"
    shutil.copytree(built_home, home)
    settings_module.reset()
    settings_module.override(home=home, mirror=base / "mirror")
    try:
        results = pull(IMS2024)
        assert [r.status for r in results] != ["skipped"] * 3, results
        build()
    finally:
        settings_module.reset()
    return home


def cli(home: Path, *args: str):
    result = runner.invoke(app, ["--home", str(home), *args])
    settings_module.reset()
    return result


def cli_json(home: Path, *args: str):
    result = cli(home, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ims2024_sits_beside_the_other_editions(home2024: Path) -> None:
    con = connect(home2024 / "corridors.duckdb")
    editions = dict(con.execute("SELECT edition, count(DISTINCT year) FROM migrant_stock "
                                "GROUP BY edition").fetchall())
    assert editions == {"ims2024": 8, "ims2020": 7, "ims2019": 7, "ims2015": 1}
    provenance = dict(con.execute("SELECT source_id, file_name FROM provenance "
                                  "WHERE edition = 'ims2024'").fetchall())
    assert provenance == {
        "ims2024-bilateral": "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx",
        "ims2024-destination": "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx",
        "ims2024-origin": "undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx"}
    # the 2020 edition is untouched: its published WORLD total
    assert con.execute("SELECT sum(value) FROM migrant_stock WHERE edition = 'ims2020' AND "
                       "year = 2020 AND sex = 'total'").fetchone()[0] == 280_598_105


def test_published_totals_are_reproduced_to_the_person(home2024: Path) -> None:
    con = connect(home2024 / "corridors.duckdb")
    sums = con.execute(
        "SELECT destination, year, sex, sum(value) AS stock FROM migrant_stock WHERE edition = 'ims2024' "
        "GROUP BY ALL").pl()
    published = con.execute(
        "SELECT iso3, year, sex, value FROM migrant_stock_totals WHERE edition = 'ims2024' AND "
        "view = 'destination' AND iso3 IS NOT NULL AND value > 0").pl()
    joined = published.join(sums, left_on=["iso3", "year", "sex"],
                            right_on=["destination", "year", "sex"], how="left")
    assert joined.height == 4 * 8 * 3  # KEN, UGA, TZA, TUR; 8 years; 3 sexes
    assert (joined["value"] == joined["stock"]).all()
    world = con.execute("SELECT value FROM migrant_stock_totals WHERE edition = 'ims2024' AND "
                        "area_m49 = 900 AND view = 'destination' AND year = 2024 AND "
                        "sex = 'total'").fetchone()[0]
    male, female = fx.TRUTH["destination"][("WORLD", 900)]
    assert world == male[-1] + female[-1]


def test_one_default_with_ims2024_python_cli_and_api(home2024: Path) -> None:
    store_path = home2024 / "corridors.duckdb"
    obs = Observatory(store_path)
    assert obs.editions()[0] == obs.default_edition() == "ims2024"
    cli_rows = cli_json(home2024, "stock", "--destination", "KEN", "--year", "2024")
    assert {r["edition"] for r in cli_rows} == {"ims2024"}
    male, female = fx.TRUTH["destination"][("KEN", 404)]
    assert [r["value"] for r in cli_rows] == [male[-1] + female[-1]]
    with TestClient(create_app(store_path), raise_server_exceptions=False) as client:
        body = client.get("/api/v1/stocks", params={"destination": "KEN", "year": 2024}).json()
        assert [r["edition"] for r in body["items"]] == ["ims2024"]
        assert [r["value"] for r in body["items"]] == [r["value"] for r in cli_rows]
        flows = client.get("/api/v1/flows/summary").json()  # periods of the default edition
        assert max(r["period_end"] for r in flows["items"]) == 2024
    summary = cli_json(home2024, "summary")
    coverage = {r["edition"]: r for r in summary["coverage"]}
    assert [r["edition"] for r in summary["coverage"]] == ["ims2024", "ims2020", "ims2019",
                                                           "ims2015"]
    assert coverage["ims2024"]["default"] and not coverage["ims2020"]["default"]
    assert coverage["ims2024"]["years"] == "1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024"
    assert coverage["ims2024"]["sexes"] == "total, male, female"
    assert coverage["ims2015"]["sexes"] == "total"
    lens_years = {r["year"]: r["fiscal_year"] for r in summary["lens_years"]}
    assert lens_years[2024] == "FY26" and lens_years[2020] == "FY22"


def test_one_default_without_ims2024_python_cli_and_api(built_home: Path) -> None:
    store_path = built_home / "corridors.duckdb"
    assert Observatory(store_path).default_edition() == "ims2020"
    rows = cli_json(built_home, "stock", "--destination", "KEN", "--year", "2020")
    assert {r["edition"] for r in rows} == {"ims2020"}
    with TestClient(create_app(store_path), raise_server_exceptions=False) as client:
        body = client.get("/api/v1/stocks", params={"destination": "KEN", "year": 2020}).json()
        assert [r["edition"] for r in body["items"]] == ["ims2020"]
        flows = client.get("/api/v1/flows/summary").json()
        assert max(r["period_end"] for r in flows["items"]) == 2020
    text = cli(built_home, "summary")
    assert text.exit_code == 0, text.output
    assert "Default edition (CLI, API, web pages, lenses, flows): ims2020" in " ".join(
        text.stdout.split())


def test_edition_ims2024_works_in_every_command(home2024: Path) -> None:
    summary = cli_json(home2024, "ssm", "summary", "--lens", "wb-lmic", "--year", "2024",
                       "--edition", "ims2024")
    world = sum(fx.TRUTH["destination"][("WORLD", 900)][i][-1] for i in (0, 1))
    others = sum(fx.TRUTH["origin"][("XXX", 2003)][i][-1] for i in (0, 1))
    assert sum(r["value"] for r in summary) == world - others  # 'Others' have no category
    assert {r["category"] for r in summary} >= {"south-south"}
    top = cli_json(home2024, "ssm", "top", "--edition", "ims2024", "--year", "2024", "--top", "3")
    assert top and top[0]["origin"] == "SOM" and top[0]["destination"] == "KEN"
    profile = cli_json(home2024, "profile", "KEN", "--edition", "ims2024", "--year", "2024")
    assert profile["edition"] == "ims2024" and profile["year"] == 2024
    flows = cli_json(home2024, "flows", "corridor", "SOM", "KEN", "--edition", "ims2024")
    assert {(r["period_start"], r["period_end"]) for r in flows} >= {(2020, 2024)}
    lenses = cli_json(home2024, "flows", "lenses", "--edition", "ims2024", "--period", "2020-2024")
    assert lenses and {r["period_end"] for r in lenses} == {2024}
    old = cli_json(home2024, "stock", "--destination", "KEN", "--year", "2020", "--edition",
                   "ims2020")
    assert {r["edition"] for r in old} == {"ims2020"}


def test_lenses_classify_2024_with_the_world_bank_data_year_2024(home2024: Path) -> None:
    con = connect(home2024 / "corridors.duckdb")
    from corridors.analytics.lenses import BUILTIN, lens_roles

    roles = lens_roles(con, [BUILTIN["wb-lmic"]], [2020, 2024])
    kenya = roles.filter(pl.col("iso3") == "KEN", pl.col("year") == 2024)
    assert kenya["data_year"].to_list() == [2024]
    assert kenya["income_group"].to_list() == ["LM"]
    classified = {year: roles.filter(pl.col("year") == year, pl.col("income_group").is_not_null())
                  .height for year in (2020, 2024)}
    assert classified[2024] > 200 and classified[2024] >= classified[2020] - 2


def test_api_and_web_answer_edition_ims2024(home2024: Path) -> None:
    with TestClient(create_app(home2024 / "corridors.duckdb"),
                    raise_server_exceptions=False) as client:
        profile = client.get("/api/v1/countries/KEN/profile",
                             params={"edition": "ims2024", "year": 2024})
        assert profile.status_code == 200, profile.text
        assert profile.json()["edition"] == "ims2024"
        summary = client.get("/api/v1/summary", params={"edition": "ims2024", "year": 2024,
                                                        "lens": "wb-lmic"})
        assert summary.status_code == 200, summary.text
        page = client.get("/overview.json", params={"edition": "ims2024", "year": 2024})
        assert page.status_code == 200 and page.json()["edition"] == "ims2024"
        html = client.get("/", params={"edition": "ims2024", "year": 2024})
        assert html.status_code == 200 and "ims2024" in html.text
        wrong = client.get("/api/v1/stocks", params={"edition": "ims2025"})
        assert wrong.status_code == 404 and "ims2024" in wrong.text  # not in this store


@pytest.mark.parametrize("case", ["2020 columns in the 2024 destination workbook",
                                  "an IMS 2020 workbook cached as the 2024 bilateral one"])
def test_a_bad_2024_file_stops_the_build_and_the_store_keeps_serving(
        case: str, home2024: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(home2024, home)
    store_file = home / "corridors.duckdb"
    before = store_file.read_bytes()
    if case.startswith("2020 columns"):
        target = home / "cache" / "ims2024-destination" / \
            "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx"
        fx.write_destination(target, table_1_ids=[None, fx.AREA, "Notes", "Location code",
                                                  "Type of data"])
        named = ["undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx", "Table 1", "row 11",
                 "'Coverage' in column C"]
    else:
        _spec20 = importlib.util.spec_from_file_location(
            "fixtures_un_desa", Path(__file__).parents[1] / "readers" / "fixtures_un_desa.py")
        fx20 = importlib.util.module_from_spec(_spec20)
        _spec20.loader.exec_module(fx20)
        target = home / "cache" / "ims2024-bilateral" / \
            "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx"
        fx20.write_long_workbook(target)
        named = ["undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx",
                 "the ims2024 edition", "ims2020"]

    result = runner.invoke(app, ["--home", str(home), "build"])
    settings_module.reset()

    assert result.exit_code != 0
    message = str(result.exception) + result.output
    for part in named:
        assert part in message, message
    assert store_file.read_bytes() == before
    assert connect(store_file).execute(
        "SELECT count(*) FROM migrant_stock WHERE edition = 'ims2024'").fetchone()[0] > 0
    assert not list(home.glob("corridors.duckdb.building-*"))
