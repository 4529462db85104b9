"""Exports of the South–South tables: CSV, Excel and Parquet, each with its sources and licences.

- **Excel** (``.xlsx``): one sheet per table plus a ``sources-and-licences`` sheet listing every
  source in the store's ``provenance`` table (publisher, title, edition, licence, URL, file, sha256);
- **CSV**: a folder with one ``<table>.csv`` per table and ``sources-and-licences.csv``;
- **Parquet**: a folder with one ``<table>.parquet`` per table and ``sources-and-licences.parquet``;
  each Parquet file also carries the sources as JSON in its key-value metadata
  (``corridors.sources``), so a single file keeps its provenance when copied alone.

List columns (e.g. ``shared_recs``) are written as ``;``-separated text in CSV and Excel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import polars as pl

from corridors.analytics.corridors import corridor_table, default_edition
from corridors.analytics.lenses import BUILTIN, Lens, LensError, query
from corridors.analytics.regions import (
    category_summary,
    contiguity_share,
    intra_group_shares,
    top_corridors,
)

FORMATS = ("xlsx", "csv", "parquet")
TABLES = ("summary", "regions", "contiguity", "top", "corridors")
SOURCES_SHEET = "sources-and-licences"


def provenance(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every source in the store with its licence and checksum."""
    return query(con, "SELECT source_id, publisher, title, edition, licence, url, fetched_from, "
                      "file_name, sha256, fetched_at, rows_read FROM provenance ORDER BY source_id")


def ssm_tables(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[str] = TABLES,
    *,
    lenses: Sequence[Lens] | None = None,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str = "total",
    grouping: str = "continent",
    top: int = 20,
) -> dict[str, pl.DataFrame]:
    """The South–South tables by name, ready to export."""
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise LensError(f"unknown table {unknown[0]!r}; tables: {', '.join(TABLES)}")
    edition = default_edition(con, edition)
    lens_list = list(lenses) if lenses else list(BUILTIN.values())
    years = list(years) if isinstance(years, (list, tuple)) else years
    out: dict[str, pl.DataFrame] = {}
    for name in tables:
        if name == "summary":
            out[name] = category_summary(con, lenses=lens_list, edition=edition, years=years,
                                         sex=sex)
        elif name == "regions":
            out[f"regions-{grouping}"] = intra_group_shares(con, grouping, edition=edition,
                                                            years=years, sex=sex)
        elif name == "contiguity":
            out[name] = contiguity_share(con, lenses=lens_list, edition=edition, years=years,
                                         sex=sex)
        elif name == "top":
            out[name] = top_corridors(con, lenses=lens_list, edition=edition, years=years,
                                      sex=sex, n=top)
        elif name == "corridors":
            out[name] = corridor_table(con, edition=edition, years=years, sex=sex,
                                       lenses=lens_list)
    return out


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists as ';'-joined text, for formats without nested values."""
    nested = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(";") for c in nested)


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:31]
    candidate, i = base, 2
    while candidate in used:
        suffix = f"-{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate)
    return candidate


def export(tables: dict[str, pl.DataFrame], path: Path | str, fmt: str,
           sources: pl.DataFrame) -> list[Path]:
    """Write ``tables`` and ``sources`` to ``path`` in ``fmt``; returns the files written.

    For ``xlsx`` the path is the workbook; for ``csv`` and ``parquet`` it is a folder (created).
    """
    if fmt not in FORMATS:
        raise LensError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    path = Path(path)
    written: list[Path] = []
    if fmt == "xlsx":
        import xlsxwriter

        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        path.parent.mkdir(parents=True, exist_ok=True)
        used: set[str] = set()
        with xlsxwriter.Workbook(str(path)) as workbook:
            for name, frame in {**tables, SOURCES_SHEET: sources}.items():
                _flat(frame).write_excel(workbook, worksheet=_sheet_name(name, used),
                                         autofit=True, float_precision=6)
        return [path]
    import pyarrow.parquet as pq  # imported here: it is slow to import and only exports need it

    path.mkdir(parents=True, exist_ok=True)
    metadata = {b"corridors.sources": json.dumps(sources.to_dicts(), default=str).encode()}
    for name, frame in {**tables, SOURCES_SHEET: sources}.items():
        target = path / f"{name}.{fmt}"
        if fmt == "csv":
            _flat(frame).write_csv(target)
        else:
            table = frame.to_arrow()
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
            pq.write_table(table, target)
        written.append(target)
    return written
