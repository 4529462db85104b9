"""The same estimator SQL on Apache Spark (local mode) gives DuckDB's results to 1e-9."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from corridors.analytics.survey.engines import DuckDBEngine, SparkEngine
from corridors.analytics.survey.estimator import (
    estimate,
    estimate_prepared,
    mean,
    prepare,
    ratio,
    total,
)

pytestmark = pytest.mark.spark

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "eph_2016q4.yaml"


def assert_identical(a: pl.DataFrame, b: pl.DataFrame, keys: list[str]) -> None:
    a, b = a.sort(keys, nulls_last=True), b.sort(keys, nulls_last=True)
    assert a.height == b.height > 0
    assert a.select(keys + ["n", "flag"]).equals(b.select(keys + ["n", "flag"]))
    for column in ("estimate", "se", "ci_low", "ci_high"):
        for x, y in zip(a[column], b[column], strict=True):
            assert (x is None and y is None) or abs(x - y) <= 1e-9 * max(abs(x), 1e-300)


def test_yrbs_and_casen_identical_on_duckdb_and_spark(survey_oracles, microdata_oracles,
                                                     write_mapping, spark_session):
    yrbs = write_mapping({"design": {"weight": "weight", "strata": "stratum", "psu": "psu"},
                          "read": {"keep": "qn8 IS NOT NULL"},
                          "variables": {"y": {"column": "qn8", "map": {1: 1, 2: 0}}},
                          "reliability": {"suppress": False}}, "yrbs.yaml")
    measures = [total("y", "t"), mean("y", "m"), ratio("y", "0.8 * y + 0.5", "r")]
    duck = estimate(survey_oracles / "yrbs.csv", yrbs, measures, by=["stratum"],
                    engine=DuckDBEngine())
    spark = estimate(survey_oracles / "yrbs.csv", yrbs, measures, by=["stratum"],
                     engine=SparkEngine(spark_session))
    assert_identical(duck, spark, ["measure", "stratum"])
    assert duck.height == 3 * 13
    casen = write_mapping({"design": {"weight": "expc", "strata": "varstrat", "psu": "varunit"},
                           "variables": {"sex": {"column": "sexo", "map": {1: "male",
                                                                           2: "female"}}}},
                          "casen.yaml")
    args = (microdata_oracles / "casen_2017_los_rios.csv", casen,
            [mean("ytotcorh", "income"), total("pobreza = 1", "extreme")])
    duck = estimate(*args, by=["sex", "comuna"], engine=DuckDBEngine())
    spark = estimate(*args, by=["sex", "comuna"], engine=SparkEngine(spark_session))
    assert_identical(duck, spark, ["measure", "sex", "comuna"])


def test_eph_messy_codes_and_rates_identical_on_duckdb_and_spark(microdata_oracles,
                                                                 spark_session):
    """The mapping's code maps, rules and derived variables are SQL too: same on both engines."""
    path = microdata_oracles / "eph_toybase_individual_2016_04.csv"
    measures = [mean("foreign_born", "share"),
                ratio("unemployed", "in_labour_force", "ur", universe="working_age = 1")]
    by = ["sex", "migrant_status"]
    duck = estimate_prepared(prepare(path, EXAMPLE, DuckDBEngine()), measures, by)
    spark = estimate_prepared(prepare(path, EXAMPLE, SparkEngine(spark_session)), measures, by)
    assert_identical(duck, spark, ["measure", *by])
    assert set(duck["migrant_status"]) == {"foreign-born", "native-born", "(missing)"}
