"""The download cache: one folder per source id holding the raw files and ``provenance.json``.

Provenance records where each file came from (url or mirror path), edition, licence, sha256 and
when it was fetched; the build copies it into the store so every number can say its origin.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from corridors.settings import settings
from corridors.sources.registry import Source


@dataclass
class FileProvenance:
    name: str
    fetched_from: str
    sha256: str
    size: int
    fetched_at: str
    verified: bool  # True when the registry knew the checksum and it matched
    mirror_path: str | None = None  # where the file lies in a mirror folder (`corridors mirror`)


@dataclass
class Provenance:
    source_id: str
    publisher: str
    title: str
    edition: str
    licence: str
    page: str
    files: list[FileProvenance]

    def write(self, folder: Path) -> None:
        tmp = folder / "provenance.json.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / "provenance.json")

    @classmethod
    def read(cls, folder: Path) -> Provenance | None:
        path = folder / "provenance.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        data["files"] = [FileProvenance(**f) for f in data["files"]]
        return cls(**data)


def folder_for(source: Source) -> Path:
    return settings().cache_dir / source.id


def path_for(source: Source, file_name: str | None = None) -> Path:
    """Where a source's (primary) file lives in the cache."""
    return folder_for(source) / (file_name or source.primary.name)


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def state(source: Source) -> str:
    """'pulled', 'partial' or 'missing' for the listing."""
    prov = Provenance.read(folder_for(source))
    if prov is None:
        return "missing"
    have = {f.name for f in prov.files if (folder_for(source) / f.name).exists()}
    return "pulled" if all(f.name in have for f in source.files) else "partial"
