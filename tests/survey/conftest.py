"""Fixtures for the survey engine tests: oracle files, mapping files we write, one Spark session,
and an independent (plain pandas/numpy) implementation of the Taylor variance formula."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml


@pytest.fixture(scope="session")
def survey_oracles(oracles: Path) -> Path:
    return oracles / "survey"


@pytest.fixture(scope="session")
def microdata_oracles(oracles: Path) -> Path:
    return oracles / "microdata"


@pytest.fixture
def write_mapping(tmp_path: Path):
    """Write a mapping document (a dict) to a YAML file and return its path."""

    def write(document: dict, name: str = "mapping.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    return write


def taylor_variance(frame: pd.DataFrame, influence: np.ndarray, *, strata: str | None,
                    psu: str | None, fpc: str | None = None) -> float:
    """V = sum_h f_h n_h/(n_h-1) sum_i (z_hi - zbar_h)^2, written with pandas groupby only."""
    work = pd.DataFrame({
        "h": frame[strata].to_numpy() if strata else np.zeros(len(frame)),
        "i": frame[psu].to_numpy() if psu else np.arange(len(frame)),
        "z": influence,
    })
    z_hi = work.groupby(["h", "i"])["z"].sum().reset_index()
    total = 0.0
    for h, group in z_hi.groupby("h"):
        n_h = len(group)
        if n_h < 2:
            continue
        f_h = 1.0
        if fpc:
            big_n = float(frame.loc[(frame[strata] if strata else 0) == h, fpc].iloc[0])
            f_h = (1 - big_n) if big_n <= 1 else (big_n - n_h) / big_n
        total += f_h * n_h / (n_h - 1) * float(((group["z"] - group["z"].mean()) ** 2).sum())
    return total


@pytest.fixture(scope="session")
def independent_variance():
    return taylor_variance


@pytest.fixture(scope="session")
def spark_session():
    """One Spark session for every Spark test, on the configured master (CORRIDORS_SPARK_MASTER,
    else local[2]). CI runs them on a standalone cluster (scripts/spark_cluster.sh, started by
    .ci/run): there the session must really be on that cluster, never a local fallback."""
    pytest.importorskip("pyspark")
    from corridors.settings import settings, spark_master_kind
    from corridors.survey.engines import spark_session

    master = settings().spark_master
    if os.environ.get("CI") == "true" and not (master and spark_master_kind(master) == "standalone"):
        pytest.fail("CI runs the Spark tests on a standalone cluster: CORRIDORS_SPARK_MASTER must "
                    f"be spark://HOST:PORT (scripts/spark_cluster.sh start), not {master!r}")
    # one core: the worker also serves the Spark Connect server and the spark-submit test
    session = spark_session(master, **{"spark.cores.max": "1", "spark.executor.memory": "768m"})
    if master and spark_master_kind(master) == "standalone":
        assert session.sparkContext.master == master
        # on a standalone master tasks run only on executors: wait for the worker to give one
        status = session.sparkContext._jsc.sc().getExecutorMemoryStatus
        waited = 0.0
        while status().size() < 2 and waited < 120:  # the driver counts as one
            time.sleep(0.5)
            waited += 0.5
        assert status().size() >= 2, f"the cluster at {master} gave the tests no executor in 120 s"
    return session
