"""Every worked example of ``oracles/flows/EXPECTED.md`` reproduced.

The matrices and published results below are the published worked examples (Abel 2013, Demographic
Research; Abel & Sander 2014; Abel 2018, IMR; Abel & Cohen 2019, Scientific Data) as written in
``../shared/oracles/flows/EXPECTED.md``; ``test_literals_match_expected_md`` parses that file at test
time and checks that these literals are the ones it publishes.

Published values carry 7 significant digits; each is matched to 1e-6 or, where fewer decimals are
printed, to half a unit of the last printed digit (e.g. 26.42296 -> 5e-6).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from corridors.analytics.flows import (
    demographic_accounting,
    dennett,
    difference,
    rogers_von_rabenau,
)
from corridors.analytics.flows.rates import dennett_total

PLACES = "ABCD"

S1_DIFF = [[100, 10, 10, 0], [20, 55, 25, 10], [10, 40, 140, 65], [20, 25, 20, 200]]
S2_DIFF = [[75, 25, 5, 15], [20, 45, 30, 15], [30, 40, 150, 35], [10, 50, 5, 200]]
S1_E0 = [[1000, 100, 10, 0], [55, 555, 50, 5], [80, 40, 800, 40], [20, 25, 20, 200]]
S2_E0 = [[950, 100, 60, 0], [80, 505, 75, 5], [90, 30, 800, 40], [40, 45, 0, 180]]
S2_E1 = [[70, 30, 10, 10], [25, 60, 10, 15], [10, 55, 140, 50], [40, 45, 0, 180]]
S1_E7 = [[100, 10, 10, 0], [80, 180, 10, 90], [30, 10, 140, 40], [60, 70, 10, 160]]
S2_E7 = [[95, 5, 15, 5], [75, 225, 5, 55], [55, 0, 115, 50], [35, 25, 25, 215]]
S2_E3 = [[1060, 60, 10, 10], [45, 540, 40, 0], [70, 75, 770, 70], [30, 30, 20, 230]]
BIRTHS = [80, 20, 40, 60]
DEATHS = [70, 30, 50, 10]
DISTANCE = [[0, 5, 50, 500], [5, 0, 45, 495], [50, 45, 0, 450], [500, 495, 450, 0]]

# published results as printed (strings keep the printed precision)
EXPECTED = {
    "diff-zero": ["0,15,0,15", "0,0,5,5", "20,0,0,0", "0,25,0,0"],
    "diff-return": ["0,15,0,25", "0,0,5,5", "25,0,0,15", "0,25,30,0"],
    "dennett": ["0, 2.352941, 2.352941, 0", "4.705882, 0, 5.882353, 2.352941",
                "2.352941, 9.411765, 0, 15.294118", "4.705882, 5.882353, 4.705882, 0"],
    "rvr": ["0, 26.584620, -10.22741, 24.16653", "3.474032, 0, 11.71799, 20.12425",
            "34.097610, -0.125662, 0, -51.85130", "-12.047899, 38.857311, -24.36993, 0"],
    "e0": ["0,0,50,0", "35,0,25,0", "10,10,0,0", "10,10,0,0"],
    "e1": ["0,20,0,10", "0,0,0,0", "15,15,0,5", "10,25,0,0"],
    "e7": ["0,5,7.857143,22.142857", "7.142857,0,12.142857,40.714286",
           "17.857143,5,0,7.142857", "0,35,0,0"],
    "e3": ["0, 8.502866, 0, 3.695332", "26.42296, 0, 0.4234563, 9.855274",
           "0, 34.183358, 0, 25.077888", "11.46761, 10.933241, 1.3928875, 0"],
    "e4": ["0, 8.897732, 0, 3.852711", "26.81098, 0, 0.4296748, 10.0",
           "0, 35.677466, 0, 26.145924", "11.62571, 11.251175, 1.4120903, 0"],
}
E0_BY_BIRTHPLACE = {
    "A": ["950,0,50,0", "0,100,0,0", "0,0,10,0", "0,0,0,0"],
    "B": ["55,0,0,0", "25,505,25,0", "0,0,50,0", "0,0,0,5"],
    "C": ["80,0,0,0", "10,30,0,0", "0,0,800,0", "0,0,0,40"],
    "D": ["20,0,0,0", "0,25,0,0", "10,10,0,0", "10,10,0,180"],
}
TOTALS = {"e0": "150", "e1": "100", "e7": "160", "e3": "131.95487", "e4": "136.10346"}


def _values(rows: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Published rows -> (values, tolerance per cell)."""
    cells = [[c.strip() for c in row.split(",")] for row in rows]
    values = np.array([[float(c) for c in row] for row in cells])
    tol = np.array([[max(1e-6, 0.5 * 10.0 ** -len(c.partition(".")[2])) if "." in c else 1e-6
                     for c in row] for row in cells])
    return values, tol


def _assert_published(computed: np.ndarray, rows: list[str]) -> None:
    values, tol = _values(rows)
    gap = np.abs(computed - values)
    assert np.all(gap <= tol), f"largest gap {gap.max():.3g}\n{computed}"


def _total_ok(total: float, printed: str) -> None:
    decimals = len(printed.partition(".")[2])
    assert abs(total - float(printed)) <= max(1e-6, 0.5 * 10.0 ** -decimals)


def test_difference_zero_and_return():
    _assert_published(difference(S1_DIFF, S2_DIFF, "zero"), EXPECTED["diff-zero"])
    _assert_published(difference(S1_DIFF, S2_DIFF, "return"), EXPECTED["diff-return"])


def test_dennett_with_default_total():
    assert dennett_total(S1_DIFF, S2_DIFF) == 60
    flows = dennett(S1_DIFF, S2_DIFF)
    _assert_published(flows, EXPECTED["dennett"])
    assert flows.sum() == pytest.approx(60)


def test_rogers_von_rabenau_gives_published_negative_flows():
    result = rogers_von_rabenau(S1_DIFF, S2_DIFF)
    _assert_published(result.flows, EXPECTED["rvr"])
    assert result.residual < 1e-9
    assert (result.flows < 0).sum() == 5  # the method can give negative flows


@pytest.mark.parametrize(("case", "s1", "s2"), [
    ("e0", S1_E0, S2_E0), ("e1", S1_DIFF, S2_E1), ("e7", S1_E7, S2_E7),
])
@pytest.mark.parametrize("match", ["rescale", "open", "open-dr", "native"])
def test_closed_accounting(case, s1, s2, match):
    # closed examples have equal birthplace totals: every birthplace match leaves them alone
    result = demographic_accounting(s1, s2, birthplace_match=match)
    _assert_published(result.flows, EXPECTED[case])
    _total_ok(result.total, TOTALS[case])
    assert result.converged


def test_e0_moves_by_birthplace():
    result = demographic_accounting(S1_E0, S2_E0, keep_by_birthplace=True)
    for b, place in enumerate(PLACES):
        _assert_published(result.by_birthplace[b], E0_BY_BIRTHPLACE[place])


def test_e1_distance_seed_does_not_change_the_answer():
    plain = demographic_accounting(S1_DIFF, S2_E1)
    seeded = demographic_accounting(S1_DIFF, S2_E1, seed=np.array(DISTANCE, float))
    _assert_published(seeded.flows, EXPECTED["e1"])
    np.testing.assert_allclose(seeded.flows, plain.flows, atol=1e-9)
    assert "not used" in seeded.notes["seed"]


def test_seed_shapes_the_independence_model():
    # without the stayer assumption the seed is an offset of the log-linear model
    plain = demographic_accounting(S1_DIFF, S2_E1, stayers=False)
    seeded = demographic_accounting(S1_DIFF, S2_E1, stayers=False,
                                    seed=np.array(DISTANCE, float) + np.eye(4))
    assert not np.allclose(plain.flows, seeded.flows)
    # margins still hold: every birthplace table sums to the start and end stocks
    full = demographic_accounting(S1_DIFF, S2_E1, stayers=False, keep_by_birthplace=True)
    np.testing.assert_allclose(full.by_birthplace.sum(axis=2), S1_DIFF, atol=1e-6)
    np.testing.assert_allclose(full.by_birthplace.sum(axis=1), S2_E1, atol=1e-6)


@pytest.mark.parametrize(("case", "match"), [("e3", "open-dr"), ("e4", "open")])
def test_accounting_with_births_and_deaths(case, match):
    result = demographic_accounting(S1_E0, S2_E3, BIRTHS, DEATHS, birthplace_match=match)
    _assert_published(result.flows, EXPECTED[case])
    _total_ok(result.total, TOTALS[case])


# --- the literals above are the ones EXPECTED.md publishes --------------------------------------

def _rows_after(text: str, anchor: str, count: int = 4) -> list[str]:
    start = text.index(anchor)
    found = re.findall(r"\b[A-D]:\s*\[([^\]]*)\]", text[start:])
    return found[:count]


def _matrix_after(text: str, anchor: str) -> list[list[float]]:
    start = text.index(anchor)
    match = re.search(r"=\s*(\[\[.*?\]\])", text[start:], re.S)
    return eval(match.group(1), {"__builtins__": {}})  # noqa: S307 - a literal list of numbers


def _norm(rows: list[str]) -> list[list[float]]:
    return [[float(c) for c in row.split(",")] for row in rows]


def test_literals_match_expected_md(oracles):
    text = (oracles / "flows" / "EXPECTED.md").read_text(encoding="utf-8")
    assert _matrix_after(text, "## Stock differencing") == S1_DIFF
    assert _matrix_after(text, "S2 = [[75,") == S2_DIFF
    assert _norm(_rows_after(text, 'decrease = "zero"')) == _norm(EXPECTED["diff-zero"])
    assert _norm(_rows_after(text, 'decrease = "return"')) == _norm(EXPECTED["diff-return"])
    assert _norm(_rows_after(text, "- Dennett")) == _norm(EXPECTED["dennett"])
    assert _norm(_rows_after(text, "- Rogers")) == _norm(EXPECTED["rvr"])
    assert _matrix_after(text, "e0 (Abel 2013") == S1_E0
    assert _matrix_after(text, "S2 = [[950,") == S2_E0
    assert _norm(_rows_after(text, "e0 (Abel 2013")) == _norm(EXPECTED["e0"])
    for place in PLACES:
        assert _norm(_rows_after(text, f"born {place}:")) == _norm(E0_BY_BIRTHPLACE[place])
    assert _matrix_after(text, "S2 = [[70,") == S2_E1
    assert _norm(_rows_after(text, "e1 (Abel 2018")) == _norm(EXPECTED["e1"])
    assert _matrix_after(text, "e7 (Abel & Cohen") == S1_E7
    assert _matrix_after(text, "S2 = [[95,") == S2_E7
    assert _norm(_rows_after(text, "e7 (Abel & Cohen")) == _norm(EXPECTED["e7"])
    assert _matrix_after(text, "S2 = [[1060") == S2_E3
    assert f"births = {BIRTHS}".replace(" ", "") in text.replace(" ", "")
    assert f"deaths = {DEATHS}".replace(" ", "") in text.replace(" ", "")
    assert _norm(_rows_after(text, 'e3 (birthplace totals matched by "open-dr")')) == _norm(
        EXPECTED["e3"])
    assert _norm(_rows_after(text, 'e4 ("open")')) == _norm(EXPECTED["e4"])
    for case, total in TOTALS.items():
        block = text[text.index(f"{case} ("):]
        assert re.search(rf"total {re.escape(total)}\b", block[:600]), case
    assert str(DISTANCE).replace(" ", "") in text.replace(" ", "")
