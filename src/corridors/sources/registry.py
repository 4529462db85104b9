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


class SourceFile(BaseModel):
    """One file of a publication, under the publisher's own name."""

    name: str
    mirror: str = Field(description="path inside a mirror folder laid out like the publishers'")
    url: str | None = None
    sha256: str | None = Field(default=None, description="expected checksum, where known")


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
