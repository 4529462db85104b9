"""Getting publications onto this machine: download from the publisher, or copy from a mirror.

With a mirror folder (``--mirror DIR`` / ``CORRIDORS_MIRROR``) nothing is fetched from the internet:
files are copied from the mirror, which is laid out like ``../shared/sources``. Either way each
file is written to a temporary name, its sha256 checked against the registry where known, and only
then moved into the cache, so an interrupted or bad pull leaves the previous file in place.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from corridors.errors import SourceError
from corridors.settings import settings
from corridors.sources.cache import FileProvenance, Provenance, folder_for, now, sha256_of
from corridors.sources.registry import Source, SourceFile, get, registry

#: progress(source_id, file_name, done_bytes, total_bytes)
ProgressFn = Callable[[str, str, int, int | None], None]


@dataclass
class PullResult:
    source_id: str
    status: str  # 'pulled', 'up to date', 'skipped'
    detail: str = ""


class ChecksumError(SourceError):
    pass


def _verify(file: SourceFile, path: Path, origin: str) -> str:
    digest = sha256_of(path)
    if file.sha256 and digest != file.sha256:
        path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{file.name}: checksum mismatch from {origin}: sha256 {digest}, expected "
            f"{file.sha256} (the registry's checksum for this edition). The file is damaged or is "
            "another edition; the previously pulled copy (if any) is kept."
        )
    return digest


def _copy_from_mirror(source: Source, file: SourceFile, mirror: Path, target: Path,
                      progress: ProgressFn | None) -> FileProvenance | None:
    origin = (mirror / file.mirror).resolve()
    if not origin.is_file():
        return None
    part = target.with_name(target.name + ".part")
    size = origin.stat().st_size
    with open(origin, "rb") as src, open(part, "wb") as dst:
        done = 0
        while block := src.read(1 << 20):
            dst.write(block)
            done += len(block)
            if progress:
                progress(source.id, file.name, done, size)
    digest = _verify(file, part, str(origin))
    part.replace(target)
    return FileProvenance(file.name, str(origin), digest, size, now(), bool(file.sha256))


def _download(source: Source, file: SourceFile, target: Path,
              progress: ProgressFn | None) -> FileProvenance:
    if not file.url:
        raise SourceError(
            f"{source.id}: {file.name} has no download address; copy it from a mirror "
            "(`corridors --mirror DIR pull`)."
        )
    cfg = settings()
    part = target.with_name(target.name + ".part")
    last_error: Exception | None = None
    for attempt in range(1, cfg.download_retries + 1):
        try:
            with httpx.stream("GET", file.url, follow_redirects=True,
                              timeout=cfg.download_timeout) as response:
                response.raise_for_status()
                total = int(response.headers.get("content-length") or 0) or None
                done = 0
                with open(part, "wb") as handle:
                    for block in response.iter_bytes(1 << 16):
                        handle.write(block)
                        done += len(block)
                        if progress:
                            progress(source.id, file.name, done, total)
            digest = _verify(file, part, file.url)
            part.replace(target)
            return FileProvenance(file.name, file.url, digest, target.stat().st_size, now(),
                                  bool(file.sha256))
        except ChecksumError:
            raise
        except (httpx.HTTPError, OSError) as error:
            last_error = error
            part.unlink(missing_ok=True)
            if attempt < cfg.download_retries:
                time.sleep(min(2**attempt, 10))
    raise SourceError(
        f"{source.id}: could not download {file.url} after {cfg.download_retries} tries "
        f"({last_error}). Offline? Use a mirror folder: `corridors --mirror DIR pull`."
    )


def pull_source(source: Source, *, force: bool = False,
                progress: ProgressFn | None = None) -> PullResult:
    """Pull every file of one source into the cache and record its provenance."""
    cfg = settings()
    folder = folder_for(source)
    old = Provenance.read(folder)
    if old and not force and all((folder / f.name).exists() for f in source.files):
        known = {f.name: f.sha256 for f in old.files}
        if all(sf.sha256 is None or known.get(sf.name) == sf.sha256 for sf in source.files):
            return PullResult(source.id, "up to date")
    folder.mkdir(parents=True, exist_ok=True)
    fetched: list[FileProvenance] = []
    for file in source.files:
        target = folder / file.name
        if cfg.mirror is not None:
            got = _copy_from_mirror(source, file, cfg.mirror, target, progress)
            if got is None:
                if source.required:
                    raise SourceError(
                        f"{source.id}: {file.mirror} is not in the mirror {cfg.mirror}. "
                        "Check the mirror folder's layout (see `corridors sources`)."
                    )
                return PullResult(source.id, "skipped", f"not in the mirror ({file.mirror})")
            fetched.append(got)
        else:
            fetched.append(_download(source, file, target, progress))
    Provenance(source.id, source.publisher, source.title, source.edition, source.licence,
               source.page, fetched).write(folder)
    where = "mirror" if cfg.mirror is not None else "publisher"
    return PullResult(source.id, "pulled", f"from the {where}")


def pull(ids: Iterable[str] | None = None, *, force: bool = False,
         progress: ProgressFn | None = None) -> list[PullResult]:
    """Pull the given sources (all when none are named)."""
    chosen = [get(i) for i in ids] if ids else list(registry().values())
    results = []
    for source in chosen:
        if not ids and not source.required and settings().mirror is None:
            # optional publications are fetched only when asked for by id when online
            results.append(PullResult(source.id, "skipped", "optional; pull it by id"))
            continue
        results.append(pull_source(source, force=force, progress=progress))
    return results


def remove(source: Source) -> None:
    shutil.rmtree(folder_for(source), ignore_errors=True)
