"""Argentina's EPH (2016 Q4, 2,000 real person records): the full pipeline with its messy
country codes harmonised to ISO3 by docs/examples/eph_2016q4.yaml, migrant shares by sex with
SEs under the documented with-replacement single-stage assumption (weights only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import yaml

from corridors import codes
from corridors.errors import InputError
from corridors.survey.estimator import estimate, mean, prepare, total
from corridors.survey.indicators import icls

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eph_2016q4.yaml"


@pytest.fixture(scope="module")
def eph_file(oracles) -> Path:
    return oracles / "microdata" / "eph_toybase_individual_2016_04.csv"


@pytest.fixture(scope="module")
def eph(eph_file) -> pd.DataFrame:
    return pd.read_csv(eph_file, low_memory=False)


def test_messy_birth_codes_resolve_to_iso3(eph_file, eph):
    prep = prepare(eph_file, EXAMPLE)
    got = prep.engine.query(
        f"SELECT CH15, CH15_COD, birth_country FROM ({prep.source.sql}) s").fillna("")
    foreign = got[got["CH15"].isin([4, 5])]
    assert len(foreign) == int(eph["CH15"].isin([4, 5]).sum()) == 72
    # every spelling of one code lands on one ISO3: CHI/chi -> CHL, PAR/par/Par -> PRY, ...
    spelled = foreign.assign(code=foreign["CH15_COD"].str.upper())
    assert spelled.groupby("code")["birth_country"].nunique().max() == 1
    resolved = dict(zip(spelled["code"], spelled["birth_country"], strict=False))
    assert resolved["CHI"] == "CHL" and resolved["PAR"] == "PRY" and resolved["EST"] == "USA"
    assert resolved["HAI"] == "HTI" and resolved["URU"] == "URY" and resolved["ESP"] == "ESP"
    assert all(codes.code_for(v) == v for v in resolved.values())
    # provinces ("CHA" Chaco, "chi" typed for a province) stay Argentina, unknown stays missing
    assert set(got.loc[got["CH15"].isin([1, 2, 3]), "birth_country"]) == {"ARG"}
    assert set(got.loc[got["CH15"] == 9, "birth_country"]) == {""}
    five = prep.engine.query(f"SELECT CH16, residence_5y FROM ({prep.source.sql}) s")
    assert set(five.loc[five["CH16"] == 5, "residence_5y"]) == {"ESP", "USA", "HTI", "ITA"}


def test_migrant_share_by_sex_with_srs_with_replacement_se(eph_file, eph):
    out = estimate(eph_file, EXAMPLE, [mean("foreign_born", "share"),
                                       total("foreign_born", "migrants")], by=["sex"])
    rows = {(r["measure"], r["sex"]): r for r in out.to_dicts()}
    known = eph["CH15"] != 9
    born_abroad = eph["CH15"].isin([4, 5]).to_numpy(dtype=float)
    n = len(eph)  # each person its own PSU in one stratum: V = n/(n-1) sum (z_i - zbar)^2
    for code, sex in ((1, "male"), (2, "female")):
        w = eph["PONDERA"].to_numpy(dtype=float) * ((eph["CH04"] == code) & known).to_numpy()
        share = (w * born_abroad).sum() / w.sum()
        z = w * (born_abroad - share) / w.sum()
        se = np.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum())
        assert rows[("share", sex)]["estimate"] == pytest.approx(share, rel=1e-12)
        assert rows[("share", sex)]["se"] == pytest.approx(se, rel=1e-9)
        assert 0.03 < share < 0.09  # Argentina: about 5 % foreign-born (UN DESA 2015: 4.8 %)
        zt = w * born_abroad
        se_t = np.sqrt(n / (n - 1) * ((zt - zt.mean()) ** 2).sum())
        assert rows[("migrants", sex)]["se"] == pytest.approx(se_t, rel=1e-9)
        assert rows[("migrants", sex)]["n"] == int((born_abroad * (w > 0)).sum())


def test_icls_indicators_run_end_to_end_with_suppression(eph_file):
    prep = prepare(eph_file, EXAMPLE)
    out = icls(prep)
    ids = set(out["indicator"])
    assert {"share_foreign_born", "migrants_by_origin", "labour_force_participation_rate",
            "unemployment_rate", "employed_by_status", "recent_migrants_5y",
            "return_migrants_5y"} <= ids
    assert "migrants_foreign_citizens" not in ids  # EPH has no citizenship question
    # small cells are suppressed by default, with the flag kept
    origin = out.filter(pl.col("indicator") == "migrants_by_origin", pl.col("sex").is_null())
    assert origin.filter(birth_country="CHL")["n"].item() == 28  # CHI/chi where CH15 = 4
    assert origin.filter(birth_country="CHL")["estimate"].item() is None
    assert set(origin["flag"]) == {"suppressed"}
    lfpr = out.filter(pl.col("indicator") == "labour_force_participation_rate",
                      pl.col("sex").is_null(), pl.col("migrant_status") == "native-born")
    lfpr = lfpr.to_dicts()[0]
    assert lfpr["flag"] == "ok" and 0.5 < lfpr["estimate"] < 0.7
    assert lfpr["ci_low"] < lfpr["estimate"] < lfpr["ci_high"]


def test_an_unmapped_code_stops_with_the_code_and_row_count(eph_file, tmp_path):
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    rule = document["variables"]["birth_country"][1]
    rule["map"] = {k: v for k, v in rule["map"].items() if k != "URU"}
    path = tmp_path / "eph.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        prepare(eph_file, path)
    text = str(caught.value)
    assert "'URU'" in text and "2 rows" in text and "CH15_COD" in text and "eph.yaml" in text


def test_median_monthly_earnings_of_native_born_employees(eph_file, eph):
    """The ICLS earnings indicator is the weighted median of P21 over employees (CAT_OCUP 3,
    P21 answered) of working age: recomputed here from the raw file with pandas."""
    prep = prepare(eph_file, EXAMPLE)
    out = icls(prep).filter(pl.col("indicator") == "median_monthly_earnings",
                            pl.col("sex").is_null())
    native = out.filter(migrant_status="native-born").to_dicts()[0]
    rows = eph[(eph["CAT_OCUP"] == 3) & (eph["P21"] != -9) & eph["P21"].notna()
               & (eph["ESTADO"] == 1) & (eph["CH06"] >= 15) & eph["CH15"].isin([1, 2, 3])]
    rows = rows[rows["PONDERA"] > 0].sort_values("P21")
    share = rows.groupby("P21")["PONDERA"].sum().cumsum() / rows["PONDERA"].sum()
    assert native["estimate"] == share[share >= 0.5].index[0]
    assert native["n"] == len(rows) and native["kind"] == "quantile"
    assert native["ci_low"] <= native["estimate"] <= native["ci_high"] and native["se"] > 0
    assert native["ci_method"] == "woodruff-t" and native["df"] == len(rows) - 1
    assert out.filter(migrant_status="foreign-born")["flag"].to_list() == ["suppressed"]
