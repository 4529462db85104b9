"""Making a mirror folder: the pulled files laid out like the publishers' sites, for a colleague
without internet (``corridors mirror DIR``; they then run ``corridors --mirror DIR pull``).

Each file goes where ``pull --mirror`` looks for it: the path it had in the mirror it was copied
from, or, for a download, the registry's mirror path (with the release name the publisher gave it).
The project's own reference data is not written: it ships with the package.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from corridors.errors import SourceError
from corridors.sources.cache import Provenance, folder_for, state
from corridors.sources.registry import registry


@dataclass
class MirrorResult:
    folder: Path
    files: int
    bytes: int
    sources: list[str]
    not_pulled: list[str]


def write_mirror(target: Path) -> MirrorResult:
    """Copy every pulled file into ``target`` in the mirror layout; returns what was written."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise SourceError(f"{target} is a file: give a folder for the mirror (it is created if "
                          "missing)")
    written, size, done, not_pulled = 0, 0, [], []
    plan: list[tuple[Path, Path]] = []
    for source in registry().values():
        if source.shipped:
            continue
        prov = Provenance.read(folder_for(source))
        if prov is None or state(source) != "pulled":
            not_pulled.append(source.id)
            continue
        by_name = {f.name: f for f in prov.files}
        for file in source.files:
            rel = by_name[file.name].mirror_path or file.mirror
            if rel is None:
                continue
            plan.append((folder_for(source) / file.name, target / rel))
        done.append(source.id)
    stand_ins = {registry()[sid].alternate_of for sid in done}
    not_pulled = [sid for sid in not_pulled if sid not in stand_ins]
    if not plan:
        raise SourceError("nothing is pulled yet: run `corridors pull` first, then "
                          "`corridors mirror DIR`.")
    for origin, dest in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        try:
            shutil.copyfile(origin, part)
            part.replace(dest)
        except OSError as error:
            part.unlink(missing_ok=True)
            raise SourceError(f"could not write {dest} ({error.strerror or error}). Check that the "
                              "folder is writable and the disk has room; files already written "
                              "are complete.") from None
        written += 1
        size += dest.stat().st_size
    return MirrorResult(target, written, size, done, not_pulled)
