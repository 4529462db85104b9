"""The one default-edition rule (corridors.store.editions) and every interface that uses it, on a
constructed store where the three rules the code used to have would disagree: IMS 2019 there has
the most years (seven), IMS 2020 the latest year (2020) but only two years."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.analytics import corridors as corridor_facts
from corridors.analytics import stocks
from corridors.analytics.editions import editions_held
from corridors.analytics.facts import build_facts
from corridors.analytics.flows import global_run
from corridors.api.main import create_app
from corridors.cli.main import app
from corridors.observatory import Observatory
from corridors.records.flows import flows_edition
from corridors.store import connect
from corridors.store.editions import newest_first
from corridors.store.serving import Store

_spec = importlib.util.spec_from_file_location(
    "small_store", Path(__file__).parents[1] / "api" / "small_store.py")
small_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(small_store)

IMS2019_YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2019)


def test_newest_first_orders_by_latest_year_then_id() -> None:
    assert newest_first([("ims2019", 2019), ("ims2024", 2024), ("ims2015", 2015),
                         ("ims2020", 2020)]) == ["ims2024", "ims2020", "ims2019", "ims2015"]
    assert newest_first([("b-2020", 2020), ("a-2020", 2020), ("c-2019", 2019)]) == [
        "b-2020", "a-2020", "c-2019"]
    assert newest_first([]) == []


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small constructed store (IMS 2020: 2015 and 2020) plus an IMS 2019 edition with
    seven years of one corridor."""
    home = tmp_path_factory.mktemp("editions-home")
    path = small_store.make_small_store(home / "corridors.duckdb")
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO provenance VALUES ('test-ims2019', 'UN DESA Population Division', "
                "'Constructed 2019 stock', 'ims2019', 'CC BY 3.0 IGO', NULL, NULL, 'x.csv', "
                "'ef56', NULL, 7)")
    for year in IMS2019_YEARS:
        con.execute("INSERT INTO migrant_stock VALUES ('ims2019', 'UGA', 'KEN', ?, 'total', ?, "
                    "'test-ims2019')", [year, 100 + year - 1990])
    build_facts(con)  # the store changed: its derived tables again
    con.close()
    return home


def test_every_interface_picks_the_same_default(home: Path) -> None:
    path = home / "corridors.duckdb"
    con = connect(path)
    try:
        # most years would say ims2019, the rule says ims2020 (latest year)
        assert corridor_facts.editions(con) == ["ims2020", "ims2019"]
        assert corridor_facts.default_edition(con) == "ims2020"
        assert stocks.latest_edition(con) == "ims2020"
        assert global_run.default_edition(con) == "ims2020"
        store = Store(path)
        assert editions_held(store.cursor())[0] == "ims2020"  # the served store's, once per file
        assert flows_edition(store, con, None) == "ims2020"
    finally:
        con.close()
    assert Observatory(path).default_edition() == "ims2020"
    result = CliRunner().invoke(app, ["--home", str(home), "stock", "--origin", "UGA",
                                      "--destination", "KEN", "--format", "json"])
    settings_module.reset()
    assert result.exit_code == 0, result.output
    assert {r["edition"] for r in json.loads(result.stdout)} == {"ims2020"}
    with TestClient(create_app(path), raise_server_exceptions=False) as client:
        body = client.get("/api/v1/stocks", params={"origin": "UGA", "destination": "KEN"}).json()
        assert {r["edition"] for r in body["items"]} == {"ims2020"}
        older = client.get("/api/v1/stocks", params={"origin": "UGA", "destination": "KEN",
                                                      "edition": "ims2019"}).json()
        assert [r["year"] for r in older["items"]] == list(IMS2019_YEARS)
