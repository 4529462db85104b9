"""Where the curated reference facts live (ratification lists, community membership).

They ship with the package (``corridors/reference/``); a user's own folder replaces them
(``CORRIDORS_REFERENCE``). Every reader takes an explicit path and falls back to
:func:`reference_dir`.
"""

from __future__ import annotations

from pathlib import Path

from corridors.errors import CorridorsError
from corridors.settings import settings


class ReferenceMissing(CorridorsError):
    """The curated reference folder (or one of its files) cannot be found."""


def reference_dir(path: Path | str | None = None) -> Path:
    """The folder holding ``ilo_ratifications.csv``, ``rec_membership.csv``, ...

    ``path`` wins; otherwise the user's folder (``CORRIDORS_REFERENCE``) or the shipped copy.
    """
    folder = Path(path) if path is not None else settings().reference_dir
    if not folder.is_dir():
        raise ReferenceMissing(
            f"reference folder {folder} does not exist: set CORRIDORS_REFERENCE to a folder "
            "holding ilo_ratifications.csv, rec_membership.csv, ... or unset it to use the copy "
            "shipped with corridors"
        )
    return folder


def un_treaties_dir(mirror: Path | str | None = None) -> Path | None:
    """The mirror's ``un-treaties`` folder (UN human-rights treaty status tables), if present."""
    base = Path(mirror) if mirror is not None else settings().mirror
    candidates = [Path(base) / "un-treaties" if base is not None else None,
                  settings().cache_dir / "un-treaties-hr-status"]
    return next((p for p in candidates if p is not None and p.is_dir()), None)


def reference_file(name: str, folder: Path | str | None = None) -> Path:
    """One file of the reference folder, with a clear error when it is absent."""
    path = reference_dir(folder) / name
    if not path.is_file():
        raise ReferenceMissing(f"reference file {path} does not exist")
    return path
