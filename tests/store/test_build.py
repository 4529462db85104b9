"""The build on the real mirror: complete, idempotent, traceable, and atomic on bad input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app
from corridors.pipeline import build
from corridors.sources import cache, get
from corridors.store import connect


def test_every_table_is_filled_and_traceable(store_con):
    for table in ("countries", "migrant_stock", "migrant_stock_totals", "population",
                  "income_groups", "contiguity", "rec_membership", "areas", "provenance",
                  "wb_bilateral", "dyads", "indicators", "wb_classification"):
        assert store_con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    orphans = store_con.execute("""
        SELECT DISTINCT s.source_id FROM migrant_stock s ANTI JOIN provenance p USING (source_id)
    """).fetchall()
    assert orphans == []
    sha = store_con.execute("SELECT sha256 FROM provenance WHERE source_id = 'ims2020-destination'"
                            ).fetchone()[0]
    assert sha == get("ims2020-destination").primary.sha256


def test_editions_side_by_side(store_con):
    editions = {r[0] for r in store_con.execute("SELECT DISTINCT edition FROM migrant_stock").fetchall()}
    assert {"ims2020", "ims2019", "ims2015"} <= editions


def test_countries_have_regions_from_m49_and_the_annex(store_con):
    rows = dict((r[0], r[1:]) for r in store_con.execute(
        "SELECT iso3, continent, un_subregion, sdg_region, development_group FROM countries "
        "WHERE iso3 IN ('KEN', 'TWN', 'CHI', 'BRA')").fetchall())
    assert rows["KEN"] == ("Africa", "Sub-Saharan Africa", "Sub-Saharan Africa", "less developed")
    assert rows["BRA"][0] == "Americas"
    # Taiwan and the Channel Islands are not in M49: their regions come from the IMS annex
    assert rows["TWN"][0] == "Asia" and rows["CHI"][0] == "Europe"
    unplaced = store_con.execute("""
        SELECT iso3 FROM countries WHERE continent IS NULL
          AND iso3 IN (SELECT destination FROM migrant_stock)""").fetchall()
    assert unplaced == []


def _copy_home(built_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    return home


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_is_idempotent(built_home: Path, tmp_path: Path):
    home = _copy_home(built_home, tmp_path)
    settings_module.use(settings_module.Settings(home=home))
    query = ("SELECT edition, sex, count(*), sum(value) FROM migrant_stock GROUP BY ALL ORDER BY ALL")
    before = connect(home / "corridors.duckdb").execute(query).fetchall()
    build()
    after = connect(home / "corridors.duckdb").execute(query).fetchall()
    assert before == after


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)


def _other_layout(path: Path) -> None:
    shutil.copyfile(path.parent.parent / "wb-class" / "CLASS.xlsx", path)


def _extra_column(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",note"] + [line + "," for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _unknown_country(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n2019,Kenya,", "\n2019,Atlantis,", 1), encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


CASES = {
    "truncated workbook": ("wb-oghist", _truncate, "OGHIST.xlsx"),
    "corrupt workbook": ("ims2020-destination", _garble, "destination.xlsx"),
    "workbook of another layout": ("wb-oghist", _other_layout, "OGHIST.xlsx"),
    "unexpected extra column": ("ims2020-bilateral-long", _extra_column, "bilateral_by_sex_long"),
    "unknown country name": ("ims2019-bilateral-wide", _unknown_country, "Atlantis"),
    "empty file": ("wpp2019-population", _empty, "WPP2019"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_stops_the_build_and_the_previous_store_keeps_answering(
        case: str, built_home: Path, tmp_path: Path):
    source_id, damage, named = CASES[case]
    home = _copy_home(built_home, tmp_path)
    store_file = home / "corridors.duckdb"
    before_digest = _digest(store_file)
    query = "SELECT sum(value) FROM migrant_stock WHERE edition = 'ims2020' AND sex = 'total'"
    before = duckdb.connect(str(store_file), read_only=True).execute(query).fetchone()
    damage(home / "cache" / source_id / get(source_id).primary.name)

    result = CliRunner().invoke(app, ["--home", str(home), "build"])

    assert result.exit_code != 0
    message = str(result.exception)
    assert named in message, message
    assert "expected" in message, message
    assert _digest(store_file) == before_digest
    assert duckdb.connect(str(store_file), read_only=True).execute(query).fetchone() == before
    assert not list(home.glob("corridors.duckdb.building-*"))


def test_build_without_pull_says_what_to_run(tmp_path: Path):
    settings_module.use(settings_module.Settings(home=tmp_path))
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "build"])
    assert result.exit_code != 0
    assert "corridors pull" in str(result.exception)
    assert not cache.folder_for(get("m49")).exists()


def test_rebuild_keeps_the_users_survey_estimates(built_home: Path, tmp_path: Path):
    home = _copy_home(built_home, tmp_path)
    with duckdb.connect(str(home / "corridors.duckdb")) as con:
        con.execute("INSERT INTO survey_estimates VALUES ('eph-2016q4', 'migrant_share', 'mean', "
                    "'ARG', 2016, 'female', '{}', 0.054, 0.009, 0.17, 0.036, 0.072, 999, 'logit', "
                    "1000, 'ok', "
                    "'proportion', 'survey-eph-2016q4')")
        con.execute("INSERT INTO provenance (source_id, publisher, title, edition, licence, "
                    "file_name, sha256) VALUES ('survey-eph-2016q4', 'INDEC', 'EPH', '2016', "
                    "'user-supplied microdata', 'eph.csv', 'abc')")
    settings_module.use(settings_module.Settings(home=home))
    report = build()
    assert report.rows["survey_estimates"] == 1
    con = connect(home / "corridors.duckdb")
    assert con.execute("SELECT estimate FROM survey_estimates").fetchall() == [(0.054,)]
    assert con.execute("SELECT sha256 FROM provenance WHERE source_id = 'survey-eph-2016q4'"
                       ).fetchall() == [("abc",)]
