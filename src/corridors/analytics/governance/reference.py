"""Where the curated reference facts live (ratification lists, community membership).

There is no dedicated setting yet: the curated ``reference/`` folder sits beside the offline mirror
(``../shared/reference`` next to ``../shared/sources``). Every reader takes an explicit path and falls
back to :func:`reference_dir`.
"""

from __future__ import annotations

from pathlib import Path

from corridors.errors import CorridorsError
from corridors.settings import settings


class ReferenceMissing(CorridorsError):
    """The curated reference folder (or one of its files) cannot be found."""


def reference_dir(path: Path | str | None = None) -> Path:
    """The folder holding ``ilo_ratifications.csv``, ``rec_membership.csv``, ...

    ``path`` wins; otherwise ``<mirror>/../reference`` when a mirror is set.
    """
    if path is not None:
        folder = Path(path)
    else:
        mirror = settings().mirror
        if mirror is None:
            raise ReferenceMissing(
                "no reference folder: set --mirror DIR (the folder beside it holds reference/) "
                "or pass --reference DIR (the folder holding ilo_ratifications.csv, ...)"
            )
        folder = Path(mirror).parent / "reference"
    if not folder.is_dir():
        raise ReferenceMissing(f"reference folder {folder} does not exist")
    return folder


def un_treaties_dir(mirror: Path | str | None = None) -> Path | None:
    """The mirror's ``un-treaties`` folder (UN human-rights treaty status tables), if present."""
    base = Path(mirror) if mirror is not None else settings().mirror
    if base is None:
        return None
    folder = Path(base) / "un-treaties"
    return folder if folder.is_dir() else None


def reference_file(name: str, folder: Path | str | None = None) -> Path:
    """One file of the reference folder, with a clear error when it is absent."""
    path = reference_dir(folder) / name
    if not path.is_file():
        raise ReferenceMissing(f"reference file {path} does not exist")
    return path
