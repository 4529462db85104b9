"""WDI GDP (current US$, ``NY.GDP.MKTP.CD``) in the long layout of the Open Knowledge ``gdp`` data
package (``gdp_current_usd_wdi.csv``): header ``Country Name,Country Code,Year,Value``, one row
per economy or World Bank aggregate and year, values in current US$.

``read(path)`` returns a :class:`~corridors.readers.world_bank_wdi.Indicator` like the WDI API CSV
reader: countries only (aggregates, by :data:`~corridors.readers.world_bank_wdi.AGGREGATES`,
dropped and listed), ``indicator = 'NY.GDP.MKTP.CD'``, ``unit = 'current US$'``. A code that is
neither a country nor an aggregate, a name that does not resolve to its code
(``codes/aliases_world_bank.csv``), a year or value that is not a number, and a country-year given
twice stop the read; every one is listed with its row.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import csv_table
from corridors.readers.world_bank_wdi import AGGREGATES, ALIAS_FILE, Indicator

HEADER = ["Country Name", "Country Code", "Year", "Value"]
CODE = "NY.GDP.MKTP.CD"
NAME = "GDP (current US$)"
UNIT = "current US$"


def read(path: Path) -> Indicator:
    """Read the long GDP CSV (see the module doc)."""
    path = Path(path)
    file = path.name
    frame = csv_table(path, HEADER, what="GDP CSV (Country Name,Country Code,Year,Value)")
    known = codes.countries()
    problems: list[Problem] = []
    keep: list[bool] = []
    dropped: set[str] = set()
    checked: dict[tuple[str, str], str | None] = {}
    for index, (name, code) in enumerate(frame.select("Country Name", "Country Code").iter_rows()):
        line = index + 2
        code = code.strip()
        if code in AGGREGATES:
            dropped.add(code)
            keep.append(False)
            continue
        keep.append(True)
        if (name, code) in checked:
            continue
        if code not in known:
            checked[(name, code)] = "bad"
            problems.append(Problem(file, None, line, f"{code} {name!r}",
                                    "a country code known to corridors.codes or a World Bank "
                                    "aggregate code"))
            continue
        resolved = codes.iso3_for_name(name)
        checked[(name, code)] = resolved
        if resolved != code:
            problems.append(Problem(file, None, line, name,
                                    f"a name that resolves to {code} (add it to codes/{ALIAS_FILE})"
                                    if resolved is None else
                                    f"a name that resolves to {code}, not {resolved}"))
    rows = (frame.with_row_index("line", offset=2).filter(pl.Series(keep))
            .with_columns(pl.col("Year").str.strip_chars().cast(pl.Int32, strict=False)
                          .alias("year"),
                          pl.col("Value").str.strip_chars().cast(pl.Float64, strict=False)
                          .alias("value")))
    for line, text in rows.filter(pl.col("year").is_null()).select("line", "Year").head(20).iter_rows():
        problems.append(Problem(file, None, line, text, "a year"))
    bad_values = rows.filter(pl.col("value").is_null() & (pl.col("Value").str.strip_chars() != ""))
    for line, text in bad_values.select("line", "Value").head(20).iter_rows():
        problems.append(Problem(file, None, line, text, "a number (current US$) or an empty cell"))
    twice = rows.filter(pl.struct("Country Code", "year").is_duplicated())
    for line, code, year in twice.select("line", "Country Code", "year").head(20).iter_rows():
        problems.append(Problem(file, None, line, f"{code} {year}", "each country and year once"))
    if problems:
        raise InputError(problems, hint="The GDP file does not have the expected content.")
    values = rows.filter(pl.col("value").is_not_null()).select(
        pl.lit(CODE).alias("indicator"), pl.col("Country Code").alias("iso3"), "year", "value",
        pl.lit(UNIT).alias("unit")).sort("iso3", "year")
    return Indicator(CODE, NAME, UNIT, "", values, sorted(dropped))
