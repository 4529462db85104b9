"""Designs held against R's survey package, to 1e-6 relative, on DuckDB and on Spark.

The expected values come from tests/survey/r/expected_designs.R (R 4.2, survey 4.1),
committed as r/expected_designs.csv so that the tests need no R. Each case below declares the same
design and measures as that script: multi-stage designs with fpc as counts or as fractions (and
without, the first stage only), lonely PSUs at the first and second stage under every rule, Brewer's
PPS approximation, and bootstrap replicate weights with R's default scale.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridors.errors import InputError
from corridors.survey.engines import DuckDBEngine, SparkEngine
from corridors.survey.estimator import (
    Measure,
    estimate,
    estimate_prepared,
    mean,
    prepare,
    ratio,
    total,
)

R = Path(__file__).resolve().parent / "r"
TOLERANCE = 1e-6


def expected() -> dict[tuple[str, str, str], tuple[float, float]]:
    with (R / "expected_designs.csv").open(encoding="utf-8") as handle:
        return {(r["case"], r["measure"], r["domain"]): (float(r["estimate"]), float(r["se"]))
                for r in csv.DictReader(handle)}


EXPECTED = expected()


@dataclass(frozen=True)
class Estimate:
    """One R call: a measure, optionally by a domain variable or within a --where domain."""

    name: str
    measure: Measure
    by: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class Case:
    data: str  # key of DATA below
    design: dict
    estimates: tuple[Estimate, ...]
    keep: str | None = None


API = (
    Estimate("mean_api00", mean("api00")),
    Estimate("total_enroll", total("enroll")),
    Estimate("mean_api.stu", mean("api.stu")),
    Estimate("ratio_api.stu_enroll", ratio('"api.stu"', "enroll")),
    Estimate("mean_api00", mean("api00"), by="sch.wide"),
    Estimate("total_enroll", total("enroll"), by="stype"),
    Estimate("mean_api00_where", mean("api00"), where='"api.stu" > 500'),
)
THREE = (
    Estimate("mean_income", mean("income")),
    Estimate("total_poor", total("poor")),
    Estimate("ratio_income_size", ratio("income", "size")),
    Estimate("mean_income", mean("income"), by="sex"),
    Estimate("total_poor", total("poor"), by="region"),
)
NHANES = (
    Estimate("mean_HI_CHOL", mean("HI_CHOL")),
    Estimate("total_HI_CHOL", total("HI_CHOL")),
    Estimate("mean_HI_CHOL", mean("HI_CHOL"), by="race"),
)
RULES = ("certainty", "remove", "adjust", "average")

CASES: dict[str, Case] = {
    "clus2_counts": Case("api_clus2", {"weight": "pw", "stages": [
        {"psu": "dnum", "fpc": "fpc1"}, {"psu": "snum", "fpc": "fpc2"}]}, API),
    "clus2_fractions": Case("api_clus2_fractions", {"weight": "pw", "stages": [
        {"psu": "dnum", "fpc": "f1"}, {"psu": "snum", "fpc": "f2"}]}, API),
    "clus2_no_fpc": Case("api_clus2", {"weight": "pw", "stages": [{"psu": "dnum"},
                                                                  {"psu": "snum"}]}, API),
    **{f"three_{rule}": Case("three_stage", {
        "weight": "w", "strata": "region", "lonely_psu": rule, "stages": [
            {"psu": "district", "fpc": "fpc1"}, {"psu": "area", "fpc": "fpc2", "strata": "zone"},
            {"fpc": "fpc3"}]}, THREE) for rule in RULES},
    **{f"nhanes_{rule}": Case("nhanes", {
        "weight": "WTMEC2YR", "strata": "SDMVSTRA", "psu": "SDMVPSU", "lonely_psu": rule},
        NHANES, keep="NOT (SDMVSTRA IN (83, 84) AND SDMVPSU = 2)") for rule in RULES},
    "brewer": Case("brewer", {"weight": "w", "strata": "stype", "fpc": "pi", "pps": "brewer"}, (
        Estimate("mean_api00", mean("api00")), Estimate("total_api00", total("api00")),
        Estimate("ratio_api00_api99", ratio("api00", "api99")),
        Estimate("mean_api00", mean("api00"), by="sch.wide"))),
    "boot_nhanes": Case("boot_nhanes", {
        "weight": "WTMEC2YR", "strata": "SDMVSTRA", "psu": "SDMVPSU",
        "replicate": {"method": "bootstrap", "weights": [f"r{i}" for i in range(1, 51)]}},
        NHANES),
    "boot_clus2": Case("boot_clus2", {
        "weight": "pw", "psu": "dnum",
        "replicate": {"method": "bootstrap", "weights": [f"r{i}" for i in range(1, 51)]}},
        API[:2]),
}


# ---------------------------------------------------------------- the data each case reads

def _pps_sample(survey_oracles: Path) -> pd.DataFrame:
    """The systematic PPS sample of the R script: by school type, probability proportional to
    enrolment, units in (stype, cds) order, start 0.5."""
    pop = pd.read_csv(survey_oracles / "api_pop.csv").dropna(subset=["enroll"])
    pop = pop.sort_values(["stype", "cds"], kind="stable").reset_index(drop=True)
    sizes = {"E": 60, "H": 15, "M": 25}
    pop["pi"] = pop["stype"].map(sizes) * pop["enroll"] / pop.groupby("stype")["enroll"].transform(
        "sum")
    cum = pop.groupby("stype")["pi"].cumsum()
    before = cum - pop["pi"]
    take = np.floor(cum + 0.5) > np.floor(before + 0.5)
    sample = pop[take].copy()
    sample["w"] = 1.0 / sample["pi"]
    return sample


def _with_factors(frame: pd.DataFrame, factors: Path, weight: str) -> pd.DataFrame:
    keys = [c for c in pd.read_csv(factors, nrows=0).columns if not c.startswith("r")]
    reps = pd.read_csv(factors)
    out = frame.merge(reps, on=keys, how="left", validate="many_to_one")
    for r in range(1, 51):
        out[f"r{r}"] = out[weight] * out[f"r{r}"]
    return out


@pytest.fixture(scope="module")
def data_files(survey_oracles, tmp_path_factory) -> Callable[[str], Path]:
    folder = tmp_path_factory.mktemp("r-designs")
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name in made:
            return made[name]
        if name == "api_clus2":
            path = survey_oracles / "api_clus2.csv"
        elif name == "nhanes":
            path = survey_oracles / "nhanes.csv"
        elif name == "three_stage":
            path = R / "three_stage.csv"
        else:
            if name == "api_clus2_fractions":
                frame = pd.read_csv(survey_oracles / "api_clus2.csv")
                frame["f1"] = 0.5
                frame["f2"] = frame.groupby("dnum")["snum"].transform("size") / frame["fpc2"]
            elif name == "brewer":
                frame = _pps_sample(survey_oracles)
            elif name == "boot_nhanes":
                frame = _with_factors(pd.read_csv(survey_oracles / "nhanes.csv"),
                                      R / "bootstrap_factors_nhanes.csv", "WTMEC2YR")
            else:
                frame = _with_factors(pd.read_csv(survey_oracles / "api_clus2.csv"),
                                      R / "bootstrap_factors_clus2.csv", "pw")
            path = folder / f"{name}.csv"
            frame.to_csv(path, index=False)
        made[name] = path
        return path

    return make


def run(case: Case, path: Path, write_mapping, engine_factory) -> dict:
    document = {"design": case.design, "reliability": {"suppress": False}}
    if case.keep:
        document["read"] = {"keep": case.keep}
    mapping = write_mapping(document, "r_case.yaml")
    groups: dict[tuple[str | None, str | None], list[Measure]] = {}
    for item in case.estimates:  # one query per domain set, as a user would ask
        groups.setdefault((item.by, item.where), []).append(replace(item.measure, name=item.name))
    got = {}
    prep = prepare(path, mapping, engine_factory())  # the file is read once per case
    for (by, where), measures in groups.items():
        frame = estimate_prepared(prep, measures, [by] if by else [], where)
        for row in frame.to_dicts():
            got[(row["measure"], f"{by}={row[by]}" if by else "")] = (row["estimate"], row["se"])
    return got


def differences(name: str, got: dict) -> tuple[float, int]:
    """Largest relative difference from R over every estimate and SE of the case (absolute
    where R's value is 0), and how many values were compared."""
    worst, count = 0.0, 0
    wanted = {(m, d): v for (c, m, d), v in EXPECTED.items() if c == name and m != "selection"}
    assert set(wanted) == set(got), f"{name}: R has {sorted(set(wanted) - set(got))}, we have " \
                                    f"{sorted(set(got) - set(wanted))}"
    for key, (r_est, r_se) in wanted.items():
        est, se = got[key]
        if np.isnan(r_se):  # R: no variance estimate (lonely_psu average, nothing to average)
            assert se is None, key
            se = r_se = 0.0
        for ours, theirs in ((est, r_est), (se, r_se)):
            gap = abs(ours - theirs) / abs(theirs) if theirs else abs(ours)
            worst = max(worst, gap)
            count += 1
    return worst, count


@pytest.mark.parametrize("name", list(CASES))
def test_duckdb_matches_r(name, data_files, write_mapping):
    case = CASES[name]
    got = run(case, data_files(case.data), write_mapping, DuckDBEngine)
    worst, count = differences(name, got)
    print(f"{name}: duckdb max relative difference vs R {worst:.2e} over {count} values")
    assert worst < TOLERANCE


@pytest.mark.spark
@pytest.mark.parametrize("name", list(CASES))
def test_spark_matches_r(name, data_files, write_mapping, spark_session):
    case = CASES[name]
    got = run(case, data_files(case.data), write_mapping, lambda: SparkEngine(spark_session))
    worst, count = differences(name, got)
    print(f"{name}: spark max relative difference vs R {worst:.2e} over {count} values")
    assert worst < TOLERANCE


def test_the_pps_sample_is_the_one_r_drew(survey_oracles):
    sample = _pps_sample(survey_oracles)
    checksum, count = EXPECTED[("brewer", "selection", "")]
    assert len(sample) == count == 100
    assert float((sample["cds"].astype("int64") % 1000003).sum()) == checksum


def test_lonely_units_fail_by_default_naming_stage_and_stratum(data_files, write_mapping):
    design = {**CASES["three_certainty"].design, "lonely_psu": "fail"}
    mapping = write_mapping({"design": design})
    with pytest.raises(InputError, match="stage 1 stratum F") as error:
        estimate(data_files("three_stage"), mapping, [mean("income")])
    assert "lonely_psu" in str(error.value)
    # region E has every district sampled (fpc1 = n): certainty by its fpc, never 'lonely'
    assert "stratum E" not in str(error.value)


def test_design_errors_name_the_stage_the_stratum_and_the_fix(data_files, write_mapping):
    three = data_files("three_stage")
    stages = CASES["three_certainty"].design["stages"]
    # lonely at the second stage only (region F dropped): named with the unit above it
    mapping = write_mapping({"design": {"weight": "w", "strata": "region", "stages": stages},
                             "read": {"keep": "region <> 'F'"}})
    with pytest.raises(InputError, match="stage 2 stratum rural in district 4 .2 such strata"):
        estimate(three, mapping, [mean("income")])
    # an fpc that varies within a stratum: one fpc per stratum, or Brewer PPS
    mapping = write_mapping({"design": {"weight": "w", "strata": "region", "psu": "area",
                                        "fpc": "fpc3", "lonely_psu": "certainty"}})
    with pytest.raises(InputError, match="one fpc value per stratum") as error:
        estimate(three, mapping, [mean("income")])
    assert "pps: brewer" in str(error.value)
    # Brewer takes probabilities, not population counts
    mapping = write_mapping({"design": {"weight": "w", "strata": "region", "psu": "area",
                                        "fpc": "fpc2", "pps": "brewer",
                                        "lonely_psu": "certainty"}})
    with pytest.raises(InputError, match="inclusion probabilities <= 1"):
        estimate(three, mapping, [mean("income")])
