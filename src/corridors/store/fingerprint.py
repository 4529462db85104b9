"""A store's contents in a few numbers: per table, its rows and a content hash over its rows in
sorted order (so two stores hold the same data whatever order the rows were written in).

Used to check that a change to the build leaves the store's contents exactly as they were
(``bench/bench_build.py --compare OLD.duckdb``, tests/test_pipeline.py). Doubles are compared
through their shortest round-trip text, so any change in any bit of a figure shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    columns: tuple[tuple[str, str], ...]  # (name, type) in table order
    digest: str  # md5 of the rows' text, sorted
    order: str = ""  # md5 of the rows' text in the order they are stored (compared apart)

    def __eq__(self, other: object) -> bool:  # the contents, whatever the order of the rows
        return (isinstance(other, TableFingerprint) and (self.rows, self.columns, self.digest)
                == (other.rows, other.columns, other.digest))

    def __hash__(self) -> int:
        return hash((self.rows, self.columns, self.digest))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str,
                      leave_out: tuple[str, ...] = ()) -> TableFingerprint:
    """``leave_out``: columns not compared (e.g. where a file was read from, which differs
    between two checkouts of the package)."""
    columns = tuple((str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {_quoted(table)}").fetchall()
                    if str(r[0]) not in leave_out)
    row = "struct_pack(" + ", ".join(f"{_quoted(c)} := {_quoted(c)}" for c, _ in columns) + ")"
    # each row as text (a struct of its columns), hashed; the row hashes sorted and hashed together
    found = con.execute(
        "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), ''), "
        "coalesce(md5(string_agg(h, '' ORDER BY i)), '') "
        f"FROM (SELECT md5(CAST({row} AS VARCHAR)) AS h, rowid AS i FROM {_quoted(table)})"
    ).fetchone()
    if not found:
        return TableFingerprint(0, columns, "")
    return TableFingerprint(int(found[0]), columns, str(found[1]), str(found[2]))


def fingerprint(path: Path, leave_out: dict[str, tuple[str, ...]] | None = None
                ) -> dict[str, TableFingerprint]:
    """Every table of the store at ``path`` (opened read-only), by name; ``leave_out``: columns
    not compared, by table."""
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET enable_progress_bar = false")
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY table_name").fetchall()]
        return {table: table_fingerprint(con, table, (leave_out or {}).get(table, ()))
                for table in tables}
    finally:
        con.close()


def differences(old: dict[str, TableFingerprint], new: dict[str, TableFingerprint],
                order: bool = False) -> list[str]:
    """What differs between two fingerprints, one line per table (empty: the same contents).
    ``order``: report tables whose rows are stored in another order too."""
    lines = []
    for table in sorted(set(old) | set(new)):
        if table not in new:
            lines.append(f"{table}: missing in the new store")
        elif table not in old:
            lines.append(f"{table}: only in the new store")
        elif old[table] != new[table]:
            a, b = old[table], new[table]
            what = []
            if a.rows != b.rows:
                what.append(f"rows {a.rows:,} -> {b.rows:,}")
            if a.columns != b.columns:
                what.append(f"columns {a.columns} -> {b.columns}")
            if a.digest != b.digest:
                what.append("contents differ")
            lines.append(f"{table}: " + ", ".join(what))
        elif order and old[table].order != new[table].order:
            lines.append(f"{table}: the same rows, stored in another order")
    return lines
