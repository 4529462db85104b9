"""Handing polars frames to DuckDB when a store is written.

DuckDB's Python client reads a frame through pyarrow, and the first time it does so it imports
``pyarrow.dataset`` (and pandas with it): a quarter of a second of CPU in a build that has three
seconds. The build writes its frames to DuckDB through a Parquet file instead (written by polars,
read by DuckDB's own reader, outside Python's lock); the tables come out the same, column types
included (``corridors.store.fingerprint`` compares them).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl


@contextmanager
def parquet_source(frame: pl.DataFrame) -> Iterator[str]:
    """A ``read_parquet(...)`` table expression holding ``frame``, valid inside the block."""
    with tempfile.TemporaryDirectory(prefix="corridors-frame-") as folder:
        path = Path(folder) / "frame.parquet"
        frame.write_parquet(path, compression="uncompressed", statistics=False,
                            row_group_size=122_880)
        yield "read_parquet('" + str(path).replace("'", "''") + "')"
