"""Design df, confidence intervals and quantiles equal R's survey package to 1e-6, on DuckDB and Spark.

Expected values: r/expected_intervals.csv, written by r/expected_intervals.R (confint with
df = degf, svyciprop logit and beta, svyquantile defaults) from the oracle files and from the
constructed surveys r/intervals_design.csv (with R's JKn replicate weights) and r/three_stage.csv
(three stages: the df counts first-stage PSUs).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from corridors.survey.engines import DuckDBEngine, SparkEngine
from corridors.survey.estimator import (
    estimate,
    estimate_prepared,
    mean,
    prepare,
    quantile,
    ratio,
    total,
)

R = Path(__file__).parent / "r"
EXPECTED = pd.read_csv(R / "expected_intervals.csv", keep_default_na=False,
                       dtype={"domain": str})
TOL = 1e-6
NO_SUPPRESS = {"suppress": False}


def _cases(survey_oracles: Path) -> dict[str, tuple[Path, dict, list, str]]:
    """case -> (data, mapping document, measures, domain variable), as the R script declares."""
    jkn = pd.read_csv(R / "intervals_jkn.csv")
    reps = [f"rep{i}" for i in range(1, len(jkn) + 1)]
    income = [quantile("income", p, f"quantile(income, {p:g})") for p in (0.1, 0.5, 0.9)]
    constructed = [mean("rare", "mean(rare)"), mean("income", "mean(income)"), *income,
                   ratio("unemp", "lf", "ratio(unemp/lf)")]
    return {
        "api_strat": (
            survey_oracles / "api_strat.csv",
            {"design": {"weight": "pw", "strata": "stype", "fpc": "fpc"}},
            [mean("api00", "mean(api00)"), total("enroll", "total(enroll)"),
             mean("CASE WHEN api00 > 700 THEN 1 ELSE 0 END", "mean(p700)"),
             *[quantile("api00", p, f"quantile(api00, {p:g})") for p in (0.25, 0.5, 0.75)]],
            "stype"),
        "nhanes": (
            survey_oracles / "nhanes.csv",
            {"design": {"weight": "WTMEC2YR", "strata": "SDMVSTRA", "psu": "SDMVPSU"}},
            [mean("HI_CHOL", "mean(HI_CHOL)")], "agecat"),
        "yrbs": (
            survey_oracles / "yrbs.csv",
            {"design": {"weight": "weight", "strata": "stratum", "psu": "psu"},
             "read": {"keep": "qn8 IS NOT NULL"},
             "variables": {"y": {"column": "qn8", "map": {1: 1, 2: 0}}}},
            [mean("y", "mean(y)")], ""),
        "three_stage": (
            R / "three_stage.csv",
            {"design": {"weight": "w", "strata": "region", "lonely_psu": "adjust", "stages": [
                {"psu": "district", "fpc": "fpc1"},
                {"psu": "area", "fpc": "fpc2", "strata": "zone"}, {"fpc": "fpc3"}]}},
            [mean("income", "mean(income)")], "sex"),
        "constructed": (
            R / "intervals_design.csv",
            {"design": {"weight": "w", "strata": "stratum", "psu": "psu"}}, constructed, "region"),
        "constructed_jkn": (
            R / "intervals_design.csv",
            {"design": {"weight": "w", "replicate": {
                "weights": reps, "method": "jkn", "scale": float(jkn["scale"][0]),
                "rscales": [float(r) for r in jkn["rscales"]], "centre": "full"}}},
            constructed, "region"),
    }


def _close(ours: float | None, theirs: float) -> float:
    """Relative difference (0 when both are missing, inf when only one is)."""
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
        return 0.0 if math.isnan(theirs) else math.inf
    if math.isnan(theirs):
        return math.inf
    return abs(ours - theirs) / max(abs(theirs), 1e-300)


def _degenerate(case: str, ci: str, row: dict) -> bool:
    """R's logit interval with replicate weights refits the logistic model on each replicate; on
    a replicate with no event at all (a domain's only events in one PSU, here regions B and C)
    that fit does not converge and R returns an interval of about (0, 1). corridors then takes
    the delta method for logit(p) with the replicate SE, as it does under Taylor linearisation."""
    return case.endswith("_jkn") and ci == "logit" and float(row["ci_low"]) < 1e-10


def _delta_logit(row: dict) -> dict:
    from scipy import special

    p, se = float(row["estimate"]), float(row["se"])
    half = special.stdtrit(row["df"], 0.975) * se / (p * (1 - p))
    centre = math.log(p / (1 - p))
    return {"ci_low": special.expit(centre - half), "ci_high": special.expit(centre + half)}


def compare_with_r(survey_oracles: Path, write_mapping, engine_factory,
                   cis: tuple[str, ...] = ("wald", "t", "logit", "beta")) -> dict[str, float]:
    """Every expected row (of the intervals ``cis``) of every case on one engine; returns the
    largest relative difference per case (and fails on any above TOL)."""
    worst: dict[str, float] = {}
    failures = []
    for case, (data, document, measures, domain) in _cases(survey_oracles).items():
        document = {**document, "reliability": NO_SUPPRESS}
        prep = prepare(data, write_mapping(document, f"{case}.yaml"), engine_factory())
        expected = EXPECTED[EXPECTED["case"] == case]
        for ci in sorted(set(expected["ci"]) & set(cis)):
            for by in ([], [domain]) if domain else ([],):
                out = estimate_prepared(prep, measures, by, ci=ci)
                ours = {(r["measure"], f"{domain}={r[domain]}" if by else ""): r
                        for r in out.to_dicts()}
                wanted = expected[(expected["ci"] == ci)
                                  & ((expected["domain"] != "") == bool(by))]
                for row in wanted.to_dict("records"):
                    got = ours.get((row["measure"], row["domain"]))
                    assert got is not None, (case, ci, row["measure"], row["domain"])
                    assert got["df"] == row["df"], (case, row["measure"], row["domain"])
                    kind = "woodruff-t" if got["kind"] == "quantile" else ci
                    assert got["ci_method"] == kind, (case, row["measure"], got["ci_method"])
                    if _degenerate(case, ci, row):
                        row = {**row, **_delta_logit(row)}
                    for column in ("estimate", "se", "ci_low", "ci_high"):
                        diff = _close(got[column], float(row[column]))
                        worst[case] = max(worst.get(case, 0.0), diff)
                        if diff > TOL:
                            failures.append((case, ci, row["measure"], row["domain"], column,
                                             got[column], row[column]))
    assert not failures, failures[:10]
    assert set(worst) == set(EXPECTED["case"])
    return worst


def test_intervals_and_quantiles_equal_r_on_duckdb(survey_oracles, write_mapping):
    worst = compare_with_r(survey_oracles, write_mapping, DuckDBEngine)
    print("max relative difference vs R (DuckDB):", worst)


@pytest.mark.spark
def test_intervals_and_quantiles_equal_r_on_spark(survey_oracles, write_mapping, spark_session):
    # estimates, SEs, df and quantiles come from the engine; the wald and beta bounds are the same
    # Python arithmetic on them as t and logit, so Spark runs t and logit only (it is slow)
    worst = compare_with_r(survey_oracles, write_mapping, lambda: SparkEngine(spark_session),
                           ("t", "logit"))
    print("max relative difference vs R (Spark):", worst)


def test_rare_proportion_stays_inside_zero_one(write_mapping):
    """One event among 2 in a region: the Wald interval passes 0, logit and beta never do."""
    mapping = write_mapping({"design": {"weight": "w", "strata": "stratum", "psu": "psu"},
                             "reliability": NO_SUPPRESS})
    data = R / "intervals_design.csv"
    wald = estimate(data, mapping, [mean("rare")], by=["region"], ci="wald")
    assert (wald["ci_low"] < 0).all()
    for ci in ("logit", "beta"):
        out = estimate(data, mapping, [mean("rare")], by=["region"], ci=ci)
        assert (out["ci_low"] > 0).all() and (out["ci_high"] < 1).all()
        assert set(out["ci_method"]) == {ci}


def test_logit_applies_to_proportions_only_and_zero_has_no_interval(write_mapping):
    mapping = write_mapping({"design": {"weight": "w", "strata": "stratum", "psu": "psu"},
                             "reliability": NO_SUPPRESS})
    out = estimate(R / "intervals_design.csv", mapping,
                   [mean("income", "income"), total("rare", "events"), mean("rare", "rare"),
                    mean("rare", "none", universe="sex = 'nobody' OR rare = 0")], ci="logit")
    rows = {r["measure"]: r for r in out.to_dicts()}
    assert rows["income"]["ci_method"] == rows["events"]["ci_method"] == "t"
    assert rows["rare"]["ci_method"] == "logit"
    assert rows["none"]["estimate"] == 0 and rows["none"]["ci_low"] is None
    assert rows["income"]["df"] == 20 - 6


def test_unknown_interval_is_refused(write_mapping):
    from corridors.errors import CorridorsError

    mapping = write_mapping({"design": {"weight": "w"}})
    with pytest.raises(CorridorsError, match="wald, t, logit, beta"):
        estimate(R / "intervals_design.csv", mapping, [mean("rare")], ci="exact")
