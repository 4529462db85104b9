"""`corridors flows`: the user-matrix form on the oracle matrices of EXPECTED.md (the acceptance
form of issue 7), and the store form on a store file we construct."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from corridors.cli.main import app
from corridors.store import create_schema

runner = CliRunner()

S1_E0 = [[1000, 100, 10, 0], [55, 555, 50, 5], [80, 40, 800, 40], [20, 25, 20, 200]]
S2_E0 = [[950, 100, 60, 0], [80, 505, 75, 5], [90, 30, 800, 40], [40, 45, 0, 180]]
S2_E3 = [[1060, 60, 10, 10], [45, 540, 40, 0], [70, 75, 770, 70], [30, 30, 20, 230]]
S1_DIFF = [[100, 10, 10, 0], [20, 55, 25, 10], [10, 40, 140, 65], [20, 25, 20, 200]]
S2_DIFF = [[75, 25, 5, 15], [20, 45, 30, 15], [30, 40, 150, 35], [10, 50, 5, 200]]


def _matrix(path, m):
    lines = ["birth/residence,A,B,C,D"] + [
        ",".join([p] + [str(v) for v in row]) for p, row in zip("ABCD", m, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _vital(path, values):
    path.write_text("place,value\n" + "".join(f"{p},{v}\n" for p, v in zip("ABCD", values,
                                                                        strict=True)))
    return str(path)


def _run(*args):
    result = runner.invoke(app, list(args))
    return result


def _report(result) -> dict:
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert all(set(r) == {"origin", "destination", "flow"} for r in report["flows"])
    assert report["total"] == pytest.approx(sum(r["flow"] for r in report["flows"]))
    return report


def _flows(result) -> dict[tuple[str, str], float]:
    return {(r["origin"], r["destination"]): r["flow"] for r in _report(result)["flows"]}


def test_demo_closed_e0(tmp_path):
    got = _flows(_run("flows", "estimate", "--stock-start", _matrix(tmp_path / "s1.csv", S1_E0),
                      "--stock-end", _matrix(tmp_path / "s2.csv", S2_E0), "--method", "demo",
                      "--format", "json"))
    assert len(got) == 12
    assert got[("A", "C")] == pytest.approx(50) and got[("B", "A")] == pytest.approx(35)
    assert sum(got.values()) == pytest.approx(150)


@pytest.mark.parametrize(("match", "b_a", "total"), [("open-dr", 26.42296, 131.95487),
                                                     ("open", 26.81098, 136.10346)])
def test_demo_with_births_and_deaths(tmp_path, match, b_a, total):
    got = _flows(_run(
        "flows", "estimate", "--stock-start", _matrix(tmp_path / "s1.csv", S1_E0),
        "--stock-end", _matrix(tmp_path / "s2.csv", S2_E3),
        "--births", _vital(tmp_path / "b.csv", [80, 20, 40, 60]),
        "--deaths", _vital(tmp_path / "d.csv", [70, 30, 50, 10]),
        "--method", "demo", "--birthplace-match", match, "--format", "json"))
    assert got[("B", "A")] == pytest.approx(b_a, abs=5e-6)
    assert sum(got.values()) == pytest.approx(total, abs=5e-6)


@pytest.mark.parametrize(("method", "pair", "value"), [
    ("diff-zero", ("C", "A"), 20), ("diff-return", ("C", "A"), 25),
    ("rates-dennett", ("C", "D"), 15.294118), ("rates-rvr", ("C", "D"), -51.85130),
])
def test_other_methods(tmp_path, method, pair, value):
    got = _flows(_run("flows", "estimate", "--stock-start", _matrix(tmp_path / "a.csv", S1_DIFF),
                      "--stock-end", _matrix(tmp_path / "b.csv", S2_DIFF), "--method", method,
                      "--format", "json"))
    assert got[pair] == pytest.approx(value, abs=1e-5)


def test_dennett_total_option(tmp_path):
    got = _flows(_run("flows", "estimate", "--stock-start", _matrix(tmp_path / "a.csv", S1_DIFF),
                      "--stock-end", _matrix(tmp_path / "b.csv", S2_DIFF), "--method",
                      "rates-dennett", "--total", "255", "--format", "json"))
    assert got[("C", "D")] == pytest.approx(65)


def test_user_errors_exit_2_with_a_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("born,A,B\nA,1,x\nB,2,3\n")
    good = _matrix(tmp_path / "s2.csv", S2_E0)
    result = _run("flows", "estimate", "--stock-start", str(bad), "--stock-end", good)
    assert result.exit_code != 0
    assert "bad.csv, row 2: value 'x'" in str(result.exception)
    result = _run("flows", "estimate", "--stock-start", good)
    assert "both --stock-start and --stock-end" in str(result.exception)
    result = _run("flows", "estimate", "--stock-start", good, "--stock-end", good, "--method",
                  "diff-zero", "--birthplace-match", "open")
    assert "apply only to --method demo" in str(result.exception)


def test_help_names_every_option():
    result = _run("flows", "estimate", "--help")
    for option in ("--stock-start", "--stock-end", "--births", "--deaths", "--method",
                   "--birthplace-match", "--total", "--period", "--sex", "--save", "--tol",
                   "--max-iter", "--seed-matrix", "--no-stayers", "--rescale-tol"):
        assert option in result.output


# --- the default rescale with births and deaths: migest's ffs_demo e5 and e6 -------------------
# expected cells: tests/analytics/flows/test_flows_ffs_demo.py (where they come from is noted there)
S1_IMR = [[100, 10, 10, 0], [20, 55, 25, 10], [10, 40, 140, 65], [20, 25, 20, 200]]
S2_E6 = [[75, 25, 5, 0], [20, 45, 30, 15], [30, 40, 150, 60], [30, 30, 20, 230]]
S2_E1 = [[70, 30, 10, 10], [25, 60, 10, 15], [10, 55, 140, 50], [40, 45, 0, 180]]
DISTANCE = [[0, 5, 50, 500], [5, 0, 45, 495], [50, 45, 0, 450], [500, 495, 450, 0]]
E5 = [[0, 3.32856289204252, 0, 3.24298952398766], [34.12095243687568, 0, 0.58387383980656, 9.80933604166327],
      [0.00436573844995, 27.12775267676105, 0, 25.71133112246037],
      [12.44611999870048, 9.05847802323764, 2.25952624187552, 0]]
E6 = [[0, 8.12621569779, 0, 0], [15.4553535451, 0, 18.08183234988, 5.71286416905],
      [0, 1.12567923857, 0, 0], [17.66940688841, 0, 8.0433627777, 0]]


def _cells(got, expected):
    return max(abs(got[(o, d)] - expected[i][j]) for i, o in enumerate("ABCD")
               for j, d in enumerate("ABCD") if i != j)


def test_rescale_science_example_e5(tmp_path):
    result = _run("flows", "estimate", "--stock-start", _matrix(tmp_path / "s1.csv", S1_E0),
                  "--stock-end", _matrix(tmp_path / "s2.csv", S2_E3),
                  "--births", _vital(tmp_path / "b.csv", [80, 20, 60, 60]),
                  "--deaths", _vital(tmp_path / "d.csv", [70, 30, 50, 10]), "--format", "json")
    report = _report(result)
    assert _cells(_flows(result), E5) <= 1e-6
    assert report["total"] == pytest.approx(127.693288536, abs=1e-6)
    assert report["settings"]["birthplace_match"] == "rescale" and report["excess_births"] == []
    assert report["converged"] is True


def test_rescale_imr_example_e6_reports_excess_births(tmp_path):
    args = ["flows", "estimate", "--stock-start", _matrix(tmp_path / "s1.csv", S1_IMR),
            "--stock-end", _matrix(tmp_path / "s2.csv", S2_E6),
            "--births", _vital(tmp_path / "b.csv", [10, 50, 25, 60]),
            "--deaths", _vital(tmp_path / "d.csv", [30, 10, 40, 10])]
    result = _run(*args, "--format", "json")
    report = _report(result)
    assert _cells(_flows(result), E6) <= 1e-6
    assert report["total"] == pytest.approx(74.2147146665, abs=1e-6)
    [excess] = report["excess_births"]
    assert (excess["place"], excess["births"], excess["native_born_end"], excess["excess"]) == (
        "B", 50, 45, 5)
    table = _run(*args)
    assert table.exit_code == 0, table.output
    shown = " ".join(table.stdout.split())
    assert "Births above the native-born at home at the end" in shown and "total 74.21" in shown
    csv = _run(*args, "--format", "csv")
    assert csv.exit_code == 0 and csv.stdout.startswith("origin,destination,flow")
    assert "excess births:" in csv.stderr and "B: 50 births, 45 native-born" in csv.stderr


def test_seed_matrix_as_in_the_imr_supplementary_example(tmp_path):
    s1 = _matrix(tmp_path / "s1.csv", S1_IMR)
    s2 = _matrix(tmp_path / "s2.csv", S2_E1)
    seed = _matrix(tmp_path / "distance.csv", DISTANCE)
    result = _run("flows", "estimate", "--stock-start", s1, "--stock-end", s2, "--seed-matrix",
                  seed, "--format", "json")
    e1 = [[0, 20, 0, 10], [0, 0, 0, 0], [15, 15, 0, 5], [10, 25, 0, 0]]
    assert _cells(_flows(result), e1) <= 1e-6
    assert _report(result)["notes"]["seed"].startswith("not used")
    refused = _run("flows", "estimate", "--stock-start", s1, "--stock-end", s2,
                   "--seed-matrix", seed, "--no-stayers")
    assert "seed's diagonal weighs the stayers, and it is zero for A, B, C, D" in str(
        refused.exception)
    with_home = [[1 if i == j else v for j, v in enumerate(row)] for i, row in enumerate(DISTANCE)]
    free = _report(_run("flows", "estimate", "--stock-start", s1, "--stock-end", s2, "--seed-matrix",
                        _matrix(tmp_path / "seed1.csv", with_home), "--no-stayers", "--format", "json"))
    assert free["notes"]["seed"].startswith("used") and free["settings"]["stayers"] is False


def test_seed_matrix_errors_name_file_and_places(tmp_path):
    s1 = _matrix(tmp_path / "s1.csv", S1_IMR)
    s2 = _matrix(tmp_path / "s2.csv", S2_E1)
    bad = tmp_path / "seed.csv"
    bad.write_text("from/to,A,B,C\nA,0,1,2\nB,1,0,x\nC,2,1,0\n")
    result = _run("flows", "estimate", "--stock-start", s1, "--stock-end", s2, "--seed-matrix",
                  str(bad))
    assert result.exit_code != 0
    assert "seed.csv, row 3: value 'x'; expected a number >= 0 from 'B' to 'C'" in str(
        result.exception)
    good = tmp_path / "seed3.csv"
    good.write_text("from/to,A,B,C\nA,0,1,2\nB,1,0,3\nC,2,1,0\n")
    result = _run("flows", "estimate", "--stock-start", s1, "--stock-end", s2, "--seed-matrix",
                  str(good))
    assert "seed3.csv: value 'D'; expected the same places as the stock matrices" in str(
        result.exception)
    result = _run("flows", "estimate", "--stock-start", s1, "--stock-end", s2, "--seed-matrix",
                  str(good), "--method", "diff-zero")
    assert "apply only to --method demo" in str(result.exception)


def test_rescale_non_convergence_names_the_cause(tmp_path):
    lines = ["born,A,B,C", "A,50,10,0", "B,10,50,0", "C,0,0,100"]
    (tmp_path / "a.csv").write_text("\n".join(lines) + "\n")
    lines[1] = "A,60,10,0"
    (tmp_path / "b.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "births.csv").write_text("place,value\nA,0\nB,0\nC,10\n")
    (tmp_path / "deaths.csv").write_text("place,value\nA,0\nB,0\nC,0\n")
    args = ["flows", "estimate", "--stock-start", str(tmp_path / "a.csv"), "--stock-end",
            str(tmp_path / "b.csv"), "--births", str(tmp_path / "births.csv"), "--deaths",
            str(tmp_path / "deaths.csv")]
    result = _run(*args)
    assert result.exit_code != 0
    text = str(result.exception)
    assert "all native-born" in text and "(here: C)" in text and "--birthplace-match open" in text
    assert _run(*args, "--birthplace-match", "open").exit_code == 0


# --- the store form ----------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path):
    """A home whose store holds KEN, TZA, UGA stocks 2015 and 2020 (male) and population."""
    home = tmp_path / "home"
    home.mkdir()
    con = duckdb.connect(str(home / "corridors.duckdb"))
    create_schema(con)
    stocks = [("UGA", "KEN", 2015, 100), ("TZA", "KEN", 2015, 50), ("KEN", "UGA", 2015, 30),
              ("UGA", "KEN", 2020, 150), ("TZA", "KEN", 2020, 40), ("KEN", "UGA", 2020, 30),
              ("KEN", "TZA", 2020, 20)]
    for o, d, y, v in stocks:
        con.execute("INSERT INTO migrant_stock VALUES ('ims2020', ?, ?, ?, 'male', ?, 't')",
                    [o, d, y, float(v)])
    for iso, y, v in (("KEN", 2015, 1000), ("KEN", 2020, 1100), ("UGA", 2015, 800),
                      ("UGA", 2020, 850), ("TZA", 2015, 900), ("TZA", 2020, 1000)):
        con.execute("INSERT INTO population VALUES ('ims2020', ?, NULL, ?, 'male', ?, 't')",
                    [iso, y, float(v)])
    for iso, m49 in (("KEN", 404), ("TZA", 834), ("UGA", 800)):
        con.execute("INSERT INTO countries (iso3, m49, name, short_name, continent, sdg_region) "
                    "VALUES (?, ?, ?, ?, 'Africa', 'Sub-Saharan Africa')", [iso, m49, iso, iso])
    for iso, group in (("KEN", "LM"), ("UGA", "L"), ("TZA", "UM")):  # World Bank, data year 2015
        con.execute("INSERT INTO income_groups VALUES (?, 2015, 'FY17', ?, 't')", [iso, group])
    con.close()
    return home


def _store_path_ok(home):
    from corridors import settings

    settings.reset()
    settings.override(home=home)
    return settings.settings().store_path


def test_store_estimate_save_and_corridor(home):
    if _store_path_ok(home).name != "corridors.duckdb":
        pytest.skip("store file name differs from the one this test writes")
    result = _run("--home", str(home), "flows", "estimate", "--period", "2015-2020", "--sex",
                  "male", "--save", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    got = {(r["origin"], r["destination"]): r["value"] for r in rows}
    assert got == pytest.approx({("KEN", "TZA"): 30.0, ("UGA", "KEN"): 50.0})
    con = duckdb.connect(str(home / "corridors.duckdb"), read_only=True)
    assert con.execute("SELECT count(*), sum(value) FROM flows").fetchone() == (2, 80.0)
    con.close()
    result = _run("--home", str(home), "flows", "corridor", "Kenya", "TZA", "--sex", "male",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["origin"], row["destination"], row["flow"], row["net"]) == ("KEN", "TZA", 30, 30)


def test_store_errors(home):
    if _store_path_ok(home).name != "corridors.duckdb":
        pytest.skip("store file name differs from the one this test writes")
    result = _run("--home", str(home), "flows", "estimate", "--period", "2010-2015")
    assert "no stocks for 2010" in str(result.exception)
    result = _run("--home", str(home), "flows", "corridor", "Atlantis", "KEN")
    assert "unknown country 'Atlantis'" in str(result.exception)


def test_store_regions(home):
    if _store_path_ok(home).name != "corridors.duckdb":
        pytest.skip("store file name differs from the one this test writes")
    result = _run("--home", str(home), "flows", "regions", "--by", "continent", "--sex", "male",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["origin_region"], row["destination_region"], row["value"]) == ("Africa", "Africa",
                                                                               80)
    result = _run("--home", str(home), "flows", "estimate", "--sex", "male")
    assert result.exit_code == 0, result.output
    assert "Total estimated flows" in result.output and "UGA" in result.output


def _caption_source(result) -> str:
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    if "read from the store's saved `flows` table" in text:
        return "stored"
    assert "estimated now" in text, text
    return "estimated"


def test_store_lenses_json_and_the_saved_table_fast_path(home):
    if _store_path_ok(home).name != "corridors.duckdb":
        pytest.skip("store file name differs from the one this test writes")
    args = ["--home", str(home), "flows", "lenses", "--period", "2015-2020", "--sex", "male"]
    assert _caption_source(_run(*args)) == "estimated"  # no flows table yet
    assert _caption_source(_run("--home", str(home), "flows", "corridor", "KEN", "TZA",
                                "--sex", "male")) == "estimated"
    _run("--home", str(home), "flows", "estimate", "--sex", "male", "--save", "--format", "json")
    assert _caption_source(_run(*args)) == "stored"
    assert _caption_source(_run("--home", str(home), "flows", "estimate", "--period", "2015-2020",
                                "--sex", "male")) == "stored"
    assert _caption_source(_run("--home", str(home), "flows", "corridor", "KEN", "TZA",
                                "--sex", "male")) == "stored"
    # other settings than the saved ones are estimated again
    assert _caption_source(_run("--home", str(home), "flows", "estimate", "--period", "2015-2020",
                                "--sex", "male", "--tol", "1e-6")) == "estimated"
    result = _run(*args, "--lens", "wb-lmic", "--lens", "wb-non-high", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 2 * 6  # two lenses x six categories, one period and sex
    assert all({"lens", "period_start", "period_end", "sex", "category", "value", "share"}
               <= set(r) for r in rows)
    values = {(r["lens"], r["category"]): r["value"] for r in rows if r["value"]}
    shares = {(r["lens"], r["category"]): r["share"] for r in rows if r["value"]}
    # UGA (L) -> KEN (LM) 50 and KEN -> TZA (UM) 30 (male flows worked out by hand above)
    assert values == pytest.approx({("wb-lmic", "south-south"): 50,
                                    ("wb-lmic", "south-north"): 30,
                                    ("wb-non-high", "south-south"): 80})
    assert shares == pytest.approx({("wb-lmic", "south-south"): 50 / 80,
                                    ("wb-lmic", "south-north"): 30 / 80,
                                    ("wb-non-high", "south-south"): 1.0})
    result = _run(*args, "--lens", "wb-lmic", "--format", "csv")
    assert result.stdout.splitlines()[0] == (
        "lens,period_start,period_end,sex,category,value,share,classified_share")
    result = _run(*args, "--lens", "no-such-lens")
    assert "unknown lens 'no-such-lens'" in str(result.exception)


def test_store_regions_under_a_lens(home):
    if _store_path_ok(home).name != "corridors.duckdb":
        pytest.skip("store file name differs from the one this test writes")
    result = _run("--home", str(home), "flows", "regions", "--by", "continent", "--sex", "male",
                  "--lens", "wb-lmic", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["origin_region"], row["value"]) == ("Africa", 50)  # only UGA -> KEN is South-South


def test_store_lenses_with_a_custom_lens_file(home, tmp_path):
    if _store_path_ok(home).name != "corridors.duckdb":
        pytest.skip("store file name differs from the one this test writes")
    lens_file = tmp_path / "lenses.yaml"
    lens_file.write_text("lenses:\n  - id: kenya-uganda\n    title: Kenya and Uganda only\n"
                         "    south:\n      countries: [KEN, Uganda]\n", encoding="utf-8")
    result = _run("--home", str(home), "flows", "lenses", "--lens", "kenya-uganda", "--lens-file",
                  str(lens_file), "--sex", "male", "--format", "json")
    assert result.exit_code == 0, result.output
    values = {r["category"]: r["value"] for r in json.loads(result.stdout) if r["value"]}
    assert values == pytest.approx({"south-south": 50, "south-north": 30})  # UGA->KEN, KEN->TZA
