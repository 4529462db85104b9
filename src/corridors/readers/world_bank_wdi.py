"""World Development Indicators: the API CSV download of one indicator, and its country metadata.

The layout (``API_<CODE>_DS2_en_csv_v2_<n>.csv`` from
``https://api.worldbank.org/v2/en/indicator/<CODE>?downloadformat=csv``): four preamble lines
(``"Data Source","World Development Indicators"``, blank, ``"Last Updated Date","YYYY-MM-DD"``,
blank), then the header ``"Country Name","Country Code","Indicator Name","Indicator Code","1960",
... ,"<last year>",`` and one row per economy or aggregate; every line ends with a comma (an
empty unnamed last column). Empty cells are missing values.

``read(path)`` returns :class:`Indicator`, whose ``values`` frame is
``indicator, iso3, year, value, unit``: countries only, missing values left out; ``unit`` is the
indicator name's last bracket (``"current US$"``). World Bank aggregates (regions, income and
lending groups, "World", "Not classified") are dropped and listed in ``aggregates``. An aggregate
is a code in :data:`AGGREGATES` (the 48 groups of CLASS.xlsx FY26 plus ``INX`` "Not classified")
or, when the download's ``Metadata_Country_*.csv`` sits beside the file, a code it lists with no
region. A code that is neither a country in ``corridors.codes`` nor an aggregate, and a country
name that does not resolve to its code (``codes/aliases_world_bank.csv``), stop the read; every
one is listed.

``read_metadata(path)`` reads ``Metadata_Country_*.csv`` into ``iso3, region, income_group``
(countries only; income group as L/LM/UM/H, null when unclassified).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import csv_table

#: World Bank aggregate codes (CLASS.xlsx FY26 "composition" groups, plus INX "Not classified").
AGGREGATES = frozenset(
    "AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX INX LAC LCN "
    "LDC LIC LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA TMN TSA "
    "TSS UMC WLD".split()
)
FIXED = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
METADATA_HEADER = ["Country Code", "Region", "IncomeGroup", "SpecialNotes", "TableName"]
INCOME_NAMES = {"Low income": "L", "Lower middle income": "LM", "Upper middle income": "UM",
                "High income": "H"}
ALIAS_FILE = "aliases_world_bank.csv"
PREAMBLE_LINES = 4


@dataclass
class Indicator:
    """One WDI indicator read from its API CSV."""

    code: str
    name: str
    unit: str
    last_updated: str
    values: pl.DataFrame  # indicator, iso3, year, value, unit
    aggregates: list[str] = field(default_factory=list)  # aggregate codes dropped


def _lines(path: Path) -> list[str]:
    path = Path(path)
    if not path.exists():
        raise InputError.one(str(path), "an existing file", hint="Run `corridors pull` first.")
    try:
        head = path.open(encoding="utf-8-sig", newline="").read(64 * 1024)
    except UnicodeDecodeError:
        raise InputError.one(path.name, "a UTF-8 WDI API CSV", value="bytes that are not UTF-8",
                             hint="The file is corrupt: pull it again.") from None
    return head.splitlines()


def _preamble(path: Path) -> tuple[str, list[str]]:
    """The 'Last Updated Date' and the header cells, after checking the four preamble lines."""
    lines = _lines(path)
    if not lines or not "".join(lines).strip():
        raise InputError.one(Path(path).name, "a WDI API CSV", value="empty file (0 bytes)",
                             hint="The download was interrupted: pull it again.")
    cells = [next(csv.reader([line])) if line else [] for line in lines[: PREAMBLE_LINES + 1]]
    while len(cells) < PREAMBLE_LINES + 1:
        cells.append([])
    if cells[0][:2] != ["Data Source", "World Development Indicators"]:
        raise InputError.one(Path(path).name, '"Data Source","World Development Indicators" on '
                             "line 1", row=1, value=lines[0][:60],
                             hint="This is not a WDI API CSV download (another layout).")
    if cells[2][:1] != ["Last Updated Date"] or len(cells[2]) < 2:
        raise InputError.one(Path(path).name, '"Last Updated Date","YYYY-MM-DD" on line 3', row=3,
                             value=lines[2][:60] if len(lines) > 2 else None)
    return cells[2][1], cells[PREAMBLE_LINES]


def _unit(name: str) -> str:
    match = re.search(r"\(([^()]*)\)\s*$", name)
    return match.group(1) if match else ""


def read(path: Path, metadata: Path | None = None) -> Indicator:
    """Read one WDI API CSV (see the module doc). ``metadata`` defaults to the
    ``Metadata_Country_<file name>`` beside it, when present."""
    path = Path(path)
    file = path.name
    last_updated, header = _preamble(path)
    if header[: len(FIXED)] != FIXED:
        raise InputError.one(file, f"header {FIXED} + years on line {PREAMBLE_LINES + 1}",
                             row=PREAMBLE_LINES + 1, value=header[:4],
                             hint="This is not a WDI API CSV download (another layout).")
    years = [c for c in header[len(FIXED):] if c != ""]
    for offset, label in enumerate(years):
        if not label.isdigit() or (offset and int(label) != int(years[offset - 1]) + 1):
            raise InputError.one(file, "consecutive years after 'Indicator Code'",
                                 row=PREAMBLE_LINES + 1, value=label,
                                 hint="The file has an extra or unexpected column.")
    if not years or years[0] != "1960":
        raise InputError.one(file, "years from 1960", row=PREAMBLE_LINES + 1,
                             value=years[:1] or "no year columns")
    frame = csv_table(path, FIXED + years, skip_lines=PREAMBLE_LINES,
                      trailing_empty_column=header[-1] == "", what="WDI API CSV")

    aggregates = set(AGGREGATES)
    with_region: set[str] = set()
    if metadata is None:
        beside = path.with_name(f"Metadata_Country_{path.name}")
        metadata = beside if beside.exists() else None
    if metadata is not None:
        meta = _metadata_frame(Path(metadata))
        aggregates |= set(meta.filter(pl.col("Region") == "")["Country Code"])
        with_region = set(meta.filter(pl.col("Region") != "")["Country Code"])

    problems: list[Problem] = []
    first_row = PREAMBLE_LINES + 2
    indicator_codes = frame["Indicator Code"].unique().to_list()
    indicator_names = frame["Indicator Name"].unique().to_list()
    if len(indicator_codes) != 1 or len(indicator_names) != 1:
        raise InputError.one(file, "one indicator per file", value=sorted(indicator_codes),
                             hint="This is not a single-indicator WDI API CSV.")
    known = codes.countries()
    keep: list[bool] = []
    dropped: list[str] = []
    for index, (name, code) in enumerate(frame.select("Country Name", "Country Code").iter_rows()):
        line = first_row + index
        code = code.strip()
        if code in aggregates and code not in with_region:
            dropped.append(code)
            keep.append(False)
            continue
        keep.append(True)
        if code not in known:
            problems.append(Problem(file, None, line, f"{code} {name!r}",
                                    "a country code known to corridors.codes or a World Bank "
                                    "aggregate code"))
            continue
        resolved = codes.iso3_for_name(name)
        if resolved != code:
            problems.append(Problem(file, None, line, name,
                                    f"a name that resolves to {code} (add it to codes/{ALIAS_FILE})"
                                    if resolved is None else
                                    f"a name that resolves to {code}, not {resolved}"))
    duplicated = frame.filter(pl.Series(keep))["Country Code"]
    for code in duplicated.filter(duplicated.is_duplicated()).unique().to_list():
        problems.append(Problem(file, None, None, code, "each country once"))

    long = (
        frame.with_row_index("line", offset=first_row)
        .filter(pl.Series(keep))
        .unpivot(index=["line", "Country Code"], on=years, variable_name="year",
                 value_name="text")
        .filter(pl.col("text").str.strip_chars() != "")
        .with_columns(pl.col("text").str.strip_chars().cast(pl.Float64, strict=False)
                      .alias("value"))
    )
    bad = long.filter(pl.col("value").is_null())
    for line, year, text in bad.select("line", "year", "text").head(50).iter_rows():
        problems.append(Problem(file, None, line, text, f"a number or an empty cell in {year}"))
    if problems:
        raise InputError(problems, hint="The WDI file does not have the official content.")

    code, name = indicator_codes[0], indicator_names[0]
    unit = _unit(name)
    values = long.select(
        pl.lit(code).alias("indicator"),
        pl.col("Country Code").alias("iso3"),
        pl.col("year").cast(pl.Int32),
        pl.col("value"),
        pl.lit(unit).alias("unit"),
    ).sort("iso3", "year")
    return Indicator(code, name, unit, last_updated, values, dropped)


def _metadata_frame(path: Path) -> pl.DataFrame:
    return csv_table(path, METADATA_HEADER, trailing_empty_column=True,
                     what="WDI Metadata_Country CSV")


def read_metadata(path: Path) -> pl.DataFrame:
    """``Metadata_Country_*.csv`` -> ``iso3, region, income_group`` for countries (rows with a
    region); aggregates (no region) are left out. Unknown codes and names stop the read."""
    path = Path(path)
    frame = _metadata_frame(path)
    problems: list[Problem] = []
    rows: dict[str, list] = {"iso3": [], "region": [], "income_group": []}
    for index, row in enumerate(frame.iter_rows(named=True)):
        line = index + 2
        code, region, income = (row[c].strip() for c in ("Country Code", "Region", "IncomeGroup"))
        if not region:
            continue
        if code not in codes.countries():
            problems.append(Problem(path.name, None, line, code,
                                    "a country code known to corridors.codes"))
            continue
        resolved = codes.iso3_for_name(row["TableName"])
        if resolved != code:
            problems.append(Problem(path.name, None, line, row["TableName"],
                                    f"a name that resolves to {code} (codes/{ALIAS_FILE})"))
        if income and income not in INCOME_NAMES:
            problems.append(Problem(path.name, None, line, income,
                                    f"one of {', '.join(sorted(INCOME_NAMES))} or empty"))
        rows["iso3"].append(code)
        rows["region"].append(region)
        rows["income_group"].append(INCOME_NAMES.get(income))
    if problems:
        raise InputError(problems, hint="The WDI metadata file does not have the official content.")
    return pl.DataFrame(rows, schema={"iso3": pl.String, "region": pl.String,
                                      "income_group": pl.String})

