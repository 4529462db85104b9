"""Every ``ffs_demo`` example of migest's documentation (Abel, man/ffs_demo.Rd: e0 ... e7) with
corridors' demographic accounting, every cell to 1e-6.

Inputs are the documented example inputs. migest's examples fill ``s1[,] <- c(...)`` column by
column (R's order); they are written here row by row (rows = place of birth), e.g. e6's end table
``c(75, 20, 30, 30, 25, ...)`` is the column A = (75, 20, 30, 30).

Where each expected number comes from:

- e0, e1, e3, e4, e7: the published results in ``../shared/oracles/flows/EXPECTED.md`` (Abel 2013;
  Abel & Sander 2014; Abel 2018; Abel & Cohen 2019); ``test_flows_oracles.py`` checks that its
  literals are the file's, and the same values are checked here against the documented calls.
- e2 (Abel 2018, IMR supplementary material, distance matrix as seed): EXPECTED.md says the result
  is published equal to e1's.
- e5 (Abel & Sander 2014, Science supplementary material) and e6 (Abel 2018, IMR supplementary
  material, births 10,50,25,60; deaths 30,10,40,10): the documentation prints no output and no
  published table of them was reachable, so the expected cells are those of the reference itself:
  migest's ``ffs_demo`` (current GitHub version, defaults: rescale, native births with the
  non-negative rule, proportional deaths, before-demo global match) run under R 4.2.2 with mipfp's
  ``Ipfp`` (R version) on the documented inputs, printed to 14 digits. That run also reproduced
  e0-e4 and e7 of EXPECTED.md exactly, which validates it. ``ffs_demo_reference.R`` beside this
  file is the script to re-run it where migest is installed (it is not on Debian or PyPI).
"""

from __future__ import annotations

import numpy as np
import pytest

from corridors.analytics.flows import demographic_accounting
from corridors.errors import CorridorsError

ZERO = [0, 0, 0, 0]
S1_DR = [[1000, 100, 10, 0], [55, 555, 50, 5], [80, 40, 800, 40], [20, 25, 20, 200]]
S2_E0 = [[950, 100, 60, 0], [80, 505, 75, 5], [90, 30, 800, 40], [40, 45, 0, 180]]
S1_IMR = [[100, 10, 10, 0], [20, 55, 25, 10], [10, 40, 140, 65], [20, 25, 20, 200]]
S2_E1 = [[70, 30, 10, 10], [25, 60, 10, 15], [10, 55, 140, 50], [40, 45, 0, 180]]
S2_DR = [[1060, 60, 10, 10], [45, 540, 40, 0], [70, 75, 770, 70], [30, 30, 20, 230]]
S2_E6 = [[75, 25, 5, 0], [20, 45, 30, 15], [30, 40, 150, 60], [30, 30, 20, 230]]
S1_E7 = [[100, 10, 10, 0], [80, 180, 10, 90], [30, 10, 140, 40], [60, 70, 10, 160]]
S2_E7 = [[95, 5, 15, 5], [75, 225, 5, 55], [55, 0, 115, 50], [35, 25, 25, 215]]
DISTANCE = [[0, 5, 50, 500], [5, 0, 45, 495], [50, 45, 0, 450], [500, 495, 450, 0]]

E1 = [[0, 20, 0, 10], [0, 0, 0, 0], [15, 15, 0, 5], [10, 25, 0, 0]]
EXAMPLES = {
    # name: (stock_start, stock_end, births, deaths, options, expected flows, expected total)
    "e0": (S1_DR, S2_E0, ZERO, ZERO, {},
           [[0, 0, 50, 0], [35, 0, 25, 0], [10, 10, 0, 0], [10, 10, 0, 0]], 150),
    "e1": (S1_IMR, S2_E1, ZERO, ZERO, {}, E1, 100),
    "e2": (S1_IMR, S2_E1, ZERO, ZERO, {"seed": DISTANCE}, E1, 100),
    "e3": (S1_DR, S2_DR, [80, 20, 40, 60], [70, 30, 50, 10], {"birthplace_match": "open-dr"},
           [[0, 8.50286588935, 0, 3.69533174736], [26.42295597484, 0, 0.42345626072, 9.85527444254],
            [0, 34.18335756356, 0, 25.07788797825], [11.46761483994, 10.93324090718, 1.39288748042, 0]],
           131.954873084),
    "e4": (S1_DR, S2_DR, [80, 20, 40, 60], [70, 30, 50, 10], {"birthplace_match": "open"},
           [[0, 8.897732365336, 0, 3.852711336321], [26.81097936836, 0, 0.429674752529, 10.0],
            [0, 35.677465875463, 0, 26.145924076756], [11.625711193568, 11.251175015461, 1.412090290662, 0]],
           136.103464274),
    "e5": (S1_DR, S2_DR, [80, 20, 60, 60], [70, 30, 50, 10], {},
           [[0, 3.32856289204252, 0, 3.24298952398766],
            [34.12095243687568, 0, 0.58387383980656, 9.80933604166327],
            [0.00436573844995, 27.12775267676105, 0, 25.71133112246037],
            [12.44611999870048, 9.05847802323764, 2.25952624187552, 0]],
           127.693288536),
    "e6": (S1_IMR, S2_E6, [10, 50, 25, 60], [30, 10, 40, 10], {},
           [[0, 8.12621569779, 0, 0], [15.4553535451, 0, 18.08183234988, 5.71286416905],
            [0, 1.12567923857, 0, 0], [17.66940688841, 0, 8.0433627777, 0]],
           74.2147146665),
    "e7": (S1_E7, S2_E7, ZERO, ZERO, {},
           [[0, 5, 7.857142857143, 22.142857142857], [7.142857142857, 0, 12.142857142857, 40.714285714286],
            [17.857142857143, 5, 0, 7.142857142857], [0, 35, 0, 0]], 160),
}
# the e3/e4 published figures of EXPECTED.md (7 significant digits) agree with the reference run
# printed above to within half a unit of their last digit; test_flows_oracles.py checks those.


def _run(name: str):
    s1, s2, b, d, options, _, _ = EXAMPLES[name]
    options = dict(options)
    if "seed" in options:
        options["seed"] = np.array(options["seed"], float)
    return demographic_accounting(s1, s2, b, d, places=list("ABCD"), **options)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_ffs_demo_example_to_1e6_on_every_cell(name):
    *_, expected, total = EXAMPLES[name]
    result = _run(name)
    gap = np.abs(result.flows - np.array(expected, float))
    assert gap.max() <= 1e-6, f"{name}: largest cell difference {gap.max():.3g}\n{result.flows}"
    assert result.total == pytest.approx(total, abs=1e-6)
    assert result.converged


def test_science_example_is_no_longer_the_old_total():
    # before the fix corridors gave 124.544125 (only the end table was fitted)
    assert abs(_run("e5").total - 124.544125) > 3


def test_imr_example_reports_the_excess_births_of_b():
    result = _run("e6")
    assert result.excess_births == [{
        "place": "B", "births": 50.0, "native_born_end": 45.0, "excess": 5.0,
        "treatment": "births of B taken off all its 140 end residents in proportion to their "
                     "stocks by birthplace (Abel 2018)"}]
    assert "excess_births" not in _run("e5").notes


def test_births_spread_over_all_residents_of_b():
    # each birthplace table balances: what B's births took off the end stocks is 50/140 of them
    from corridors.analytics.flows.accounting import birth_table

    table, excess = birth_table(np.array([10.0, 50, 25, 60]), np.array(S2_E6, float), list("ABCD"))
    np.testing.assert_allclose(table[:, 1], np.array([25, 45, 40, 30]) * 50 / 140)
    assert table[:, 1].sum() == pytest.approx(50)
    others = [0, 2, 3]
    np.testing.assert_array_equal(table[:, others], np.diag([10.0, 50, 25, 60])[:, others])
    assert [e["place"] for e in excess] == ["B"]


def test_births_above_all_residents_stop_with_the_place():
    with pytest.raises(CorridorsError, match="births in B .*exceed everyone living there"):
        demographic_accounting(S1_IMR, S2_E6, [10, 500, 25, 60], [30, 10, 40, 10],
                               places=list("ABCD"))


def test_rescale_stopping_rule_is_the_reference_s_and_can_be_tightened():
    s1, s2, b, d, *_ = EXAMPLES["e6"]
    loose = _run("e6")
    tight = demographic_accounting(s1, s2, b, d, rescale_tol=1e-12)
    assert loose.notes["rescale_iterations"] == [12, 8]
    # run to convergence the cells move by about the reference's tolerance, no more
    assert 1e-4 < np.abs(tight.flows - loose.flows).max() < 2e-3
    assert tight.notes["rescale_gap"] < 1e-9


def test_non_convergence_names_the_cause_and_the_remedy():
    # C's residents are all native-born at both dates, but its births fall short of its growth
    s1 = [[50, 10, 0], [10, 50, 0], [0, 0, 100]]
    s2 = [[60, 10, 0], [10, 50, 0], [0, 0, 100]]
    with pytest.raises(CorridorsError) as error:
        demographic_accounting(s1, s2, [0, 0, 10], [0, 0, 0], places=["A", "B", "C"])
    text = str(error.value)
    assert "rescaling the start stocks" in text and "did not converge" in text
    assert "5 persons apart" in text and "cannot be met together" in text
    assert "residents are all native-born" in text and "(here: C)" in text
    assert "--birthplace-match open" in text
    # and the remedy works
    open_ = demographic_accounting(s1, s2, [0, 0, 10], [0, 0, 0], birthplace_match="open")
    assert open_.converged


def test_seed_changes_the_moves_only_without_the_stayer_assumption():
    seeded = _run("e2")
    assert seeded.notes["seed"].startswith("not used")
    s1, s2, *_ = EXAMPLES["e2"]
    free = demographic_accounting(s1, s2, stayers=False, seed=np.array(DISTANCE, float) + np.eye(4))
    plain = demographic_accounting(s1, s2, stayers=False)
    assert free.notes["seed"].startswith("used") and not np.allclose(free.flows, plain.flows)


def test_deaths_above_the_residents_stop_rescale_with_the_cause():
    # 400 deaths in A, which has 150 residents at the start: 250 cannot be allocated, so the two
    # tables cannot share birthplace totals; the message says so and what to do
    with pytest.raises(CorridorsError, match="some deaths could not be allocated.*--birthplace-match open"):
        demographic_accounting(S1_IMR, S2_E6, [10, 50, 25, 60], [400, 10, 40, 10])
