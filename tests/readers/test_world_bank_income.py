"""World Bank income classification: OGHIST history and CLASS current list, real and constructed."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from corridors import codes
from corridors.errors import InputError
from corridors.readers import world_bank_income as income


def raw_sheet(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def oghist_cells(path: Path) -> dict[tuple[str, str], str]:
    """Every (code, FYxx) -> cell text of the raw sheet, parsed independently of the reader."""
    rows = raw_sheet(path, "Country Analytical History")
    header = rows[4]
    cells = {}
    for row in rows[11:]:
        if isinstance(row[0], str) and row[0].strip():
            for col in range(2, len(header)):
                cells[(row[0], header[col])] = str(row[col]).strip()
    return cells


def history_workbook(path: Path, rows: list[list], extra_header: str | None = None) -> Path:
    """A workbook in OGHIST's layout: title rows, FY row 5, data-year row 6, thresholds, data."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Country Analytical History")
    sheet.write_row(0, 1, ["World Bank Analytical Classifications"])
    fiscal = ["FY89", "FY90", "FY91"] + ([extra_header] if extra_header else [])
    sheet.write_row(4, 1, ["Bank's fiscal year:", *fiscal])
    sheet.write_row(5, 1, ["Data for calendar year :", 1987, 1988, 1989])
    for offset, label in enumerate(["Low income (L)", "Lower middle income (LM)",
                                    "Upper middle income (UM)", "High income (H)"]):
        sheet.write_row(6 + offset, 1, [label, "<= 480", "", ""])
    for offset, row in enumerate(rows):
        sheet.write_row(11 + offset, 0, row)
    book.close()
    return path


GOOD_ROWS = [["KEN", "Kenya", "L", "L", "LM"], ["YEM", "Yemen, Rep.", "LM*", "..", "L"],
             ["CSK", "Czechoslovakia (former)", "..", "UM", ""]]


# --- constructed workbooks ----------------------------------------------------------------------

def test_constructed_history(tmp_path):
    frame = income.read(history_workbook(tmp_path / "OGHIST.xlsx", GOOD_ROWS))
    got = {(r[0], r[1]): r[3] for r in frame.iter_rows()}
    assert got == {("KEN", 1987): "L", ("KEN", 1988): "L", ("KEN", 1989): "LM",
                   ("YEM", 1987): "LM", ("YEM", 1989): "L"}
    assert set(frame.filter(iso3="YEM")["fiscal_year"]) == {"FY89", "FY91"}


def test_unknown_codes_and_names_are_all_listed(tmp_path):
    rows = [*GOOD_ROWS, ["ZZZ", "Atlantis", "L", "L", "L"], ["KOR", "Korea, Repp.", "H", "H", "H"],
            ["KEN", "Kenya", "L", "Q", "L"]]
    with pytest.raises(InputError) as caught:
        income.read(history_workbook(tmp_path / "OGHIST.xlsx", rows))
    problems = caught.value.problems
    assert [p.row for p in problems] == [15, 16, 17, 17]
    assert all(p.sheet == "Country Analytical History" and p.file == "OGHIST.xlsx"
               for p in problems)
    assert "Korea, Repp." in str(caught.value) and "'Q'" in str(caught.value)


def test_extra_column_is_refused(tmp_path):
    path = history_workbook(tmp_path / "OGHIST.xlsx", GOOD_ROWS, extra_header="Comment")
    with pytest.raises(InputError, match="row 5: value 'Comment'"):
        income.read(path)


def test_another_layout_is_refused(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "other.xlsx"))
    book.add_worksheet("Data").write_row(0, 0, ["Country", "1990"])
    book.close()
    with pytest.raises(InputError, match="OGHIST"):
        income.read(tmp_path / "other.xlsx")


def test_truncated_workbook_is_refused(tmp_path, mirror):
    data = (mirror / "world-bank" / "OGHIST.xlsx").read_bytes()
    (tmp_path / "OGHIST.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        income.read(tmp_path / "OGHIST.xlsx")


def test_empty_workbook_is_refused(tmp_path):
    (tmp_path / "CLASS.xlsx").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        income.read(tmp_path / "CLASS.xlsx")


def class_workbook(path: Path, economies: list[list], composition: list[list],
                   extra: bool = False) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("List of economies")
    sheet.write_row(0, 0, ["Economy", "Code", "Region", "Income group", "Lending category"]
                    + (["Comment"] if extra else []))
    for offset, row in enumerate(economies):
        sheet.write_row(1 + offset, 0, row)
    comp = book.add_worksheet("composition")
    comp.write_row(0, 0, ["WB_Group_Code", "WB_Group_Name", "WB_Country_Code", "WB_Country_Name"])
    for offset, row in enumerate(composition):
        comp.write_row(1 + offset, 0, row)
    book.close()
    return path


def test_constructed_class_drops_aggregates_named_in_composition(tmp_path):
    economies = [["Kosovo", "XKX", "Europe & Central Asia", "Upper middle income", "IDA"],
                 ["Channel Islands", "CHI", "Europe & Central Asia", "High income", ""],
                 ["Venezuela, RB", "VEN", "Latin America & Caribbean", "", "IBRD"],
                 ["", "", "", "", ""],
                 ["World", "WLD", "", "", ""]]
    composition = [["WLD", "World", "XKX", "Kosovo"], ["WLD", "World", "CHI", "Channel Islands"]]
    result = income.read(class_workbook(tmp_path / "CLASS.xlsx", economies, composition))
    assert result.aggregates == ["WLD"]
    assert result.economies.select("iso3", "income_group", "lending_category").rows() == [
        ("XKX", "UM", "IDA"), ("CHI", "H", None), ("VEN", None, "IBRD")]
    assert result.groups["iso3"].to_list() == ["XKX", "CHI"]


def test_class_row_without_region_that_is_no_group_stops(tmp_path):
    economies = [["Kenya", "KEN", "Sub-Saharan Africa", "Lower middle income", "IDA"],
                 ["Mystery group", "MYS_G", "", "", ""]]
    with pytest.raises(InputError, match="MYS_G"):
        income.read(class_workbook(tmp_path / "CLASS.xlsx", economies, []))


def test_class_extra_column_is_refused(tmp_path):
    economies = [["Kenya", "KEN", "Sub-Saharan Africa", "Lower middle income", "IDA", "note"]]
    with pytest.raises(InputError, match="right of column E"):
        income.read(class_workbook(tmp_path / "CLASS.xlsx", economies, [], extra=True))


# --- the real files -----------------------------------------------------------------------------

def test_oghist_spot_checks(mirror):
    frame = income.read(mirror / "world-bank" / "OGHIST.xlsx")
    got = {(r[0], r[2]): r[3] for r in frame.iter_rows()}
    # read by eye from the raw sheet "Country Analytical History"
    assert got[("IND", "FY09")] == "LM" and got[("IND", "FY99")] == "L"
    assert got[("CHN", "FY99")] == "LM" and got[("CHN", "FY19")] == "UM"
    assert got[("KEN", "FY09")] == "L" and got[("KEN", "FY19")] == "LM"
    assert got[("ARG", "FY19")] == "H" and got[("ARG", "FY22")] == "UM"
    assert got[("NAM", "FY25")] == "UM" and got[("NAM", "FY26")] == "LM"
    assert got[("XKX", "FY19")] == "LM" and ("XKX", "FY99") not in got
    assert got[("CHI", "FY89")] == "H"
    assert got[("YEM", "FY89")] == "LM"  # 'LM*' footnoted
    assert ("VEN", "FY22") not in got  # unclassified since FY22
    rows = frame.filter(iso3="GHA", fiscal_year="FY26").rows(named=True)
    assert rows == [{"iso3": "GHA", "data_year": 2024, "fiscal_year": "FY26",
                     "income_group": "LM"}]


def test_oghist_equals_an_independent_parse_cell_by_cell(mirror):
    path = mirror / "world-bank" / "OGHIST.xlsx"
    frame = income.read(path)
    raw = oghist_cells(path)
    want = {(code, fy): value.rstrip("*") for (code, fy), value in raw.items()
            if value not in ("..", "") and code not in income.FORMER_ECONOMIES}
    got = {(r[0], r[2]): r[3] for r in frame.iter_rows()}
    assert got == want
    assert len(got) == 7833
    years = {r[2]: r[1] for r in frame.iter_rows()}
    assert years["FY89"] == 1987 and years["FY26"] == 2024
    assert "MYT" in set(frame["iso3"]) and not set(frame["iso3"]) & set(income.FORMER_ECONOMIES)


def test_class_aggregates_come_from_composition(mirror):
    path = mirror / "world-bank" / "CLASS.xlsx"
    result = income.read(path)
    groups = {r[0] for r in raw_sheet(path, "composition")[1:] if r[0]}
    listed = [r for r in raw_sheet(path, "List of economies")[1:] if r[1]]
    assert set(result.aggregates) == groups and len(groups) == 48
    assert result.economies.height == len(listed) - 48 == 218
    assert {"XKX", "CHI", "PSE", "HKG"} <= set(result.economies["iso3"])
    assert "WLD" not in set(result.economies["iso3"])
    assert (result.fiscal_year, result.data_year) == ("FY26", 2024)


def test_class_agrees_with_oghist_fy26_except_ethiopia(mirror):
    current = income.read(mirror / "world-bank" / "CLASS.xlsx").economies
    history = income.read(mirror / "world-bank" / "OGHIST.xlsx").filter(fiscal_year="FY26")
    now = dict(current.select("iso3", "income_group").iter_rows())
    then = dict(history.select("iso3", "income_group").iter_rows())
    differ = {k for k in now.keys() | then.keys() if now.get(k) != then.get(k)}
    # CLASS notes: "Ethiopia is currently in a temporary status of unclassification for FY26"
    assert differ == {"ETH"}


def test_every_world_bank_name_resolves_to_its_code(mirror):
    problems = []
    for row in raw_sheet(mirror / "world-bank" / "OGHIST.xlsx", "Country Analytical History")[11:]:
        if row[0] and row[0] not in income.FORMER_ECONOMIES:
            if codes.iso3_for_name(row[1]) != row[0]:
                problems.append(row[:2])
    class_path = mirror / "world-bank" / "CLASS.xlsx"
    for row in raw_sheet(class_path, "List of economies")[1:]:
        if row[2] and codes.iso3_for_name(row[0]) != row[1]:
            problems.append(row[:2])
    for row in raw_sheet(class_path, "composition")[1:]:
        if codes.iso3_for_name(row[3]) != row[2]:
            problems.append(row[2:4])
    assert problems == []
