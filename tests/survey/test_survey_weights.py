"""Bad sampling weights and empty microdata stop `corridors survey estimate` with one message
naming the file, the column, the row and the value (no traceback, no NaN estimates, no empty
table with exit code 0). The files are the real NHANES extract with one cell changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

CORRIDORS = str(Path(sys.executable).with_name("corridors"))


@pytest.fixture(scope="module")
def nhanes(oracles: Path) -> pl.DataFrame:
    return pl.read_csv(oracles / "survey" / "nhanes.csv", infer_schema_length=None)


def _run(data: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump({"design": {"weight": "WTMEC2YR", "strata": "SDMVSTRA",
                                                  "psu": "SDMVPSU"}}), encoding="utf-8")
    return subprocess.run([CORRIDORS, "survey", "estimate", str(data), "-m", str(mapping),
                           "--mean", "HI_CHOL"], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "abc", "-5", ""])
def test_a_bad_weight_names_file_column_row_and_value(nhanes, tmp_path, bad):
    frame = nhanes.with_columns(pl.col("WTMEC2YR").cast(pl.String))
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 6).then(pl.lit(bad))
                               .otherwise(pl.col("WTMEC2YR")).alias("WTMEC2YR"))
    data = tmp_path / "weights.csv"
    frame.write_csv(data)
    result = _run(data, tmp_path)
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in text
    assert str(data) in text and "WTMEC2YR" in text and "row 8" in text  # line 8 of the file
    assert "weight >= 0" in text


def test_all_zero_weights_and_header_only_files(nhanes, tmp_path):
    data = tmp_path / "zero.csv"
    nhanes.with_columns(pl.lit(0.0).alias("WTMEC2YR")).write_csv(data)
    result = _run(data, tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "all 8,591 weights are 0" in result.stdout + result.stderr
    empty = tmp_path / "header.csv"
    nhanes.head(0).write_csv(empty)
    result = _run(empty, tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert str(empty) in result.stdout + result.stderr
    assert "at least one data row" in result.stdout + result.stderr
