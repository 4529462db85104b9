"""Publications corridors knows (the registry) and getting them onto this machine (pull)."""

from corridors.sources.registry import Source, SourceFile, get, registry

__all__ = ["Source", "SourceFile", "get", "registry"]
