"""Checks on the microdata before any estimate: the file has rows, and every weight column holds
a finite number >= 0 on every row, not all zero.

A weight that is missing, text, NaN, infinite or negative would give a wrong estimate (or none)
without a word, so it stops the run with one message naming the file, the column, the first bad
row (the line of a CSV file, the record of other formats) and its value.
"""

from __future__ import annotations

from corridors.errors import InputError

from .engines import VIEW, Engine
from .microdata import Microdata

EXPECTED = "a sampling weight >= 0 (a finite number) on every row"


def _row_number(engine: Engine) -> str:
    if engine.name == "spark":
        return "ROW_NUMBER() OVER (ORDER BY monotonically_increasing_id())"
    return "ROW_NUMBER() OVER ()"


def _as_number(engine: Engine, column: str) -> str:
    if engine.name == "spark":  # ANSI mode off: a failed cast is NULL
        return f"CAST({column} AS DOUBLE)"
    return f"TRY_CAST({column} AS DOUBLE)"


def _row(data: Microdata, number: int) -> int:
    """The row a user finds in the file: the line of a CSV (after its header), else the record."""
    return number + 1 if data.format == "csv" else number


def check_microdata(engine: Engine, data: Microdata, weights: list[str], keep: str | None = None,
                    *, main: str | None = None) -> None:
    """Stop with an InputError when the microdata (the view, after the mapping's ``keep``) has
    no rows, or a weight column (main and replicate weights) has a value that is not a finite
    number >= 0, or the main weight is zero on every row."""
    file = str(data.path)
    # one pass for the counts; the row-numbered search below only runs when a bad value exists
    numbers = {name: _as_number(engine, engine.quote(name)) for name in weights}
    bad_sums = "".join(f", SUM(CASE WHEN {_bad(x)} THEN 1 ELSE 0 END) AS _bad{i}"
                       for i, x in enumerate(numbers.values()))
    total_sql = f", SUM({numbers[main]}) AS _total" if main in numbers else ""
    counts = engine.query(f"SELECT COUNT(*) AS n{bad_sums}{total_sql} FROM {VIEW}").iloc[0]
    rows = int(counts["n"])
    if rows == 0:
        raise InputError.one(
            file, "at least one data row" + (" left after the mapping's keep filter" if keep else
                                             " below the header"),
            value="(no rows)", hint="Check that the file is the survey's microdata, not only "
                                    "its header" + (f", and the mapping's keep: {keep}" if keep
                                                    else "."))
    for i, (name, x) in enumerate(numbers.items()):
        if counts[f"_bad{i}"]:
            _first_bad(engine, data, name, x)
        if name == main:
            if not counts["_total"] > 0:
                raise InputError.one(file, "at least one weight above 0", sheet=f"column {name}",
                                     value=f"all {rows:,} weights are 0",
                                     hint="Name the right weight column in the mapping's design.")


def _bad(x: str) -> str:
    """A weight that is missing, text, NaN, infinite or negative (``x``: the value as a number)."""
    return f"{x} IS NULL OR isnan({x}) OR {x} > 1e308 OR {x} < 0"


def _first_bad(engine: Engine, data: Microdata, name: str, x: str) -> None:
    """Stop at the first row with a bad weight, naming it and its value as the file has it."""
    w = engine.quote(name)
    text = "STRING" if engine.name == "spark" else "VARCHAR"
    sql = (f"SELECT _rn, _raw FROM (SELECT {_row_number(engine)} AS _rn, "
           f"CAST({w} AS {text}) AS _raw, {x} AS _x FROM {VIEW}) _t "
           f"WHERE _raw IS NULL OR {_bad('_x')} ORDER BY _rn LIMIT 1")
    bad = engine.query(sql)
    if len(bad):
        raw = bad["_raw"].iloc[0]
        value = "(empty)" if raw is None or raw != raw else str(raw)
        raise InputError.one(str(data.path), EXPECTED, sheet=f"column {name}",
                             row=_row(data, int(bad["_rn"].iloc[0])), value=value,
                             hint="Fix or drop that row (and any like it), or name the right "
                                  "weight column in the mapping's design.")
