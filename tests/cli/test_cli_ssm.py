"""The `corridors ssm`, `profile`, `corridor` and `export` commands on a constructed store: the
JSON contract the acceptance checks rely on, tables for people, and errors that say what to do."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app

_spec = importlib.util.spec_from_file_location(
    "ssm_store", Path(__file__).parents[1] / "analytics" / "ssm_store.py")
ssm_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ssm_store)

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("ssm-home")
    ssm_store.build(home / "corridors.duckdb")
    return home


def run(home: Path, *args: str):
    result = runner.invoke(app, ["--home", str(home), *args])
    settings_module.reset()
    return result


def as_json(home: Path, *args: str):
    result = run(home, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_summary_contract(home):
    data = as_json(home, "ssm", "summary", "--lens", "wb-lmic", "--year", "2020")
    assert [d["category"] for d in data] == ["south-south", "south-north", "north-south",
                                             "north-north"]
    assert {d["category"]: d["value"] for d in data}["north-north"] == 640
    assert sum(d["share"] for d in data) == pytest.approx(1.0)
    gfmd = as_json(home, "ssm", "summary", "--lens", "gfmd-2018", "--year", "2015")
    assert gfmd[0]["value"] == 330


def test_regions_contract(home):
    for grouping, name in [("continent", "Africa"), ("sdg-region", "Sub-Saharan Africa"),
                           ("un-subregion", "Eastern Africa"), ("income", "High income"),
                           ("rec", "East African Community")]:
        data = as_json(home, "ssm", "regions", "--grouping", grouping, "--year", "2020")
        rows = {d["group"]: d for d in data}
        assert name in rows
        assert {"origin_view_share", "destination_view_share"} <= set(rows[name])
    africa = {d["group"]: d for d in as_json(home, "ssm", "regions", "--grouping", "continent",
                                             "--year", "2020")}["Africa"]
    assert africa["origin_view_share"] == pytest.approx(170 / 270)
    custom = as_json(home, "ssm", "regions", "--grouping", "custom", "--members", "KEN,TZA",
                     "--name", "pair", "--year", "2020")
    assert custom[0]["group"] == "pair" and custom[0]["intra_group"] == 20


def test_contiguity_contract(home):
    data = as_json(home, "ssm", "contiguity", "--lens", "un-developing", "--year", "2020")
    assert data["share_contiguous"] == pytest.approx(170 / 570)
    every = as_json(home, "ssm", "contiguity", "--lens", "wb-lmic", "--all-years")
    assert [d["year"] for d in every] == [2015, 2020]


def test_profile_contract(home):
    data = as_json(home, "profile", "KEN", "--year", "2020")
    assert data["immigrants"] == 85 and data["emigrants"] == 200
    assert as_json(home, "profile", "404", "--year", "2020")["iso3"] == "KEN"
    corridor = as_json(home, "corridor", "IND", "SAU")
    assert corridor["trend"][-1]["total"] == 400


def test_top_and_csv(home):
    result = run(home, "ssm", "top", "--lens", "wb-lmic", "--year", "2020", "--top", "2",
                 "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[1].split(",")[5] == "IND"


def test_tables_for_people_have_titles_numbers_and_sources(home):
    result = run(home, "ssm", "summary", "--lens", "wb-lmic", "--year", "2020")
    assert result.exit_code == 0
    assert "Migrant stock by category" in result.stdout
    assert "18.5 %" in result.stdout and "ims2020" in result.stdout
    profile = run(home, "profile", "KEN")
    assert "50,000" in profile.stdout and "Kenya (KEN, M49 404)" in profile.stdout


def test_export_command(home, tmp_path: Path):
    result = run(home, "export", "summary", "contiguity", "--to", "csv", "--out",
                 str(tmp_path / "out"), "--year", "2020", "--lens", "wb-lmic")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "contiguity.csv", "sources-and-licences.csv", "summary.csv"]


def test_errors_say_what_to_do(home, tmp_path: Path):
    result = run(home, "ssm", "summary", "--lens", "global-south")
    assert result.exit_code != 0 and "available: wb-lmic" in str(result.exception)
    result = run(home, "ssm", "summary", "--year", "1999")
    assert "its years are 2015, 2020" in str(result.exception)
    result = run(tmp_path, "ssm", "summary")
    assert "corridors build" in str(result.exception)
    result = run(home, "ssm", "regions", "--grouping", "planet")
    assert result.exit_code == 2 and "--grouping" in result.output


DOCS = Path(__file__).parents[2] / "docs" / "lenses.md"


def test_docs_mention_every_command():
    from corridors.cli import ssm

    text = DOCS.read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in ssm.app.registered_commands]
    assert set(names) == {"lenses", "summary", "regions", "contiguity", "top"}
    for name in names:
        assert f"corridors ssm {name}" in text
    for command in ("corridors profile", "corridors corridor", "corridors export"):
        assert command in text


def _doc_examples() -> list[str]:
    import re

    text = DOCS.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        lines += [x.strip() for x in block.splitlines() if x.strip().startswith("corridors ")]
    return lines


@pytest.mark.mirror
def test_docs_examples_run_on_the_built_store(built_home: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch):
    import re
    import shlex

    text = DOCS.read_text(encoding="utf-8")
    yaml_block = re.search(r"```yaml\n(.*?)```", text, flags=re.S).group(1)
    (tmp_path / "my-lenses.yaml").write_text(yaml_block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    examples = _doc_examples()
    assert len(examples) >= 15
    for line in examples:
        args = shlex.split(line)[1:]
        result = run(built_home, *args)
        assert result.exit_code == 0, f"{line}\n{result.output}\n{result.exception!r}"
    assert (tmp_path / "ssm.xlsx").exists() and (tmp_path / "ssm-csv" / "summary.csv").exists()


@pytest.mark.mirror
def test_figures_quoted_in_the_docs_are_the_store_s(built_home: Path):
    text = DOCS.read_text(encoding="utf-8")
    for lens in ("wb-lmic", "gfmd-2018"):
        rows = as_json(built_home, "ssm", "summary", "--lens", lens, "--year", "2020")
        for row in rows:
            assert f"{int(row['value']):,} ({row['share'] * 100:.1f} %)" in text
    share = as_json(built_home, "ssm", "contiguity", "--lens", "wb-lmic", "--year", "2020")
    assert f"{share['share_contiguous'] * 100:.1f} % in 2020" in text


def test_people_view_formats_shares_and_keeps_lists_readable():
    import polars as pl

    from corridors.cli.ssm import people

    frame = people(pl.DataFrame({"year": [2020], "share": [0.5], "growth_rate": [None],
                                 "shared_recs": [["COMESA", "EAC"]], "stock": [1234.4]}))
    assert frame.row(0) == ("2020", "50.0 %", "—", "COMESA, EAC", 1234)
