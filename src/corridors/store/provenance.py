"""The ``provenance`` table and the one way to name the sources of an answer.

Every figure says where it came from: source id, publisher, title, edition, licence, file and the
SHA-256 of that file. Rows come from two places:

- **the build** writes one row per source it read (the file the figures came from), one per
  further file of a multi-file source (``<source id>:<file name>``, e.g. the curated reference's
  ``curated-reference:ilo_ratifications.csv``), one per pulled source that governance reads
  without a store table (the UN treaty status files), and one per data file shipped with the
  package that governance answers read (``package:instruments.yaml``, ...): :func:`build_rows`;
- **an import** (a ratification table, an agreements file) hashes the imported file when it is
  imported and keeps the row beside the saved copy (``<saved file>.provenance.json``):
  :func:`record_import`, read back by :func:`import_row`.

:func:`rows` reads the table; :func:`file_rows` names the files an answer read, taking each row
from the table when the build hashed that very file, else hashing it now (a folder given with
``--reference``, a file changed since the build); :func:`caption` is the footer every table
output prints under its figures.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from corridors._version import __version__
from corridors.settings import settings
from corridors.store.literals import literal
from corridors.store.lookups import lookup

if TYPE_CHECKING:  # the registry loads YAML: a quick answer's sources never need it
    from corridors.sources.registry import Source

#: The columns an answer's ``sources`` list carries (the table's, less the build's bookkeeping).
COLUMNS = ("source_id", "publisher", "title", "edition", "licence", "url", "file_name", "sha256",
           "fetched_at")

#: Data files shipped inside the package that governance answers read: package -> file -> title.
PACKAGE_FILES: dict[str, dict[str, str]] = {
    "corridors.governance": {
        "instruments.yaml": "Instruments tracked (ILO and UN): title, year, subject, flags",
        "agreements.yaml": "Bilateral labour agreements and MoUs named by the background paper, "
                           "coded provision by provision",
        "practices.yaml": "Good-practice catalogue seeded with the practices the background paper "
                          "names",
    },
}
PACKAGE_PUBLISHER = "corridors (coded from the sources cited per record)"
PACKAGE_LICENCE = "Records cite their sources; see source per record"
IMPORT_LICENCE = "As stated by the user's source; see source_url per row"
_SIDECAR = ".provenance.json"


def file_id(source: Source, file_name: str) -> str:
    """The provenance row id of one file of a source: the source id for its first file,
    ``<source id>:<file name>`` for the others."""
    return source.id if file_name == source.primary.name else f"{source.id}:{file_name}"


def package_id(file_name: str) -> str:
    return f"package:{file_name}"


def package_path(package: str, file_name: str) -> Path:
    return Path(str(resources.files(package).joinpath(file_name)))


#: Sources whose every file gets a row (governance reads each file of them on its own).
EVERY_FILE = ("curated-reference", "un-treaties-hr-status")


def build_rows(sources: Iterable[Source], rows_read: Mapping[str, int],
               governance: Iterable[Source] = ()) -> list[dict[str, Any]]:
    """Provenance rows the build writes: the file each source read was read from (``rows_read``
    by source id), every file of the sources in :data:`EVERY_FILE` among them and among
    ``governance`` (pulled sources governance reads directly), and the package's governance data
    files."""
    from corridors.sources import cache  # the build's (reading the registry loads YAML)

    out = []
    for source in [*sources, *governance]:
        found = cache.Provenance.read(cache.folder_for(source))
        if found is None:
            continue
        files = found.files if source.id in EVERY_FILE else found.files[:1]
        for file in files:
            out.append({
                "source_id": file_id(source, file.name), "publisher": source.publisher,
                "title": source.title, "edition": source.edition, "licence": source.licence,
                "url": (source.primary.url or source.page) if file.name == source.primary.name
                else next((f.url for f in source.files if f.name == file.name), None),
                "fetched_from": file.fetched_from, "file_name": file.name, "sha256": file.sha256,
                "fetched_at": datetime.fromisoformat(file.fetched_at).replace(tzinfo=None),
                "rows_read": rows_read.get(source.id, 0) if file.name == source.primary.name
                else 0,
            })
    for package, named in PACKAGE_FILES.items():
        for name, title in named.items():
            out.append(_hashed(package_path(package, name), package_id(name), PACKAGE_PUBLISHER,
                               title, __version__, PACKAGE_LICENCE) | {"rows_read": 0})
    return out


def read(con: duckdb.DuckDBPyConnection, ids: Iterable[str] | None = None,
         editions: Iterable[str] | None = None, *,
         other_editions: Iterable[str] = ()) -> duckdb.DuckDBPyRelation:
    """The provenance table, every column, ordered by source id: the one place the package
    queries it (``tests/test_layers.py`` holds every other module to that).

    ``ids`` / ``editions``: only the rows whose source id is among ``ids`` or whose edition is
    among ``editions`` (neither given: every row; an empty one matches nothing);
    ``other_editions``: without the rows of these editions (an export of one edition of the
    International Migrant Stock leaves out the files of the others). A relation: callers take
    ``.pl()`` (a frame with the table's types), ``.fetchall()`` or project columns of it. Values
    are written into the SQL (:func:`corridors.store.literal`: no pandas loaded for a caption)."""
    where = []
    if ids is not None or editions is not None:
        where.append(f"(list_contains({_list(ids)}, source_id) "
                     f"OR list_contains({_list(editions)}, edition))")
    if other_editions:
        where.append(f"NOT list_contains({_list(other_editions)}, edition)")
    return con.sql("SELECT * FROM provenance" + (f" WHERE {' AND '.join(where)}" if where else "")
                   + " ORDER BY source_id")


def _list(values: Iterable[str] | None) -> str:
    """A list of text values as a SQL literal (typed, so that an empty one compares too)."""
    return f"CAST([{', '.join(literal(v) for v in sorted(set(values or ())))}] AS VARCHAR[])"


#: The table's columns, in its order (``schema.sql``).
TABLE_COLUMNS = ("source_id", "publisher", "title", "edition", "licence", "url", "fetched_from",
                 "file_name", "sha256", "fetched_at", "rows_read")


def replace(con: duckdb.DuckDBPyConnection, row: Mapping[str, Any]) -> None:
    """Write one row (:data:`TABLE_COLUMNS`), replacing the row of the same source id: a user's
    microdata saved with its estimates. Inside the caller's transaction."""
    con.execute("DELETE FROM provenance WHERE source_id = ?", [row["source_id"]])
    con.execute(f"INSERT INTO provenance ({', '.join(TABLE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(TABLE_COLUMNS))})",
                [row.get(c) for c in TABLE_COLUMNS])


def records(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    """A relation's rows as records (column name -> value), without a data-frame library."""
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def sources(con: duckdb.DuckDBPyConnection, ids: Iterable[str] = (),
            editions: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The ``sources`` block of an answer: the rows (:data:`COLUMNS`) of these source ids and
    editions, by source id. The one function the CLI, the REST API and the web pages build it
    with; a served store's cursor reads the table once per store file
    (:func:`corridors.store.lookups.lookup`: a few dozen rows), any other connection each time."""
    ids, editions = {i for i in ids if i}, {e for e in editions if e}
    if not ids and not editions:
        return []
    every = lookup(con, ("provenance",), lambda: tuple(records(read(con).select(*COLUMNS))))
    return [dict(row) for row in every if row["source_id"] in ids or row["edition"] in editions]


def rows(con: duckdb.DuckDBPyConnection, ids: Iterable[str] = (),
         editions: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The table's rows (:data:`COLUMNS` and ``fetched_from``) for these source ids and
    editions, by source id (:func:`read`)."""
    ids, editions = {i for i in ids if i}, {e for e in editions if e}
    if not ids and not editions:
        return []
    return records(read(con, ids, editions).select(*COLUMNS, "fetched_from"))


_HASHED: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    """SHA-256 of a file, remembered per path, size and modification time."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    if key not in _HASHED:
        from corridors.sources import cache

        _HASHED[key] = cache.sha256_of(path)
    return _HASHED[key]


def _hashed(path: Path, source_id: str, publisher: str, title: str, edition: str,
            licence: str, url: str | None = None) -> dict[str, Any]:
    return {"source_id": source_id, "publisher": publisher, "title": title, "edition": edition,
            "licence": licence, "url": url, "file_name": path.name, "sha256": _sha256(path),
            "fetched_at": None, "fetched_from": str(path)}


def file_rows(con: duckdb.DuckDBPyConnection | None, files: Iterable[tuple[Path, str]],
              *, publisher: str, title: str, edition: str, licence: str) -> list[dict[str, Any]]:
    """Rows for files an answer read, each given with the source id the build records it under:
    the table's row when the build hashed that same file (same path), else the file hashed now
    with the publisher, title, edition and licence given."""
    files = [(Path(p), i) for p, i in files]
    stored = {r["source_id"]: r for r in rows(con, [i for _, i in files])} if con else {}
    out = []
    for path, source_id in files:
        row = stored.get(source_id)
        if row is not None and _same_file(row, path):
            out.append(row)
        elif path.is_file():
            out.append(_hashed(path, source_id, publisher, title, edition, licence))
    return out


def _same_file(row: Mapping[str, Any], path: Path) -> bool:
    """Whether ``path`` is the file the build hashed for ``row``: the file it was fetched from,
    or its copy in the download cache."""
    source = str(row["source_id"]).partition(":")[0]
    places = [row.get("fetched_from"), str(settings().cache_dir / source / path.name)]
    try:
        return any(place and Path(place).resolve() == path.resolve() for place in places)
    except OSError:
        return False


def record_import(saved: Path, original: Path, *, kind: str, title: str) -> dict[str, Any]:
    """Hash an imported file into provenance at import: the row is kept beside the saved copy
    (``<saved>.provenance.json``) and returned."""
    saved = Path(saved)
    row = {"source_id": f"user:{kind}/{saved.name}", "publisher": "user import", "title": title,
           "edition": datetime.now(UTC).date().isoformat(), "licence": IMPORT_LICENCE,
           "url": None, "file_name": Path(original).name, "sha256": _sha256(Path(original)),
           "fetched_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat(),
           "fetched_from": str(Path(original).resolve()), "saved_sha256": _sha256(saved)}
    tmp = saved.with_name(saved.name + _SIDECAR + ".tmp")
    tmp.write_text(json.dumps(row, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(saved.with_name(saved.name + _SIDECAR))
    return {k: v for k, v in row.items() if k != "saved_sha256"}


def import_row(saved: Path, *, kind: str, title: str) -> dict[str, Any]:
    """The provenance row of a file in the user's import folders: the one recorded at import
    when the saved copy is unchanged, else the saved file hashed now."""
    saved = Path(saved)
    sidecar = saved.with_name(saved.name + _SIDECAR)
    if sidecar.is_file():
        try:
            row = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            row = None
        if isinstance(row, dict) and row.pop("saved_sha256", None) == _sha256(saved):
            return row
    return _hashed(saved, f"user:{kind}/{saved.name}", "user import (copied into the folder)",
                   title, datetime.fromtimestamp(saved.stat().st_mtime, UTC).date().isoformat(),
                   IMPORT_LICENCE)


def public(found: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows as answers carry them (:data:`COLUMNS`), each source once, in order."""
    unique: dict[str, dict[str, Any]] = {}
    for row in found:
        unique.setdefault(row["source_id"], {k: row.get(k) for k in COLUMNS})
    return list(unique.values())


def caption(found: Iterable[Mapping[str, Any]]) -> str:
    """The sources footer of a table: 'Source: <publisher>, <title> (<edition>), <licence>'
    for each publication (the footer of every stock command; checksums: ``--format json``)."""
    parts = sorted({f"{r['publisher']}, {r['title']} ({r['edition']}), {r['licence']}"
                    for r in found})
    return "Source: " + "; ".join(parts) if parts else "Source: none recorded"


#: Tables without a ``source_id`` column: the sources they are built from (registry ids).
_TABLE_SOURCES = {"countries": ("m49", "m49-methodology", "ims2020-annex"),
                  "rec_membership": ("curated-reference",)}


def of_tables(con: duckdb.DuckDBPyConnection, tables: Iterable[str],
              edition: str | None = None) -> list[dict[str, Any]]:
    """The rows of the sources store tables were built from (e.g. ``income_groups`` for a lens,
    ``migrant_stock`` and ``population`` of one ``edition`` for flows)."""
    ids: list[str] = []
    for table in dict.fromkeys(tables):
        if table in _TABLE_SOURCES:
            ids += _TABLE_SOURCES[table]
        elif table.isidentifier():
            where = " AND edition = $edition" if edition is not None else ""
            ids += [r[0] for r in con.execute(
                f"SELECT DISTINCT source_id FROM {table} WHERE source_id IS NOT NULL{where}",
                {"edition": edition} if edition is not None else None).fetchall()]
    return sources(con, ids)
