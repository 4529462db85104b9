"""The sources of a governance answer: every file it read, each with its SHA-256.

Governance figures come from the curated reference (``reference/*.csv``, or the user's
``CORRIDORS_REFERENCE`` / ``--reference`` folder), the UN treaty status tables of the mirror, the
data files shipped in this package (instruments, the agreement and practice seeds) and the
user's imports. The build hashes the first three into the store's ``provenance`` table and an
import hashes the imported file (:mod:`corridors.store.provenance`); :func:`governance_sources`
names the rows of the files one answer read, so the CLI, the API and the web pages all show the
same ``sources`` (source id, publisher, title, edition, licence, file, sha256).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

import corridors.reference as shipped
from corridors._version import __version__
from corridors.governance.reference import reference_file
from corridors.settings import settings
from corridors.sources.registry import registry
from corridors.store import provenance

if TYPE_CHECKING:
    from corridors.governance.agreements import Agreement
    from corridors.governance.ratifications import Ratifications

CURATED = "curated-reference"
UN_TREATIES = "un-treaties-hr-status"
#: The curated files of community answers: membership periods, free-movement instruments.
MEMBERSHIP_FILES = ("rec_membership.csv", "rec_free_movement.csv")


def _of_source(con: duckdb.DuckDBPyConnection | None, source_id: str,
               paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Rows of files of a registered source, by their file ids."""
    source = registry()[source_id]
    return provenance.file_rows(con, [(p, provenance.file_id(source, p.name)) for p in paths],
                                publisher=source.publisher, title=source.title,
                                edition=source.edition, licence=source.licence)


def governance_sources(con: duckdb.DuckDBPyConnection | None = None, *,
                       reference: Path | str | None = None,
                       reference_files: Iterable[str] = (),
                       ratifications: Ratifications | None = None,
                       package_files: Iterable[str] = (),
                       agreements: Iterable[Agreement] | None = None,
                       practices: bool = False,
                       user_dir: Path | str | None = None) -> list[dict[str, Any]]:
    """The ``sources`` of a governance answer (each source once, in the order read).

    ``con``: the store, whose provenance rows name the files the build hashed (None: every file
    is hashed now); ``reference_files``: curated files read; ``ratifications``: the loaded lists
    (their curated files, coverage.csv, the UN treaty tables and the user's imports);
    ``package_files``: shipped data files
    (``instruments.yaml``, ...); ``agreements``: the registry used (user files among them);
    ``practices``: the catalogue was read (the user's practice files too)."""
    found: list[dict[str, Any]] = []
    curated: list[Path] = []
    names = list(dict.fromkeys(reference_files))
    un: list[Path] = []
    imports: list[Path] = []
    if ratifications is not None:
        names.append("coverage.csv")
        for text in ratifications.sources:
            path = Path(text)
            if path.name.startswith("hr_status_"):
                un.append(path)
            elif path.name in shipped.FILES:
                curated.append(path)
            else:
                imports.append(path)
    curated += [reference_file(name, reference) for name in dict.fromkeys(names)]
    found += _of_source(con, CURATED, dict.fromkeys(curated))
    found += _of_source(con, UN_TREATIES, un)
    found += [provenance.import_row(p, kind="ratifications",
                                    title="Ratification table imported by the user")
              for p in imports]
    for name in dict.fromkeys(package_files):
        found += _package(con, name)
    for path in dict.fromkeys(Path(a.provenance.file) for a in agreements or ()
                              if a.provenance.file and not a.provenance.file.startswith(
                                  "corridors/")):
        if path.is_file():
            found.append(provenance.import_row(path, kind="agreements",
                                               title="Agreements imported by the user"))
    if practices:
        found += _package(con, "practices.yaml")
        folder = Path(user_dir or settings().user_dir) / "practices"
        if folder.is_dir():
            found += [provenance.import_row(p, kind="practices",
                                            title="Practices added by the user")
                      for p in sorted(folder.glob("*.y*ml"))]
    return provenance.public(found)


def _package(con: duckdb.DuckDBPyConnection | None, name: str) -> list[dict[str, Any]]:
    for package, files in provenance.PACKAGE_FILES.items():
        if name in files:
            return provenance.file_rows(
                con, [(provenance.package_path(package, name), provenance.package_id(name))],
                publisher=provenance.PACKAGE_PUBLISHER, title=files[name], edition=__version__,
                licence=provenance.PACKAGE_LICENCE)
    raise KeyError(name)
