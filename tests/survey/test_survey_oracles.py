"""Every reference value of oracles/survey/EXPECTED.md, to 1e-6 relative."""

from __future__ import annotations

import duckdb
import pytest

from corridors.survey.estimator import estimate, mean, ratio, total


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def agrees(value: float, printed: str) -> bool:
    """Within 1e-6 relative of the reference, or - when the reference is printed with fewer
    significant digits than that (0.0074976) - equal to it when rounded as printed."""
    reference = float(printed.replace(",", ""))
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return rel(value, reference) < 1e-6 or round(value, decimals) == reference


@pytest.fixture
def api_mapping(write_mapping):
    return write_mapping({"survey": {"id": "api-strat"},
                          "design": {"weight": "pw", "strata": "stype", "fpc": "fpc"}})


@pytest.fixture
def yrbs_mapping(write_mapping):
    return write_mapping({
        "survey": {"id": "yrbs"},
        "design": {"weight": "weight", "strata": "stratum", "psu": "psu"},
        "read": {"keep": "qn8 IS NOT NULL"},
        "variables": {"y": {"column": "qn8", "map": {1: 1, 2: 0}}},
    })


def test_api_strat_mean_and_total_with_fpc(survey_oracles, api_mapping):
    out = estimate(survey_oracles / "api_strat.csv", api_mapping,
                   [mean("api00", "api00"), total("enroll", "enroll")], ci="wald")
    rows = {r["measure"]: r for r in out.to_dicts()}
    assert rel(rows["api00"]["estimate"], 662.2874) < 1e-6
    assert rel(rows["api00"]["se"], 9.40894) < 1e-6
    assert rel(rows["enroll"]["estimate"], 3_687_177.5) < 1e-6
    assert rel(rows["enroll"]["se"], 114_641.7) < 1e-6
    assert rows["api00"]["n"] == 200
    ci = rows["api00"]
    assert ci["ci_low"] == pytest.approx(662.2874 - 1.959964 * 9.40894, rel=1e-6)
    assert ci["cv"] == pytest.approx(9.40894 / 662.2874, rel=1e-6)


def test_api_population_check(survey_oracles):
    value = duckdb.sql(f"SELECT avg(api00) FROM read_csv('{survey_oracles / 'api_pop.csv'}', "
                       "nullstr = ['NA', ''])").fetchone()[0]
    assert rel(value, 664.7126) < 1e-6


def test_api_without_fpc_has_larger_se(survey_oracles, write_mapping):
    mapping = write_mapping({"design": {"weight": "pw", "strata": "stype"}})
    out = estimate(survey_oracles / "api_strat.csv", mapping, [mean("api00")])
    assert out["se"][0] > 9.40894 * 1.01  # no finite-population correction


def test_yrbs_total_mean_ratio(survey_oracles, yrbs_mapping, independent_variance):
    out = estimate(survey_oracles / "yrbs.csv", yrbs_mapping,
                   [total("y", "total"), mean("y", "mean"), ratio("y", "0.8 * y + 0.5", "ratio")])
    rows = {r["measure"]: r for r in out.to_dicts()}
    assert rows["total"]["n"] == 7413  # sample persons with y = 1
    assert rows["mean"]["n"] == 8757
    for name, value, se in (("total", "7938.3335", "555.5157"), ("mean", "0.8136225", "0.0198621"),
                            ("ratio", "0.7069458", "0.0074976")):
        assert agrees(rows[name]["estimate"], value), name
        assert agrees(rows[name]["se"], se), name
    # The ratio SE is printed to 5 significant digits; check it against the formula itself.
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(survey_oracles / "yrbs.csv").dropna(subset=["qn8"])
    w, y = frame["weight"].to_numpy(), np.where(frame["qn8"] == 1, 1.0, 0.0)
    x = 0.8 * y + 0.5
    r = (w * y).sum() / (w * x).sum()
    v = independent_variance(frame, w * (y - r * x) / (w * x).sum(), strata="stratum", psu="psu")
    assert rel(rows["ratio"]["se"], v ** 0.5) < 1e-9


def test_yrbs_as_domain_keeps_all_psus(survey_oracles, write_mapping, independent_variance):
    """Without dropping rows, missing qn8 is a domain: same estimate, SE over all 54 PSUs."""
    import numpy as np
    import pandas as pd

    mapping = write_mapping({
        "design": {"weight": "weight", "strata": "stratum", "psu": "psu"},
        "variables": {"y": {"column": "qn8", "map": {1: 1, 2: 0}}}})
    out = estimate(survey_oracles / "yrbs.csv", mapping, [total("y")]).to_dicts()[0]
    assert rel(out["estimate"], 7938.3335) < 1e-6
    frame = pd.read_csv(survey_oracles / "yrbs.csv")
    y = np.where(frame["qn8"] == 1, 1.0, 0.0)
    expected = independent_variance(frame, frame["weight"].to_numpy() * y, strata="stratum",
                                    psu="psu")
    assert rel(out["se"], expected ** 0.5) < 1e-9
    assert out["se"] > 555.5157
