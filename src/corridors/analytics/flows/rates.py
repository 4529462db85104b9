"""Migration-rate methods: flows from a total (Dennett) or from stocks under equal growth
(Rogers & von Rabenau).

- **Dennett** (Dennett 2016, "Estimating an annual time series of global migration flows", Applied
  Geography; compared in Abel & Cohen 2019): a known total number of movers ``M`` is shared out in
  proportion to the foreign-born stocks at the start, ``flow[b, j] = M * S1[b, j] / sum(S1 off the
  diagonal)``. Without a given ``M`` we use the sum over places of the absolute change in residence
  totals, ``sum_j |P_j(t+1) - P_j(t)|``, a lower bound on the number of moves.
- **Rogers & von Rabenau** (1971, "Estimation of interregional migration streams from
  place-of-birth-by-residence data", Demography 8): every stock grows at the common rate ``g`` of the
  whole system, and the movers leaving ``k`` have the birthplace mix of ``k``'s residents at the
  start. For each birthplace ``i`` and place ``j``::

      S2[i, j] = (1 + g) S1[i, j] - S1[i, j] / P_j * sum_k m[j, k] + sum_k m[k, j] S1[i, k] / P_k

  a linear system in the ``n (n - 1)`` flows ``m`` (``n^2`` equations), solved by least squares.
  The method can give negative flows, as Abel (2013, section 5) notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corridors.analytics.flows.matrices import check_pair
from corridors.errors import CorridorsError


def dennett_total(stock_start: np.ndarray, stock_end: np.ndarray) -> float:
    """The default total of movers: sum over places of |change in residence totals|."""
    s1, s2 = check_pair(stock_start, stock_end)
    return float(np.abs(s2.sum(axis=0) - s1.sum(axis=0)).sum())


def dennett(stock_start: np.ndarray, stock_end: np.ndarray, total: float | None = None
            ) -> np.ndarray:
    """Distribute ``total`` movers in proportion to the start foreign-born stocks."""
    s1, s2 = check_pair(stock_start, stock_end)
    m = dennett_total(s1, s2) if total is None else float(total)
    if m < 0:
        raise CorridorsError(f"the total number of movers must not be negative (got {m:,})")
    weights = s1.copy()
    np.fill_diagonal(weights, 0.0)
    denominator = weights.sum()
    if denominator <= 0:
        raise CorridorsError("no foreign-born stock at the start: nothing to distribute movers by")
    return m * weights / denominator


@dataclass
class RogersResult:
    """Rogers & von Rabenau flows with the least-squares residual of the stock equations."""

    flows: np.ndarray
    growth: float
    residual: float


def rogers_von_rabenau(stock_start: np.ndarray, stock_end: np.ndarray,
                       tol: float = 1e-12, max_iter: int = 100_000) -> RogersResult:
    """Solve the Rogers & von Rabenau stock equations for all off-diagonal flows.

    ``residual`` is the largest absolute gap (persons) left in the ``n^2`` stock equations; it is
    zero when the stocks are consistent with the model (equal birthplace totals up to ``g``).
    """
    # SciPy (a declared dependency) is loaded only here: the sparse solver is this method's alone,
    # and every other command starts without it.
    import scipy.sparse as sp
    from scipy.sparse.linalg import lsqr

    s1, s2 = check_pair(stock_start, stock_end)
    n = s1.shape[0]
    residents = s1.sum(axis=0)
    if np.any(residents <= 0):
        empty = int(np.flatnonzero(residents <= 0)[0])
        raise CorridorsError(f"place {empty + 1} has no residents at the start: the Rogers & von "
                             "Rabenau rates are undefined; drop it or use another method")
    growth = s2.sum() / s1.sum() - 1.0
    pairs = [(k, j) for k in range(n) for j in range(n) if k != j]
    column = {pair: c for c, pair in enumerate(pairs)}
    rows, cols, vals = [], [], []
    for i in range(n):
        for j in range(n):
            eq = i * n + j
            for k in range(n):
                if k == j:
                    continue
                # out of j: m[j, k] * S1[i, j] / P_j  (enters with a minus sign)
                rows.append(eq)
                cols.append(column[(j, k)])
                vals.append(-s1[i, j] / residents[j])
                # into j from k: m[k, j] * S1[i, k] / P_k
                rows.append(eq)
                cols.append(column[(k, j)])
                vals.append(s1[i, k] / residents[k])
    a = sp.csr_matrix((vals, (rows, cols)), shape=(n * n, len(pairs)))
    rhs = (s2 - (1.0 + growth) * s1).ravel()
    if n <= 40:
        solution = np.linalg.lstsq(a.toarray(), rhs, rcond=None)[0]
    else:
        solution = lsqr(a, rhs, atol=tol, btol=tol, iter_lim=max_iter)[0]
    flows = np.zeros((n, n))
    for c, (k, j) in enumerate(pairs):
        flows[k, j] = solution[c]
    residual = float(np.abs(a @ solution - rhs).max())
    return RogersResult(flows, float(growth), residual)
