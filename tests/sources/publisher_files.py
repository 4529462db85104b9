"""Files in the publishers' own layouts, constructed by us where the mirror lacks the official
one (never excerpts): the IMS 2020 destination-and-origin workbook from the mirror's derived long
CSV (the same numbers), CEPII's ``dist_cepii.xls`` from its CSV export, and the ZIP archives the
WDI API and CEPII answer. ``publisher_site`` lays every required file out under its URL path, as
the publisher's web server would serve it."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import polars as pl
from fixtures_un_desa import YEARS_2020, write_long_workbook  # tests/readers (see conftest.py)

from corridors import codes
from corridors.readers.borders import CEPII_HEADER
from corridors.sources.pull import find_in_mirror
from corridors.sources.registry import Source, SourceFile

OTHER = ("Other", 2003)


def ims_workbook_from_long(long_csv: Path, path: Path, destinations: list[str] | None = None) -> Path:
    """``Table 1`` of the official IMS 2020 destination-and-origin workbook holding exactly the
    numbers of the derived long CSV (country pairs; both sexes = males + females)."""
    frame = pl.read_csv(long_csv, schema_overrides={"v": pl.Int64})
    if destinations:
        frame = frame.filter(pl.col("to").is_in(destinations))
    wide = frame.pivot(on=["sex", "t"], index=["to", "from"], values="v").sort("to", "from")
    countries = codes.countries()

    def place(iso3: str) -> tuple[str, int]:
        if iso3 == "XXX":
            return OTHER
        country = countries[iso3]
        return country.name, country.m49

    rows = []
    for record in wide.iter_rows(named=True):
        dest, dcode = place(record["to"])
        origin, ocode = place(record["from"])
        male = [record.get(f'{{"Male",{y}}}') or 0 for y in YEARS_2020]
        female = [record.get(f'{{"Female",{y}}}') or 0 for y in YEARS_2020]
        rows.append((dest, "", dcode, "B", origin, ocode, male, female))
    return write_long_workbook(path, rows)


def cepii_xls_from_csv(csv: Path, path: Path) -> Path:
    """CEPII's ``dist_cepii.xls`` (one sheet, header in row 1, numbers as numbers, Stata's ``.``
    as text) with the rows of its CSV export."""
    import xlwt

    frame = pl.read_csv(csv, infer_schema=False, empty_string_is_null=False)
    book = xlwt.Workbook()
    sheet = book.add_sheet("dist_cepii")
    for col, name in enumerate(CEPII_HEADER):
        sheet.write(0, col, name)
    for line, row in enumerate(frame.select(CEPII_HEADER).iter_rows(), start=1):
        for col, cell in enumerate(row):
            if col >= 2 and cell not in ("", "."):
                try:
                    sheet.write(line, col, float(cell))
                    continue
                except ValueError:
                    pass
            sheet.write(line, col, cell)
    book.save(str(path))
    return path


def url_path(root: Path, url: str) -> Path:
    """Where a URL's path lies under the served folder (the query is the server's business)."""
    return root / unquote(urlsplit(url).path).lstrip("/")


def _constructed(source: Source, file: SourceFile, mirror: Path, work: Path) -> tuple[str, Path]:
    """(name, path) of a file the mirror lacks in the publisher's layout, built from its numbers."""
    work.mkdir(parents=True, exist_ok=True)
    if source.id == "ims2020-bilateral":
        long_csv = mirror / "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv"
        return file.name, ims_workbook_from_long(long_csv, work / file.name)
    if source.id == "cepii-geodist":
        return file.name, cepii_xls_from_csv(mirror / "cepii/dist_cepii.csv", work / file.name)
    if file.member and file.member.startswith("API_NY.GDP.MKTP.CD"):
        return "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv", _wdi_gdp(mirror, work)
    if file.member and file.member.startswith("Metadata_Country_API_NY.GDP"):
        target = work / "Metadata_Country_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv"
        shutil.copyfile(mirror / "world-bank/Metadata_Country_API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv",
                        target)
        return target.name, target
    if source.id == "wb-bilateral-remittances-2018":
        csv = mirror / "world-bank/derived/Bilateralremittancematrix2018Oct2019.csv"
        return file.name, knomad_workbook_from_csv(csv, work / file.name)
    if source.id == "wb-rpw":
        # Nothing reads the complete RPW dataset yet: the workbook carries the mirror's rows of
        # the same publication so that the bytes served stand for it.
        csv = mirror / "world-bank/RPW_corridors_databank_36d1ed87-9a2d-41da-8eac-c1c25d45fa65_Data.csv"
        return file.name, _csv_as_workbook(csv, work / file.name)
    raise AssertionError(f"no constructor for {source.id}: {file.name}")


def knomad_workbook_from_csv(csv: Path, path: Path, sheet_name: str = "Bilateral Remittances 2018") -> Path:
    """The KNOMAD Bilateral Remittance Matrix 2018 workbook in the official layout, rebuilt from
    the mirror's CSV (which is that workbook less its title and total rows): A1 the title, A2
    'receiving (across) / sending (down)' and the receiving economies, then one row per sending
    economy, the WORLD column and row (sums of the published cells), a notes line."""
    import csv as csv_module

    import xlsxwriter

    with csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv_module.reader(handle))
    names = rows[0][1:]
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(sheet_name)
    sheet.write(0, 0, "Bilateral Remittance Estimates for 2018 using Migrant Stocks, Host Country Incomes, "
                      "and Origin Country Incomes (millions of US$) (October 2019 Version)")
    sheet.write(1, 0, "receiving (across) / sending (down) ")
    sheet.write_row(1, 1, [*names, "WORLD"])

    def number(text: str) -> float | None:
        text = text.strip().replace(",", "")
        return None if text in ("", "N/A") else float(text)

    columns = [0.0] * len(names)
    for r, row in enumerate(rows[1:]):
        sheet.write(2 + r, 0, row[0])
        total = 0.0
        for c, text in enumerate(row[1:]):
            value = number(text)
            if value is None:
                sheet.write(2 + r, 1 + c, "-")
            else:
                sheet.write_number(2 + r, 1 + c, value)
                total += value
                columns[c] += value
        sheet.write_number(2 + r, 1 + len(names), total)
    last = 2 + len(rows) - 1
    sheet.write(last, 0, "WORLD")
    sheet.write_row(last, 1, [*columns, sum(columns)])
    sheet.write(last + 2, 0, "Notes:")
    book.close()
    return path


def _csv_as_workbook(csv: Path, path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Data")
    for line, row in enumerate(pl.read_csv(csv, infer_schema=False).iter_rows()):
        sheet.write_row(line, 0, row)
    book.close()
    return path


def _wdi_gdp(mirror: Path, work: Path) -> Path:
    """The WDI API CSV layout (4 preamble lines, one column per year, a trailing comma) holding the
    numbers of the mirror's derived long GDP file."""
    long = pl.read_csv(mirror / "world-bank/derived/gdp_current_usd_wdi.csv", infer_schema=False)
    years = sorted(set(long["Year"]))
    wide = long.pivot(on="Year", index=["Country Name", "Country Code"], values="Value")
    target = work / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv"
    lines = ['"Data Source","World Development Indicators",', "",
             '"Last Updated Date","2025-07-01",', "",
             ",".join(f'"{c}"' for c in ["Country Name", "Country Code", "Indicator Name",
                                          "Indicator Code", *years]) + ","]
    for row in wide.iter_rows(named=True):
        cells = [row["Country Name"], row["Country Code"], "GDP (current US$)", "NY.GDP.MKTP.CD",
                 *[row.get(y) or "" for y in years]]
        lines.append(",".join(f'"{c}"' for c in cells) + ",")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def publisher_site(sources: list[Source], mirror: Path, root: Path) -> Path:
    """Lay every file of ``sources`` out under ``root`` at its URL's path: the mirror's copy where
    it has the publisher's layout, else a constructed one; ZIP archives where the URL answers one."""
    archives: dict[Path, list[tuple[str, Path]]] = {}
    for source in sources:
        for file in source.files:
            assert file.url, f"{source.id}: {file.name} has no url"
            found = find_in_mirror(file, mirror)
            if found is not None:
                name, origin = PurePosixPath(found[1]).name, found[0]
            else:
                name, origin = _constructed(source, file, mirror, root.parent / "constructed")
            target = url_path(root, file.url)
            if file.member:
                archives.setdefault(target, []).append((name, origin))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(origin, target)
    for target, members in archives.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, origin in dict(members).items():
                zf.write(origin, name)
    return root
