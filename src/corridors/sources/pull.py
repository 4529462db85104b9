"""Getting publications onto this machine: download from the publisher, or copy from a mirror.

With a mirror folder (``--mirror DIR`` / ``CORRIDORS_MIRROR``) nothing is fetched from the internet:
files are copied from the mirror, which is laid out like ``../shared/sources`` (and like the folders
``corridors mirror`` writes). Online, each file comes from its direct address on the publisher's
site; where that address answers a ZIP archive (the World Bank's WDI API, CEPII) the registered
member is taken out of it. Either way each file is written to a temporary name, its sha256 checked
against the registry where known, and only then moved into the cache, so an interrupted or bad pull
leaves the previous file in place. The project's own curated reference ships with the package and
is copied from there (or from the ``CORRIDORS_REFERENCE`` folder a user sets).
"""

from __future__ import annotations

import fnmatch
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx

from corridors._version import __version__
from corridors.errors import SourceError
from corridors.settings import settings
from corridors.sources.cache import FileProvenance, Provenance, folder_for, now, sha256_of
from corridors.sources.registry import MirrorCopy, Source, SourceFile, alternates, get, registry

#: progress(source_id, file_name, done_bytes, total_bytes)
ProgressFn = Callable[[str, str, int, int | None], None]


@dataclass
class PullResult:
    source_id: str
    status: str  # 'pulled', 'up to date', 'skipped'
    detail: str = ""


class ChecksumError(SourceError):
    pass


def _verify(file: SourceFile, path: Path, origin: str, expected: str | None) -> str:
    digest = sha256_of(path)
    if expected and digest != expected:
        path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{file.name}: checksum mismatch from {origin}: sha256 {digest}, expected "
            f"{expected} (the registry's checksum for this edition). The file is damaged or is "
            "another edition; the previously pulled copy (if any) is kept."
        )
    return digest


def check_mirror(mirror: Path) -> Path:
    """The mirror folder, or a clear error when it does not exist."""
    if not mirror.is_dir():
        raise SourceError(
            f"the mirror folder {mirror} does not exist (or is not a folder). Give the folder that "
            "holds un-desa/, world-bank/, ... (e.g. /media/usb/sources, made by `corridors mirror "
            "DIR` on a machine with internet), or leave out --mirror / CORRIDORS_MIRROR to download "
            "from the publishers."
        )
    return mirror


def find_in_mirror(file: SourceFile, mirror: Path) -> tuple[Path, str, str | None] | None:
    """Where the mirror holds ``file``: (path, its path inside the mirror, expected sha256).

    The publisher's own path first, then the registry's other accepted copies; a ``*`` in a path
    matches any release number (the newest name wins)."""
    for copy in file.mirror_paths():
        if any(ch in copy.path for ch in "*?["):
            folder = mirror / PurePosixPath(copy.path).parent
            found = sorted(folder.glob(PurePosixPath(copy.path).name)) if folder.is_dir() else []
            if found:
                rel = str(PurePosixPath(copy.path).parent / found[-1].name)
                return found[-1], rel, _checksum_for(file, copy, found[-1].name)
        elif (mirror / copy.path).is_file():
            return mirror / copy.path, copy.path, copy.sha256
    return None


def _checksum_for(file: SourceFile, copy: MirrorCopy, found_name: str) -> str | None:
    """The registered checksum belongs to the registered file name: another release of a file
    the publisher renames on each release is recorded with its own checksum, unverified."""
    if copy.sha256:
        return copy.sha256
    return file.sha256 if found_name == file.name else None


def _copy(source: Source, file: SourceFile, origin: Path, target: Path,
          progress: ProgressFn | None) -> int:
    part = target.with_name(target.name + ".part")
    size = origin.stat().st_size
    with open(origin, "rb") as src, open(part, "wb") as dst:
        done = 0
        while block := src.read(1 << 20):
            dst.write(block)
            done += len(block)
            if progress:
                progress(source.id, file.name, done, size)
    return size


def _copy_from_mirror(source: Source, file: SourceFile, mirror: Path, target: Path,
                      progress: ProgressFn | None) -> FileProvenance | None:
    found = find_in_mirror(file, mirror)
    if found is None:
        return None
    origin, rel, expected = found
    size = _copy(source, file, origin, target, progress)
    part = target.with_name(target.name + ".part")
    digest = _verify(file, part, str(origin), expected)
    part.replace(target)
    return FileProvenance(file.name, str(origin.resolve()), digest, size, now(), bool(expected), rel)


def shipped_folder() -> Path:
    """Where the shipped curated reference is read from: the user's override folder
    (``CORRIDORS_REFERENCE``) or the copy inside the package."""
    from corridors.reference import folder

    return settings().reference or folder()


def _copy_shipped(source: Source, file: SourceFile, target: Path,
                  progress: ProgressFn | None) -> FileProvenance:
    origin = shipped_folder() / file.name
    if not origin.is_file():
        raise SourceError(
            f"{source.id}: {file.name} is not in the reference folder {origin.parent} "
            "(CORRIDORS_REFERENCE names a folder that must hold "
            f"{', '.join(f.name for f in source.files)}; unset it to use the copy shipped with "
            "corridors)."
        )
    size = _copy(source, file, origin, target, progress)
    part = target.with_name(target.name + ".part")
    digest = sha256_of(part)
    part.replace(target)
    return FileProvenance(file.name, str(origin), digest, size, now(), False, None)


#: Some publishers' sites (un.org) refuse clients that do not say they are a browser: say both.
_HEADERS = {"User-Agent": f"Mozilla/5.0 (compatible; corridors/{__version__}; "
                          "South-South Mobility Observatory data pull)",
            "Accept": "*/*"}


def _fetch(url: str, part: Path, label: tuple[str, str], progress: ProgressFn | None) -> None:
    """Stream one address into ``part``, retrying; raises SourceError with what to do."""
    cfg = settings()
    last_error: Exception | None = None
    for attempt in range(1, cfg.download_retries + 1):
        try:
            with httpx.stream("GET", url, follow_redirects=True, headers=_HEADERS,
                              timeout=cfg.download_timeout) as response:
                response.raise_for_status()
                total = int(response.headers.get("content-length") or 0) or None
                done = 0
                with open(part, "wb") as handle:
                    for block in response.iter_bytes(1 << 16):
                        handle.write(block)
                        done += len(block)
                        if progress:
                            progress(label[0], label[1], done, total)
            return
        except (httpx.HTTPError, OSError) as error:
            last_error = error
            part.unlink(missing_ok=True)
            if attempt < cfg.download_retries:
                time.sleep(min(2**attempt, 10))
    raise SourceError(
        f"{label[0]}: could not download {url} after {cfg.download_retries} tries "
        f"({last_error}). Offline? Use a mirror folder: `corridors --mirror DIR pull`."
    )


def _member(archive: Path, file: SourceFile, source: Source, url: str) -> zipfile.ZipInfo:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [i for i in zf.infolist() if fnmatch.fnmatchcase(i.filename, file.member or "")]
    except zipfile.BadZipFile:
        raise SourceError(
            f"{source.id}: {url} did not answer a ZIP archive (expected one holding "
            f"{file.member}). The publisher may have changed the address: see {source.page}."
        ) from None
    if len(names) != 1:
        with zipfile.ZipFile(archive) as zf:
            listed = ", ".join(zf.namelist())
        raise SourceError(
            f"{source.id}: the archive from {url} holds {listed or 'nothing'}; expected exactly one "
            f"file matching {file.member}. The publisher may have changed the layout: see "
            f"{source.page}."
        )
    return names[0]


def _download(source: Source, file: SourceFile, target: Path, progress: ProgressFn | None,
              archives: dict[str, Path]) -> FileProvenance:
    if not file.url:
        raise SourceError(
            f"{source.id}: {file.name} has no download address; copy it from a mirror "
            "(`corridors --mirror DIR pull`)."
        )
    part = target.with_name(target.name + ".part")
    if file.member is None:
        _fetch(file.url, part, (source.id, file.name), progress)
        digest = _verify(file, part, file.url, file.sha256)
        part.replace(target)
        return FileProvenance(file.name, file.url, digest, target.stat().st_size, now(),
                              bool(file.sha256), file.mirror)
    if file.url not in archives:  # one download per address, however many members it holds
        archive = Path(tempfile.mkstemp(suffix=".zip", dir=target.parent)[1])
        _fetch(file.url, archive, (source.id, file.name), progress)
        archives[file.url] = archive
    info = _member(archives[file.url], file, source, file.url)
    with zipfile.ZipFile(archives[file.url]) as zf, zf.open(info) as src, open(part, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    found = PurePosixPath(info.filename).name
    expected = file.sha256 if found == file.name else None
    digest = _verify(file, part, f"{file.url} ({found})", expected)
    part.replace(target)
    rel = str(PurePosixPath(file.mirror or found).parent / found)
    return FileProvenance(file.name, f"{file.url}#{found}", digest, target.stat().st_size, now(),
                          bool(expected), rel)


def _alternate_in_mirror(source: Source, mirror: Path) -> Source | None:
    for alt in alternates(source.id):
        if all(find_in_mirror(f, mirror) for f in alt.files):
            return alt
    return None


def pull_source(source: Source, *, force: bool = False,
                progress: ProgressFn | None = None) -> PullResult:
    """Pull every file of one source into the cache and record its provenance."""
    cfg = settings()
    folder = folder_for(source)
    old = Provenance.read(folder)
    if (old and not force and not source.shipped
            and all((folder / f.name).exists() for f in source.files)):
        known = {f.name: f.sha256 for f in old.files}
        if all(sf.sha256 is None or known.get(sf.name) == sf.sha256 for sf in source.files):
            return PullResult(source.id, "up to date")
    if cfg.mirror is not None and not source.shipped:
        check_mirror(cfg.mirror)
        missing = [f for f in source.files if find_in_mirror(f, cfg.mirror) is None]
        if missing:
            where = missing[0].mirror or missing[0].name
            alt = _alternate_in_mirror(source, cfg.mirror)
            if alt is not None:
                return PullResult(source.id, "skipped",
                                  f"not in the mirror ({where}); its alternate {alt.id} is used instead")
            if source.required:
                raise SourceError(
                    f"{source.id}: {where} is not in the mirror {cfg.mirror}. "
                    "Check the mirror folder's layout (see `corridors sources --format json`)."
                )
            return PullResult(source.id, "skipped", f"not in the mirror ({where})")
    folder.mkdir(parents=True, exist_ok=True)
    fetched: list[FileProvenance] = []
    archives: dict[str, Path] = {}
    try:
        for file in source.files:
            target = folder / file.name
            if source.shipped:
                fetched.append(_copy_shipped(source, file, target, progress))
            elif cfg.mirror is not None:
                got = _copy_from_mirror(source, file, cfg.mirror, target, progress)
                if got is None:  # removed from the mirror while we copied
                    raise SourceError(f"{source.id}: {file.mirror} vanished from the mirror "
                                      f"{cfg.mirror} during the pull; pull again.")
                fetched.append(got)
            else:
                fetched.append(_download(source, file, target, progress, archives))
    finally:
        for archive in archives.values():
            archive.unlink(missing_ok=True)
    Provenance(source.id, source.publisher, source.title, source.edition, source.licence,
               source.page, fetched).write(folder)
    if source.shipped:
        where = "reference folder" if cfg.reference is not None else "package"
    else:
        where = "mirror" if cfg.mirror is not None else "publisher"
    return PullResult(source.id, "pulled", f"from the {where}")


def pull(ids: Iterable[str] | None = None, *, force: bool = False,
         progress: ProgressFn | None = None) -> list[PullResult]:
    """Pull the given sources (all when none are named)."""
    mirror = settings().mirror
    if mirror is not None:
        check_mirror(mirror)
    chosen = [get(i) for i in ids] if ids else list(registry().values())
    results = []
    for source in chosen:
        if not ids and settings().mirror is None and not source.shipped:
            if source.alternate_of:
                results.append(PullResult(source.id, "skipped",
                                          f"a mirror copy of {source.alternate_of}, which is downloaded"))
                continue
            if not source.required:
                # optional publications are fetched only when asked for by id when online
                detail = ("optional; pull it by id" if all(f.url for f in source.files)
                          else "optional; only in a mirror (no download address)")
                results.append(PullResult(source.id, "skipped", detail))
                continue
        results.append(pull_source(source, force=force, progress=progress))
    return results


def remove(source: Source) -> None:
    shutil.rmtree(folder_for(source), ignore_errors=True)
