"""`corridors export --to sdmx-csv | datapackage` on the constructed store."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app

_spec = importlib.util.spec_from_file_location(
    "ssm_store", Path(__file__).parents[1] / "analytics" / "ssm_store.py")
ssm_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ssm_store)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("export-home")
    ssm_store.build(home / "corridors.duckdb")
    return home


def run(home: Path, *args: str):
    result = CliRunner().invoke(app, ["--home", str(home), "export", *args])
    settings_module.reset()
    return result


def test_sdmx_csv_writes_every_dataflow_and_the_structure_by_default(home, tmp_path: Path):
    out = tmp_path / "sdmx"
    result = run(home, "--to", "sdmx-csv", "--out", str(out), "--year", "2020", "--lens",
                 "wb-lmic", "--sex", "male", "--sex", "female")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "remittances.csv", "sources-and-licences.csv", "stock.csv", "structure.xml",
        "summary.csv", "survey.csv"]
    stock = pl.read_csv(out / "stock.csv")
    assert stock.columns[:4] == ["STRUCTURE", "STRUCTURE_ID", "ACTION", "FREQ"]
    assert dict(stock.group_by("SEX").agg(pl.col("OBS_VALUE").sum()).iter_rows()) == {
        "M": 578, "F": 347}
    summary = pl.read_csv(out / "summary.csv").filter(pl.col("SEX") == "M")
    assert summary["OBS_VALUE"].to_list() == [100, 50, 5, 420]
    assert f"wrote {out / 'structure.xml'}" in result.output  # paths are never wrapped
    assert f"wrote {out / 'stock.csv'} (18 rows)" in result.output  # 9 corridors, two sexes
    said = " ".join(result.output.split())  # as read, without the terminal's line breaks
    assert "survey.csv (0 rows) no survey estimates in the store" in said and "--save" in said


def test_sdmx_csv_version_1_on_request(home, tmp_path: Path):
    out = tmp_path / "sdmx1"
    result = run(home, "stock", "--to", "sdmx-csv", "--sdmx-version", "1.0", "--out", str(out),
                 "--year", "2020")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out / "stock.csv").columns[:2] == ["DATAFLOW", "FREQ"]
    result = run(home, "stock", "--to", "sdmx-csv", "--sdmx-version", "3.0", "--out",
                 str(tmp_path / "x"))
    assert result.exit_code == 2 and "2.0, 1.0" in result.output
    assert not (tmp_path / "x").exists()


def test_datapackage_folder(home, tmp_path: Path):
    out = tmp_path / "package"
    result = run(home, "summary", "stock", "--to", "datapackage", "--out", str(out), "--year",
                 "2015")
    assert result.exit_code == 0, result.output
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["summary.csv", "stock.csv"]
    for resource in package["resources"]:
        digest = hashlib.sha256((out / resource["path"]).read_bytes()).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"
    assert pl.read_csv(out / "stock.csv")["value"].sum() == 80 + 50 + 60 + 200 + 150 + 40


def test_export_errors_name_the_fix(home, tmp_path: Path):
    result = run(home, "regions", "--to", "sdmx-csv", "--out", str(tmp_path / "x"))
    assert "'regions' has no SDMX dataflow" in str(result.exception)
    assert "use --to csv or datapackage" in str(result.exception)
    assert not (tmp_path / "x").exists()
    result = run(home, "--to", "sdmx", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2 and "sdmx-csv" in result.output
