"""Files a user asks for (exports, workbooks) are written whole or not at all.

A full disk, a missing permission or Ctrl+C halfway through never leaves a half-written workbook or
a folder of mixed old and new tables behind: everything is written beside the target first and
moved into place once complete. An operating-system error names the file the user asked for.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _named(error: BaseException, path: Path) -> BaseException:
    """The operating-system error behind ``error`` (libraries wrap it, or give only its text
    "... (os error 28)"), with its error number and the file the user asked for."""
    cause = error if isinstance(error, OSError) else error.__cause__ or error.__context__
    if not isinstance(cause, OSError):
        return error
    code = cause.errno
    if code is None:
        found = re.search(r"os error (\d+)", str(cause))
        code = int(found.group(1)) if found else None
    text = cause.strerror or (os.strerror(code) if code else str(cause))
    return OSError(code, text, str(path))  # the file asked for, not the temporary one


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # e.g. a read-only file system refuses even this
        path.unlink(missing_ok=True)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; when the block ends, it replaces
    ``path`` (one atomic rename); when the block fails, it is removed and ``path`` is as before."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    except Exception as error:
        _remove(tmp)
        named = _named(error, path)
        if named is error:
            raise
        raise named from None
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``folder``; when the block ends, every file in it
    moves into ``folder`` (created if needed); when the block fails, it is removed and ``folder``
    is as before."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        yield staging
        folder.mkdir(exist_ok=True)
        for item in sorted(staging.iterdir()):
            os.replace(item, folder / item.name)
    except Exception as error:
        named = _named(error, folder)
        if named is error:
            raise
        raise named from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
