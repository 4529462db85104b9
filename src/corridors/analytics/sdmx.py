"""SDMX-CSV: the bilateral stock and the lens category summary as SDMX observations.

The files follow SDMX-CSV 1.0 (the CSV format of SDMX 2.1): a ``DATAFLOW`` column naming the
dataflow as ``AGENCY:ID(VERSION)``, one column per dimension (the time dimension last), ``OBS_VALUE``,
then one column per attribute. The dataflows and their data structure definitions (DSDs) are
corridors' own (agency ``CORRIDORS``), written down here and in docs/lenses.md; they are not
registered in any official SDMX registry.

- ``CORRIDORS:MIGRANT_STOCK(1.0)``: dimensions ``REF_AREA`` (destination, country of residence,
  ISO3), ``COUNTERPART_AREA`` (origin, country of birth, ISO3; ``XXX`` = UN DESA "Other"), ``SEX``,
  ``TIME_PERIOD``;
- ``CORRIDORS:SSM_CATEGORY(1.0)``: dimensions ``LENS`` (lens id), ``CATEGORY`` (``south-south``,
  ``south-north``, ``north-south``, ``north-north``), ``SEX``, ``TIME_PERIOD``.

Both measure persons (``OBS_VALUE``) and carry the attributes ``UNIT_MEASURE`` (``PS``, persons),
``OBS_STATUS`` (``E``, estimated value: UN DESA's figures are estimates, republished unchanged or
summed), ``SOURCE`` (corridors source id, see the sources-and-licences file) and ``EDITION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

AGENCY = "CORRIDORS"

#: SDMX code list CL_SEX: total, male, female.
SEX_CODES = {"total": "_T", "male": "M", "female": "F"}

#: Attributes every observation carries, with their fixed values (None: from the table).
ATTRIBUTES: dict[str, str | None] = {
    "UNIT_MEASURE": "PS", "OBS_STATUS": "E", "SOURCE": None, "EDITION": None,
}


@dataclass(frozen=True)
class Dataflow:
    """A dataflow and its structure: which table column fills each dimension."""

    id: str
    version: str
    name: str
    dimensions: tuple[tuple[str, str], ...]  # (SDMX dimension id, table column), time last

    @property
    def urn(self) -> str:
        """The ``DATAFLOW`` cell: ``AGENCY:ID(VERSION)``."""
        return f"{AGENCY}:{self.id}({self.version})"

    @property
    def columns(self) -> list[str]:
        """The SDMX-CSV header."""
        return ["DATAFLOW", *(d for d, _ in self.dimensions), "OBS_VALUE", *ATTRIBUTES]


#: The export table each dataflow is made from.
DATAFLOWS = {
    "stock": Dataflow("MIGRANT_STOCK", "1.0", "International migrant stock by origin and "
                      "destination", (("REF_AREA", "destination"), ("COUNTERPART_AREA", "origin"),
                                      ("SEX", "sex"), ("TIME_PERIOD", "year"))),
    "summary": Dataflow("SSM_CATEGORY", "1.0", "Migrant stock by South–South category under a lens",
                        (("LENS", "lens"), ("CATEGORY", "category"), ("SEX", "sex"),
                         ("TIME_PERIOD", "year"))),
}
TABLES = tuple(DATAFLOWS)


def observations(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of an export table (``stock`` or ``summary``) as SDMX-CSV observations.

    ``frame`` needs the dimension columns of the table's dataflow, ``value``, ``source_id`` and
    ``edition``. Values are whole persons, written without decimals.
    """
    flow = DATAFLOWS[table]
    fixed = {k: pl.lit(v) for k, v in ATTRIBUTES.items() if v is not None}
    return frame.select(
        pl.lit(flow.urn).alias("DATAFLOW"),
        *(pl.col(column).cast(pl.String).alias(dim) for dim, column in flow.dimensions
          if dim != "SEX"),
        pl.col("value").round(0).cast(pl.Int64).alias("OBS_VALUE"),
        pl.col("sex").replace_strict(SEX_CODES).alias("SEX"),
        **fixed,
        SOURCE=pl.col("source_id"),
        EDITION=pl.col("edition"),
    ).select(flow.columns)


def write(table: str, frame: pl.DataFrame, path: Path) -> Path:
    """Write ``frame`` (an export table) to ``path`` as SDMX-CSV; returns the path."""
    observations(table, frame).write_csv(path)
    return path
