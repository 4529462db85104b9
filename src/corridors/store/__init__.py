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

if TYPE_CHECKING:  # duckdb loads when a store is opened, not when a command is registered
    import duckdb


def schema_sql() -> str:
    """The DDL of every table in the store."""
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every store table (empty) on a connection: used by the build and by tests that
    construct small stores by hand."""
    con.execute(schema_sql())


def literal(value: str | int | None) -> str:
    """A checked value as a SQL literal.

    The quick queries (an edition's years and sexes, one stock figure) write their values into
    the SQL instead of binding them: DuckDB's Python client loads pandas and numpy the first time
    it binds a parameter, a third of a second before the first answer of a command.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


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
