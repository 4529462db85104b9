"""Values written into SQL: a leaf module, so that any store module can use it without importing
the package (``corridors.store`` re-exports :func:`literal`)."""

from __future__ import annotations


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
