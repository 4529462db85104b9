"""Export tables as SDMX-CSV observations, version 2.0 (default) or 1.0.

- **SDMX-CSV 2.0** (SDMX 3.0): ``STRUCTURE`` (``dataflow``), ``STRUCTURE_ID``
  (``AGENCY:ID(VERSION)``), ``ACTION`` (``I``, information: loaded into a database it appends),
  then the dimensions, ``OBS_VALUE`` and the attributes;
- **SDMX-CSV 1.0** (SDMX 2.1): ``DATAFLOW`` (``AGENCY:ID(VERSION)``), the dimensions,
  ``OBS_VALUE`` and the attributes.

A missing value (a suppressed survey estimate) is ``NaN``, as SDMX writes a missing observation
value; its attributes say why. Coded components hold code ids (``_T``/``M``/``F`` for sex, ISO3
for areas, ...): every value of a coded column must stand for a code of its code list, else the
export stops naming the value.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from corridors.analytics.choices import SDMX_VERSIONS
from corridors.errors import CorridorsError

from .structures import CODELISTS, DATAFLOWS, Code, Component, Dataflow

VERSIONS = SDMX_VERSIONS
DEFAULT_VERSION = VERSIONS[0]


class SdmxError(CorridorsError):
    """A value an SDMX export cannot code, or an SDMX-CSV version it does not write."""


def check_version(version: str) -> str:
    if version not in VERSIONS:
        raise SdmxError(f"SDMX-CSV version must be one of {', '.join(VERSIONS)}, not {version!r}")
    return version


def used_codes(tables: dict[str, pl.DataFrame]) -> dict[str, list[Code]]:
    """The codes of every code list the dataflows of ``tables`` use, each list resolved once
    from the values of all tables (so a code has one id in every file)."""
    values: dict[str, set[str]] = defaultdict(set)
    for name, frame in tables.items():
        for comp in DATAFLOWS[name].components:
            if comp.codelist is None:
                continue
            if comp.fixed is not None:
                values[comp.codelist].add(comp.fixed)
            else:
                values[comp.codelist].update(
                    str(v) for v in frame[comp.source].drop_nulls().unique().to_list())
    return {cl: CODELISTS[cl].resolve(sorted(v)) for cl, v in values.items()}


def header(flow: Dataflow, version: str) -> list[str]:
    start = ["STRUCTURE", "STRUCTURE_ID", "ACTION"] if version == "2.0" else ["DATAFLOW"]
    return [*start, *(c.concept for c in flow.dimensions), "OBS_VALUE",
            *(c.concept for c in flow.attributes)]


def _column(comp: Component, frame: pl.DataFrame, codes: dict[str, list[Code]],
            flow: Dataflow) -> pl.Expr:
    if comp.fixed is not None:
        return pl.lit(comp.fixed).alias(comp.concept)
    column = pl.col(comp.source)
    if comp.codelist is None:
        if comp.text_type == "Integer":
            return column.cast(pl.Int64).cast(pl.String).alias(comp.concept)
        return column.cast(pl.String).alias(comp.concept)
    mapping = {v: code.id for code in codes[comp.codelist] for v in code.stands_for()}
    unknown = sorted(set(frame[comp.source].drop_nulls().cast(pl.String).unique()) - set(mapping))
    if unknown:
        raise SdmxError(f"{flow.table}: {comp.column} value {unknown[0]!r} has no code in "
                        f"{CODELISTS[comp.codelist].id} (dataflow {flow.urn}, {comp.concept})")
    return column.cast(pl.String).replace_strict(mapping, return_dtype=pl.String).alias(
        comp.concept)


def observations(table: str, frame: pl.DataFrame, codes: dict[str, list[Code]],
                 version: str = DEFAULT_VERSION) -> pl.DataFrame:
    """The rows of an export table as SDMX-CSV observations (all text, in header order)."""
    flow = DATAFLOWS[table]
    check_version(version)
    value = pl.col(flow.measure)
    value = (value.round(0).cast(pl.Int64) if flow.measure_type == "Integer" else value)
    start = ([pl.lit("dataflow").alias("STRUCTURE"), pl.lit(flow.urn).alias("STRUCTURE_ID"),
              pl.lit("I").alias("ACTION")] if version == "2.0"
             else [pl.lit(flow.urn).alias("DATAFLOW")])
    return frame.select(
        *start,
        *(_column(c, frame, codes, flow) for c in flow.dimensions),
        value.cast(pl.String).fill_null("NaN").alias("OBS_VALUE"),
        *(_column(c, frame, codes, flow) for c in flow.attributes),
    ).select(header(flow, version))
