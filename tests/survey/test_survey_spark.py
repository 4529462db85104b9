"""The same estimator SQL on Apache Spark gives DuckDB's results to 1e-9: on the configured master
(CI: a standalone cluster of one master and one worker), through Spark Connect, and from the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from corridors.cli.main import app
from corridors.survey.engines import DuckDBEngine, SparkEngine
from corridors.survey.estimator import (
    estimate,
    estimate_prepared,
    mean,
    prepare,
    ratio,
    total,
)

pytestmark = pytest.mark.spark

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eph_2016q4.yaml"
CORRIDORS = str(Path(sys.executable).with_name("corridors"))


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


def test_connect_server_gives_duckdbs_estimates(microdata_oracles, tmp_path):
    """``--spark-master sc://...`` runs the CLI on a Spark Connect server (CI: the one
    scripts/spark_cluster.sh starts on the standalone cluster), with DuckDB's results."""
    url = os.environ.get("CORRIDORS_TEST_SPARK_CONNECT")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must start a Spark Connect server (scripts/spark_cluster.sh start) and "
                        "set CORRIDORS_TEST_SPARK_CONNECT")
        pytest.skip("set CORRIDORS_TEST_SPARK_CONNECT=sc://HOST:PORT (scripts/spark_cluster.sh)")
    path = microdata_oracles / "eph_toybase_individual_2016_04.csv"
    args = ["survey", "estimate", str(path), "--mapping", str(EXAMPLE), "--mean", "foreign_born",
            "--ratio", "unemployed:in_labour_force", "--by", "sex", "--format", "json",
            "--no-suppress"]
    run = subprocess.run([CORRIDORS, *args, "--spark-master", url], capture_output=True, text=True,
                         env={**os.environ, "CORRIDORS_HOME": str(tmp_path)}, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    spark = pl.DataFrame(json.loads(run.stdout))
    duck = pl.DataFrame(json.loads(CliRunner().invoke(app, [*args, "--engine", "duckdb"]).stdout))
    assert_identical(duck, spark, ["measure", "sex"])


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("how", ["option", "environment", "unreachable", "unreachable-connect"])
def test_a_bad_master_is_one_clear_message(microdata_oracles, tmp_path, how):
    path = microdata_oracles / "eph_toybase_individual_2016_04.csv"
    args = ["survey", "estimate", str(path), "--mapping", str(EXAMPLE), "--mean", "foreign_born"]
    env = {**os.environ, "CORRIDORS_HOME": str(tmp_path)}
    expected = ["Spark master 'spark//10.0.0.5:7077'", "spark://HOST:PORT"]
    if how == "option":
        args += ["--spark-master", "spark//10.0.0.5:7077"]
    elif how == "environment":
        env.update(CORRIDORS_ENGINE="spark", CORRIDORS_SPARK_MASTER="spark//10.0.0.5:7077")
    else:  # nothing listens there: said at once, not after Spark's minute of retries
        scheme, what = ("sc", "Connect server") if how == "unreachable-connect" else ("spark", "master")
        url = f"{scheme}://127.0.0.1:{_closed_port()}"
        args += ["--spark-master", url]
        expected = [f"no Spark {what} answers at {url}", "Connection refused"]
    run = subprocess.run([CORRIDORS, *args], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "WARN" not in run.stderr
    for text in expected:
        assert text in run.stderr


SUBMITTED = """
import json, sys
from corridors.survey.engines import SparkEngine, spark_session
from corridors.survey.estimator import estimate, mean
from corridors.errors import CorridorsError
from corridors.settings import override

session = spark_session()
frame = estimate(sys.argv[1], sys.argv[2], [mean("foreign_born")], by=["sex"],
                 engine=SparkEngine(session))
try:
    override(spark_master="local[3]")
    spark_session()
    conflict = ""
except CorridorsError as error:
    conflict = str(error)
print("RESULT" + json.dumps({"master": session.sparkContext.master, "rows": frame.to_dicts(),
                             "conflict": conflict}))
"""


def test_spark_submit_master_is_used_not_replaced(microdata_oracles, tmp_path):
    """A script run by spark-submit gets spark-submit's master (CI: the standalone cluster), not
    local[2]; a master setting that contradicts it is refused, not silently applied."""
    import pyspark

    from corridors.settings import settings, spark_master_kind

    configured = settings().spark_master
    master = configured if configured and spark_master_kind(configured) == "standalone" else "local[1]"
    script = tmp_path / "submitted.py"
    script.write_text(SUBMITTED, encoding="utf-8")
    path = microdata_oracles / "eph_toybase_individual_2016_04.csv"
    env = {k: v for k, v in os.environ.items() if k != "CORRIDORS_SPARK_MASTER"}
    env.update(CORRIDORS_HOME=str(tmp_path), PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable)
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    run = subprocess.run([str(submit), "--master", master, "--total-executor-cores", "1",
                          "--executor-memory", "512m", "--conf", "spark.log.level=ERROR",
                          str(script), str(path), str(EXAMPLE)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(next(x for x in run.stdout.splitlines() if x.startswith("RESULT"))[6:])
    assert result["master"] == master
    assert f"already runs Spark on {master}" in result["conflict"]
    assert "local[3]" in result["conflict"]
    duck = estimate(path, EXAMPLE, [mean("foreign_born")], by=["sex"], engine=DuckDBEngine())
    assert_identical(duck, pl.DataFrame(result["rows"]), ["measure", "sex"])
