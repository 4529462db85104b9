"""Stock matrices and vital-event vectors: checking arrays and reading a user's own CSV files.

A **stock CSV** is a square matrix: the header row holds the place codes (its first cell is a label
such as ``birth/residence`` and is ignored), each following row starts with the place of birth and
gives the number of people born there living in each place (the diagonal holds the native-born at
home). Places may be countries, provinces or districts; the codes are kept as written::

    born,A,B,C
    A,1000,100,10
    B,55,555,50
    C,80,40,800

A **births or deaths CSV** has the columns ``place,value`` with one row per place of residence.

A **seed CSV** (auxiliary information, e.g. distances) has the stock layout with the place of
origin in the first column and the place of destination in the header row.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corridors.errors import InputError, Problem


def check_pair(stock_start: np.ndarray, stock_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both stock matrices as float arrays of the same square shape with no negative or missing
    value, else a ValueError saying which."""
    s1 = np.asarray(stock_start, dtype=float)
    s2 = np.asarray(stock_end, dtype=float)
    for name, m in (("stock_start", s1), ("stock_end", s2)):
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ValueError(f"{name} must be a square matrix, got shape {m.shape}")
        if not np.all(np.isfinite(m)):
            raise ValueError(f"{name} has missing or infinite values")
        if np.any(m < 0):
            raise ValueError(f"{name} has negative stocks")
    if s1.shape != s2.shape:
        raise ValueError(f"stock_start {s1.shape} and stock_end {s2.shape} differ in shape")
    return s1, s2


@dataclass
class StockMatrix:
    """A square stock matrix read from a file, with its place codes in row/column order."""

    places: list[str]
    values: np.ndarray
    file: str


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if cleaned in ("", "-", ".."):
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _rows(path: Path) -> list[list[str]]:
    if not path.exists():
        raise InputError.one(str(path), "an existing CSV file", hint="check the path")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            return [row for row in csv.reader(handle, dialect) if any(c.strip() for c in row)]
    except UnicodeDecodeError as error:
        raise InputError.one(str(path), "a UTF-8 text CSV file (save as 'CSV UTF-8' from Excel)",
                             value=str(error)) from error


def read_stock_csv(path: Path | str, *, what: str = "stock") -> StockMatrix:
    """Read a square place-of-birth x place-of-residence stock matrix from a CSV file
    (``what="seed"``: an origin x destination seed matrix in the same layout).

    Every problem is reported at once: file, row, value and what was expected.
    """
    path = Path(path)
    name = str(path)
    rows = _rows(path)
    if len(rows) < 3:
        raise InputError.one(name, "a header row of place codes and at least two rows of stocks",
                             row=len(rows) or None)
    header = [c.strip() for c in rows[0][1:]]
    problems: list[Problem] = []
    if len(set(header)) != len(header) or any(not c for c in header):
        problems.append(Problem(name, row=1, value=",".join(header),
                                expected="distinct, non-empty place codes in the header row"))
    body = rows[1:]
    if len(body) != len(header):
        problems.append(Problem(name, row=None, value=f"{len(body)} rows x {len(header)} columns",
                                expected="a square matrix: one row per place named in the header"))
    births_order = [r[0].strip() for r in body]
    if sorted(births_order) != sorted(header) and not problems:
        missing = sorted(set(header) - set(births_order)) or sorted(set(births_order) - set(header))
        problems.append(Problem(name, row=None, value=", ".join(missing),
                                expected="the same place codes in the first column as in the "
                                         "header row"))
    values = np.zeros((len(body), len(header)))
    for r, row in enumerate(body):
        cells = row[1:]
        if len(cells) != len(header):
            problems.append(Problem(name, row=r + 2, value=len(cells),
                                    expected=f"{len(header)} values after the place of birth"))
            continue
        for c, cell in enumerate(cells):
            value = _number(cell)
            if value is None or value < 0:
                cell_of = (f"from {births_order[r]!r} to {header[c]!r}" if what == "seed"
                           else f"for born {births_order[r]!r} living in {header[c]!r}")
                problems.append(Problem(name, row=r + 2, value=cell,
                                        expected=f"a number >= 0 {cell_of}"))
            else:
                values[r, c] = value
    if problems:
        first = "the place of origin" if what == "seed" else "the place of birth"
        raise InputError(problems[:20], hint=f"A {what} CSV is a square matrix: header row of "
                         f"place codes, first column {first} (see `corridors flows "
                         "estimate --help`).")
    order = [births_order.index(p) for p in header]
    return StockMatrix(header, values[order, :], name)


def read_vital_csv(path: Path | str, places: Sequence[str], what: str = "births") -> np.ndarray:
    """Read a ``place,value`` CSV of births or deaths and order it like ``places``."""
    path = Path(path)
    name = str(path)
    rows = _rows(path)
    if not rows:
        raise InputError.one(name, f"a CSV with columns place,value ({what} per place)")
    head = [c.strip().lower() for c in rows[0]]
    if head[:2] != ["place", "value"]:
        raise InputError.one(name, f"the header 'place,value' ({what} per place)", row=1,
                             value=",".join(rows[0]))
    found: dict[str, float] = {}
    problems: list[Problem] = []
    for r, row in enumerate(rows[1:], start=2):
        place = row[0].strip() if row else ""
        value = _number(row[1]) if len(row) > 1 else None
        if place not in places:
            problems.append(Problem(name, row=r, value=place,
                                    expected=f"one of the stock matrix places {', '.join(places)}"))
        elif place in found:
            problems.append(Problem(name, row=r, value=place, expected="each place once"))
        elif value is None or value < 0:
            problems.append(Problem(name, row=r, value=row[1] if len(row) > 1 else "",
                                    expected=f"a number of {what} >= 0"))
        else:
            found[place] = value
    missing = [p for p in places if p not in found]
    if missing and not problems:
        problems.append(Problem(name, value=", ".join(missing),
                                expected=f"{what} for every place of the stock matrices"))
    if problems:
        raise InputError(problems[:20])
    return np.array([found[p] for p in places])


def read_seed_csv(path: Path | str, places: Sequence[str]) -> np.ndarray:
    """Read an origin x destination seed matrix (e.g. distances; same layout as a stock CSV)
    and order it like ``places``."""
    seed = read_stock_csv(path, what="seed")
    if set(seed.places) != set(places):
        only = sorted(set(seed.places) ^ set(places))
        raise InputError.one(seed.file, "the same places as the stock matrices",
                             value=", ".join(only))
    order = [seed.places.index(p) for p in places]
    return seed.values[np.ix_(order, order)]


def aligned(start: StockMatrix, end: StockMatrix) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The two matrices over the same places in the same order, or an InputError naming the
    places one file has and the other lacks."""
    if set(start.places) != set(end.places):
        only = sorted(set(start.places) ^ set(end.places))
        raise InputError.one(end.file, f"the same places as {start.file}",
                             value=", ".join(only))
    order = [end.places.index(p) for p in start.places]
    return start.places, start.values, end.values[np.ix_(order, order)]
