"""Exports of the South–South tables and the bilateral stock, each with its sources and licences.

- **Excel** (``.xlsx``): one sheet per table plus a ``sources-and-licences`` sheet listing every
  source in the store's ``provenance`` table (publisher, title, edition, licence, URL, file, sha256);
- **CSV**: a folder with one ``<table>.csv`` per table and ``sources-and-licences.csv``;
- **Parquet**: a folder with one ``<table>.parquet`` per table and ``sources-and-licences.parquet``;
  each Parquet file also carries the sources as JSON in its key-value metadata
  (``corridors.sources``), so a single file keeps its provenance when copied alone;
- **SDMX-CSV**: a folder with one ``<table>.csv`` per dataflow (``stock``, ``summary``,
  ``remittances``, ``survey``) in SDMX-CSV 2.0 (or 1.0), ``structure.xml`` (the SDMX-ML 2.1
  structure message: dataflows, data structure definitions, concepts, code lists; see
  :mod:`corridors.analytics.sdmx`) and ``sources-and-licences.csv``;
- **Frictionless data package**: a folder with one ``<table>.csv`` per table and
  ``datapackage.json`` (licences, sources with their sha256, and per file its sha256 hash and table
  schema; see :mod:`corridors.analytics.datapackage`).

The tables are ``summary``, ``regions``, ``contiguity``, ``top`` and ``corridors`` (the default),
``stock``, the bilateral stock as stored, ``remittances`` (WDI received and paid, KNOMAD bilateral;
see :mod:`corridors.analytics.remittances`), ``remittance-summary`` (bilateral remittances by
category, every lens and KNOMAD year), ``remittance-costs`` (Remittance Prices Worldwide, every
corridor and quarter; origin = the sending country) and ``survey``, the survey estimates saved in
the store (these asked for by name; SDMX-CSV writes ``stock``, ``summary``, ``remittances`` and
``survey`` by default). The sources are those of the store, without the files of other editions
of the International Migrant Stock than the one exported.
List columns (e.g. ``shared_recs``) are written as ``;``-separated text in CSV, Excel and data
packages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import polars as pl

import corridors.spreadsheets as spreadsheets
from corridors.analytics import datapackage, facts, sdmx
from corridors.analytics.choices import ALL_TABLES, FORMATS, TABLES  # noqa: F401
from corridors.analytics.corridors import (
    check_sex,
    check_years,
    corridor_table,
    default_edition,
    editions,
    sex_for,
    stock_sources,
)
from corridors.analytics.lenses import BUILTIN, Lens, LensError, query
from corridors.analytics.regions import (
    category_summary,
    contiguity_share,
    intra_group_shares,
    top_corridors,
)
from corridors.analytics.remittances import remittance_costs, remittance_summary, remittance_table
from corridors.outputs import replacing, staged_folder
from corridors.store import provenance as provenance_table

SOURCES_SHEET = "sources-and-licences"


def default_tables(fmt: str) -> tuple[str, ...]:
    """The tables an export writes when none are named: for SDMX-CSV, every table with a
    dataflow."""
    return sdmx.TABLES if fmt == "sdmx-csv" else TABLES


def check_tables(tables: Iterable[str], fmt: str) -> None:
    """Stop before any work when a table is unknown or has no form in ``fmt``
    (``regions-<grouping>`` is the regions table's name once computed)."""
    tables = list(tables)
    unknown = [t for t in tables if t not in ALL_TABLES and not t.startswith("regions-")]
    if unknown:
        raise LensError(f"unknown table {unknown[0]!r}; tables: {', '.join(ALL_TABLES)}")
    if fmt == "sdmx-csv":
        other = [t for t in tables if t not in sdmx.TABLES]
        if other:
            raise LensError(f"table {other[0]!r} has no SDMX dataflow; sdmx-csv exports "
                            f"{', '.join(sdmx.TABLES)} (or use --to csv or datapackage)")


def provenance(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> pl.DataFrame:
    """Every source in the store with its licence and checksum; with ``edition``, without the
    files of the other editions of the International Migrant Stock."""
    others = [e for e in editions(con) if e != edition] if edition else []
    return provenance_table.read(con, other_editions=others).pl()


def stock_table(con: duckdb.DuckDBPyConnection, edition: str, years: list[int],
                sex: str) -> pl.DataFrame:
    """The bilateral stock of an edition as stored (totals derived as male + female when the
    edition stores only the sexes), with its source id."""
    facts.require(con)
    frame = query(con, f"""
        SELECT edition, origin, destination, year, sex, stock AS value FROM {facts.FACTS}
        WHERE edition = $edition AND sex = $sex AND list_contains($years, year)
        ORDER BY year, destination, origin
    """, {"edition": edition, "sex": sex, "years": years})
    return frame.with_columns(source_id=pl.lit(";".join(stock_sources(con, edition))))


def ssm_tables(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[str] = TABLES,
    *,
    lenses: Sequence[Lens] | None = None,
    edition: str | None = None,
    years: int | Iterable[int] | None = None,
    sex: str | Sequence[str] = "total",
    grouping: str = "continent",
    top: int = 20,
) -> dict[str, pl.DataFrame]:
    """The South–South tables by name, ready to export; ``sex`` may name several sexes (their
    rows one after the other). ``summary`` and ``stock`` carry the stock's ``source_id``."""
    unknown = [t for t in tables if t not in ALL_TABLES]
    if unknown:
        raise LensError(f"unknown table {unknown[0]!r}; tables: {', '.join(ALL_TABLES)}")
    edition = default_edition(con, edition)
    lens_list = list(lenses) if lenses else list(BUILTIN.values())
    years = list(years) if isinstance(years, (list, tuple)) else years
    sexes = list(dict.fromkeys(sex_for(con, edition, s)
                               for s in ([sex] if isinstance(sex, str) else sex)))
    source = ";".join(stock_sources(con, edition))
    out: dict[str, list[pl.DataFrame]] = {}
    for name in tables:
        key = f"regions-{grouping}" if name == "regions" else name
        if name == "remittances":
            out[key] = [remittance_table(con, years)]
            continue
        if name == "remittance-summary":  # KNOMAD years (2017, 2018), whatever --year says
            out[key] = [remittance_summary(con, lenses=lens_list)]
            continue
        if name == "remittance-costs":  # every corridor and quarter (origin = sending country)
            out[key] = [remittance_costs(con)]
            continue
        if name == "survey":
            # imported here: the survey package loads pandas, which other exports do not need
            from corridors.survey.store import estimates_table

            year_list = [years] if isinstance(years, int) else None if years is None else list(years)
            out[key] = [estimates_table(con, year_list,
                                        [check_sex(s) for s in ([sex] if isinstance(sex, str)
                                                                else sex)])]
            continue
        for one in sexes:
            if name == "summary":
                frame = category_summary(con, lenses=lens_list, edition=edition, years=years,
                                         sex=one).with_columns(source_id=pl.lit(source))
            elif name == "regions":
                frame = intra_group_shares(con, grouping, edition=edition, years=years, sex=one)
            elif name == "contiguity":
                frame = contiguity_share(con, lenses=lens_list, edition=edition, years=years,
                                         sex=one)
            elif name == "top":
                frame = top_corridors(con, lenses=lens_list, edition=edition, years=years,
                                      sex=one, n=top)
            elif name == "corridors":
                frame = corridor_table(con, edition=edition, years=years, sex=one,
                                       lenses=lens_list)
            else:
                frame = stock_table(con, edition, check_years(con, edition, years), one)
            out.setdefault(key, []).append(frame)
    return {name: pl.concat(frames, how="vertical_relaxed") for name, frames in out.items()}


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
           sources: pl.DataFrame, *, sdmx_version: str = sdmx.DEFAULT_VERSION) -> list[Path]:
    """Write ``tables`` and ``sources`` to ``path`` in ``fmt``; returns the files written.

    For ``xlsx`` the path is the workbook; for the other formats it is a folder (created).
    ``sdmx_version``: the SDMX-CSV version of ``sdmx-csv`` (2.0 or 1.0). Whole or not at all: a
    failure (full disk, no permission) leaves ``path`` as it was.
    """
    if fmt not in FORMATS:
        raise LensError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    check_tables(tables, fmt)
    path = Path(path)
    if fmt == "xlsx":
        return [_excel(tables, path, sources)]
    with staged_folder(path) as staging:
        written = _export_folder(tables, staging, fmt, sources, sdmx_version)
    return [path / p.name for p in written]


def _export_folder(tables: dict[str, pl.DataFrame], path: Path, fmt: str,
                   sources: pl.DataFrame, sdmx_version: str) -> list[Path]:
    if fmt == "sdmx-csv":
        files = sdmx.write_folder(tables, path, sdmx_version)
        spreadsheets.write_csv(_flat(sources), path / f"{SOURCES_SHEET}.csv")
        return [*files, path / f"{SOURCES_SHEET}.csv"]
    written: list[Path] = []
    if fmt == "parquet":
        import pyarrow.parquet as pq  # imported here: slow to import and only exports need it

        metadata = {b"corridors.sources": json.dumps(sources.to_dicts(), default=str).encode()}
        for name, frame in {**tables, SOURCES_SHEET: sources}.items():
            table = frame.to_arrow()
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
            pq.write_table(table, path / f"{name}.parquet")
            written.append(path / f"{name}.parquet")
        return written
    for name, frame in tables.items():
        target = path / f"{name}.csv"
        spreadsheets.write_csv(_flat(frame), target)
        written.append(target)
    if fmt == "datapackage":
        editions = sorted({e for f in tables.values() if "edition" in f.columns
                           for e in f["edition"].unique().to_list()})
        title = "South–South migration tables from corridors" + (
            f" (UN DESA International Migrant Stock {', '.join(editions)})" if editions else "")
        content = datapackage.descriptor(tables, dict(zip(tables, written, strict=True)), sources,
                                         title=title)
        return [*written, datapackage.write(path, content)]
    spreadsheets.write_csv(_flat(sources), path / f"{SOURCES_SHEET}.csv")
    return [*written, path / f"{SOURCES_SHEET}.csv"]


def _excel(tables: dict[str, pl.DataFrame], path: Path, sources: pl.DataFrame) -> Path:
    import xlsxwriter

    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    used: set[str] = set()
    with (replacing(path) as tmp,
          xlsxwriter.Workbook(str(tmp), spreadsheets.WORKBOOK_OPTIONS) as workbook):
        for name, frame in {**tables, SOURCES_SHEET: sources}.items():
            spreadsheets.write_frame(_flat(frame), workbook, _sheet_name(name, used),
                                     autofit=True, float_precision=6)
    return path
