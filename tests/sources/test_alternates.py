"""A mirror's copy in another layout carries the same numbers as the publisher's file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from publisher_files import cepii_xls_from_csv, ims_workbook_from_long, knomad_workbook_from_csv

from corridors.readers import world_bank_bilateral, world_bank_bilateral_csv
from corridors.readers.borders import read_cepii
from corridors.readers.un_desa_bilateral import read_long_csv, read_workbook
from corridors.sources import get

LONG = "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv"
KEYS = ["destination", "origin", "year", "sex"]


def test_registry_pairs_each_alternate_with_a_source_of_the_same_edition():
    for source_id, alt_id in [("ims2020-bilateral", "ims2020-bilateral-long"),
                              ("cepii-geodist", "cepii-geodist-csv"), ("wdi-gdp", "wdi-gdp-long")]:
        source, alt = get(source_id), get(alt_id)
        assert alt.alternate_of == source.id and not alt.required
        assert all(f.url is None for f in alt.files), "an alternate is a mirror copy, not a download"
        assert all(f.url for f in source.files)


@pytest.mark.parametrize("destinations", [["KEN", "COL", "ZAF", "DEU", "USA"], None],
                         ids=["five destinations", "every destination"])
def test_official_workbook_built_from_the_long_csv_reads_to_identical_rows(
        tmp_path: Path, mirror: Path, destinations: list[str] | None):
    if destinations is None and not (mirror / LONG).is_file():
        pytest.skip("no long CSV")
    book = ims_workbook_from_long(mirror / LONG, tmp_path / "undesa_pd_2020_ims_stock_by_sex_destination_"
                                  "and_origin.xlsx", destinations)
    from_book = read_workbook(book)
    from_csv = read_long_csv(mirror / LONG)
    assert from_book.edition == from_csv.edition == "ims2020"
    want = from_csv.stock
    if destinations:
        want = want.filter(pl.col("destination").is_in(destinations))
    got = from_book.stock.select(want.columns).sort(KEYS)
    want = want.sort(KEYS)
    assert got.height == want.height > 0
    assert got.equals(want)


def test_cepii_workbook_reads_like_its_csv_export(tmp_path: Path, mirror: Path):
    csv = mirror / "cepii/dist_cepii.csv"
    from_xls = read_cepii(cepii_xls_from_csv(csv, tmp_path / "dist_cepii.xls"))
    from_csv = read_cepii(csv)
    assert from_xls.dyads.equals(from_csv.dyads)
    assert from_xls.contiguity.equals(from_csv.contiguity)
    assert from_xls.dropped == from_csv.dropped


KNOMAD_2018 = "world-bank/derived/Bilateralremittancematrix2018Oct2019.csv"


@pytest.mark.parametrize("sheet", ["Bilateral Remittances 2018", "Sheet1"],
                         ids=["named sheet", "sheet found by its title"])
def test_official_2018_remittance_workbook_reads_like_its_csv(tmp_path: Path, mirror: Path, sheet: str):
    """What an online pull downloads (the official 2018 workbook) gives the pairs the mirror's CSV
    gives: the 2017 reader reads it, finding the matrix by sheet name or by its A1 title."""
    book = knomad_workbook_from_csv(mirror / KNOMAD_2018, tmp_path / "Bilateralremittancematrix2018Oct2019.xlsx",
                                    sheet_name=sheet)
    from_book = world_bank_bilateral.read(book)
    from_csv = world_bank_bilateral_csv.read(mirror / KNOMAD_2018)
    assert (from_book.kind, from_book.year, from_book.unit) == ("remittances", 2018, "US$ millions")
    assert (from_csv.kind, from_csv.year) == ("remittances", 2018)
    keys = ["origin", "destination"]
    assert from_book.pairs.height == from_csv.pairs.height > 5_000
    assert from_book.pairs.sort(keys).equals(from_csv.pairs.sort(keys))
    assert get("wb-bilateral-remittances-2018").reader == "world_bank_bilateral"
    assert get("wb-bilateral-remittances-2018-csv").alternate_of == "wb-bilateral-remittances-2018"
