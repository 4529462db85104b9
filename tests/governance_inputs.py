"""Constructed governance inputs, shared by the governance tests (tests/governance) and the
scorecard tests (tests/analytics/test_scorecard.py): a small reference folder in the official
layouts of ``../shared/reference`` (rows we write), a user folder with one agreement and a small
store, so that scorecard arithmetic can be checked by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from corridors.analytics.facts import build_facts
from corridors.store import create_schema


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ILO_HEADER = ["instrument", "country", "iso3", "ratification_date", "status", "note", "source_url"]
UN_HEADER = ["instrument", "country", "iso3", "signature_date", "ratification_date", "action",
             "status", "note", "source_url"]
COVERAGE_HEADER = ["instrument", "rows_here", "expected_total", "expected_source", "complete",
                   "what_is_missing"]
REC_HEADER = ["rec_code", "rec_name", "iso3", "country", "member_type", "since", "until",
              "source_url", "note"]
FM_HEADER = ["rec_code", "instrument", "adopted", "in_force", "scope", "source_url", "note"]


def write_reference(tmp_path: Path) -> Path:
    """A constructed reference folder (``tmp_path / "reference"``).

    C097: NPL 2000 (in force), IND 2021 (after 2020); list complete (2 of 2).
    C143: IND 2019, status blank (inferred in force); list incomplete (no total).
    ICRMW: BGD party 2011, NPL signatory; list complete (1 of 1).
    SOM_PROTOCOL: IND party 2010; list incomplete (1 of 100).
    SAARC: NPL, IND, BGD members since 1985, free movement partly in force.
    """
    folder = tmp_path / "reference"
    folder.mkdir()
    url = "https://example.org/constructed"
    write_csv(folder / "ilo_ratifications.csv", ILO_HEADER, [
        ["C097", "Nepal", "NPL", "2000-01-01", "in force", "constructed", url],
        ["C097", "India", "IND", "2021-05-05", "in force", "constructed", url],
        ["C143", "India", "IND", "2019", "", "constructed, year only", url],
    ])
    write_csv(folder / "un_treaty_parties.csv", UN_HEADER, [
        ["ICRMW", "Bangladesh", "BGD", "1998-10-07", "2011-08-24", "ratification", "party",
         "constructed", url],
        ["ICRMW", "Nepal", "NPL", "2010-01-05", "", "signature only", "signatory", "constructed",
         url],
        ["SOM_PROTOCOL", "India", "IND", "", "2010-06-01", "ratification", "party", "constructed",
         url],
    ])
    write_csv(folder / "coverage.csv", COVERAGE_HEADER, [
        ["C097", 2, 2, "constructed", "no", ""],
        ["C143", 1, "", "constructed", "no", "most"],
        ["ICRMW", 1, 1, "constructed", "no", ""],
        ["SOM_PROTOCOL", 1, 100, "constructed", "no", "most parties"],
    ])
    write_csv(folder / "rec_membership.csv", REC_HEADER, [
        ["SAARC", "South Asian Association for Regional Cooperation", iso3, name, "member", 1985,
         "", url, ""]
        for iso3, name in (("NPL", "Nepal"), ("IND", "India"), ("BGD", "Bangladesh"))
    ])
    write_csv(folder / "rec_free_movement.csv", FM_HEADER, [
        ["SAARC", "Constructed visa scheme", 1992, "yes (partial, some categories)",
         "some categories", url, "constructed"],
    ])
    return folder


def write_user_dir(tmp_path: Path) -> Path:
    """A user folder (``tmp_path / "user"``) with one constructed NPL-IND agreement: 3 yes, 1 no,
    6 unknown."""
    folder = tmp_path / "user"
    (folder / "agreements").mkdir(parents=True)
    (folder / "agreements" / "npl-ind.yaml").write_text(
        """
- id: npl-ind-test
  title: Constructed agreement Nepal - India
  kind: BLA
  parties: [NPL, IND]
  year_signed: 2010
  operational: "yes"
  provisions:
    equality_of_treatment: {value: "yes", evidence: "constructed"}
    social_security_portability: {value: "yes", evidence: "constructed"}
    skills_recognition: {value: "yes", evidence: "constructed"}
    gender_provisions: {value: "no", evidence: "constructed"}
  source: constructed for tests
  provenance: {coded_from: test, coded_by: test, coded_on: 2026-01-01}
""", encoding="utf-8")
    return folder


def stock_rows(corridors: dict[tuple[str, str], dict[int, float]]) -> list[tuple]:
    rows = []
    for (origin, destination), by_year in corridors.items():
        for year, value in by_year.items():
            rows.append(("ims2020", origin, destination, year, "total", value, "ims2020-test"))
            rows.append(("ims2020", origin, destination, year, "female", value * 0.4,
                         "ims2020-test"))
            rows.append(("ims2020", origin, destination, year, "male", value * 0.6,
                         "ims2020-test"))
    return rows


def constructed_store() -> duckdb.DuckDBPyConnection:
    """A constructed store: four corridors into/out of India, income groups for 2015 and 2020."""
    connection = duckdb.connect()
    create_schema(connection)
    connection.executemany(
        "INSERT INTO migrant_stock VALUES (?, ?, ?, ?, ?, ?, ?)",
        stock_rows({
            ("NPL", "IND"): {2015: 100.0, 2020: 150.0},
            ("BGD", "IND"): {2015: 250.0, 2020: 300.0},
            ("IND", "NPL"): {2015: 40.0, 2020: 50.0},
            ("CHN", "IND"): {2015: 900.0, 2020: 1000.0},
        }),
    )
    groups = {"NPL": "L", "IND": "LM", "BGD": "LM", "CHN": "UM"}
    connection.executemany(
        "INSERT INTO income_groups VALUES (?, ?, ?, ?, 'oghist-test')",
        [(iso3, year, f"FY{(year + 2) % 100:02d}", group)
         for iso3, group in groups.items() for year in (2015, 2020)],
    )
    connection.execute(
        "INSERT INTO provenance VALUES ('ims2020-test', 'UN DESA', 'constructed', 'ims2020', "
        "'CC BY 3.0 IGO', NULL, NULL, 'test.xlsx', 'abc123', NULL, 8)")
    build_facts(connection)  # the derived tables, as the build writes them
    return connection
