"""Importing ratification tables: NORMLEX and UN Treaty Collection copies, the template, and
validation of bad rows (unknown country, impossible date, duplicate, conflicting status)."""

from __future__ import annotations

from datetime import date

import pytest

from corridors.errors import InputError
from corridors.governance import ratifications as r

TODAY = date(2026, 1, 1)

# Rows we wrote in the layouts of a NORMLEX ratification table and a UN Treaty Collection status
# table as copied from a browser (tab-separated); dates are constructed, not facts.
NORMLEX_COPY = (
    "Country\tDate\tStatus\tNote\n"
    "Albania\t12 Sep 2006\tIn Force\t\n"
    "Benin\t11 Jun 1980\tIn Force\tDeclaration under Article 2\n"
    "Kenya\t09 Apr 1979\tIn Force\t\n"
)

UNTC_COPY = (
    "Participant\tSignature\tRatification, Accession(a), Succession(d)\n"
    "Albania\t\t5 Jun 2007 a\n"
    "Argentina\t10 Aug 2004\t23 Feb 2007\n"
    "Armenia\t26 Sep 2013\t\n"
    "Bolivia (Plurinational State of)4\t\t16 Oct 2000 a\n"
)


def test_normlex_copy(tmp_path):
    path = tmp_path / "c143.txt"
    path.write_text(NORMLEX_COPY, encoding="utf-8")
    kind, records = r.read_table(path, "C143", today=TODAY)
    assert kind == "normlex"
    assert [(x.iso3, x.status, x.date) for x in records] == [
        ("ALB", "in force", "2006-09-12"), ("BEN", "in force", "1980-06-11"),
        ("KEN", "in force", "1979-04-09")]
    assert records[1].note == "Declaration under Article 2"


def test_untc_copy(tmp_path):
    path = tmp_path / "icrmw.tsv"
    path.write_text(UNTC_COPY, encoding="utf-8")
    kind, records = r.read_table(path, "ICRMW", today=TODAY)
    assert kind == "untc"
    got = {x.iso3: (x.status, x.action, x.date, x.signature_date) for x in records}
    assert got["ALB"] == ("in force", "accession", "2007-06-05", None)
    assert got["ARG"] == ("in force", "ratification", "2007-02-23", "2004-08-10")
    assert got["ARM"] == ("signed", "signature", None, "2013-09-26")
    assert got["BOL"][0] == "in force"


def test_instrument_required_for_copies(tmp_path):
    path = tmp_path / "c143.txt"
    path.write_text(NORMLEX_COPY, encoding="utf-8")
    with pytest.raises(InputError) as error:
        r.read_table(path, None, today=TODAY)
    assert "--instrument" in str(error.value)


def test_bad_template_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "instrument,country,iso3,date,signature_date,action,status,note,source_url\n"
        "C143,Atlantis,,1980-01-01,,ratification,in force,,\n"  # 2 unknown country
        "C143,Kenya,KEN,1979-02-30,,ratification,in force,,\n"  # 3 impossible date
        "C143,Benin,BEN,1970-01-01,,ratification,in force,,\n"  # 4 before adoption (1975)
        "C143,Uganda,UGA,1980-01-01,,ratification,in force,,\n"  # 5 fine
        "C143,Uganda,UGA,1980-01-01,,ratification,in force,,\n"  # 6 duplicate of 5
        "C143,Uganda,UGA,1980-01-01,,ratification,denounced,,\n"  # 7 conflicts with 5
        "C143,Guinea,GIN,2099-01-01,,ratification,in force,,\n"  # 8 future date
        "C999,Chad,TCD,1990-01-01,,ratification,in force,,\n"  # 9 unknown instrument
        "C143,Togo,TGO,1990-01-01,,ratification,maybe,,\n",  # 10 unknown status
        encoding="utf-8")
    with pytest.raises(InputError) as error:
        r.read_table(path, today=TODAY)
    problems = {p.row: p for p in error.value.problems}
    assert set(problems) == {2, 3, 4, 6, 7, 8, 9, 10}
    assert problems[2].value == "Atlantis" and "country" in problems[2].expected
    assert problems[3].value == "1979-02-30" and "real ratification date" in problems[3].expected
    assert "1975" in problems[4].expected
    assert "duplicate" in problems[6].expected and "row 5" in problems[6].expected
    assert "'in force'" in problems[7].expected and "'denounced'" in problems[7].expected
    assert "today" in problems[8].expected
    assert problems[9].value == "C999"
    assert problems[10].value == "maybe"
    assert all(p.file == str(path) for p in error.value.problems)
    text = str(error.value)
    assert "8 problems" in text and "Nothing was imported" in text


def test_signature_after_ratification(tmp_path):
    path = tmp_path / "sig.csv"
    path.write_text(
        "instrument,country,iso3,date,signature_date,action,status,note,source_url\n"
        "ICRMW,Argentina,ARG,2004-01-01,2007-02-23,ratification,in force,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="signature date before"):
        r.read_table(path, today=TODAY)


def test_empty_and_headerless(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError):
        r.read_table(empty)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        r.read_table(odd)


def test_import_completes_a_list(tmp_path, reference):
    user = tmp_path / "user"
    before = r.load(reference, mirror=tmp_path / "none", user_dir=user)
    assert before.status("KEN", "C143")["status"] == "unknown"
    assert before.coverage["C143"].text.startswith("1 known")
    path = tmp_path / "c143.txt"
    path.write_text(NORMLEX_COPY, encoding="utf-8")
    result = r.import_table(path, "C143", complete=True, user_dir=user, today=TODAY)
    assert result["rows"] == 3 and result["layout"] == "normlex"
    assert (user / "ratifications" / "c143.csv").is_file()
    after = r.load(reference, mirror=tmp_path / "none", user_dir=user)
    kenya = after.status("KEN", "C143")
    assert (kenya["status"], kenya["date"]) == ("in force", "1979-04-09")
    assert kenya["source"] == "import of c143.txt"
    # declared complete: India (in the reference rows) still listed, Chad now 'not ratified'
    assert after.coverage["C143"].complete
    assert after.status("IND", "C143")["status"] == "in force"
    assert after.status("TCD", "C143")["status"] == "not ratified"


def test_template_reads_back(tmp_path):
    path = tmp_path / "template.csv"
    path.write_text(r.template_csv(), encoding="utf-8")
    kind, records = r.read_table(path, today=TODAY)
    assert kind == "template" and [x.iso3 for x in records] == ["KEN", "ARM"]
    assert records[0].year == 1979 and records[1].status == "signed"
