"""SDMX exports: SDMX-CSV 2.0 (or 1.0) data files with an SDMX-ML 2.1 structure message beside them.

- :mod:`.structures`: the concepts, code lists and dataflows, each dataflow one declaration;
- :mod:`.data`: export tables as SDMX-CSV observations;
- :mod:`.message`: the structure message (``structure.xml``).

:func:`write_folder` writes one ``<table>.csv`` per dataflow and ``structure.xml``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .data import DEFAULT_VERSION, VERSIONS, SdmxError, check_version, observations, used_codes
from .message import write_structure
from .structures import CODELISTS, CONCEPTS, DATAFLOWS, TABLES, Dataflow

STRUCTURE_FILE = "structure.xml"

__all__ = ["CODELISTS", "CONCEPTS", "DATAFLOWS", "DEFAULT_VERSION", "STRUCTURE_FILE", "TABLES",
           "VERSIONS", "Dataflow", "SdmxError", "observations", "write_folder"]


def write_folder(tables: dict[str, pl.DataFrame], folder: Path,
                 version: str = DEFAULT_VERSION) -> list[Path]:
    """Write each table as the SDMX-CSV of its dataflow and the structure message of them all;
    returns the files written (the CSVs in the order of ``tables``, then ``structure.xml``)."""
    check_version(version)
    codes = used_codes(tables)
    rows = {name: observations(name, frame, codes, version) for name, frame in tables.items()}
    folder.mkdir(parents=True, exist_ok=True)  # every table coded before anything is written
    written = []
    for name, frame in rows.items():
        frame.write_csv(folder / f"{name}.csv", null_value="")
        written.append(folder / f"{name}.csv")
    flows = [DATAFLOWS[name] for name in tables]
    return [*written, write_structure(folder / STRUCTURE_FILE, flows, codes)]
