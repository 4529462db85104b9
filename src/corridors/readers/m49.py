"""UNSD M49 standard country or area codes: the countries, their regions and the region tree.

Two official layouts are read:

- the M49 overview CSV (``unsd/m49_overview.csv``, comma separated): Global, Region, Sub-region and
  Intermediate Region codes and names, Country or Area, M49 Code, ISO-alpha2 Code, ISO-alpha3 Code
  and the LDC, LLDC and SIDS flags (``x`` or empty);
- the older M49 export (``unsd/UNSD-Methodology.csv``): every cell quoted, codes zero-padded
  (``"012"``), no ISO2 column, and a last column "Developed / Developing Countries". UNSD has
  published it both comma and semicolon separated; both are accepted.

``read(path)`` recognises the layout from the header and returns :class:`M49`:

``countries``: one row per country or area with an ISO3 code: ``iso3, m49, iso2, name,
continent, continent_m49, un_subregion, un_subregion_m49, intermediate_region,
intermediate_region_m49, least_developed, lldc, sids`` (booleans), plus ``developed_developing``
(``'Developed'``/``'Developing'``; null for Antarctica, which the export leaves empty) from the
older export. ``iso2`` comes from the file in the
overview and from ``corridors.codes`` in the older export (which has no ISO2 column).
``name`` is the ISO3's M49 name in ``corridors.codes``; the file's name must resolve to that ISO3.

``areas``: the region tree: ``m49, name, area_type ('world' | 'region' | 'subregion' |
'intermediate_region'), parent_m49``.

Every cell is read as a string and nothing is turned into null, so Namibia's ISO2 ``NA`` stays
``NA``. The one row with no ISO3 code, Sark (M49 680, part of the Channel Islands), is dropped and
counted in ``dropped``; any other row without ISO3, an ISO3 or M49 unknown to
``corridors.codes``, or a name that does not resolve to the row's ISO3 stops the read with every
problem listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

import corridors.codes as codes
from corridors.errors import InputError, Problem
from corridors.readers.workbook import csv_table

#: M49 areas listed without an ISO3 code, dropped on purpose (M49 code: name).
NO_ISO3 = {680: "Sark"}

_COMMON = [
    "Global Code", "Global Name", "Region Code", "Region Name", "Sub-region Code",
    "Sub-region Name", "Intermediate Region Code", "Intermediate Region Name", "Country or Area",
    "M49 Code",
]
_FLAGS = [
    "Least Developed Countries (LDC)", "Land Locked Developing Countries (LLDC)",
    "Small Island Developing States (SIDS)",
]
OVERVIEW_HEADER = [*_COMMON, "ISO-alpha2 Code", "ISO-alpha3 Code", *_FLAGS]
METHODOLOGY_HEADER = [*_COMMON, "ISO-alpha3 Code", *_FLAGS, "Developed / Developing Countries"]

_LEVELS = [  # (code column, name column, area type)
    ("Global Code", "Global Name", "world"),
    ("Region Code", "Region Name", "region"),
    ("Sub-region Code", "Sub-region Name", "subregion"),
    ("Intermediate Region Code", "Intermediate Region Name", "intermediate_region"),
]


@dataclass
class M49:
    """The two tables of one M49 file, and the rows dropped on purpose."""

    countries: pl.DataFrame
    areas: pl.DataFrame
    layout: str  # 'overview' | 'methodology'
    dropped: list[str] = field(default_factory=list)


def _layout(path: Path) -> tuple[str, str, list[str]]:
    try:
        first = Path(path).open(encoding="utf-8-sig").readline()
    except (OSError, UnicodeDecodeError):
        first = ""
    if "Developed / Developing" in first:
        separator = ";" if first.count(";") > first.count(",") else ","
        return "methodology", separator, METHODOLOGY_HEADER
    return "overview", ",", OVERVIEW_HEADER


def _code(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def read(path: Path) -> M49:
    """Read an M49 overview CSV or the older UNSD-Methodology export (see the module doc)."""
    path = Path(path)
    layout, separator, header = _layout(path)
    frame = csv_table(path, header, separator=separator, what="UNSD M49 CSV")
    problems: list[Problem] = []
    known = codes.countries()
    country_rows: list[dict] = []
    areas: dict[int, dict] = {}
    dropped: list[str] = []
    has_dev = layout == "methodology"

    for index, row in enumerate(frame.iter_rows(named=True)):
        line = index + 2

        def bad(value: object, expected: str, line: int = line) -> None:
            problems.append(Problem(path.name, None, line, value, expected))

        m49 = _code(row["M49 Code"])
        iso3 = row["ISO-alpha3 Code"].strip()
        name = row["Country or Area"].strip()
        if m49 is None:
            bad(row["M49 Code"], "an M49 code (digits)")
            continue
        # the region tree: each level's parent is the nearest filled level above it
        parent = None
        for code_col, name_col, area_type in _LEVELS:
            code, area_name = row[code_col].strip(), row[name_col].strip()
            if not code and not area_name:
                continue
            number = _code(code)
            if number is None or not area_name:
                bad(f"{code_col}={code!r}, {name_col}={area_name!r}", "an M49 code with its name")
                break
            seen = areas.setdefault(number, {"m49": number, "name": area_name,
                                             "area_type": area_type, "parent_m49": parent})
            if (seen["name"], seen["parent_m49"]) != (area_name, parent):
                bad(f"{number} {area_name!r} under {parent}",
                    f"the same name and parent as before ({seen['name']!r} under "
                    f"{seen['parent_m49']})")
            parent = number
        if not iso3:
            if NO_ISO3.get(m49) == name:
                dropped.append(f"{name} (M49 {m49}): no ISO3 code")
                continue
            bad(name, "an ISO-alpha3 code (only Sark, M49 680, has none)")
            continue
        country = known.get(iso3)
        if country is None:
            bad(iso3, "an ISO3 code known to corridors.codes (countries.csv)")
            continue
        if country.m49 != m49:
            bad(f"{iso3} M49 {m49}", f"M49 {country.m49} as in corridors.codes")
        resolved = codes.iso3_for_name(name)
        if resolved != iso3:
            bad(name, f"a name that resolves to {iso3} (add it to codes/aliases_unsd.csv)")
        iso2 = row["ISO-alpha2 Code"].strip() if not has_dev else country.iso2
        if not has_dev and len(iso2) != 2:
            bad(iso2, "a two-letter ISO-alpha2 code")
        flags = {}
        for column, key in zip(_FLAGS, ("least_developed", "lldc", "sids"), strict=True):
            value = row[column].strip()
            if value not in {"", "x"}:
                bad(value, f"'x' or empty in {column!r}")
            flags[key] = value == "x"
        out = {
            "iso3": iso3, "m49": m49, "iso2": iso2 or None, "name": country.name,
            "continent": row["Region Name"].strip() or None,
            "continent_m49": _code(row["Region Code"]),
            "un_subregion": row["Sub-region Name"].strip() or None,
            "un_subregion_m49": _code(row["Sub-region Code"]),
            "intermediate_region": row["Intermediate Region Name"].strip() or None,
            "intermediate_region_m49": _code(row["Intermediate Region Code"]),
            **flags,
        }
        if has_dev:
            dev = row["Developed / Developing Countries"].strip()
            if dev not in {"Developed", "Developing", ""}:
                bad(dev, "'Developed', 'Developing' or empty (Antarctica)")
            out["developed_developing"] = dev or None
        country_rows.append(out)

    seen_iso3: dict[str, int] = {}
    for index, out in enumerate(country_rows):
        if out["iso3"] in seen_iso3:
            problems.append(Problem(path.name, None, None, out["iso3"], "each ISO3 code once"))
        seen_iso3[out["iso3"]] = index
    if problems:
        raise InputError(problems, hint="The M49 file does not have the official content.")

    schema = {
        "iso3": pl.String, "m49": pl.Int32, "iso2": pl.String, "name": pl.String,
        "continent": pl.String, "continent_m49": pl.Int32, "un_subregion": pl.String,
        "un_subregion_m49": pl.Int32, "intermediate_region": pl.String,
        "intermediate_region_m49": pl.Int32, "least_developed": pl.Boolean, "lldc": pl.Boolean,
        "sids": pl.Boolean,
    }
    if has_dev:
        schema["developed_developing"] = pl.String
    countries = pl.DataFrame(country_rows, schema=schema, orient="row")
    area_frame = pl.DataFrame(
        list(areas.values()),
        schema={"m49": pl.Int32, "name": pl.String, "area_type": pl.String,
                "parent_m49": pl.Int32}, orient="row",
    ).sort("m49")
    return M49(countries, area_frame, layout, dropped)
