"""Governance commands: the CLI contract of issue 5 on the real reference files, and the scorecard
on a store file we construct."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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
    body = json.loads(result.stdout)
    rows = body["items"]
    assert {"ilo_ratifications.csv", "coverage.csv", "hr_status_icmw.csv", "instruments.yaml"} <= {
        s["file_name"] for s in body["sources"]}
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
    assert {r["instrument"]: r["coverage"] for r in json.loads(coverage.stdout)["items"]}["ICRMW"] == (
        "59 of 59 known (complete)")
    parties = run("--mirror", str(mirror), "ratifications", "parties", "ICRMW", "--format",
                  "json")
    assert len(json.loads(parties.stdout)["items"]) == 59


def test_ratifications_import(mirror, tmp_path):
    home = tmp_path / "home"
    good = tmp_path / "c143.txt"
    good.write_text("Country\tDate\tStatus\tNote\nKenya\t09 Apr 1979\tIn Force\t\n",
                    encoding="utf-8")
    result = run("--home", str(home), "--mirror", str(mirror), "ratifications", "import",
                 str(good), "--instrument", "C143", "--format", "json")
    assert result.exit_code == 0, result.output
    imported = json.loads(result.stdout)
    assert imported["rows"] == 1
    assert imported["sha256"] == hashlib.sha256(good.read_bytes()).hexdigest()
    assert (home / "user" / "ratifications" / "c143.csv").is_file()
    shown = run("--home", str(home), "--mirror", str(mirror), "ratifications", "KEN",
                "--instrument", "C143", "--format", "json")
    body = json.loads(shown.stdout)
    row = body["items"][0]
    assert (row["status"], row["date"]) == ("in force", "1979-04-09")
    # the import was hashed when imported: the answer names the file the user imported
    source = next(s for s in body["sources"] if s["source_id"] == "user:ratifications/c143.csv")
    assert (source["file_name"], source["sha256"]) == ("c143.txt", imported["sha256"])

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
    body = json.loads(result.stdout)
    rows = body["items"]
    assert "package:practices.yaml" in {s["source_id"] for s in body["sources"]}
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
    assert {r["id"] for r in json.loads(listed.stdout)["items"]} == {"hnd-mex-programme",
                                                           "hnd-pan-programme"}
    shown = run("agreements", "show", "kor-eps-tha", "--format", "json")
    assert json.loads(shown.stdout)["score"]["known"] == 1
    ecowas = run("--mirror", str(mirror), "communities", "ECOWAS", "--year", "2020", "--format",
                 "json")
    rows = json.loads(ecowas.stdout)["items"]
    assert sum(r["full_member"] for r in rows) == 15
    # roles as recorded: Burkina Faso, Mali and Niger were full members in 2020 and left in 2025
    assert sorted(r["iso3"] for r in rows if r["role"] == "withdrawn") == ["BFA", "MLI", "NER"]
    instruments = run("instruments", "--format", "json")
    assert len(json.loads(instruments.stdout)["items"]) == 29  # 21 + the eight core UN human-rights treaties


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
    rows = json.loads(result.stdout)["items"]
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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


GOVERNANCE_COMMANDS = [
    ("ratifications", "KEN"), ("ratifications", "coverage"), ("ratifications", "parties", "C097"),
    ("ratifications", "south", "C097", "--year", "2020"), ("practices", "search", "recruitment"),
    ("practices", "show", "korea-eps"), ("agreements", "list"), ("agreements", "show", "kor-eps-tha"),
    ("communities",), ("communities", "MERCOSUR", "--year", "2020"), ("instruments",),
    ("scorecard", "NIC", "CRI", "--year", "2020"), ("scorecard", "--rank", "--year", "2020"),
]


@pytest.mark.parametrize("command", GOVERNANCE_COMMANDS, ids=" ".join)
def test_every_governance_command_shows_its_sources(built_home, command):
    """Tables end with the sources footer of the stock commands; JSON carries ``sources``, each
    file with the SHA-256 the build recorded in the store's provenance, which is the SHA-256 of
    the file itself."""
    from corridors.governance.reference import reference_dir
    from corridors.store import connect

    home = ("--home", str(built_home))
    table = run(*home, *command)
    assert table.exit_code == 0, table.output
    assert "Source: " in table.stdout
    result = run(*home, *command, "--format", "json")
    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["sources"]
    assert sources and all(len(s["sha256"]) == 64 and s["licence"] for s in sources)
    con = connect(built_home / "corridors.duckdb")
    stored = {r[0]: r[1] for r in con.execute("SELECT source_id, sha256 FROM provenance").fetchall()}
    con.close()
    for source in sources:
        assert stored.get(source["source_id"]) == source["sha256"], source["source_id"]
        if source["source_id"].startswith("curated-reference"):
            assert source["sha256"] == _sha256(reference_dir() / source["file_name"])


def test_a_curated_file_changed_after_the_build_is_hashed_anew(built_home, tmp_path):
    """--reference names another folder: its files are hashed when shown, never given the
    build's checksums."""
    import shutil

    from corridors.governance.reference import reference_dir

    folder = tmp_path / "reference"
    shutil.copytree(reference_dir(), folder)
    with (folder / "rec_membership.csv").open("a", encoding="utf-8") as handle:
        handle.write("SADC,Southern African Development Community,COM,Comoros,member,2017,,"
                     "https://www.sadc.int/member-states,test row\n")
    result = run("--home", str(built_home), "communities", "SADC", "--reference", str(folder),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    files = {s["file_name"]: s["sha256"] for s in json.loads(result.stdout)["sources"]}
    assert files["rec_membership.csv"] == _sha256(folder / "rec_membership.csv")
    assert files["rec_membership.csv"] != _sha256(reference_dir() / "rec_membership.csv")
