"""Where the curated reference facts live (ratification lists, community membership).

The folder comes from ``settings().reference_dir``: ``CORRIDORS_REFERENCE`` / ``--reference``, else
the copy ``corridors pull`` made in the cache, else ``reference/`` beside the offline mirror. Every
reader takes an explicit path and falls back to :func:`reference_dir`.
"""

from __future__ import annotations

from pathlib import Path

from corridors.errors import CorridorsError
from corridors.settings import settings


class ReferenceMissing(CorridorsError):
    """The curated reference folder (or one of its files) cannot be found."""


def reference_dir(path: Path | str | None = None) -> Path:
    """The folder holding ``ilo_ratifications.csv``, ``rec_membership.csv``, ...

    ``path`` wins; otherwise the setting, the pulled copy, or ``<mirror>/../reference``.
    """
    if path is not None:
        folder = Path(path)
    else:
        found = settings().reference_dir
        if found is None:
            raise ReferenceMissing(
                "no reference folder: run `corridors pull` (it copies the curated reference "
                "facts), set CORRIDORS_REFERENCE, or pass --reference DIR (the folder holding "
                "ilo_ratifications.csv, ...)"
            )
        folder = found
    if not folder.is_dir():
        raise ReferenceMissing(f"reference folder {folder} does not exist")
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
