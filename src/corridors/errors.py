"""Errors a user can act on. Each names the file, sheet (of a workbook) or place, row, value and what
was expected."""

from __future__ import annotations

from dataclasses import dataclass, field


class CorridorsError(Exception):
    """Base for every error shown to a user as one clear message (exit code 2 unless set)."""

    exit_code = 2


#: The most characters of a bad value an error message quotes.
QUOTE_LIMIT = 80


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut to its first ``limit`` characters (with how long it was) so that a
    huge bad input is never echoed back whole."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(str(value)):,} characters)"


class NotFoundError(CorridorsError):
    """A well-formed question about something the store does not hold (a year of an edition, a
    corridor without figures, a lens, a region): answered over HTTP as 404."""


class NotBuiltError(CorridorsError):
    """No store yet: the user must run ``corridors pull`` and ``corridors build``."""


class SourceError(CorridorsError):
    """A source could not be pulled (network, mirror, checksum)."""


#: Files with sheets: only a problem in one of these names a sheet.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


@dataclass
class Problem:
    """One bad cell or row of an input file.

    ``sheet`` is a workbook's sheet; ``place`` is where else in a file the problem is (a YAML key,
    a column of a CSV or Parquet file, a record), written as the reader should see it, e.g.
    ``key 'design.weight'`` or ``column weight``. A sheet given for a file that is not a workbook
    is shown as a place: messages about YAML, CSV or Parquet files never speak of sheets.
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    value: object = None
    expected: str = ""
    place: str | None = None

    def __post_init__(self) -> None:
        if self.sheet and not str(self.file).lower().endswith(WORKBOOK_SUFFIXES):
            self.place = self.place or str(self.sheet)
            self.sheet = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.place:
            where.append(self.place)
        if self.row is not None:
            where.append(f"row {self.row}")
        text = ", ".join(where)
        if self.value is not None:
            text += f": value {quoted(self.value)}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


@dataclass
class InputError(CorridorsError):
    """A file that does not have the layout or content a reader expects."""

    problems: list[Problem] = field(default_factory=list)
    hint: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.problems:
            return self.hint or "bad input"
        head = str(self.problems[0])
        if len(self.problems) > 1:
            rest = "\n".join(f"  - {p}" for p in self.problems)
            head = f"{len(self.problems)} problems:\n{rest}"
        return f"{head}\n{self.hint}".rstrip()

    @classmethod
    def one(cls, file: str, expected: str, *, sheet: str | None = None, row: int | None = None,
            value: object = None, hint: str = "", place: str | None = None) -> InputError:
        return cls([Problem(file, sheet, row, value, expected, place)], hint)


def storage_error(error: OSError, what: str = "") -> CorridorsError:
    """An operating-system error on a file (full disk, no permission, missing folder, ...) as
    one message that says what to do. ``what`` names the file when the error does not."""
    import errno

    path = error.filename or what or "the file"
    fixes: dict[int | None, str] = {
        errno.ENOSPC: "the disk is full. Free some space or write to another disk, then run the "
                      "command again.",
        errno.EDQUOT: "your disk quota is used up. Free some space or write to another disk.",
        errno.EACCES: "permission denied. Choose a folder you can write to (for an output: "
                      "--out/--output; for the cache and store: --home or CORRIDORS_HOME).",
        errno.EPERM: "operation not permitted. Choose a folder you can write to (for an output: "
                     "--out/--output; for the cache and store: --home or CORRIDORS_HOME).",
        errno.EROFS: "the file system is read-only. Write to another folder (--out/--output, "
                     "--home).",
        errno.ENOENT: "no such file or folder. Check the path; for an output, create its folder "
                      "first.",
        errno.ENOTDIR: "a part of the path is a file, not a folder. Check the path.",
        errno.EISDIR: "this is a folder; give a file name.",
        errno.EEXIST: "a file of that name is in the way of a folder. Choose another path.",
    }
    fix = fixes.get(error.errno, f"{error.strerror or error}. Check the path and the disk.")
    return CorridorsError(f"{path}: {fix}")
