"""World Bank/KNOMAD bilateral matrices 2017: real workbooks and constructed bad ones."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from corridors import codes
from corridors.errors import InputError
from corridors.readers import world_bank_bilateral as bilateral

STOCKS = "WB_Bilateral_Estimates_Migrant_Stocks_2017.xlsx"
REMIT = "WB_Bilateral_Remittance_Estimates_2017.xlsx"


def raw(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def matrix(path: Path, names: list[str], cells: list[list], extra: bool = False,
           world_label: str = "World") -> Path:
    """A workbook in the Bilateral_Migration_2017 layout (rows origins, columns destinations)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Bilateral_Migration_2017")
    sheet.write(0, 0, "Bilateral Estimates of Migrant Stocks in 2017")
    sheet.write_row(1, 1, [*names, world_label] + (["Comment"] if extra else []))
    for r, name in enumerate(names):
        sheet.write(2 + r, 0, name)
        sheet.write_row(2 + r, 1, [*cells[r], sum(v for v in cells[r] if v != "-")])
    sheet.write(2 + len(names), 0, world_label)
    column_sums = [sum(row[c] for row in cells if row[c] != "-") for c in range(len(names))]
    sheet.write_row(2 + len(names), 1, [*column_sums, sum(column_sums)])
    book.add_worksheet("countries-comparison").write(0, 0, "added by a third party")
    book.close()
    return path


NAMES = ["Kenya", "Uganda", "Tanzania"]
CELLS = [[0, 100, 50], [300, 0, "-"], [20, 10, 0]]


def test_constructed_matrix(tmp_path):
    result = bilateral.read(matrix(tmp_path / "m.xlsx", NAMES, CELLS))
    assert (result.kind, result.year, result.unit) == ("migrant_stock", 2017, "persons")
    assert sorted(result.pairs.rows()) == [("KEN", "TZA", 50.0), ("KEN", "UGA", 100.0),
                                           ("TZA", "KEN", 20.0), ("TZA", "UGA", 10.0),
                                           ("UGA", "KEN", 300.0)]
    assert result.missing == 1 and result.world == 480
    totals = {(r[0], r[1]): r[2] for r in result.totals.iter_rows()}
    assert totals[("KEN", "origin")] == 150 and totals[("KEN", "destination")] == 320


def test_unknown_names_are_all_listed(tmp_path):
    with pytest.raises(InputError) as caught:
        bilateral.read(matrix(tmp_path / "m.xlsx", ["Kenya", "Ugandaa", "Tanzanya"], CELLS))
    assert [p.value for p in caught.value.problems] == ["Ugandaa", "Tanzanya"]
    assert all(p.row == 2 and p.sheet == "Bilateral_Migration_2017"
               for p in caught.value.problems)


def test_extra_column_is_refused(tmp_path):
    with pytest.raises(InputError, match="extra column"):
        bilateral.read(matrix(tmp_path / "m.xlsx", NAMES, CELLS, extra=True))


def test_another_layout_is_refused(mirror):
    with pytest.raises(InputError, match="not a World Bank bilateral matrix"):
        bilateral.read(mirror / "world-bank" / "CLASS.xlsx")


def test_truncated_workbook_is_refused(tmp_path, mirror):
    data = (mirror / "world-bank" / STOCKS).read_bytes()
    (tmp_path / STOCKS).write_bytes(data[: len(data) - 5000])
    with pytest.raises(InputError, match="truncated or corrupt"):
        bilateral.read(tmp_path / STOCKS)


def test_empty_workbook_is_refused(tmp_path):
    (tmp_path / STOCKS).write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        bilateral.read(tmp_path / STOCKS)


def test_real_migration_matrix_adds_up_to_its_world_totals(mirror):
    path = mirror / "world-bank" / STOCKS
    result = bilateral.read(path)
    rows = raw(path, "Bilateral_Migration_2017")
    header = rows[1]
    mex, usa = [r for r in rows if r[0] == "Mexico"][0], header.index("United States")
    assert result.pairs.filter(origin="MEX", destination="USA")["value"].to_list() == [mex[usa]]
    world_row = [r for r in rows if r[0] == "World"][0]
    assert result.world == world_row[header.index("World")] == 266_143_792
    by_origin = result.pairs.group_by("origin").agg(pl.col("value").sum().alias("s"))
    other = result.others.group_by("origin").agg(pl.col("value").sum().alias("o"))
    totals = result.totals.filter(role="origin").join(by_origin, left_on="iso3",
                                                      right_on="origin", how="left")
    totals = totals.join(other, left_on="iso3", right_on="origin", how="left").fill_null(0)
    assert (totals["value"] == totals["s"] + totals["o"]).all()  # exact, persons
    assert result.pairs.height + result.others.height > 14_000


def test_real_remittance_matrix_orientation_and_row_sums(mirror):
    path = mirror / "world-bank" / REMIT
    result = bilateral.read(path)
    assert (result.kind, result.unit) == ("remittances", "US$ millions")
    rows = raw(path, "Bilateral_Remittances_2017")
    header = rows[1]
    usa_row = [r for r in rows if r[0] == "United States"][0]  # sending (down)
    assert result.pairs.filter(origin="MEX", destination="USA")["value"].to_list() == [
        usa_row[header.index("Mexico")]]
    sent = result.pairs.group_by("destination").agg(pl.col("value").sum().alias("s"))
    published = result.totals.filter(role="destination").join(
        sent, left_on="iso3", right_on="destination", how="left").fill_null(0)
    assert ((published["value"] - published["s"]).abs() < 1e-6).all()
    assert result.missing == 4  # four cells published as '-'


def test_every_name_in_both_matrices_resolves(mirror):
    unknown = []
    for name, sheet in ((STOCKS, "Bilateral_Migration_2017"),
                        (REMIT, "Bilateral_Remittances_2017")):
        rows = raw(mirror / "world-bank" / name, sheet)
        for label in rows[1][1:]:
            if label and label not in {"World", "WORLD", "Other North", "Other South"}:
                if codes.iso3_for_name(label) is None:
                    unknown.append((name, label))
    assert unknown == []
