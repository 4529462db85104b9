"""Convergence is stated, never silent: tolerance and iteration limit are honoured."""

from __future__ import annotations

import numpy as np
import pytest

from corridors.analytics.flows import NotConvergedError, demographic_accounting, ipf


def test_ipf_reports_iterations_and_gap():
    seed = np.array([[1.0, 2.0], [3.0, 1.0]])
    fit = ipf(seed, np.array([5.0, 7.0]), np.array([4.0, 8.0]), tol=1e-12)
    assert fit.converged and fit.iterations > 1
    np.testing.assert_allclose(fit.fitted.sum(axis=1), [5, 7])
    np.testing.assert_allclose(fit.fitted.sum(axis=0), [4, 8])


def test_ipf_non_convergence_raises_or_reports():
    seed = np.array([[1.0, 2.0], [3.0, 1.0]])
    with pytest.raises(NotConvergedError, match="did not converge: after 2 iterations"):
        ipf(seed, np.array([5.0, 7.0]), np.array([4.0, 8.0]), tol=1e-14, max_iter=2)
    fit = ipf(seed, np.array([5.0, 7.0]), np.array([4.0, 8.0]), tol=1e-14, max_iter=2,
              on_failure="report")
    assert not fit.converged and fit.gap > 0 and fit.iterations == 2
    # inconsistent margins (row total 12, column total 10) can never converge
    with pytest.raises(NotConvergedError, match="inconsistent"):
        ipf(seed, np.array([5.0, 7.0]), np.array([4.0, 6.0]))


def test_accounting_non_convergence_is_raised_or_reported():
    s1 = np.array([[100, 10, 10, 0], [80, 180, 10, 90], [30, 10, 140, 40], [60, 70, 10, 160.0]])
    s2 = np.array([[95, 5, 15, 5], [75, 225, 5, 55], [55, 0, 115, 50], [35, 25, 25, 215.0]])
    seed = np.array([[1, 5, 50, 500], [5, 1, 45, 495], [50, 45, 1, 450], [500, 495, 450, 1.0]])
    with pytest.raises(NotConvergedError, match="fitting moves by birthplace"):
        demographic_accounting(s1, s2, seed=seed, stayers=False, max_iter=2, tol=1e-15)
    result = demographic_accounting(s1, s2, seed=seed, stayers=False, max_iter=2, tol=1e-15,
                                    on_failure="report")
    assert not result.converged and result.iterations == 2 and result.gap > 0
    done = demographic_accounting(s1, s2, seed=seed, stayers=False)
    assert done.converged and done.iterations > 2


@pytest.mark.parametrize("match", ["native", "open", "open-dr"])
def test_one_sweep_gives_the_fitted_flows_to_the_last_bit(store_con, match, monkeypatch):
    """The stayer model's fit done one birthplace at a time (when one sweep converges) gives the
    same flows, bit for bit, as the n x n x n fit, on the real IMS 2020 stocks of every period."""
    from corridors.analytics.flows import accounting
    from corridors.analytics.flows.global_run import period_matrices, periods

    taken = []
    one_sweep = accounting._one_sweep_flows
    monkeypatch.setattr(accounting, "_one_sweep_flows",
                        lambda *args: taken.append(one_sweep(*args) is not None) or one_sweep(*args))
    memo: dict = {}
    for start, end in periods(store_con, "ims2020"):
        mats = period_matrices(store_con, "ims2020", start, end, "female", memo=memo)
        swept = demographic_accounting(mats.start, mats.end, birthplace_match=match)
        # keeping the moves by birthplace takes the n x n x n fit
        full = demographic_accounting(mats.start, mats.end, birthplace_match=match,
                                      keep_by_birthplace=True)
        assert full.by_birthplace is not None and full.by_birthplace.ndim == 3
        assert np.array_equal(swept.flows, full.flows), (start, end)
        assert (swept.iterations, swept.gap, swept.converged) == (
            full.iterations, full.gap, full.converged) == (1, full.gap, True)
    assert taken and all(taken)  # every period took the one-sweep fit


def test_one_sweep_steps_aside_when_one_sweep_is_not_enough():
    from corridors.analytics.flows.accounting import _one_sweep_flows

    # birthplace totals apart (rows 10, columns 12): one sweep leaves the rows 2 persons off
    rows = np.array([[0.0, 4.0, 6.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    cols = np.array([[5.0, 3.0, 4.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert _one_sweep_flows(rows, cols, 1e-9, 10.0) is None
