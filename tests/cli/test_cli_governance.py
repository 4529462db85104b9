"""Governance commands: the CLI contract of issue 5 on the real reference files, and the scorecard
on a store file we construct."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from corridors.analytics.facts import build_facts
from corridors.cli.main import app
from corridors.errors import InputError
from corridors.store import create_schema

runner = CliRunner()
STATUSES = {"in force", "not in force", "denounced", "signed", "not ratified", "unknown"}


def run(*args: str):
    return runner.invoke(app, list(args))


def test_ratifications_country_json(mirror):
    result = run("--mirror", str(mirror), "ratifications", "PHL", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 29  # 21 + the eight core UN human-rights treaties
    assert all({"instrument", "status", "coverage"} <= set(r) for r in rows)
    assert {r["status"] for r in rows} <= STATUSES
    by_id = {r["instrument"]: r for r in rows}
    assert by_id["ICRMW"]["status"] == "in force"
    assert by_id["C097"]["coverage"] == "39 of 54 known"
    assert by_id["C087"]["status"] == "unknown"


def test_ratifications_table_says_how_complete(mirror):
    result = run("--mirror", str(mirror), "ratifications", "ZAF")
    assert result.exit_code == 0, result.output
    assert "39 of 54 known" in result.stdout and "unknown" in result.stdout
    coverage = run("--mirror", str(mirror), "ratifications", "coverage", "--format", "json")
    assert {r["instrument"]: r["coverage"] for r in json.loads(coverage.stdout)}["ICRMW"] == (
        "59 of 59 known (complete)")
    parties = run("--mirror", str(mirror), "ratifications", "parties", "ICRMW", "--format",
                  "json")
    assert len(json.loads(parties.stdout)) == 59


def test_ratifications_import(mirror, tmp_path):
    home = tmp_path / "home"
    good = tmp_path / "c143.txt"
    good.write_text("Country\tDate\tStatus\tNote\nKenya\t09 Apr 1979\tIn Force\t\n",
                    encoding="utf-8")
    result = run("--home", str(home), "--mirror", str(mirror), "ratifications", "import",
                 str(good), "--instrument", "C143", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 1
    assert (home / "user" / "ratifications" / "c143.csv").is_file()
    shown = run("--home", str(home), "--mirror", str(mirror), "ratifications", "KEN",
                "--instrument", "C143", "--format", "json")
    row = json.loads(shown.stdout)[0]
    assert (row["status"], row["date"]) == ("in force", "1979-04-09")

    bad = tmp_path / "bad.txt"
    bad.write_text("Country\tDate\tStatus\tNote\nAtlantis\t31 Feb 1990\tIn Force\t\n",
                   encoding="utf-8")
    result = run("--home", str(home), "ratifications", "import", str(bad), "-i", "C143")
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert "Atlantis" in str(result.exception) and "row 2" in str(result.exception)


def test_practices_search_json():
    result = run("practices", "search", "social security", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all({"title", "countries", "level", "themes"} <= set(r) for r in rows)
    assert rows[0]["themes"][0] == "social protection"
    facets = run("practices", "search", "", "--level", "national", "--format", "json",
                 "--facets")
    data = json.loads(facets.stdout)
    assert data["facets"]["level"] == {"national": len(data["results"])}
    shown = run("practices", "show", "korea-eps", "--format", "json")
    assert json.loads(shown.stdout)["link"] == "https://www.gfmd.org/pfp/ppd/31"


def test_agreements_and_communities(mirror):
    listed = run("agreements", "list", "--country", "HND", "--format", "json")
    assert {r["id"] for r in json.loads(listed.stdout)} == {"hnd-mex-programme",
                                                           "hnd-pan-programme"}
    shown = run("agreements", "show", "kor-eps-tha", "--format", "json")
    assert json.loads(shown.stdout)["score"]["known"] == 1
    ecowas = run("--mirror", str(mirror), "communities", "ECOWAS", "--year", "2020", "--format",
                 "json")
    rows = json.loads(ecowas.stdout)
    assert sum(r["full_member"] for r in rows) == 15
    # roles as recorded: Burkina Faso, Mali and Niger were full members in 2020 and left in 2025
    assert sorted(r["iso3"] for r in rows if r["role"] == "withdrawn") == ["BFA", "MLI", "NER"]
    instruments = run("instruments", "--format", "json")
    assert len(json.loads(instruments.stdout)) == 29  # 21 + the eight core UN human-rights treaties


@pytest.fixture
def home(tmp_path):
    """A store file with three corridors and income groups for 2020."""
    folder = tmp_path / "storehome"
    folder.mkdir()
    con = duckdb.connect(str(folder / "corridors.duckdb"))
    create_schema(con)
    rows = [("ims2020", o, d, 2020, "total", v, "t") for o, d, v in (
        ("NIC", "CRI", 350.0), ("BFA", "CIV", 1300.0), ("NPL", "IND", 700.0))]
    rows += [("ims2020", "NIC", "CRI", 2015, "total", 300.0, "t")]
    con.executemany("INSERT INTO migrant_stock VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO income_groups VALUES (?, 2020, 'FY22', ?, 't')",
                    [("NIC", "LM"), ("CRI", "UM"), ("BFA", "L"), ("CIV", "LM"), ("NPL", "LM"),
                     ("IND", "LM")])
    build_facts(con)  # the derived tables, as the build writes them
    con.close()
    return folder


def test_scorecard_json(mirror, home):
    result = run("--home", str(home), "--mirror", str(mirror), "scorecard", "NIC", "CRI",
                 "--year", "2020", "--format", "json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["stock"]["value"] == 350.0 and card["stock"]["change"] == 50.0
    assert [a["id"] for a in card["agreements"]] == ["cri-nic-bla"]
    assert [c["rec_code"] for c in card["communities"]["shared"]] == ["SICA"]
    names = [i["indicator"] for i in card["indicators"]]
    assert names == ["migrant_instruments", "fundamental_instruments", "free_movement",
                     "bilateral_agreement", "social_security"]
    assert 0 <= card["coverage"]["evidenced"] <= card["coverage"]["possible"] <= 1


def test_scorecard_rank_json(mirror, home):
    result = run("--home", str(home), "--mirror", str(mirror), "scorecard", "--rank", "--lens",
                 "wb-lmic", "--year", "2020", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # NIC -> CRI is not South-South under wb-lmic (Costa Rica is upper-middle income)
    assert {(r["origin"], r["destination"]) for r in rows} == {("BFA", "CIV"), ("NPL", "IND")}
    assert [r["rank"] for r in rows] == [1, 2]
    assert rows[0]["evidenced"] <= rows[1]["evidenced"]
    table = run("--home", str(home), "--mirror", str(mirror), "scorecard", "--rank", "--lens",
                "wb-non-high", "--year", "2020")
    assert "NIC → CRI" in table.stdout


def test_scorecard_needs_a_corridor(mirror, home):
    result = run("--home", str(home), "--mirror", str(mirror), "scorecard", "--year", "2020")
    assert isinstance(result.exception, InputError)


def test_unknown_country_and_instrument(mirror):
    result = run("--mirror", str(mirror), "ratifications", "Atlantis")
    assert isinstance(result.exception, InputError) and "Atlantis" in str(result.exception)
    result = run("--mirror", str(mirror), "ratifications", "KEN", "--instrument", "C999")
    assert isinstance(result.exception, InputError) and "C999" in str(result.exception)


def test_docs_mention_every_governance_command():
    from pathlib import Path

    from corridors.cli import governance

    text = (Path(__file__).parents[2] / "docs" / "governance.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("corridors ")]

    def shown(words: str) -> bool:
        return any(f" {words}" in line for line in lines)

    groups = {"ratifications": governance.ratifications_app,
              "practices": governance.practices_app, "agreements": governance.agreements_app}
    for group, sub in groups.items():
        for command in sub.registered_commands:
            name = command.name or command.callback.__name__
            if name == "show" and group == "ratifications":
                assert "corridors ratifications show COUNTRY" in text
                continue
            assert shown(f"{group} {name}"), (group, name)
    for command in ("communities", "instruments", "scorecard"):
        assert shown(command), command


def test_empty_results_say_so():
    result = run("practices", "search", "zebra giraffe")
    assert result.exit_code == 0 and "No practice matches" in result.stdout
