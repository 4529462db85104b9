"""Exports: Excel with one sheet per table plus sources and licences, CSV and Parquet folders."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from corridors.analytics.exports import SOURCES_SHEET, export, provenance, ssm_tables
from corridors.analytics.lenses import LensError


@pytest.fixture(scope="module")
def tables(con):
    return ssm_tables(con, years=[2020], grouping="rec")


def test_excel_has_a_sheet_per_table_and_the_sources(con, tables, tmp_path: Path):
    [path] = export(tables, tmp_path / "ssm.xlsx", "xlsx", provenance(con))
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["summary", "regions-rec", "contiguity", "top", "corridors",
                               SOURCES_SHEET]
    rows = list(book[SOURCES_SHEET].iter_rows(values_only=True))
    assert rows[0][:5] == ("source_id", "publisher", "title", "edition", "licence")
    assert {r[4] for r in rows[1:]} == {"CC BY 3.0 IGO", "CC BY 4.0"}
    summary = list(book["summary"].iter_rows(values_only=True))
    header = summary[0]
    ss = [r for r in summary[1:] if r[header.index("lens")] == "wb-lmic"
          and r[header.index("category")] == "south-south"]
    assert ss[0][header.index("value")] == 170
    corridors = list(book["corridors"].iter_rows(values_only=True))
    recs = corridors[0].index("shared_recs")
    assert "COMESA;EAC" in {r[recs] for r in corridors[1:]}


def test_csv_and_parquet_round_trip(con, tables, tmp_path: Path):
    written = export(tables, tmp_path / "csv", "csv", provenance(con))
    assert [p.name for p in written][-1] == f"{SOURCES_SHEET}.csv"
    back = pl.read_csv(tmp_path / "csv" / "summary.csv")
    assert back.filter((pl.col("lens") == "gfmd-2018") & (pl.col("category") == "north-south"))[
        "value"][0] == 410
    export(tables, tmp_path / "pq", "parquet", provenance(con))
    frame = pl.read_parquet(tmp_path / "pq" / "corridors.parquet")
    assert frame.height == tables["corridors"].height
    assert frame.schema["shared_recs"] == pl.List(pl.String)
    meta = pq.read_schema(tmp_path / "pq" / "corridors.parquet").metadata
    assert json.loads(meta[b"corridors.sources"])[0]["source_id"] == "test-ims"


def test_bad_requests(con, tables, tmp_path: Path):
    with pytest.raises(LensError, match="xlsx, csv, parquet"):
        export(tables, tmp_path / "x", "ods", provenance(con))
    with pytest.raises(LensError, match="unknown table"):
        ssm_tables(con, ["everything"])
