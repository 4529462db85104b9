"""World Bank / KNOMAD Bilateral Remittance Matrix 2018 (October 2019), as a CSV without its title
and total rows (``Bilateralremittancematrix2018Oct2019.csv``).

The layout: line 1 an empty cell, then the receiving economies' names (across); each further line
a sending economy's name and its remittances to each receiving economy, in US$ millions, the
sending economies in the same order as the columns (rows are senders, columns receivers, as in
the official workbook's "receiving (across) / sending (down)"). ``N/A`` cells are not published
(left out, counted in ``missing``); zeros are left out. The year is the one in the file name
(``...matrix2018...``).

``read(path)`` returns :class:`~corridors.readers.world_bank_bilateral.BilateralMatrix` with the
pairs in the migration sense, as the workbook reader does: ``origin`` = the **receiving** economy
(the migrants' origin), ``destination`` = the **sending** economy (the migrants' host). Names
resolve through ``corridors.codes`` (``codes/aliases_world_bank.csv``); every unknown name, a row
out of order and a cell that is not a number stop the read, each listed with its row.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import column_letter
from corridors.readers.world_bank_bilateral import ALIAS_FILE, BilateralMatrix

UNPUBLISHED = {"N/A", ""}
UNIT = "US$ millions"


def _year(path: Path) -> int:
    match = re.search(r"(19|20)\d{2}", path.stem)
    if match is None:
        raise InputError.one(path.name, "the matrix year in the file name (e.g. "
                             "Bilateralremittancematrix2018Oct2019.csv)", value=path.stem)
    return int(match.group(0))


def read(path: Path) -> BilateralMatrix:
    """Read the KNOMAD bilateral remittance matrix CSV (see the module doc)."""
    path = Path(path)
    file = path.name
    if not path.exists():
        raise InputError.one(str(path), "an existing file", hint="Run `corridors pull` first.")
    year = _year(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise InputError.one(file, "a UTF-8 CSV", value="bytes that are not UTF-8",
                             hint="The file is corrupt: pull it again.") from None
    if len(rows) < 2 or (rows[0][:1] != [""]):
        raise InputError.one(file, "an empty first cell, then the receiving economies' names",
                             row=1, value=(rows[0][:2] if rows else "empty file"),
                             hint="This is not the KNOMAD bilateral remittance matrix CSV.")
    names = [n.strip() for n in rows[0][1:]]
    problems: list[Problem] = []
    col_codes: list[str | None] = []
    for offset, name in enumerate(names):
        iso3 = codes.iso3_for_name(name) if name else None
        if iso3 is None:
            problems.append(Problem(file, None, 1, name or f"(empty {column_letter(offset + 1)})",
                                    f"a country name known to corridors.codes (add it to "
                                    f"codes/{ALIAS_FILE})"))
        col_codes.append(iso3)
    body = rows[1:]
    if len(body) != len(names):
        problems.append(Problem(file, None, len(rows), f"{len(body)} rows",
                                f"{len(names)} rows, one per economy of the header"))
    for index, row in enumerate(body[: len(names)]):
        label = row[0].strip() if row else ""
        if label != names[index]:
            problems.append(Problem(file, None, index + 2, label,
                                    f"{names[index]!r} (rows list the same economies as the "
                                    "columns, in the same order)"))
            break
        if len(row) != len(names) + 1:
            problems.append(Problem(file, None, index + 2, f"{len(row)} cells",
                                    f"{len(names) + 1} cells"))
    if problems:
        raise InputError(problems, hint="The bilateral matrix does not have the official layout.")

    pairs: dict[str, list] = {"origin": [], "destination": [], "value": []}
    missing = 0
    for r, row in enumerate(body):
        sender = col_codes[r]
        for c, text in enumerate(row[1:]):
            text = text.strip()
            if text in UNPUBLISHED:
                missing += 1
                continue
            try:
                value = float(text.replace(",", ""))
            except ValueError:
                problems.append(Problem(file, None, r + 2, text,
                                        f"a number or N/A in column {column_letter(c + 1)} "
                                        f"({names[c]})"))
                continue
            if value:
                pairs["origin"].append(col_codes[c])
                pairs["destination"].append(sender)
                pairs["value"].append(value)
    if problems:
        raise InputError(problems[:50], hint="The bilateral matrix has cells that are not numbers.")
    schema = {"origin": pl.String, "destination": pl.String, "value": pl.Float64}
    return BilateralMatrix(
        "remittances", year, UNIT, pl.DataFrame(pairs, schema=schema),
        pl.DataFrame(schema={"iso3": pl.String, "role": pl.String, "value": pl.Float64}),
        pl.DataFrame(schema=schema), missing, None,
    )
