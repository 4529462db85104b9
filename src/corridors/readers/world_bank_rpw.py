"""World Bank Remittance Prices Worldwide (SDG 10.c.1), two layouts of corridor costs:

- :func:`read` — the DataBank export of the "Remittance Prices Worldwide (Corridors)" database
  (``RPW_corridors_databank_<id>_Data.csv``): header ``Sending Countries Name, Sending Countries
  Code, Series Name, Series Code, Receiving Countries  Name, Receiving Countries  Code`` then one
  column per quarter (``2011Q1 [YR2011Q1]``); one row per corridor, series ``ATCR.CORR`` (average
  total cost to remit in the corridor, percent of USD 200 sent); ``..`` not published; after the
  rows, empty lines and the notes ``Data from database: ...`` and ``Last Updated: MM/DD/YYYY``.
- :func:`read_quarters` — the corridor-quarter file (``period, source_code, source_name,
  destination_code, destination_name, corridor, avg_cost_pct_200usd, avg_cost_pct_500usd,
  avg_fx_margin_200usd, avg_fx_margin_500usd, num_providers``; ``period`` as ``2016_2Q``).

Both return ``origin, destination, period, year, quarter, cost_pct, cost_pct_500, fx_margin_pct,
providers``: **origin is the sending country** (the migrants' host), destination the receiving
one; ``period`` as ``2020Q3``; ``cost_pct`` as published, in percent of the amount sent (USD 200);
the DataBank export has no 500-USD cost, FX margin or provider count (null). Codes must be known
countries and names must resolve to them (``codes/aliases_world_bank.csv``); any other series, a
value that is not a number and a corridor-quarter given twice stop the read, each listed with its
row.

Two codes of the DataBank export (the first also in the corridor-quarter file) are not
current ISO3 codes: ``KSV`` is Kosovo (``XKX``), and
``ANT``, the Netherlands Antilles (dissolved in 2010), is a former economy with no code in
``corridors.codes``: its corridor (from the Netherlands, priced to 2014) is left out, named in
:data:`FORMER_ECONOMIES`. Any other unknown code stops the read.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import csv_table
from corridors.readers.world_bank_wdi import ALIAS_FILE

FIXED = ["Sending Countries Name", "Sending Countries Code", "Series Name", "Series Code",
         "Receiving Countries  Name", "Receiving Countries  Code"]
SERIES = "ATCR.CORR"
QUARTER = re.compile(r"^(\d{4})Q([1-4]) \[YR\1Q\2\]$")
NOTES = ("Data from database:", "Last Updated:")
QUARTERS_HEADER = ["period", "source_code", "source_name", "destination_code", "destination_name",
                   "corridor", "avg_cost_pct_200usd", "avg_cost_pct_500usd",
                   "avg_fx_margin_200usd", "avg_fx_margin_500usd", "num_providers"]
#: DataBank codes that are not ISO3 -> the ISO3 code of the same economy.
CODE_ALIASES = {"KSV": "XKX"}
#: Former economies priced in the DataBank export, left out (no code in corridors.codes).
FORMER_ECONOMIES = {"ANT": "Netherlands-Antilles"}
SCHEMA = {"origin": pl.String, "destination": pl.String, "period": pl.String, "year": pl.Int32,
          "quarter": pl.Int32, "cost_pct": pl.Float64, "cost_pct_500": pl.Float64,
          "fx_margin_pct": pl.Float64, "providers": pl.Int32}


def _check_countries(file: str, pairs: list[tuple[int, str, str]]) -> list[Problem]:
    """(line, name, code) triples: the code must be a country and the name resolve to it."""
    problems, seen = [], set()
    known = codes.countries()
    for line, name, code in pairs:
        if (name, code) in seen:
            continue
        seen.add((name, code))
        if code not in known:
            problems.append(Problem(file, None, line, f"{code} {name!r}",
                                    "a country code known to corridors.codes"))
            continue
        resolved = codes.iso3_for_name(name)
        if resolved != code:
            problems.append(Problem(file, None, line, name,
                                    f"a name that resolves to {code} (add it to codes/{ALIAS_FILE})"
                                    if resolved is None else
                                    f"a name that resolves to {code}, not {resolved}"))
    return problems


def _numbers(frame: pl.DataFrame, file: str, column: str, what: str) -> list[Problem]:
    bad = frame.filter(pl.col(column).is_null() & pl.col(f"{column}_text").is_not_null())
    return [Problem(file, None, line, text, what)
            for line, text in bad.select("line", f"{column}_text").head(20).iter_rows()]


def _twice(frame: pl.DataFrame, file: str) -> list[Problem]:
    twice = frame.filter(pl.struct("origin", "destination", "period").is_duplicated())
    return [Problem(file, None, line, f"{o}->{d} {p}", "each corridor and quarter once")
            for line, o, d, p in twice.select("line", "origin", "destination", "period")
            .head(20).iter_rows()]


def read(path: Path) -> pl.DataFrame:
    """Read the RPW DataBank export (see the module doc)."""
    path = Path(path)
    file = path.name
    if not path.exists():
        raise InputError.one(str(path), "an existing file", hint="Run `corridors pull` first.")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    header = [h.strip() for h in header]
    if header[: len(FIXED)] != FIXED:
        raise InputError.one(file, f"header {FIXED} + quarters", row=1, value=header[:6],
                             hint="This is not a Remittance Prices Worldwide DataBank export.")
    quarters = header[len(FIXED):]
    for label in quarters:
        if not QUARTER.match(label):
            raise InputError.one(file, "quarter columns such as '2020Q3 [YR2020Q3]'", row=1,
                                 value=label, hint="The export has an unexpected column.")
    frame = csv_table(path, header, what="RPW DataBank export").with_row_index("line", offset=2)
    for column in (FIXED[1], FIXED[5]):
        frame = frame.with_columns(pl.col(column).str.strip_chars().replace(CODE_ALIASES))
    first = pl.col(FIXED[0]).str.strip_chars()
    blank = pl.concat_str([pl.col(c) for c in header], separator="").str.strip_chars() == ""
    note = first.str.starts_with(NOTES[0]) | first.str.starts_with(NOTES[1])
    footer = frame.filter(blank | note)
    if footer.height:
        start = footer["line"].min()
        after = frame.filter((pl.col("line") >= start) & ~(blank | note))
        if after.height:
            raise InputError.one(file, "only empty lines and DataBank notes after the data",
                                 row=after["line"][0], value=after[FIXED[0]][0])
        frame = frame.filter(pl.col("line") < start)
    former = pl.col(FIXED[1]).is_in(list(FORMER_ECONOMIES)) | pl.col(FIXED[5]).is_in(
        list(FORMER_ECONOMIES))
    for line, name, code in frame.filter(former).select("line", FIXED[4], FIXED[5]).iter_rows():
        named = FORMER_ECONOMIES.get(code)
        if named is not None and name.strip() != named:
            raise InputError.one(file, f"{named!r} for the former economy {code}", row=line,
                                 value=name)
    frame = frame.filter(~former)
    problems: list[Problem] = []
    for line, series in frame.filter(pl.col("Series Code") != SERIES).select(
            "line", "Series Code").head(20).iter_rows():
        problems.append(Problem(file, None, line, series, f"the series {SERIES} (average total "
                                "cost to remit in corridor)"))
    problems += _check_countries(file, [
        (line, name.strip(), code.strip()) for line, name, code, *_ in frame.select(
            "line", FIXED[0], FIXED[1]).iter_rows()])
    problems += _check_countries(file, [
        (line, name.strip(), code.strip()) for line, name, code, *_ in frame.select(
            "line", FIXED[4], FIXED[5]).iter_rows()])
    long = (frame.unpivot(index=["line", FIXED[1], FIXED[5]], on=quarters, variable_name="label",
                          value_name="text")
            .with_columns(pl.col("text").str.strip_chars())
            .filter(~pl.col("text").is_in(["..", ""]))
            .select("line", pl.col(FIXED[1]).str.strip_chars().alias("origin"),
                    pl.col(FIXED[5]).str.strip_chars().alias("destination"),
                    pl.col("label").str.slice(0, 6).alias("period"),
                    pl.col("text").alias("cost_pct_text"),
                    pl.col("text").cast(pl.Float64, strict=False).alias("cost_pct")))
    problems += _numbers(long, file, "cost_pct", "a cost in percent or '..'")
    problems += _twice(long, file)
    if problems:
        raise InputError(problems, hint="The RPW export does not have the official content.")
    return long.select(
        "origin", "destination", "period",
        pl.col("period").str.slice(0, 4).cast(pl.Int32).alias("year"),
        pl.col("period").str.slice(5, 1).cast(pl.Int32).alias("quarter"), "cost_pct",
        pl.lit(None, pl.Float64).alias("cost_pct_500"), pl.lit(None, pl.Float64).alias("fx_margin_pct"),
        pl.lit(None, pl.Int32).alias("providers"),
    ).sort("origin", "destination", "period")


def read_quarters(path: Path) -> pl.DataFrame:
    """Read the RPW corridor-quarter file (see the module doc)."""
    path = Path(path)
    file = path.name
    frame = csv_table(path, QUARTERS_HEADER, what="RPW corridor-quarter CSV").with_row_index(
        "line", offset=2)
    corridor = pl.col("corridor")
    for old, new in CODE_ALIASES.items():
        corridor = corridor.str.replace_all(old, new, literal=True)
    frame = frame.with_columns(pl.col("source_code", "destination_code").replace(CODE_ALIASES),
                               corridor.alias("corridor"))
    problems: list[Problem] = []
    bad_period = frame.filter(~pl.col("period").str.contains(r"^\d{4}_[1-4]Q$"))
    for line, text in bad_period.select("line", "period").head(20).iter_rows():
        problems.append(Problem(file, None, line, text, "a period such as 2016_2Q"))
    wrong = frame.filter(pl.col("corridor") != pl.col("source_code") + pl.col("destination_code"))
    for line, text in wrong.select("line", "corridor").head(20).iter_rows():
        problems.append(Problem(file, None, line, text, "source_code + destination_code"))
    problems += _check_countries(file, list(frame.select("line", "source_name", "source_code")
                                            .iter_rows()))
    problems += _check_countries(file, list(frame.select("line", "destination_name",
                                                         "destination_code").iter_rows()))
    if problems:
        raise InputError(problems, hint="The RPW corridor-quarter file does not have the expected "
                                        "content.")

    def number(column: str, name: str, dtype: pl.DataType = pl.Float64()) -> list[pl.Expr]:
        text = pl.when(pl.col(column).str.strip_chars() != "").then(pl.col(column).str.strip_chars())
        return [text.alias(f"{name}_text"), text.cast(dtype, strict=False).alias(name)]

    long = frame.select(
        "line", pl.col("source_code").alias("origin"), pl.col("destination_code").alias("destination"),
        (pl.col("period").str.slice(0, 4) + "Q" + pl.col("period").str.slice(5, 1)).alias("period"),
        *number("avg_cost_pct_200usd", "cost_pct"), *number("avg_cost_pct_500usd", "cost_pct_500"),
        *number("avg_fx_margin_200usd", "fx_margin_pct"),
        *number("num_providers", "providers", pl.Int32()))
    for column in ("cost_pct", "cost_pct_500", "fx_margin_pct", "providers"):
        problems += _numbers(long, file, column, "a number or an empty cell")
    problems += _twice(long, file)
    if problems:
        raise InputError(problems, hint="The RPW corridor-quarter file has cells that are not "
                                        "numbers.")
    return long.filter(pl.col("cost_pct").is_not_null()).select(
        "origin", "destination", "period",
        pl.col("period").str.slice(0, 4).cast(pl.Int32).alias("year"),
        pl.col("period").str.slice(5, 1).cast(pl.Int32).alias("quarter"),
        "cost_pct", "cost_pct_500", "fx_margin_pct", "providers",
    ).sort("origin", "destination", "period")
