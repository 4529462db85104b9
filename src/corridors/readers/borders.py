"""Land borders: GeoDataSource country borders (the primary source) and the CEPII GeoDist file.

**Primary contiguity source: GeoDataSource** (``GEODATASOURCE-COUNTRY-BORDERS.CSV``, 2022, CC BY-SA
4.0; credit "This site or product includes Country Borders data available from
https://www.geodatasource.com"). It is current (South Sudan, Serbia and Montenegro apart;
Kosovo has no rows of its own: it lies within Serbia, which borders Albania) and lists land
borders only. CEPII GeoDist (2011) predates South Sudan and still uses old codes; it is read for
its other dyadic variables (common language, colonial ties, distances), and its
``contig`` can be compared with :func:`disagreements`.

- GeoDataSource layout: ``country_code, country_name, country_border_code, country_border_name``
  (ISO 3166 alpha-2 codes); a country with no land border has one row with empty border cells.
  ``read(path)`` returns :class:`Borders`: ``contiguity`` (``iso3_a, iso3_b``, symmetric: both
  orders, sorted) and ``countries`` (every ISO3 listed, with or without a border).
- CEPII layout: ``iso_o, iso_d, contig, comlang_off, comlang_ethno, colony, comcol, curcol,
  col45, smctry, dist, distcap, distw, distwces``. ``read(path)`` returns :class:`Dyads`:
  ``dyads`` (``iso3_o, iso3_d`` + the 12 variables; flags as int8, distances in km as float) and
  ``contiguity`` (``contig == 1``, symmetric). Old codes map through ``codes/aliases_borders.csv``:
  ZAR -> COD, TMP -> TLS, PAL -> PSE (ROM -> ROU when present). Dropped, and listed in
  ``dropped``: every dyad of **YUG** (Serbia and Montenegro, split in 2006: no single successor
  code) and of **ANT** (Netherlands Antilles, dissolved in 2010), and the one row of the 2011 export
  whose ``iso_d`` is empty (``ZAF`` -> blank, between JPN and KEN: its twin ``KAZ,ZAF`` exists;
  ``contig`` 0). Distances ``.`` (Stata's missing value: ``distw``/``distwces`` of CCK, CXR,
  MAC, MSR, PCN) are null. One corrupt cell of the export (ROU,BOL ``curcol`` = ``ROU``) is read
  as its twin's 0 (:data:`CEPII_REPAIRS`) and listed; any other bad cell stops the read.

Codes and names resolve only through ``corridors.codes``; an unknown code, or a GeoDataSource
name that does not resolve to its code, stops the read with every problem listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import csv_table

GEODATASOURCE_HEADER = ["country_code", "country_name", "country_border_code",
                        "country_border_name"]
CEPII_HEADER = ["iso_o", "iso_d", "contig", "comlang_off", "comlang_ethno", "colony", "comcol",
                "curcol", "col45", "smctry", "dist", "distcap", "distw", "distwces"]
CEPII_FLAGS = CEPII_HEADER[2:10]
CEPII_DISTANCES = CEPII_HEADER[10:]
#: CEPII codes with no single successor today: their dyads are dropped (code: why).
CEPII_DROPPED = {
    "YUG": "Serbia and Montenegro, split in 2006 into SRB and MNE (and XKX): no single successor",
    "ANT": "Netherlands Antilles, dissolved in 2010 into CUW, SXM and BES",
}
#: Defects of the 2011 CSV export, each corrected from its twin dyad and listed in ``dropped``:
#: (iso_o, iso_d, column, value in the file) -> value read.
CEPII_REPAIRS = {("ROU", "BOL", "curcol", "ROU"): "0"}  # twin BOL,ROU has curcol 0
#: Rows of the export with an empty code, dropped: (iso_o, iso_d) as in the file.
CEPII_BLANK_ROWS = {("ZAF", "")}  # between ZAF,JPN and ZAF,KEN: ZAF-KAZ (twin KAZ,ZAF: contig 0)
#: Stata's missing value, used by the export for distw and distwces of a few territories.
MISSING = "."
ALIAS_FILE = "aliases_borders.csv"
_PAIR = {"iso3_a": pl.String, "iso3_b": pl.String}


@dataclass
class Borders:
    """GeoDataSource land borders."""

    contiguity: pl.DataFrame  # iso3_a, iso3_b (both orders)
    countries: list[str]  # every ISO3 the file lists, with or without a land border
    one_sided: list[tuple[str, str]] = field(default_factory=list)  # pairs listed one way only


@dataclass
class Dyads:
    """CEPII GeoDist dyadic variables."""

    dyads: pl.DataFrame
    contiguity: pl.DataFrame  # iso3_a, iso3_b (both orders) where contig == 1
    dropped: list[str] = field(default_factory=list)  # what was dropped and why


def _header(path: Path) -> str:
    try:
        with Path(path).open(encoding="utf-8-sig") as handle:
            return handle.readline()
    except (OSError, UnicodeDecodeError):
        return ""


def read(path: Path) -> Borders | Dyads:
    """GeoDataSource borders -> :class:`Borders`; CEPII ``dist_cepii.csv`` -> :class:`Dyads`.
    The layout is recognised from the header; any other file stops with InputError."""
    if "iso_o" in _header(path):
        return read_cepii(path)
    return read_geodatasource(path)


def _symmetric(pairs: set[tuple[str, str]]) -> pl.DataFrame:
    both = sorted(pairs | {(b, a) for a, b in pairs})
    return pl.DataFrame(both, schema=_PAIR, orient="row")


def read_geodatasource(path: Path) -> Borders:
    """GEODATASOURCE-COUNTRY-BORDERS.CSV -> :class:`Borders` (see the module doc)."""
    path = Path(path)
    frame = csv_table(path, GEODATASOURCE_HEADER, what="GeoDataSource country borders CSV")
    problems: list[Problem] = []
    listed: set[str] = set()
    pairs: set[tuple[str, str]] = set()

    def resolve(code: str, name: str, line: int) -> str | None:
        iso3 = codes.iso3_for_iso2(code) if len(code) == 2 else None
        if iso3 is None:
            problems.append(Problem(path.name, None, line, code,
                                    "an ISO 3166 alpha-2 code known to corridors.codes"))
            return None
        resolved = codes.iso3_for_name(name)
        if resolved != iso3:
            problems.append(Problem(path.name, None, line, name,
                                    f"a name that resolves to {iso3} ({code}) (add it to "
                                    f"codes/{ALIAS_FILE})"))
        return iso3

    for index, (code, name, border, border_name) in enumerate(frame.iter_rows()):
        line = index + 2
        a = resolve(code.strip(), name.strip(), line)
        if a:
            listed.add(a)
        if not border.strip() and not border_name.strip():
            continue
        b = resolve(border.strip(), border_name.strip(), line)
        if a is None or b is None:
            continue
        if a == b:
            problems.append(Problem(path.name, None, line, f"{code}-{border}",
                                    "a border between two different countries"))
        elif (a, b) in pairs:
            problems.append(Problem(path.name, None, line, f"{code}-{border}", "each pair once"))
        pairs.add((a, b))
    if problems:
        raise InputError(problems, hint="The borders file does not have the official content.")
    one_sided = sorted((a, b) for a, b in pairs if (b, a) not in pairs)
    return Borders(_symmetric(pairs), sorted(listed), one_sided)


def _cepii_workbook(path: Path) -> pl.DataFrame:
    """The publisher's ``dist_cepii.xls`` (the one sheet, header in row 1) as the all-text table
    the CSV export gives: whole numbers without a decimal point, empty cells as ``''``."""
    from corridors.readers.workbook import expect_header, open_workbook, sheet_rows

    sheet = open_workbook(path).sheet_names[0]
    rows = sheet_rows(path, sheet)
    expect_header(rows, path, sheet, 1, CEPII_HEADER)

    def text(cell: object) -> str:
        if cell is None:
            return ""
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return str(cell).strip()

    body = [[text(c) for c in row[:len(CEPII_HEADER)]] for row in rows[1:]
            if any(c not in (None, "") for c in row)]
    return pl.DataFrame(body, schema={c: pl.String for c in CEPII_HEADER}, orient="row")


def read_cepii(path: Path) -> Dyads:
    """CEPII GeoDist -> :class:`Dyads` (see the module doc): the publisher's ``dist_cepii.xls``
    (from ``dist_cepii.zip``) or its CSV export ``dist_cepii.csv``; the same columns either way."""
    path = Path(path)
    if path.suffix.lower() in (".xls", ".xlsx"):
        frame = _cepii_workbook(path)
    else:
        frame = csv_table(path, CEPII_HEADER, what="CEPII GeoDist CSV")
    problems: list[Problem] = []
    dropped: list[str] = []
    mapping: dict[str, str | None] = {}
    for line, (o, d) in enumerate(frame.select("iso_o", "iso_d").iter_rows(), start=2):
        if (o == "" or d == "") and (o, d) not in CEPII_BLANK_ROWS:
            problems.append(Problem(path.name, None, line, f"{o!r},{d!r}",
                                    "an ISO3 code in iso_o and iso_d"))
    for (o, d, column, found), value in CEPII_REPAIRS.items():
        hit = (pl.col("iso_o") == o) & (pl.col("iso_d") == d) & (pl.col(column) == found)
        if frame.filter(hit).height:
            frame = frame.with_columns(pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column))
                                       .alias(column))
            dropped.append(f"{o},{d} {column} {found!r} read as {value} (its twin {d},{o})")
    for code in sorted(set(frame["iso_o"]) | set(frame["iso_d"])):
        if code == "" or code in CEPII_DROPPED:
            mapping[code] = None
        elif code in codes.countries():
            mapping[code] = code
        else:
            mapping[code] = codes.iso3_for_name(code)
            if mapping[code] is None:
                line = int(frame.with_row_index().filter(
                    (pl.col("iso_o") == code) | (pl.col("iso_d") == code))["index"][0]) + 2
                problems.append(Problem(path.name, None, line, code,
                                        f"an ISO3 code known to corridors.codes or an old code in "
                                        f"codes/{ALIAS_FILE}"))
    if problems:
        raise InputError(problems, hint="The CEPII file has codes corridors does not know.")
    for code, why in CEPII_DROPPED.items():
        count = frame.filter((pl.col("iso_o") == code) | (pl.col("iso_d") == code)).height
        if count:
            dropped.append(f"{code}: {count} dyads ({why})")
    for line, (o, d) in enumerate(frame.select("iso_o", "iso_d").iter_rows(), start=2):
        if o == "" or d == "":
            dropped.append(f"row {line}: {o or '(blank)'} -> {d or '(blank)'}: a code is empty")
    renamed = {k: v for k, v in mapping.items() if v and v != k}
    for old, new in renamed.items():
        dropped.append(f"{old} read as {new} (old code)")

    keep = frame.with_row_index("line", offset=2).filter(
        pl.col("iso_o").replace_strict(mapping, default=None).is_not_null()
        & pl.col("iso_d").replace_strict(mapping, default=None).is_not_null()
    )
    typed = keep.select(
        "line",
        pl.col("iso_o").replace_strict(mapping, return_dtype=pl.String).alias("iso3_o"),
        pl.col("iso_d").replace_strict(mapping, return_dtype=pl.String).alias("iso3_d"),
        *[pl.col(c).str.strip_chars().cast(pl.Int8, strict=False) for c in CEPII_FLAGS],
        *[pl.col(c).str.strip_chars().cast(pl.Float64, strict=False) for c in CEPII_DISTANCES],
        *[(pl.col(c).str.strip_chars() == MISSING).alias(f"{c}_missing") for c in CEPII_DISTANCES],
    )
    for column in CEPII_FLAGS + CEPII_DISTANCES:
        flag = column in CEPII_FLAGS
        if flag:
            bad = typed.filter(pl.col(column).is_null() | ~pl.col(column).is_in([0, 1]))
        else:
            bad = typed.filter((pl.col(column).is_null() & ~pl.col(f"{column}_missing"))
                               | (pl.col(column) < 0))
        for line in bad["line"].head(20):
            raw = keep.filter(pl.col("line") == line)[column][0]
            problems.append(Problem(path.name, None, int(line), raw,
                                    f"0 or 1 in {column}" if flag
                                    else f"a distance in km in {column}"))
    dup = typed.filter(pl.struct("iso3_o", "iso3_d").is_duplicated())
    for line, o, d in dup.select("line", "iso3_o", "iso3_d").head(20).iter_rows():
        problems.append(Problem(path.name, None, int(line), f"{o}-{d}", "each dyad once"))
    if problems:
        raise InputError(problems, hint="The CEPII file does not have the official content.")
    dyads = typed.drop("line", *[f"{c}_missing" for c in CEPII_DISTANCES]).sort("iso3_o", "iso3_d")
    contig = {(o, d) for o, d in dyads.filter((pl.col("contig") == 1)
                                              & (pl.col("iso3_o") != pl.col("iso3_d")))
              .select("iso3_o", "iso3_d").iter_rows()}
    return Dyads(dyads, _symmetric(contig), dropped)


def disagreements(primary: Borders, cepii: Dyads) -> pl.DataFrame:
    """Pairs on which the two sources disagree, among countries both cover:
    ``iso3_a, iso3_b, in_geodatasource, in_cepii`` (one row per unordered pair, a < b)."""
    covered = set(primary.countries) & (set(cepii.dyads["iso3_o"]) | set(cepii.dyads["iso3_d"]))
    geo = {tuple(r) for r in primary.contiguity.iter_rows()}
    cep = {tuple(r) for r in cepii.contiguity.iter_rows()}
    rows = sorted(
        (a, b, (a, b) in geo, (a, b) in cep)
        for a, b in geo ^ cep if a < b and a in covered and b in covered
    )
    return pl.DataFrame(rows, schema={**_PAIR, "in_geodatasource": pl.Boolean,
                                      "in_cepii": pl.Boolean}, orient="row")
