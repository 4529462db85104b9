"""The source registry: every publication with its official URL, edition, licence and checksum.

The data lives in ``registry.yaml`` beside this module (configuration first, code only where the
configuration cannot say it).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, Field

from corridors.errors import CorridorsError


class MirrorCopy(BaseModel):
    """Another place in a mirror folder where the same file, in the same layout, may lie: a copy
    that a third party touched up (an added sheet), or another release of a file the publisher
    renames on each release (``*`` in ``path`` matches any release number)."""

    path: str
    sha256: str | None = None


class SourceFile(BaseModel):
    """One file of a publication, under the publisher's own name."""

    name: str
    mirror: str | None = Field(
        default=None, description="path inside a mirror folder laid out like the publishers'")
    url: str | None = Field(default=None, description="the file's direct address on the publisher's site")
    member: str | None = Field(
        default=None, description="when the url answers a ZIP archive: the file inside it (glob)")
    sha256: str | None = Field(default=None, description="expected checksum, where known")
    also: list[MirrorCopy] = Field(default_factory=list)

    def mirror_paths(self) -> list[MirrorCopy]:
        """Where a mirror may hold this file, the publisher's own path first."""
        own = [MirrorCopy(path=self.mirror, sha256=self.sha256)] if self.mirror else []
        return own + self.also


class Source(BaseModel):
    """One publication (a source id) and its files."""

    id: str
    publisher: str
    title: str
    edition: str
    licence: str
    page: str = ""
    reader: str | None = None
    required: bool = True
    alternate_of: str | None = Field(
        default=None, description="the source whose numbers this file carries in another layout; "
        "read only when that source is not pulled")
    shipped: bool = Field(default=False, description="the files ship with the package")
    files: list[SourceFile]

    @property
    def primary(self) -> SourceFile:
        return self.files[0]


class UnknownSourceError(CorridorsError):
    pass


@lru_cache(maxsize=1)
def registry() -> dict[str, Source]:
    """Every known source, keyed by id, in registry order."""
    text = resources.files(__package__).joinpath("registry.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {entry["id"]: Source.model_validate(entry) for entry in data["sources"]}


def get(source_id: str) -> Source:
    try:
        return registry()[source_id]
    except KeyError:
        known = ", ".join(registry())
        raise UnknownSourceError(
            f"unknown source {source_id!r}; known sources: {known} (see `corridors sources`)"
        ) from None


def alternates(source_id: str) -> list[Source]:
    """The sources that carry ``source_id``'s numbers in another layout (mirror copies)."""
    return [s for s in registry().values() if s.alternate_of == source_id]
