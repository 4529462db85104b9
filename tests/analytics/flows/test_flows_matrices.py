"""Reading a user's stock matrices and births/deaths: good files read, bad files stop with file,
row, value and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

from corridors.analytics.flows.matrices import aligned, check_pair, read_stock_csv, read_vital_csv
from corridors.errors import InputError


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_square_matrix_in_header_order(tmp_path):
    # rows may come in any order; they are put in the header's order
    f = _write(tmp_path / "s.csv", "born,A,B\nB,3,4\nA,1,2\n")
    m = read_stock_csv(f)
    assert m.places == ["A", "B"]
    np.testing.assert_array_equal(m.values, [[1, 2], [3, 4]])


def test_reads_semicolon_and_thousands_separators(tmp_path):
    f = _write(tmp_path / "s.csv", 'born;A;B\nA;"1,000";2\nB;3;4\n')
    assert read_stock_csv(f).values[0, 0] == 1000


@pytest.mark.parametrize(("text", "message"), [
    ("born,A,B\nA,1,2\n", "at least two rows"),
    ("born,A,B\nA,1,-2\nB,3,4\n", "row 2: value '-2'; expected a number >= 0 for born 'A' living in 'B'"),
    ("born,A,B\nA,1,2\nC,3,4\n", "same place codes"),
    ("born,A,A\nA,1,2\nA,3,4\n", "distinct"),
    ("born,A,B,C\nA,1,2,3\nB,3,4,5\n", "square matrix"),
])
def test_bad_stock_files(tmp_path, text, message):
    f = _write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError) as error:
        read_stock_csv(f)
    assert message in str(error.value)
    assert "bad.csv" in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="an existing CSV file"):
        read_stock_csv(tmp_path / "nope.csv")


def test_vital_csv(tmp_path):
    f = _write(tmp_path / "b.csv", "place,value\nB,20\nA,80\n")
    np.testing.assert_array_equal(read_vital_csv(f, ["A", "B"]), [80, 20])
    with pytest.raises(InputError, match="row 3: value 'C'"):
        read_vital_csv(_write(tmp_path / "c.csv", "place,value\nA,1\nC,2\n"), ["A", "B"])
    with pytest.raises(InputError, match="deaths for every place"):
        read_vital_csv(_write(tmp_path / "d.csv", "place,value\nA,1\n"), ["A", "B"], "deaths")
    with pytest.raises(InputError, match="place,value"):
        read_vital_csv(_write(tmp_path / "e.csv", "country,n\nA,1\n"), ["A"])


def test_aligned_reorders_the_end_matrix(tmp_path):
    a = read_stock_csv(_write(tmp_path / "a.csv", "x,A,B\nA,1,2\nB,3,4\n"))
    b = read_stock_csv(_write(tmp_path / "b.csv", "x,B,A\nB,40,30\nA,20,10\n"))
    places, s1, s2 = aligned(a, b)
    np.testing.assert_array_equal(s2, [[10, 20], [30, 40]])
    c = read_stock_csv(_write(tmp_path / "c.csv", "x,A,C\nA,1,2\nC,3,4\n"))
    with pytest.raises(InputError, match="B, C"):
        aligned(a, c)


def test_check_pair_rejects_bad_arrays():
    with pytest.raises(ValueError, match="square"):
        check_pair(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="negative"):
        check_pair(-np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="differ"):
        check_pair(np.ones((2, 2)), np.ones((3, 3)))
