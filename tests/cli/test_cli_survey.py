"""`corridors survey ...` on real microdata: JSON rows, formats, --where safety, --save."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corridors.cli.main import app
from corridors.survey.estimator import estimate, mean

CORRIDORS = str(Path(sys.executable).with_name("corridors"))
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def eph(oracles) -> Path:
    return oracles / "microdata" / "eph_toybase_individual_2016_04.csv"


def test_json_rows_carry_estimate_se_cv_ci_n_and_domains(eph):
    mapping = EXAMPLES / "eph_2016q4.yaml"
    result = runner.invoke(app, ["survey", "estimate", str(eph), "--mapping", str(mapping),
                                 "--mean", "foreign_born", "--by", "sex", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["sex"] for r in rows} == {"male", "female"}
    for row in rows:
        assert {"estimate", "se", "cv", "ci_low", "ci_high", "df", "ci_method", "n", "sex",
                "flag"} <= set(row)
        assert row["ci_method"] == "logit" and row["df"] == row["n"] - 1  # persons are the PSUs
    api = estimate(eph, mapping, [mean("foreign_born")], by=["sex"]).to_dicts()
    assert [r["estimate"] for r in rows] == [r["estimate"] for r in api]
    assert [r["se"] for r in rows] == [r["se"] for r in api]


def test_ratio_with_where_and_csv(eph):
    result = runner.invoke(app, [
        "survey", "estimate", str(eph), "-m", str(EXAMPLES / "eph_2016q4.yaml"),
        "--ratio", "unemployed:in_labour_force", "--where", "working_age = 1",
        "--by", "migrant_status", "--format", "csv", "--no-suppress"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("measure,kind,migrant_status,estimate,se,cv,ci_low,ci_high,df,"
                               "ci_method,n")
    native = next(line for line in lines if ",native-born," in line).split(",")
    assert 0.03 < float(native[3]) < 0.15  # Argentina 2016 Q4 unemployment: 7.6 %


def test_indicators_to_xlsx(eph, tmp_path):
    import openpyxl

    target = tmp_path / "eph.xlsx"
    result = runner.invoke(app, ["survey", "estimate", str(eph), "-m",
                                 str(EXAMPLES / "eph_2016q4.yaml"), "--indicators", "icls",
                                 "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["estimates", "about"]
    header = [c.value for c in next(book["estimates"].iter_rows(max_row=1))]
    assert header[:2] == ["measure", "kind"] and "ci_high" in header
    assert book["estimates"].max_row > 100


def test_where_with_a_statement_is_refused(eph):
    done = subprocess.run(
        [CORRIDORS, "survey", "estimate", str(eph), "-m", str(EXAMPLES / "eph_2016q4.yaml"),
         "--mean", "foreign_born", "--where", "1 = 1; DROP TABLE microdata"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "';'" in done.stderr and "DROP" in done.stderr
    done = subprocess.run(
        [CORRIDORS, "survey", "estimate", str(eph), "-m", str(EXAMPLES / "eph_2016q4.yaml"),
         "--mean", "foreign_born", "--where", "age > (SELECT 1)"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown column 'SELECT'" in done.stderr


def test_save_writes_the_survey_into_the_store(eph, built_store, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(built_store, home / "corridors.duckdb")
    result = runner.invoke(app, ["--home", str(home), "survey", "estimate", str(eph), "-m",
                                 str(EXAMPLES / "eph_2016q4.yaml"), "--mean", "foreign_born",
                                 "--by", "sex", "--save", "--format", "json"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(home / "corridors.duckdb"), read_only=True)
    rows = con.execute("SELECT sex, estimate, df, ci_method, ci_low FROM survey_estimates "
                       "WHERE dataset = 'eph-2016q4' ORDER BY sex").fetchall()
    assert [r[0] for r in rows] == ["female", "male"]
    shown = json.loads(result.stdout)[0]
    assert rows[0][1:] == (shown["estimate"], shown["df"], "logit", shown["ci_low"])


def test_quantiles_and_interval_choice(eph):
    mapping = str(EXAMPLES / "eph_2016q4.yaml")
    result = runner.invoke(app, ["survey", "estimate", str(eph), "-m", mapping, "--quantile",
                                 "monthly_earnings:0.25,0.5", "--mean", "foreign_born",
                                 "--by", "sex", "--ci", "beta", "--no-suppress", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    medians = [r for r in rows if r["measure"] == "quantile(monthly_earnings, 0.5)"]
    assert {r["sex"] for r in medians} == {"male", "female"}
    for row in medians:
        assert row["kind"] == "quantile" and row["ci_method"] == "woodruff-t"
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"] and row["se"] > 0
    assert {r["ci_method"] for r in rows if r["kind"] == "mean"} == {"beta"}
    bad = runner.invoke(app, ["survey", "estimate", str(eph), "-m", mapping, "--quantile",
                              "monthly_earnings:1.5"])
    assert bad.exit_code != 0 and "strictly between 0 and 1" in str(bad.exception)
    bad = runner.invoke(app, ["survey", "estimate", str(eph), "-m", mapping, "--mean",
                              "foreign_born", "--ci", "exact"])
    assert bad.exit_code == 2 and "exact" in bad.output


def test_indicator_list_documents_each_definition():
    result = runner.invoke(app, ["survey", "indicators", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {"unemployment_rate", "migrant_workers", "return_migrants_5y"} <= {
        r["indicator"] for r in rows}
    assert all(len(r["definition"]) > 30 for r in rows)


THREE_STAGE = Path(__file__).resolve().parents[1] / "survey" / "r" / "three_stage.csv"


def test_dotted_column_names_and_file_labels_from_the_command_line(oracles, tmp_path):
    """api.stu (R's name) alone, quoted in --where and in --ratio; sch.wide's Yes/No labels."""
    mapping = tmp_path / "clus2.yaml"
    mapping.write_text("design:\n  weight: pw\n  stages:\n    - {psu: dnum, fpc: fpc1}\n"
                       "    - {psu: snum, fpc: fpc2}\nreliability: {suppress: false}\n")
    result = runner.invoke(app, [
        "survey", "estimate", str(oracles / "survey" / "api_clus2.csv"), "-m", str(mapping),
        "--mean", "api.stu", "--ratio", '"api.stu":enroll', "--where", '"api.stu" > 100',
        "--by", "sch.wide", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["sch.wide"] for r in rows} == {"Yes", "No"}
    assert {r["measure"] for r in rows} == {"mean(api.stu)", 'ratio("api.stu"/enroll)'}
    assert "lonely_psu" not in rows[0]  # no single-unit stratum: no note


def test_lonely_rule_and_strata_in_json_table_and_xlsx(tmp_path):
    import openpyxl

    mapping = tmp_path / "three.yaml"
    mapping.write_text("design:\n  weight: w\n  strata: region\n  lonely_psu: average\n"
                       "  stages:\n    - {psu: district, fpc: fpc1}\n"
                       "    - {psu: area, fpc: fpc2, strata: zone}\n    - {fpc: fpc3}\n")
    args = ["survey", "estimate", str(THREE_STAGE), "-m", str(mapping), "--mean", "income"]
    rows = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    note = ("average: stage 1 stratum F; stage 2 strata rural in district 4, rural in "
            "district 8")
    assert rows[0]["lonely_psu"] == note
    table = runner.invoke(app, [*args, "--format", "table"], terminal_width=250)
    assert "lonely_psu average: stage 1 stratum F" in " ".join(table.stdout.split())
    target = tmp_path / "three.xlsx"
    assert runner.invoke(app, [*args, "--format", "xlsx", "--output", str(target)]).exit_code == 0
    book = openpyxl.load_workbook(target)
    about = {r[0]: r[1] for r in book["about"].iter_rows(values_only=True)}
    assert about["lonely_psu"] == note
    assert about["variance"].startswith("Taylor linearisation, 3 stages")
    header = [c.value for c in book["estimates"][1]]
    assert "lonely_psu" in header
    mapping.write_text(mapping.read_text().replace("average", "fail"))
    failed = subprocess.run([CORRIDORS, *args], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert "stage 1 stratum F (1 such strata)" in " ".join(failed.stderr.split())
