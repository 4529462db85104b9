"""Frictionless data package exports: exact rows on the constructed store, published totals and
file hashes on the store built from the mirror (SDMX exports: test_sdmx.py)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from corridors.analytics import datapackage
from corridors.analytics.exports import export, provenance, ssm_tables
from corridors.analytics.lenses import get_lens


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_stock_table_by_year_and_sex(con):
    stock = ssm_tables(con, ["stock"], years=[2015], sex="male")["stock"]
    assert stock.columns == ["edition", "origin", "destination", "year", "sex", "value", "source_id"]
    assert stock["value"].sum() == 40 + 25 + 30 + 150 + 75 + 20
    assert set(stock["sex"]) == {"male"} and set(stock["year"]) == {2015}


def test_data_package_descriptor(con, tmp_path: Path):
    tables = ssm_tables(con, ["summary", "regions", "corridors", "stock"], years=[2020],
                        grouping="rec")
    written = export(tables, tmp_path, "datapackage", provenance(con, "ims2020"))
    assert [p.name for p in written] == ["summary.csv", "regions-rec.csv", "corridors.csv",
                                         "stock.csv", "datapackage.json"]
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert package["name"] == "corridors-south-south" and "ims2020" in package["title"]
    assert package["licenses"] == [
        {"title": "CC BY 3.0 IGO", "path": "https://creativecommons.org/licenses/by/3.0/igo/"},
        {"title": "CC BY 4.0", "name": "CC-BY-4.0",
         "path": "https://creativecommons.org/licenses/by/4.0/"}]
    assert package["sources"][0] == {
        "title": "Constructed test stock", "path": "https://example.org/ims", "id": "test-ims",
        "publisher": "UN DESA Population Division", "edition": "ims2020",
        "licence": "CC BY 3.0 IGO", "file": "ims.csv", "sha256": "abc123"}
    assert "path" not in package["sources"][1]  # the constructed income groups have no URL
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == ["summary", "regions-rec", "corridors", "stock"]
    for name, resource in resources.items():
        path = tmp_path / resource["path"]
        assert resource["format"] == "csv" and resource["encoding"] == "utf-8"
        assert resource["hash"] == f"sha256:{_sha256(path)}"
        assert resource["bytes"] == path.stat().st_size
        with path.open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert all(f["description"] for f in fields), [f["name"] for f in fields
                                                        if not f["description"]]
        key = resource["schema"]["primaryKey"]
        frame = pl.read_csv(path, infer_schema_length=0)
        assert frame.select(key).is_duplicated().sum() == 0, name
    types = {f["name"]: f["type"] for f in resources["corridors"]["schema"]["fields"]}
    assert (types["year"], types["stock"], types["contiguous"], types["shared_recs"]) == (
        "integer", "number", "boolean", "string")
    assert resources["stock"]["schema"]["primaryKey"] == ["edition", "origin", "destination",
                                                          "year", "sex"]
    stock = pl.read_csv(tmp_path / "stock.csv")
    assert stock["value"].sum() == 925 and stock.height == 9
    assert package["created"].endswith("Z")


def test_frictionless_accepts_the_package_and_catches_a_changed_file(con, tmp_path: Path):
    frictionless = pytest.importorskip("frictionless", reason="frictionless (dev dependency) "
                                       "validates data packages")
    tables = ssm_tables(con, ["summary", "contiguity", "top", "corridors"], years=[2015, 2020])
    export(tables, tmp_path, "datapackage", provenance(con))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    with (tmp_path / "summary.csv").open("a", encoding="utf-8") as handle:
        handle.write("ims2020,wb-lmic,2020,total,south-south,1.0,0.1,1.0,0.0,0.0,test-ims\n")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    errors = {e[0] for e in report.flatten(["type"])}
    assert not report.valid and {"hash-count", "primary-key"} <= errors, errors


def test_unknown_licences_point_to_their_terms():
    sources = pl.DataFrame({
        "licence": ["CC BY-SA 4.0 (attribution required)", "Free for research with citation",
                    "Facts compiled from cited pages"],
        "url": ["https://a.example", "https://cepii.example/terms", ""]})
    assert datapackage.licences(sources) == [
        {"title": "CC BY-SA 4.0 (attribution required)", "name": "CC-BY-SA-4.0",
         "path": "https://creativecommons.org/licenses/by-sa/4.0/"},
        {"title": "Free for research with citation", "path": "https://cepii.example/terms"},
        {"title": "Facts compiled from cited pages", "name": "other-at"}]


# --- the store built from the mirror ---------------------------------------------------------

@pytest.mark.mirror
def test_data_package_from_the_built_store(store_con, tmp_path: Path):
    tables = ssm_tables(store_con, ["summary", "contiguity", "stock", "remittances"], years=[2020],
                        lenses=[get_lens("wb-lmic"), get_lens("gfmd-2018")])
    export(tables, tmp_path, "datapackage", provenance(store_con, "ims2020"))
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert resource["hash"] == f"sha256:{_sha256(tmp_path / resource['path'])}"
    assert pl.read_csv(tmp_path / "stock.csv")["value"].sum() == 280_598_105
    by_id = {s["id"]: s for s in package["sources"]}
    stored = dict(store_con.execute("SELECT source_id, sha256 FROM provenance").fetchall())
    assert by_id["ims2020-bilateral-long"]["sha256"] == stored["ims2020-bilateral-long"]
    assert "ims2015-bilateral" not in by_id
    titles = {lic["title"] for lic in package["licenses"]}
    assert {"CC BY 3.0 IGO", "CC BY 4.0"} <= titles
    assert all("name" in lic or "path" in lic for lic in package["licenses"])
    remittances = {r["name"]: r for r in package["resources"]}["remittances"]["schema"]
    assert remittances["primaryKey"] == ["indicator", "area", "counterpart", "year"]
    assert all(f["description"] for f in remittances["fields"])
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
