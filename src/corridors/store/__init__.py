"""The store: one DuckDB file holding reference tables, observations and provenance.

``connect()`` opens the built store (read-only by default) for analytics and interfaces;
``corridors.store.build`` writes a new store and swaps it in atomically.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from corridors.errors import NotBuiltError
from corridors.settings import settings
from corridors.store.literals import literal as literal  # the store's one way to write a value into SQL

if TYPE_CHECKING:  # duckdb loads when a store is opened, not when a command is registered
    import duckdb


def schema_sql() -> str:
    """The DDL of every table in the store."""
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every store table (empty) on a connection: used by the build and by tests that
    construct small stores by hand."""
    con.execute(schema_sql())


def connect(path: Path | None = None, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the built store. Raises NotBuiltError with what to run when there is none."""
    path = Path(path) if path else settings().store_path
    if not path.exists():
        raise NotBuiltError(
            f"no store at {path}. Run `corridors pull` then `corridors build` "
            "(offline: `corridors --mirror DIR pull`)."
        )
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:  # a truncated or overwritten file: say so, and what repairs it
        from corridors.store.lifecycle import damaged

        raise damaged(path, exc) from None
