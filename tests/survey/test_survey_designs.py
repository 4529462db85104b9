"""Design-based SEs on real designs, each checked against an independent pandas computation of the
formula (tests/survey/conftest.py::taylor_variance), and domain = zeroed weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridors.errors import InputError
from corridors.survey.estimator import estimate, mean, ratio, total


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


@pytest.fixture
def casen_mapping(write_mapping):
    return write_mapping({
        "survey": {"id": "casen-2017-los-rios", "country": "CHL", "year": 2017},
        "design": {"weight": "expc", "strata": "varstrat", "psu": "varunit"},
        "variables": {"sex": {"column": "sexo", "map": {1: "male", 2: "female"}},
                      "poor": {"expr": "CASE WHEN pobreza IN (1, 2) THEN 1 "
                                       "WHEN pobreza = 3 THEN 0 END"}},
    })


@pytest.fixture(scope="module")
def casen(oracles) -> pd.DataFrame:
    return pd.read_csv(oracles / "microdata" / "casen_2017_los_rios.csv")


def test_casen_income_and_poverty_by_sex_match_independent_computation(
        microdata_oracles, casen_mapping, casen, independent_variance):
    out = estimate(microdata_oracles / "casen_2017_los_rios.csv", casen_mapping,
                   [mean("ytotcorh", "income"), mean("poor", "poverty"), total("poor", "poor")],
                   by=["sex"])
    assert casen.groupby("varstrat")["varunit"].nunique().min() >= 2  # real multi-PSU strata
    rows = {(r["measure"], r["sex"]): r for r in out.to_dicts()}
    for code, sex in ((1, "male"), (2, "female")):
        inside = (casen["sexo"] == code).to_numpy()
        w = casen["expc"].to_numpy() * inside  # domain: zero weight outside
        for name, y in (("income", casen["ytotcorh"].to_numpy(dtype=float)),
                        ("poverty", casen["pobreza"].isin([1, 2]).to_numpy(dtype=float))):
            ybar = (w * y).sum() / w.sum()
            z = w * (y - ybar) / w.sum()
            se = independent_variance(casen, z, strata="varstrat", psu="varunit") ** 0.5
            got = rows[(name, sex)]
            assert rel(got["estimate"], ybar) < 1e-12
            assert rel(got["se"], se) < 1e-9
            assert got["n"] == int(inside.sum())
        y = casen["pobreza"].isin([1, 2]).to_numpy(dtype=float)
        se = independent_variance(casen, w * y, strata="varstrat", psu="varunit") ** 0.5
        assert rel(rows[("poor", sex)]["se"], se) < 1e-9
        assert rows[("poor", sex)]["n"] == int((inside & (y == 1)).sum())


def test_domain_equals_full_sample_with_zeroed_weights(microdata_oracles, casen_mapping, casen,
                                                       tmp_path):
    measures = [mean("ytotcorh", "income"), total("poor", "poor"), ratio("poor", "1", "r")]
    by_sex = estimate(microdata_oracles / "casen_2017_los_rios.csv", casen_mapping, measures,
                      by=["sex"]).filter(sex="female").drop("sex")
    zeroed = casen.assign(expc=np.where(casen["sexo"] == 2, casen["expc"], 0.0))
    path = tmp_path / "casen_zeroed.csv"
    zeroed.to_csv(path, index=False)
    full = estimate(path, casen_mapping, measures)
    where = estimate(microdata_oracles / "casen_2017_los_rios.csv", casen_mapping, measures,
                     where="sex = 'female'")
    for other in (full, where):
        for a, b in zip(by_sex.to_dicts(), other.to_dicts(), strict=True):
            assert a["measure"] == b["measure"]
            assert rel(a["estimate"], b["estimate"]) < 1e-12
            assert rel(a["se"], b["se"]) < 1e-12
    # n counts the domain's sample persons, so it matches --where, not the zeroed file
    assert by_sex["n"].to_list() == where["n"].to_list()


def test_nhanes_domains_by_race(survey_oracles, write_mapping, independent_variance):
    frame = pd.read_csv(survey_oracles / "nhanes.csv")
    mapping = write_mapping({"design": {"weight": "WTMEC2YR", "strata": "SDMVSTRA",
                                        "psu": "SDMVPSU"}, "reliability": {"suppress": False}})
    out = estimate(survey_oracles / "nhanes.csv", mapping, [mean("HI_CHOL")], by=["race"])
    assert out.height == frame["race"].nunique()
    # PSU numbers (1, 2) repeat across strata: PSUs are nested in strata
    for row in out.to_dicts():
        inside = (frame["race"].astype(str) == row["race"]) & frame["HI_CHOL"].notna()
        w = frame["WTMEC2YR"].to_numpy() * inside.to_numpy()
        y = frame["HI_CHOL"].fillna(0).to_numpy(dtype=float)
        ybar = (w * y).sum() / w.sum()
        se = independent_variance(frame, w * (y - ybar) / w.sum(), strata="SDMVSTRA",
                                  psu="SDMVPSU") ** 0.5
        assert rel(row["estimate"], ybar) < 1e-12
        assert rel(row["se"], se) < 1e-9


@pytest.fixture
def one_stage(survey_oracles, tmp_path) -> tuple[pd.DataFrame, object]:
    """one_stage_fpc.csv with ``Nh`` renamed: its ``nh`` and ``Nh`` differ only in case, and SQL
    engines treat column names case-insensitively (DuckDB reads them as nh, Nh_1)."""
    frame = pd.read_csv(survey_oracles / "one_stage_fpc.csv").rename(columns={"Nh": "N_h"})
    path = tmp_path / "one_stage_fpc.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_one_stage_fpc_total_mean_ratio_and_domain(one_stage, write_mapping,
                                                   independent_variance):
    frame, path = one_stage
    mapping = write_mapping({"design": {"weight": "weight", "strata": "stratid", "psu": "psuid",
                                        "fpc": "N_h"}, "reliability": {"suppress": False}})
    out = estimate(path, mapping,
                   [total("y", "t"), mean("y", "m"), ratio("y", "x", "r")], by=["domain"])
    w, y, x = (frame[c].to_numpy(dtype=float) for c in ("weight", "y", "x"))
    for row in out.to_dicts():
        wd = w * (frame["domain"].astype(str) == row["domain"]).to_numpy()
        if row["measure"] == "t":
            est, z = (wd * y).sum(), wd * y
        elif row["measure"] == "m":
            est = (wd * y).sum() / wd.sum()
            z = wd * (y - est) / wd.sum()
        else:
            est = (wd * y).sum() / (wd * x).sum()
            z = wd * (y - est * x) / (wd * x).sum()
        se = independent_variance(frame, z, strata="stratid", psu="psuid", fpc="N_h") ** 0.5
        assert rel(row["estimate"], est) < 1e-12
        assert rel(row["se"], se) < 1e-9


def test_lonely_psu_fails_unless_certainty(tmp_path, write_mapping, independent_variance):
    frame = pd.DataFrame({"h": [1, 1, 1, 2, 2, 3], "i": [1, 1, 2, 3, 4, 5],
                          "w": [2.0, 3.0, 2.0, 4.0, 4.0, 1.0], "y": [1, 0, 1, 5, 2, 7]})
    path = tmp_path / "lonely.csv"
    frame.to_csv(path, index=False)
    design = {"weight": "w", "strata": "h", "psu": "i"}
    with pytest.raises(InputError, match="stratum 3"):
        estimate(path, write_mapping({"design": design}), [total("y")])
    out = estimate(path, write_mapping({"design": {**design, "lonely_psu": "certainty"},
                                        "reliability": {"suppress": False}}), [total("y")])
    expected = independent_variance(frame, (frame["w"] * frame["y"]).to_numpy(), strata="h",
                                    psu="i")
    assert rel(out["se"][0], expected ** 0.5) < 1e-12


def test_jackknife_replicates_reproduce_taylor_se_of_a_total(survey_oracles, write_mapping,
                                                             tmp_path):
    """JKn replicate weights built from the YRBS design: for a total the jackknife variance
    equals the Taylor variance exactly, so the replicate path must give EXPECTED's 555.5157."""
    frame = pd.read_csv(survey_oracles / "yrbs.csv").dropna(subset=["qn8"]).reset_index(drop=True)
    psus = frame[["stratum", "psu"]].drop_duplicates().reset_index(drop=True)
    n_h = frame.groupby("stratum")["psu"].nunique()
    names, rscales = [], []
    for r, (h, i) in enumerate(psus.itertuples(index=False)):
        in_h = frame["stratum"] == h
        factor = np.where(~in_h, 1.0, np.where(frame["psu"] == i, 0.0, n_h[h] / (n_h[h] - 1)))
        frame[f"rep{r}"] = frame["weight"] * factor
        names.append(f"rep{r}")
        rscales.append(float((n_h[h] - 1) / n_h[h]))
    frame["y"] = (frame["qn8"] == 1).astype(int)
    path = tmp_path / "yrbs_jk.parquet"
    frame.to_parquet(path)
    mapping = write_mapping({"design": {"weight": "weight", "replicate": {
        "weights": names, "method": "jkn", "rscales": rscales}}})
    out = estimate(path, mapping, [total("y", "t"), mean("y", "m")])
    rows = {r["measure"]: r for r in out.to_dicts()}
    assert rel(rows["t"]["estimate"], 7938.3335) < 1e-6
    assert rel(rows["t"]["se"], 555.5157) < 1e-6
    assert rows["m"]["se"] == pytest.approx(0.0198621, rel=0.02)  # jackknife ~ Taylor for a mean


def test_stata_spss_parquet_and_csv_give_the_same_estimates(one_stage, write_mapping, tmp_path):
    import pyreadstat

    frame, path = one_stage
    files = [path]
    for name, writer in (("f.dta", pyreadstat.write_dta), ("f.sav", pyreadstat.write_sav)):
        writer(frame, str(tmp_path / name))
        files.append(tmp_path / name)
    frame.to_parquet(tmp_path / "f.parquet")
    files.append(tmp_path / "f.parquet")
    mapping = write_mapping({"design": {"weight": "weight", "strata": "stratid", "psu": "psuid",
                                        "fpc": "N_h"}, "reliability": {"suppress": False}})
    results = [estimate(f, mapping, [mean("y")], by=["domain"]) for f in files]
    for other in results[1:]:
        assert other["domain"].to_list() == results[0]["domain"].to_list()
        for column in ("estimate", "se"):
            for a, b in zip(other[column], results[0][column], strict=True):
                assert rel(a, b) < 1e-12


def test_n_counts_only_rows_of_positive_weight(one_stage, write_mapping, tmp_path):
    """A zero weight (out of scope, or zeroed by calibration) adds nothing and is not counted."""
    frame, _path = one_stage
    zeroed = frame.assign(weight=np.where(frame.index % 4 == 0, 0.0, frame["weight"]))
    path = tmp_path / "zeroed.csv"
    zeroed.to_csv(path, index=False)
    mapping = write_mapping({"design": {"weight": "weight", "strata": "stratid", "psu": "psuid",
                                        "fpc": "N_h"}, "reliability": {"suppress": False}})
    out = estimate(path, mapping, [mean("y", "m"), total("z", "t")], by=["domain"])
    positive = zeroed[zeroed["weight"] > 0]
    for row in out.to_dicts():
        inside = positive[positive["domain"].astype(str) == row["domain"]]
        expected = len(inside) if row["measure"] == "m" else int((inside["z"] != 0).sum())
        assert row["n"] == expected
    assert out.filter(measure="m")["n"].sum() < len(zeroed)


def test_the_lonely_psu_note_is_not_a_domain_when_saved(write_mapping):
    """The design note travels with the estimates but is not a domain of the stored rows."""
    import duckdb

    from corridors.survey.estimator import domain_columns, estimate_prepared, prepare
    from corridors.survey.store import write_estimates

    data = Path(__file__).resolve().parent / "r" / "three_stage.csv"
    mapping = write_mapping({"survey": {"id": "three"}, "design": {
        "weight": "w", "strata": "region", "lonely_psu": "certainty",
        "stages": [{"psu": "district", "fpc": "fpc1"},
                   {"psu": "area", "fpc": "fpc2", "strata": "zone"}, {"fpc": "fpc3"}]}})
    prep = prepare(data, mapping)
    out = estimate_prepared(prep, [mean("income")], ["sex"])
    assert out["lonely_psu"][0] == ("certainty: stage 1 stratum F; stage 2 strata rural in "
                                    "district 4, rural in district 8")
    assert domain_columns(out.columns) == ["sex"]
    con = duckdb.connect()
    assert write_estimates(con, out, prep) == 2
    assert {r[0] for r in con.execute("SELECT domain FROM survey_estimates").fetchall()} == {"{}"}
